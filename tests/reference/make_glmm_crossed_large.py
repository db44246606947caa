"""Regenerate ``glmm_crossed_large.json`` (6,000 × 300 crossed random intercepts, glmmTMB).

Usage (repository root; needs R with glmmTMB, jsonlite)::

    .venv/bin/python tests/reference/make_glmm_crossed_large.py
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from socint.models.simulate import simulate_crossed, write_csv

HERE = Path(__file__).resolve().parent
SIZES = {"n": 60_000, "n_school": 6_000, "n_area": 300}
SEED = 3


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "crossed_large.csv"
        sha = write_csv(simulate_crossed(**SIZES, seed=SEED), csv)
        out = Path(tmp) / "r.json"
        subprocess.run(["Rscript", str(HERE / "glmm_crossed_large.R"), str(csv), str(out)],
                       check=True)
        r = json.loads(out.read_text())
    fixture = {"generator": "socint.models.simulate.simulate_crossed", "sizes": SIZES,
               "seed": SEED, "csv_sha256": sha, "script": "tests/reference/glmm_crossed_large.R",
               **r}
    (HERE / "glmm_crossed_large.json").write_text(json.dumps(fixture, indent=1) + "\n")


if __name__ == "__main__":
    main()
