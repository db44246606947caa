"""Random-effect structures: boundary (σ = 0) fits, three nested levels, crossed factors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from socint.models import Control, fit_glmm, simulate_model3
from socint.models.simulate import simulate_crossed, write_csv

CROSSED = Path(__file__).resolve().parent.parent / "reference" / "glmm_crossed.json"


def test_zero_la_variance_is_a_reported_boundary_fit() -> None:
    """Truth σ²_la = 0: the fit is on the boundary and equals the fit without the LA term."""
    df = simulate_model3(3000, 300, 40, seed=5, variances={"la": 0.0, "msoa": 0.3})
    both = fit_glmm("trust ~ female + age + (1 | la) + (1 | msoa)", df)
    msoa_only = fit_glmm("trust ~ female + age + (1 | msoa)", df)
    if both.diagnostics["boundary"]["la"]:
        assert both.variances["la"] < 1e-8
        assert both.loglik == pytest.approx(msoa_only.loglik, abs=1e-6)
        np.testing.assert_allclose(both.fixef, msoa_only.fixef, atol=1e-5)
    else:  # a small positive estimate must then beat the boundary
        assert both.loglik >= msoa_only.loglik - 1e-8
    assert both.converged


def test_three_nested_levels_nested_and_dense_paths_agree() -> None:
    rng = np.random.default_rng(4)
    n = 1500
    la = rng.integers(0, 12, n)
    msoa = rng.integers(0, 4, n)
    oa = rng.integers(0, 3, n)
    x = rng.normal(size=n)
    eta = (-0.4 + 0.7 * x + rng.normal(0, 0.4, 12)[la] + rng.normal(0, 0.6, 48)[la * 4 + msoa]
           + rng.normal(0, 0.5, 144)[(la * 4 + msoa) * 3 + oa])
    df = pd.DataFrame({"y": (rng.random(n) < expit(eta)).astype(int), "x": x, "la": la,
                       "msoa": msoa, "oa": oa})
    f = "y ~ x + (1 | la/msoa/oa)"
    nested = fit_glmm(f, df)
    dense = fit_glmm(f, df, control=Control(dense=True))
    assert nested.diagnostics["nested_fast_path"] and not dense.diagnostics["nested_fast_path"]
    assert nested.n_groups == {"la": 12, "la:msoa": 48, "la:msoa:oa": 144}
    assert nested.loglik == pytest.approx(dense.loglik, abs=1e-7)
    np.testing.assert_allclose(nested.fixef, dense.fixef, atol=1e-6)
    np.testing.assert_allclose(nested.se, dense.se, rtol=1e-4)


def test_crossed_factors_match_glmmtmb(tmp_path: Path) -> None:
    """Crossed schools × areas (sparse crossed path) against glmmTMB 1.1.5 and glmer 1.1.31.

    Fixture ``tests/reference/glmm_crossed.json`` (script ``glmm_crossed.R``); the data are
    regenerated from the seed and their SHA-256 checked. Same tolerances as Model 3.
    """
    ref = json.loads(CROSSED.read_text())
    csv = tmp_path / "crossed.csv"
    assert write_csv(simulate_crossed(seed=ref["seed"]), csv) == ref["csv_sha256"]
    r = fit_glmm("y ~ x + girl + (1 | school) + (1 | area)", pd.read_csv(csv))
    assert r.converged and not r.diagnostics["nested_fast_path"]
    tmb = ref["glmmTMB"]
    assert r.loglik >= tmb["loglik"] - 1e-3
    assert r.loglik >= ref["glmer"]["loglik"] - 1e-3
    for term, value in tmb["fixef"].items():
        assert r.fixef[term] == pytest.approx(value, abs=2e-3)
        assert r.se[term] == pytest.approx(tmb["se"][term], rel=1e-2)
    for f, v in tmb["variances"].items():
        assert r.variances[f] == pytest.approx(v, rel=0.02)
