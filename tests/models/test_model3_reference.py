"""Model 3 at the published size against glmmTMB and glmer (fixture made by R).

``tests/reference/glmm_model3.json`` holds glmmTMB 1.1.5 and lme4 1.1.31 fits of data simulated by
``simulate_model3`` (seed and sizes in the fixture; script ``tests/reference/glmm_model3.R``,
driver ``make_glmm_model3.py``). The data are regenerated here from the seed and their CSV's
SHA-256 is checked, so a change in the generator is detected rather than silently compared.
The PyPI package ``glmm`` 0.6.2 is a second reference (same fixture, ``glmm_pypi``).
Tolerances (from the issue): log-likelihood at least glmmTMB's − 1e-3, fixed effects within
2e-3 of glmmTMB's, variances within 2%; SEs within 1% (both invert the Laplace Hessian).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from socint.errors import ModelWarning
from socint.models import MODEL3_FORMULA, GlmmResult, canonical_term_name, fit_glmm
from socint.models.simulate import simulate_model3, write_csv

FIXTURE = Path(__file__).resolve().parent.parent / "reference" / "glmm_model3.json"


@pytest.fixture(scope="module")
def ref() -> dict:
    return json.loads(FIXTURE.read_text())


@pytest.fixture(scope="module")
def fit(ref: dict, tmp_path_factory: pytest.TempPathFactory) -> GlmmResult:
    n, m, la = ref["sizes"]
    csv = tmp_path_factory.mktemp("model3") / "model3.csv"
    sha = write_csv(simulate_model3(n, m, la, seed=ref["seed"]), csv)
    assert sha == ref["csv_sha256"], "simulate_model3 changed: regenerate the R fixture"
    # the diagnostics must stay quiet on a healthy fit of the published size (issue 13)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelWarning)
        return fit_glmm(MODEL3_FORMULA, pd.read_csv(csv))


def test_reaches_glmmtmb_optimum(ref: dict, fit: GlmmResult) -> None:
    tmb = ref["glmmTMB"]
    assert fit.converged
    assert fit.loglik >= tmb["loglik"] - 1e-3
    est = fit.fixef.rename(index=canonical_term_name)
    se = fit.se.rename(index=canonical_term_name)
    assert set(est.index) == set(tmb["fixef"])
    for term, value in tmb["fixef"].items():
        assert est[term] == pytest.approx(value, abs=2e-3), term
        assert se[term] == pytest.approx(tmb["se"][term], rel=1e-2), term
    for f in ("la", "msoa"):
        assert fit.variances[f] == pytest.approx(tmb["variances"][f], rel=0.02)
    assert fit.nobs == ref["nobs"]
    assert fit.n_groups == {"la": ref["n_la"], "msoa": ref["n_msoa"]}


def test_at_least_as_high_as_glmer(ref: dict, fit: GlmmResult) -> None:
    assert fit.loglik >= ref["glmer_nagq1"]["loglik"] - 1e-3


def test_agrees_with_pypi_glmm(ref: dict, fit: GlmmResult) -> None:
    """Second reference: PyPI ``glmm`` (its own Laplace code), same parametrisation."""
    other = ref["glmm_pypi"]
    assert fit.loglik >= other["loglik"] - 1e-3
    est = fit.fixef.rename(index=canonical_term_name)
    for term, value in other["fixef"].items():
        assert est[term] == pytest.approx(value, abs=2e-3), term
