"""Regenerate ``glmm_crossed.json`` (crossed random intercepts, glmmTMB and glmer).

Usage (repository root; needs R with lme4, glmmTMB, jsonlite)::

    .venv/bin/python tests/reference/make_glmm_crossed.py
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from socint.models.simulate import simulate_crossed, write_csv

HERE = Path(__file__).resolve().parent
SEED = 7


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "crossed.csv"
        sha = write_csv(simulate_crossed(seed=SEED), csv)
        out = Path(tmp) / "r.json"
        subprocess.run(["Rscript", str(HERE / "glmm_crossed.R"), str(csv), str(out)], check=True)
        r = json.loads(out.read_text())
    fixture = {"generator": "socint.models.simulate.simulate_crossed", "seed": SEED,
               "csv_sha256": sha, "script": "tests/reference/glmm_crossed.R", **r}
    (HERE / "glmm_crossed.json").write_text(json.dumps(fixture, indent=1) + "\n")


if __name__ == "__main__":
    main()
