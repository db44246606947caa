"""The Laplace deviance: nested O(n) algebra, analytic gradient, and an independent reference.

References used here are computed independently of socint's code: dense numpy linear algebra
for the nested LDLᵀ/Takahashi path, central finite differences for the gradient, and for one
grouping factor the Laplace approximation group by group (each group's integral is
one-dimensional: mode by scipy's scalar minimiser, curvature by finite differences).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
from scipy.special import expit, gammaln

from socint.models.blocks import SOLVE_CHUNK, DenseBlocks, NestedBlocks
from socint.models.formula import parse_formula
from socint.models.frame import build_frame
from socint.models.laplace import LaplaceProblem


def _three_level(seed: int = 3, n: int = 900) -> pd.DataFrame:
    """Respondents in OAs in MSOAs in LAs; OA/MSOA codes restart within their parent."""
    rng = np.random.default_rng(seed)
    la = rng.integers(0, 6, n)
    msoa = rng.integers(0, 5, n)  # codes reused across LAs: nesting needs la/msoa
    oa = rng.integers(0, 4, n)
    x = rng.normal(size=n)
    eta = -0.3 + 0.8 * x + rng.normal(0, 0.5, 6)[la] + rng.normal(0, 0.7, 30)[la * 5 + msoa]
    y = (rng.random(n) < expit(eta)).astype(int)
    return pd.DataFrame({"y": y, "x": x, "la": la, "msoa": msoa, "oa": oa})


def _dense_H(frame, W, sigma):  # type: ignore[no-untyped-def]
    n = frame.nobs
    cols = []
    for codes, g, s in zip(frame.codes, frame.n_groups, sigma, strict=True):
        Z = np.zeros((n, g))
        Z[np.arange(n), codes] = s
        cols.append(Z)
    ZL = np.hstack(cols)
    return np.eye(ZL.shape[1]) + ZL.T @ (W[:, None] * ZL)


@pytest.mark.parametrize(("formula", "sds"), [
    ("y ~ x + (1 | la/msoa/oa)", [0.7, 0.4, 1.3]),
    ("y ~ x + (1 | la:msoa)", [0.9]),  # one factor: NestedBlocks' diagonal fast path
])
def test_nested_algebra_matches_dense_numpy(formula: str, sds: list[float]) -> None:
    df = _three_level()
    frame = build_frame(parse_formula(formula), df)
    assert frame.nesting is not None
    rng = np.random.default_rng(0)
    W = rng.uniform(0.05, 0.25, frame.nobs)
    sigma = np.array(sds)
    F = sigma.size
    blk = NestedBlocks(frame.codes, frame.n_groups, frame.nesting)
    blk.factor(W, sigma)
    H = _dense_H(frame, W, sigma)
    assert blk.logdet() == pytest.approx(np.linalg.slogdet(H)[1], rel=1e-12)
    rhs = [rng.normal(size=g) for g in frame.n_groups]
    x = np.concatenate(blk.solve(rhs))
    np.testing.assert_allclose(x, np.linalg.solve(H, np.concatenate(rhs)), rtol=1e-10)
    Bm = [rng.normal(size=(g, 4)) for g in frame.n_groups]
    Bd = np.concatenate(Bm)
    np.testing.assert_allclose(blk.quad_form(Bm), Bd.T @ np.linalg.solve(H, Bd), rtol=1e-10)
    # many right-hand sides: the back substitution goes SOLVE_CHUNK columns at a time
    k = 2 * SOLVE_CHUNK + 3
    Bk = [rng.normal(size=(g, k)) for g in frame.n_groups]
    Bkd = np.concatenate(Bk)
    np.testing.assert_allclose(np.concatenate(blk.solve(Bk)), np.linalg.solve(H, Bkd),
                               rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(np.concatenate(Bk), Bkd)  # solve leaves its input alone
    ref = Bkd.T @ np.linalg.solve(H, Bkd)
    np.testing.assert_allclose(blk.quad_form(Bk, overwrite=True), ref, rtol=1e-10)
    Hinv = np.linalg.inv(H)
    off = np.concatenate([[0], np.cumsum(frame.n_groups)])
    pairs = blk.inverse_pairs()
    for f in range(F):
        for g in range(F):
            ref = Hinv[off[f] + frame.codes[f], off[g] + frame.codes[g]]
            np.testing.assert_allclose(pairs[f][g], ref, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(np.concatenate(blk.diag_inverse()), np.diag(Hinv), rtol=1e-10)


@pytest.mark.parametrize("dense", [False, True])
def test_analytic_gradient_matches_finite_differences(dense: bool) -> None:
    df = _three_level(seed=5)
    frame = build_frame(parse_formula("y ~ x + (1 | la/msoa/oa)"), df)
    prob = LaplaceProblem(frame, dense=dense)
    x0 = np.array([-0.2, 0.6, 0.5, 0.8, 0.3])
    p = prob.p
    g = prob.evaluate(x0[:p], x0[p:]).grad
    fd = np.empty_like(x0)
    for k in range(x0.size):
        e = np.zeros_like(x0)
        e[k] = 1e-5
        fp = prob.evaluate((x0 + e)[:p], (x0 + e)[p:]).value
        fm = prob.evaluate((x0 - e)[:p], (x0 - e)[p:]).value
        fd[k] = (fp - fm) / 2e-5
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-5)


def test_nested_and_dense_paths_give_the_same_deviance() -> None:
    df = _three_level(seed=7)
    frame = build_frame(parse_formula("y ~ x + (1 | la/msoa)"), df)
    beta, sigma = np.array([-0.1, 0.7]), np.array([0.4, 0.9])
    a = LaplaceProblem(frame).evaluate(beta, sigma)
    b = LaplaceProblem(frame, dense=True).evaluate(beta, sigma)
    assert a.value == pytest.approx(b.value, rel=1e-12)
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-9)


def test_one_factor_laplace_equals_group_by_group_reference() -> None:
    """Independent reference: Laplace for each group's 1-D integral, summed."""
    rng = np.random.default_rng(11)
    n, G = 400, 25
    g = rng.integers(0, G, n)
    x = rng.normal(size=n)
    m = rng.integers(1, 6, n)
    y = rng.binomial(m, expit(-0.5 + x + rng.normal(0, 0.8, G)[g]))
    df = pd.DataFrame({"y": y, "f": m - y, "x": x, "g": g})
    frame = build_frame(parse_formula("cbind(y, f) ~ x + (1 | g)"), df)
    beta, sigma = np.array([-0.4, 0.9]), 0.75
    beta_int = np.linalg.solve(frame.to_original, beta)  # socint works on scaled columns
    value = LaplaceProblem(frame).evaluate(beta_int, np.array([sigma])).value

    total = 0.0
    for j in range(G):
        sel = g == j
        yj, mj, eta0 = y[sel], m[sel], beta[0] + beta[1] * x[sel]

        def h(b: float, yj=yj, mj=mj, eta0=eta0) -> float:  # −log integrand
            eta = eta0 + sigma * b
            return float(np.sum(mj * np.logaddexp(0, eta) - yj * eta) + 0.5 * b * b)

        bh = scipy.optimize.minimize_scalar(h, bracket=(-3, 3), tol=1e-12).x
        d = 1e-4
        curv = (h(bh + d) - 2 * h(bh) + h(bh - d)) / d**2
        const = np.sum(gammaln(mj + 1) - gammaln(yj + 1) - gammaln(mj - yj + 1))
        total += h(bh) + 0.5 * np.log(curv) - const
    assert value == pytest.approx(total, abs=1e-5)


