"""The frozen result: inference tables, fit statistics, predictions and margins.

Every check recomputes the quantity by hand from the fitted numbers (independent formulas,
independent numerical integration), never against stored output of socint.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit

from socint.errors import ModelError
from socint.models import GlmmResult, compare_models, fit_glmm, simulate_model3

SIMPLE = "trust ~ female + age + (1 | la) + (1 | msoa)"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate_model3(4000, 400, 50, seed=7)


@pytest.fixture(scope="module")
def fit(data: pd.DataFrame) -> GlmmResult:
    return fit_glmm(SIMPLE, data)


def test_wald_tables_follow_their_formulas(fit: GlmmResult) -> None:
    assert fit.converged
    se = np.sqrt(np.diag(fit.vcov.to_numpy()))
    np.testing.assert_allclose(fit.se, se)
    np.testing.assert_allclose(fit.z, fit.fixef / se)
    np.testing.assert_allclose(fit.pvalues, 2 * stats.norm.sf(np.abs(fit.fixef / se)))
    ci = fit.conf_int()
    np.testing.assert_allclose(ci["lower"], fit.fixef - 1.959963985 * se, rtol=1e-9)
    orr = fit.odds_ratios()
    np.testing.assert_allclose(orr["OR"], np.exp(fit.fixef))
    np.testing.assert_allclose(orr["upper"], np.exp(ci["upper"]))
    tidy = fit.tidy()
    assert list(tidy["term"]) == ["Intercept", "female", "age"]
    table = fit.summary_table()
    assert {"la variance", "msoa variance", "N", "AIC", "BIC"} <= set(table.index)
    assert table.loc["female", "OR"] == round(math.exp(fit.fixef["female"]), 2)


def test_fit_statistics_and_icc(fit: GlmmResult) -> None:
    k = 3 + 2
    assert fit.n_params == k
    assert fit.deviance == pytest.approx(-2 * fit.loglik)
    assert fit.aic == pytest.approx(-2 * fit.loglik + 2 * k)
    assert fit.bic == pytest.approx(-2 * fit.loglik + k * math.log(4000))
    total = fit.variances.sum() + math.pi**2 / 3
    assert fit.icc["msoa"] == pytest.approx(fit.variances["msoa"] / total)
    assert fit.n_groups == {"la": 50, "msoa": 400}
    assert set(fit.diagnostics) >= {"grad_max", "scaled_grad_max", "hessian_pd", "boundary"}


def test_predict_by_hand(fit: GlmmResult, data: pd.DataFrame) -> None:
    b = fit.fixef
    fixed = b["Intercept"] + b["female"] * data["female"] + b["age"] * data["age"]
    u = fit.ranef["msoa"]["mode"].reindex(data["msoa"]).to_numpy()
    v = fit.ranef["la"]["mode"].reindex(data["la"]).to_numpy()
    np.testing.assert_allclose(fit.predict(type="link", include_random=False), fixed)
    np.testing.assert_allclose(fit.predict(type="link"), fixed + u + v, rtol=1e-10)
    new = data.head(3).assign(msoa=["new1", "new2", "new3"])
    np.testing.assert_allclose(fit.predict(new), expit(fixed.head(3) + v[:3]), rtol=1e-10)
    with pytest.raises(ModelError, match='`type` was "odds"'):
        fit.predict(type="odds")


def test_margins_by_hand(fit: GlmmResult, data: pd.DataFrame) -> None:
    b = fit.fixef
    re = fit.predict(type="link").to_numpy() - fit.predict(type="link",
                                                           include_random=False).to_numpy()
    m = fit.margins("female")
    for val in (0, 1):
        eta = b["Intercept"] + b["female"] * val + b["age"] * data["age"].to_numpy()
        assert m.set_index("female").loc[val, "probability"] == pytest.approx(
            expit(eta + re).mean(), rel=1e-10)
        # integrated over u ~ N(0, σ²_la + σ²_msoa): trapezoid rule on a fine grid
        s = math.sqrt(fit.variances.sum())
        z = np.linspace(-9, 9, 1201)
        dens = stats.norm.pdf(z)
        ref = np.mean(np.trapezoid(expit(eta[:, None] + s * z[None, :]) * dens, z, axis=1))
        mi = fit.margins("female", integrate=True).set_index("female")
        assert mi.loc[val, "probability"] == pytest.approx(ref, rel=1e-7)
    # delta-method SE: gradient by finite differences of the mean prediction in β
    eta0 = b["Intercept"] + b["age"] * data["age"].to_numpy() + re
    g = np.empty(3)
    for k in range(3):
        e = np.zeros(3)
        e[k] = 1e-6
        x = np.column_stack([np.ones(len(data)), np.zeros(len(data)), data["age"]])
        g[k] = (expit(eta0 + x @ e).mean() - expit(eta0 - x @ e).mean()) / 2e-6
    se = math.sqrt(g @ fit.vcov.to_numpy() @ g)
    assert m.set_index("female").loc[0, "std_error"] == pytest.approx(se, rel=1e-4)
    lo, hi = m.loc[0, ["lower", "upper"]]
    assert lo < m.loc[0, "probability"] < hi


def test_compare_models_likelihood_ratio(data: pd.DataFrame, fit: GlmmResult) -> None:
    small = fit_glmm("trust ~ age + (1 | la) + (1 | msoa)", data)
    tab = compare_models({"big": fit, "small": small})
    assert list(tab.index) == ["small", "big"]
    lr = 2 * (fit.loglik - small.loglik)
    assert tab.loc["big", "chisq"] == pytest.approx(lr)
    assert tab.loc["big", "p_value"] == pytest.approx(stats.chi2.sf(lr, 1))
    assert bool(tab.loc["big", "nested"]) is True
    assert tab.loc["small", "aic"] == pytest.approx(small.aic)
    other = fit_glmm("trust ~ female + (1 | la) + (1 | msoa)", data)
    swap = compare_models([other, small])
    assert not bool(swap["nested"].iloc[1]) and np.isnan(swap["chisq"].iloc[1])
    with pytest.raises(ModelError, match="at least two"):
        compare_models([fit])


def test_nagq0_is_close_to_laplace(data: pd.DataFrame, fit: GlmmResult) -> None:
    from socint.models import Control

    r0 = fit_glmm(SIMPLE, data, control=Control(nagq=0))
    assert r0.nagq == 0
    assert np.all(np.isfinite(r0.se))
    np.testing.assert_allclose(r0.fixef, fit.fixef, atol=3 * fit.se.max())
    assert r0.loglik <= fit.loglik + 1e-9
