"""Regenerate ``glmm_slopes.json`` (random slopes; glmmTMB and glmer).

Usage (repository root; needs R with lme4, glmmTMB, jsonlite)::

    .venv/bin/python tests/reference/make_glmm_slopes.py
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from socint.models.simulate import simulate_slopes, write_csv

HERE = Path(__file__).resolve().parent
SEEDS = {"single": 11, "nested": 12, "crossed": 13}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sha = {d: write_csv(simulate_slopes(d, seed=s), Path(tmp) / f"{d}.csv")
               for d, s in SEEDS.items()}
        out = Path(tmp) / "r.json"
        subprocess.run(["Rscript", str(HERE / "glmm_slopes.R"), tmp, str(out)], check=True)
        r = json.loads(out.read_text())
    fixture = {"generator": "socint.models.simulate.simulate_slopes", "seeds": SEEDS,
               "csv_sha256": sha, "script": "tests/reference/glmm_slopes.R", **r}
    (HERE / "glmm_slopes.json").write_text(json.dumps(fixture, indent=1) + "\n")


if __name__ == "__main__":
    main()