def test_zero_variance_reduces_to_logistic_regression() -> None:
    df = _three_level(seed=9)
    frame = build_frame(parse_formula("y ~ x + (1 | la)"), df)
    beta = np.array([0.2, -0.5])
    beta_int = np.linalg.solve(frame.to_original, beta)  # socint works on scaled columns
    value = LaplaceProblem(frame).evaluate(beta_int, np.array([0.0])).value
    eta = beta[0] + beta[1] * df["x"].to_numpy()
    ref = -np.sum(df["y"] * eta - np.logaddexp(0, eta))
    assert value == pytest.approx(ref, rel=1e-12)


def test_dense_blocks_handle_crossed_factors() -> None:
    rng = np.random.default_rng(2)
    n = 300
    a, b = rng.integers(0, 7, n), rng.integers(0, 9, n)
    df = pd.DataFrame({"y": rng.integers(0, 2, n), "a": a, "b": b})
    frame = build_frame(parse_formula("y ~ 1 + (1 | a) + (1 | b)"), df)
    assert frame.nesting is None
    W = rng.uniform(0.1, 0.25, n)
    blk = DenseBlocks(frame.codes, frame.n_groups)
    blk.factor(W, np.array([0.5, 0.8]))
    H = _dense_H(frame, W, np.array([0.5, 0.8]))
    assert blk.logdet() == pytest.approx(np.linalg.slogdet(H)[1], rel=1e-12)


