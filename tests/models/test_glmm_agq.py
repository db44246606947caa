"""Adaptive Gauss-Hermite quadrature (``Control(nagq=k)``) against glmer's nAGQ and brute force.

``tests/reference/glmm_agq.json``: lme4 1.1.31 ``glmer(nAGQ = 1, 7, 15)`` on lme4's ``cbpp`` and
on ``simulate_one_factor`` data (150 groups of 8, SD 1.5, where quadrature and Laplace differ
by 2 log-likelihood units); script ``glmm_agq.R``, driver ``make_glmm_agq.py``. glmmTMB has no
AGQ. For binomial data with trials glmer's nAGQ > 1 log-likelihood leaves out the saturated
log-density Σ log Bin(y | m, y/m) (−41.978 on cbpp; 0 for 0/1 data), computed independently
here and added back. Tolerances: log-likelihood 1e-5 (the issue's), at least glmer's − 1e-7;
fixed effects 1e-4 and variance 1e-3 relative (glmer's optimiser stops at ~1e-5); SEs 2%
(both from finite-difference Hessians).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import expit, gammaln, xlogy
from test_cbpp import CBPP  # the 56 rows of lme4's cbpp, with their citation

from socint.models import Control, fit_glmm
from socint.models.agq import agq_value
from socint.models.formula import parse_formula
from socint.models.frame import build_frame
from socint.models.laplace import LaplaceProblem
from socint.models.simulate import simulate_one_factor, write_csv

FIXTURE = Path(__file__).resolve().parent.parent / "reference" / "glmm_agq.json"
CBPP_F = "cbind(incidence, size - incidence) ~ C(period) + (1 | herd)"
ONE_F = "y ~ x + (1 | g)"


@pytest.fixture(scope="module")
def ref() -> dict:
    return json.loads(FIXTURE.read_text())


@pytest.fixture(scope="module")
def cases(ref: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    csv = tmp_path_factory.mktemp("agq") / "one.csv"
    assert write_csv(simulate_one_factor(seed=ref["seed"]), csv) == ref["csv_sha256"]
    cb = pd.DataFrame(CBPP, columns=["herd", "incidence", "size", "period"])
    y, m = cb["incidence"].to_numpy(float), cb["size"].to_numpy(float)
    saturated = float((xlogy(y, y / m) + xlogy(m - y, 1 - y / m) + gammaln(m + 1)
                       - gammaln(y + 1) - gammaln(m - y + 1)).sum())
    return {"cbpp": (CBPP_F, cb, saturated), "one_factor": (ONE_F, pd.read_csv(csv), 0.0)}


@pytest.mark.parametrize("case", ["cbpp", "one_factor"])
@pytest.mark.parametrize("nagq", [7, 15])
def test_fit_reaches_glmer_nagq_optimum(case: str, nagq: int, ref: dict, cases: dict) -> None:
    formula, data, saturated = cases[case]
    g = ref[case][f"nagq{nagq}"]
    r = fit_glmm(formula, data, control=Control(nagq=nagq))
    assert r.converged and r.nagq == nagq
    glmer_ll = g["loglik"] + saturated
    assert abs(r.loglik - glmer_ll) < 1e-5 and r.loglik >= glmer_ll - 1e-7
    np.testing.assert_allclose(r.fixef.to_numpy(), list(g["fixef"].values()), atol=1e-4)
    np.testing.assert_allclose(r.se.to_numpy(), list(g["se"].values()), rtol=2e-2)
    assert r.variances.iloc[0] == pytest.approx(g["variance"], rel=1e-3)
    # quadrature improves on Laplace where groups are small and the variance large
    if case == "one_factor":
        assert r.loglik > fit_glmm(formula, data).loglik + 1.5


@pytest.mark.parametrize("case", ["cbpp", "one_factor"])
@pytest.mark.parametrize("nagq", [7, 15])
def test_objective_at_glmer_estimates_equals_glmer_loglik(case: str, nagq: int, ref: dict,
                                                          cases: dict) -> None:
    formula, data, saturated = cases[case]
    g = ref[case][f"nagq{nagq}"]
    frame = build_frame(parse_formula(formula), data)
    problem = LaplaceProblem(frame)
    beta = np.linalg.solve(frame.to_original, np.array(list(g["fixef"].values())))
    value = agq_value(problem, beta, np.array([np.sqrt(g["variance"])]), nagq)
    assert -value == pytest.approx(g["loglik"] + saturated, abs=1e-5)


def test_one_node_is_the_laplace_approximation(cases: dict) -> None:
    formula, data, _ = cases["one_factor"]
    frame = build_frame(parse_formula(formula), data)
    problem = LaplaceProblem(frame)
    beta, sigma = np.array([-0.4, 0.3]), np.array([1.2])
    assert agq_value(problem, beta, sigma, 1) == pytest.approx(
        problem.evaluate(beta, sigma).value, abs=1e-9)


def test_quadrature_converges_to_the_exact_integral() -> None:
    """Brute force: the per-group integral by scipy's adaptive quadrature."""
    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(6), 5)
    x = rng.normal(size=g.size)
    y = (rng.random(g.size) < 0.5).astype(int)
    df = pd.DataFrame({"y": y, "x": x, "g": g})
    frame = build_frame(parse_formula("y ~ x + (1 | g)"), df)
    problem = LaplaceProblem(frame)
    b0, b1, s = -0.2, 0.5, 2.0
    beta = np.linalg.solve(frame.to_original, np.array([b0, b1]))
    exact = 0.0
    for j in range(6):
        yy, xx = y[g == j], x[g == j]

        def f(u: float, yy: np.ndarray = yy, xx: np.ndarray = xx) -> float:
            p = expit(b0 + b1 * xx + s * u)
            return float(np.prod(p**yy * (1 - p) ** (1 - yy)) * np.exp(-u * u / 2)
                         / np.sqrt(2 * np.pi))

        exact += np.log(integrate.quad(f, -10, 10, epsabs=1e-14)[0])
    assert -agq_value(problem, beta, np.array([s]), 25) == pytest.approx(exact, abs=1e-8)
    assert abs(-agq_value(problem, beta, np.array([s]), 1) - exact) > 1e-3  # Laplace is not
