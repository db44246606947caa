"""lme4's ``cbpp`` example, the public reference fit of a binomial GLMM with trials.

Data: contagious bovine pleuropneumonia in 15 Ethiopian herds over 4 periods (Lesnoff et al.
2004, *Prev. Vet. Med.* 64:27), shipped with lme4 as ``cbpp`` (GPL). Columns: herd, incidence,
size, period. Reference: ``glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp,
binomial)`` with lme4 1.1.31 (R 4.2.2); the script is ``tests/reference/cbpp_lme4.R``.
glmmTMB 1.1.5 (TMB 1.9.2) is the second reference (same script).

Tolerances, with reasons: glmer stops slightly short of the optimum here — its log-likelihood
(-92.02657) is 2.8e-4 below glmmTMB's (-92.02628) — so socint must reach at least lme4's
log-likelihood and match glmmTMB's optimum tightly (1e-5 in log-likelihood, 1e-5 in fixed
effects), and lme4's values within 1e-3 (lme4's own tests use 5e-4 against its own optimiser's
stopping point). SEs and conditional variances within 1%: lme4 takes them from a
finite-difference Hessian.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.models import Control, fit_glmm

CBPP = [
    (1, 2, 14, 1), (1, 3, 12, 2), (1, 4, 9, 3), (1, 0, 5, 4), (2, 3, 22, 1), (2, 1, 18, 2),
    (2, 1, 21, 3), (3, 8, 22, 1), (3, 2, 16, 2), (3, 0, 16, 3), (3, 2, 20, 4), (4, 2, 10, 1),
    (4, 0, 10, 2), (4, 2, 9, 3), (4, 0, 6, 4), (5, 5, 18, 1), (5, 0, 25, 2), (5, 0, 24, 3),
    (5, 1, 4, 4), (6, 3, 17, 1), (6, 0, 17, 2), (6, 0, 18, 3), (6, 1, 20, 4), (7, 8, 16, 1),
    (7, 1, 10, 2), (7, 3, 9, 3), (7, 0, 5, 4), (8, 12, 34, 1), (9, 2, 9, 1), (9, 0, 6, 2),
    (9, 0, 8, 3), (9, 0, 6, 4), (10, 1, 22, 1), (10, 1, 22, 2), (10, 0, 18, 3),
    (10, 2, 22, 4), (11, 0, 25, 1), (11, 5, 27, 2), (11, 3, 22, 3), (11, 1, 22, 4),
    (12, 2, 10, 1), (12, 1, 8, 2), (12, 0, 6, 3), (12, 0, 5, 4), (13, 1, 21, 1),
    (13, 2, 24, 2), (13, 0, 19, 3), (13, 0, 23, 4), (14, 11, 19, 1), (14, 0, 2, 2),
    (14, 0, 3, 3), (14, 0, 2, 4), (15, 1, 19, 1), (15, 1, 15, 2), (15, 1, 15, 3),
    (15, 0, 15, 4),
]
FORMULA = "cbind(incidence, size - incidence) ~ C(period) + (1 | herd)"
LME4_FIXEF = [-1.398342864, -0.991924975, -1.128216216, -1.579745414]
LME4_SE = [0.2312140481, 0.3031506445, 0.3228301532, 0.4220491594]
LME4_LOGLIK = -92.02656639
LME4_VAR = 0.4122537921
LME4_MODES = [0.5896294365, -0.2990933262, 0.4058658092]
LME4_CONDVAR = [0.12125990620, 0.13358696620, 0.08837992107]
TMB_FIXEF = [-1.3985324664, -0.9923322929, -1.1286712975, -1.5803136871]
TMB_LOGLIK = -92.02628186
TMB_SE = [0.2324720507, 0.3066424950, 0.3266378085, 0.4274365967]
TMB_VAR = 0.4125000556
LME4_NAGQ0_FIXEF = [-1.3604757276, -0.9761732361, -1.1110727836, -1.5596756838]
LME4_NAGQ0_VAR = 0.4119567311


@pytest.fixture(scope="module")
def cbpp() -> pd.DataFrame:
    return pd.DataFrame(CBPP, columns=["herd", "incidence", "size", "period"])


def test_laplace_fit_matches_lme4(cbpp: pd.DataFrame) -> None:
    r = fit_glmm(FORMULA, cbpp)
    assert r.converged
    np.testing.assert_allclose(r.fixef.to_numpy(), TMB_FIXEF, atol=1e-5)
    assert r.loglik == pytest.approx(TMB_LOGLIK, abs=1e-5)
    assert r.loglik >= LME4_LOGLIK
    assert r.variances["herd"] == pytest.approx(TMB_VAR, rel=1e-4)
    np.testing.assert_allclose(r.fixef.to_numpy(), LME4_FIXEF, atol=1e-3)
    assert r.variances["herd"] == pytest.approx(LME4_VAR, rel=2e-3)
    # SEs: glmmTMB inverts the same joint Hessian of the Laplace deviance as socint; lme4's
    # glmer vcov differs from both by ~1.3% here.
    np.testing.assert_allclose(r.se.to_numpy(), TMB_SE, rtol=1e-4)
    np.testing.assert_allclose(r.se.to_numpy(), LME4_SE, rtol=2e-2)
    # glmmTMB: SE(log σ) = 0.2780210399, so SE(σ²) = 2σ²·SE(log σ) by the delta method
    assert r.variances_se["herd"] == pytest.approx(2 * TMB_VAR * 0.2780210399, rel=1e-3)
    np.testing.assert_allclose(r.ranef["herd"]["mode"].to_numpy()[:3], LME4_MODES, atol=1e-3)
    np.testing.assert_allclose(r.ranef["herd"]["condvar"].to_numpy()[:3], LME4_CONDVAR,
                               rtol=1e-2)
    assert r.nobs == 56 and r.n_groups == {"herd": 15}
    # AIC/BIC definitions as lme4 (df = 5, n = 56 rows): -2ℓ + 2·5 and -2ℓ + 5·log(56)
    assert r.aic == pytest.approx(-2 * TMB_LOGLIK + 10, abs=1e-4)
    assert r.bic == pytest.approx(-2 * TMB_LOGLIK + 5 * np.log(56), abs=1e-4)


def test_nagq0_matches_lme4(cbpp: pd.DataFrame) -> None:
    r = fit_glmm(FORMULA, cbpp, control=Control(nagq=0))
    np.testing.assert_allclose(r.fixef.to_numpy(), LME4_NAGQ0_FIXEF, atol=5e-4)
    assert r.variances["herd"] == pytest.approx(LME4_NAGQ0_VAR, rel=5e-3)


def test_dense_path_reaches_the_same_optimum(cbpp: pd.DataFrame) -> None:
    r = fit_glmm(FORMULA, cbpp, control=Control(dense=True))
    np.testing.assert_allclose(r.fixef.to_numpy(), TMB_FIXEF, atol=1e-5)
    assert r.loglik == pytest.approx(TMB_LOGLIK, abs=1e-5)