def _value_hessian(prob: LaplaceProblem, beta: np.ndarray, sigma: np.ndarray,
                   h: float = 1e-4) -> np.ndarray:
    """Independent reference: central second differences of the Laplace objective's value
    (each value with its own converged modes) in β."""
    p = beta.size

    def f(d: np.ndarray) -> float:
        return prob.evaluate(beta + d, sigma).value

    H = np.empty((p, p))
    for i in range(p):
        for j in range(i, p):
            ei, ej = np.eye(p)[i] * h, np.eye(p)[j] * h
            H[i, j] = H[j, i] = (f(ei + ej) - f(ei - ej) - f(ej - ei) + f(-ei - ej)) / (4 * h * h)
    return H


@pytest.mark.parametrize(("formula", "weighted"), [
    ("y ~ x + xa + (1 | msoa)", False),
    ("y ~ x + xa + (1 | la/msoa)", False),
    ("y ~ x + xa + (1 | la/msoa)", True),
    ("cbind(k, m - k) ~ x + xa + (1 | la/msoa)", False),
])
def test_exact_beta_hessian_matches_second_differences_of_the_objective(
        formula: str, weighted: bool) -> None:
    """The analytic β-block (Schur complement plus the curvature of ½log|H|) against second
    differences of the objective; the Schur complement alone misses by ~1%, so the test can
    tell the curvature term is there."""
    df = _three_level(seed=13, n=700)
    rng = np.random.default_rng(2)
    df["msoa"] = df["la"] * 5 + df["msoa"]
    df["xa"] = rng.normal(size=30)[df["msoa"]]  # constant within MSOAs (the G columns)
    df["m"] = rng.integers(1, 6, len(df))
    df["k"] = rng.binomial(df["m"], expit(-0.2 + 0.5 * df["x"]))
    w = rng.uniform(0.3, 2.0, len(df)) if weighted else None
    frame = build_frame(parse_formula(formula), df, w)
    prob = LaplaceProblem(frame)
    assert prob.exact_beta_hessian
    beta = np.array([-0.3, 0.5, 0.2])
    sigma = np.array([0.6, 0.8])[: prob.F]
    prob.evaluate(beta, sigma)
    H = prob.beta_hessian(beta, sigma)
    ref = _value_hessian(prob, beta, sigma)
    scale = np.max(np.abs(ref))
    np.testing.assert_allclose(H, ref, atol=2e-6 * scale)
    prob.evaluate(beta, sigma)
    assert np.max(np.abs(prob.schur(beta, sigma) - ref)) > 1e-3 * scale


def test_exact_beta_hessian_is_not_used_where_it_does_not_apply() -> None:
    df = _three_level(seed=5)
    three = LaplaceProblem(build_frame(parse_formula("y ~ x + (1 | la/msoa/oa)"), df))
    probit = LaplaceProblem(build_frame(parse_formula("y ~ x + (1 | la/msoa)"), df),
                            link="probit")
    assert not three.exact_beta_hessian and not probit.exact_beta_hessian


@pytest.mark.parametrize("formula", ["y ~ x + (1 | msoa)", "y ~ x + (1 | la/msoa)"])
def test_p_squared_form_matches_dense_inverse(formula: str) -> None:
    """``Σ_gg' P_gg'² m_g m_g'ᵀ`` against ``P = ZΛH⁻¹ΛZ'`` from the dense inverse of ``H``."""
    df = _three_level(seed=17, n=500)
    df["msoa"] = df["la"] * 5 + df["msoa"]
    frame = build_frame(parse_formula(formula), df)
    assert frame.nesting is not None
    rng = np.random.default_rng(4)
    W = rng.uniform(0.05, 0.25, frame.nobs)
    sigma = np.array([0.7, 1.1])[: len(frame.codes)]
    blk = NestedBlocks(frame.codes, frame.n_groups, frame.nesting)
    blk.factor(W, sigma)
    H = _dense_H(frame, W, sigma)
    fine = frame.nesting.order[0]
    nf = frame.n_groups[fine]
    # ΛZ' columns of one row per finest group (rows of a group share them)
    first = np.array([np.flatnonzero(frame.codes[fine] == g)[0] for g in range(nf)])
    off = np.concatenate([[0], np.cumsum(frame.n_groups)])
    Zg = np.zeros((nf, int(off[-1])))
    for f, codes in enumerate(frame.codes):
        Zg[np.arange(nf), off[f] + codes[first]] = sigma[f]
    P = Zg @ np.linalg.solve(H, Zg.T)
    m = rng.normal(size=(nf, 3))
    ref = m.T @ (P**2) @ m
    np.testing.assert_allclose(blk.p_squared_form(m, sigma), ref, rtol=1e-10)


