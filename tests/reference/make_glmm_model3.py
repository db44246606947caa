"""Regenerate ``glmm_model3.json``: simulate Model 3 data from a seed, fit them in R.

Usage (from the repository root, needs R with lme4, glmmTMB, jsonlite)::

    .venv/bin/python tests/reference/make_glmm_model3.py [--which glmmTMB,glmer1,glmer0]
    .venv/bin/python tests/reference/make_glmm_model3.py --only-glmm   # add PyPI glmm's fit

The PyPI package ``glmm`` (a second, independent Laplace implementation) is fitted on the same
data with the same parametrisation (explicit 0/1 dummy columns) and stored under ``glmm_pypi``.

The CSV goes to a temporary folder (it is regenerated from the seed, never committed); its
SHA-256 is stored in the fixture so the test notices any change in the generator.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from socint.models.simulate import simulate_model3, write_csv
from socint.published import MODEL3_N_LA, MODEL3_N_MSOA, MODEL3_N_RESPONDENTS

HERE = Path(__file__).resolve().parent
SEED = 2019


DUMMIES = {
    "ethnicity": ("Asian", "Black", "Chinese", "Mixed", "Other"),
    "nssec": ("Intermediate", "Other", "Routine"),
    "wb_change": ("-5-0%", ">0%"),
}


def fit_pypi_glmm(df: pd.DataFrame) -> dict[str, Any]:
    """Fit Model 3 with PyPI ``glmm`` (dummy columns give socint's parametrisation)."""
    import glmm

    cols: dict[str, Any] = {c: df[c].to_numpy(float) for c in (
        "trust", "female", "year_2010", "age", "income", "married", "years5", "div_decile",
        "poor_english", "family_pct", "income_decile", "crime_decile", "pct65", "rural")}
    cols["income_sq"] = cols["income"] ** 2
    cols["div_poor"] = cols["div_decile"] * cols["poor_english"]
    names = {"income_sq": "income_sq", "div_poor": "div_decile:poor_english",
             "(Intercept)": "Intercept"}
    for var, levels in DUMMIES.items():
        for i, lev in enumerate(levels):
            cols[f"{var}_{i}"] = (df[var] == lev).to_numpy(float)
            names[f"{var}_{i}"] = f"{var}[{lev}]"
    cols["la"] = df["la"].to_numpy()
    cols["msoa"] = df["msoa"].to_numpy()
    rhs = [k for k in cols if k not in ("trust", "la", "msoa")]
    fit = glmm.fit(cols, "trust ~ " + " + ".join(rhs) + " + (1|la) + (1|msoa)",
                   family="binomial")
    return {
        "version": importlib.metadata.version("glmm"),
        "loglik": float(fit.loglik),
        "converged": bool(fit.converged),
        "fixef": {names.get(n, n): float(b) for n, b in zip(fit.names, fit.beta, strict=True)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--which", default="glmmTMB,glmer1,glmer0")
    ap.add_argument("--only-glmm", action="store_true")
    args = ap.parse_args()
    df = simulate_model3(MODEL3_N_RESPONDENTS, MODEL3_N_MSOA, MODEL3_N_LA, seed=SEED)
    target = HERE / "glmm_model3.json"
    if args.only_glmm:
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "model3.csv"
            write_csv(df, csv)
            fixture = json.loads(target.read_text())
            fixture["glmm_pypi"] = fit_pypi_glmm(pd.read_csv(csv))
        target.write_text(json.dumps(fixture, indent=1) + "\n")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "model3.csv"
        sha = write_csv(df, csv)
        out = Path(tmp) / "r.json"
        subprocess.run(["Rscript", str(HERE / "glmm_model3.R"), str(csv), str(out), args.which],
                       check=True)
        r = json.loads(out.read_text())
    fixture = {
        "description": "glmmTMB / glmer fits of the published Model 3 on data simulated by "
                       "socint.models.simulate.simulate_model3 at the published size",
        "generator": "socint.models.simulate.simulate_model3",
        "seed": SEED,
        "sizes": [MODEL3_N_RESPONDENTS, MODEL3_N_MSOA, MODEL3_N_LA],
        "csv_sha256": sha,
        "script": "tests/reference/glmm_model3.R",
        **r,
    }
    target.write_text(json.dumps(fixture, indent=1) + "\n")


if __name__ == "__main__":
    main()
