"""Regenerate ``glmm_agq.json`` (glmer nAGQ = 1, 7, 15 on cbpp and simulated data).

Usage (repository root; needs R with lme4 and jsonlite)::

    .venv/bin/python tests/reference/make_glmm_agq.py
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from socint.models.simulate import simulate_one_factor, write_csv

HERE = Path(__file__).resolve().parent
SEED = 21


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "one_factor.csv"
        sha = write_csv(simulate_one_factor(seed=SEED), csv)
        out = Path(tmp) / "r.json"
        subprocess.run(["Rscript", str(HERE / "glmm_agq.R"), str(csv), str(out)], check=True)
        r = json.loads(out.read_text())
    fixture = {"generator": "socint.models.simulate.simulate_one_factor", "seed": SEED,
               "csv_sha256": sha, "script": "tests/reference/glmm_agq.R", **r}
    (HERE / "glmm_agq.json").write_text(json.dumps(fixture, indent=1) + "\n")


if __name__ == "__main__":
    main()