def test_mode_direction_is_the_derivative_of_the_modes() -> None:
    """The modes' directional derivative against a difference of converged modes."""
    df = _three_level(seed=19, n=800)
    df["msoa"] = df["la"] * 5 + df["msoa"]
    prob = LaplaceProblem(build_frame(parse_formula("y ~ x + (1 | la/msoa)"), df))
    beta, sigma = np.array([-0.2, 0.6]), np.array([0.5, 0.8])
    d_beta, d_sigma = np.array([0.3, -0.5]), np.array([0.2, -0.4])
    prob.evaluate(beta, sigma)
    b0 = [bb.copy() for bb in prob.b]
    db = prob.mode_direction(beta, sigma, d_beta, d_sigma)
    t = 1e-6
    prob.evaluate(beta + t * d_beta, sigma + t * d_sigma)
    for f in range(2):
        np.testing.assert_allclose(db[f], (prob.b[f] - b0[f]) / t, rtol=1e-4, atol=1e-6)


def test_binomial_deviance_is_stable_at_extreme_linear_predictors() -> None:
    """``nll_data``/``nll_sum`` against ``logaddexp`` (log(1 + e^η) computed stably) for
    η from −800 to 800, with and without trials."""
    df = pd.DataFrame({"y": [0, 1, 2, 3, 0, 5], "f": [1, 0, 3, 0, 4, 1],
                       "g": ["a", "a", "b", "b", "c", "c"], "x": np.arange(6.0),
                       "z": [0, 1, 1, 0, 0, 1]})
    for formula in ("cbind(y, f) ~ x + (1 | g)", "z ~ x + (1 | g)"):
        frame = build_frame(parse_formula(formula), df)
        prob = LaplaceProblem(frame)
        for eta in (np.array([-800.0, -30.0, -1e-9, 0.0, 30.0, 800.0]),
                    np.linspace(-5.0, 5.0, 6)):
            want = prob.wm * np.logaddexp(0.0, eta) - prob.wy * eta
            got = prob.nll_data(eta)
            assert np.all(np.isfinite(got))
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
            assert prob.nll_sum(eta) == pytest.approx(float(want.sum()), rel=1e-14, abs=1e-12)


@pytest.mark.parametrize("n", [57, 4001])  # below and above links.SMALL_LOGISTIC
def test_logistic_matches_expit_to_rounding_level(n: int) -> None:
    """``links.logistic`` (½ + ½ tanh(x/2) on long arrays) against scipy's ``expit`` on
    [−40, 40]: absolute error at rounding level, and the binomial weights μ(1 − μ) within
    1e-11 relative where |x| < 10; ``out`` is written in place."""
    from socint.models.links import SMALL_LOGISTIC, logistic

    assert 57 < SMALL_LOGISTIC < 4001
    x = np.linspace(-40.0, 40.0, n)
    out = np.empty(n)
    p = logistic(x, out=out)
    assert p is out
    ref = expit(x)
    assert np.max(np.abs(p - ref)) <= 3e-16
    mid = np.abs(x) < 10
    np.testing.assert_allclose((p * (1 - p))[mid], (ref * (1 - ref))[mid], rtol=1e-11)
    assert np.all((p >= 0) & (p <= 1))


def test_bfgs_update_satisfies_the_secant_equation() -> None:
    """The Newton phase's secant update (``optimize.bfgs_update``) against its defining
    properties, for steps on a quadratic with Hessian ``A`` (gradient change ``y = A s``):
    ``H₊s = y``, symmetric, positive definite; a step with no positive curvature leaves ``H``
    unchanged."""
    from socint.models.optimize import bfgs_update

    rng = np.random.default_rng(11)
    Q = rng.normal(size=(4, 4))
    A = Q @ Q.T + 4 * np.eye(4)
    H = np.eye(4)
    for _ in range(6):
        s = rng.normal(size=4)
        y = A @ s  # the gradient change of the quadratic ½x'Ax along s
        H = bfgs_update(H, s, y)
        np.testing.assert_allclose(H @ s, y, rtol=1e-12)
        np.testing.assert_allclose(H, H.T, atol=1e-12)
        assert np.linalg.eigvalsh(H).min() > 0
    s = rng.normal(size=4)
    assert bfgs_update(H, s, -H @ s) is H  # negative curvature: skipped
