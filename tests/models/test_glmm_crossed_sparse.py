"""The sparse crossed-factor path (``CrossedBlocks``): algebra, dense agreement, large designs.

Independent references: dense numpy linear algebra on an explicit ``H`` (log-determinant,
solves, selected inverse), central finite differences of the Laplace objective (gradient),
the dense path on the crossed glmmTMB fixture (identical optimum), and for a design the dense
path refuses (60,000 pupils, 6,000 schools × 300 areas = 6,300 random effects) glmmTMB 1.1.5
(``tests/reference/glmm_crossed_large.json``, script ``glmm_crossed_large.R``) and the true
simulation parameters.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socint.errors import ModelError
from socint.models import Control, crossed, fit_glmm
from socint.models.crossed import CrossedBlocks
from socint.models.formula import parse_formula
from socint.models.frame import build_frame
from socint.models.laplace import LaplaceProblem
from socint.models.simulate import simulate_crossed, write_csv

REF = Path(__file__).resolve().parent.parent / "reference"
FORMULA = "y ~ x + girl + (1 | school) + (1 | area)"


def _three_crossed(seed: int = 2, n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.integers(0, 2, n), "x": rng.normal(size=n),
                         "a": rng.integers(0, 40, n), "b": rng.integers(0, 9, n),
                         "c": rng.integers(0, 6, n)})


def _dense_H(frame, W, sigma):  # type: ignore[no-untyped-def]
    cols = []
    for codes, g, s in zip(frame.codes, frame.n_groups, sigma, strict=True):
        Z = np.zeros((frame.nobs, g))
        Z[np.arange(frame.nobs), codes] = s
        cols.append(Z)
    ZL = np.hstack(cols)
    return np.eye(ZL.shape[1]) + ZL.T @ (W[:, None] * ZL)


@pytest.mark.parametrize("dense_c", [True, False], ids=["C dense", "C sparse"])
@pytest.mark.parametrize("sigma", [(0.5, 0.8, 1.1), (0.0, 0.8, 1.1), (0.7, 0.0, 0.4)])
def test_crossed_algebra_matches_dense_numpy(sigma: tuple[float, ...], dense_c: bool,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # the coupling C is held dense up to DENSE_C_DOUBLES entries, sparse above: both checked
    monkeypatch.setattr(crossed, "DENSE_C_DOUBLES", 1 << 30 if dense_c else 0)
    frame = build_frame(parse_formula("y ~ x + (1 | a) + (1 | b) + (1 | c)"), _three_crossed())
    assert frame.nesting is None
    rng = np.random.default_rng(0)
    W = rng.uniform(0.05, 0.25, frame.nobs)
    s = np.array(sigma)
    blk = CrossedBlocks(frame.codes, frame.n_groups)
    assert isinstance(blk._C, np.ndarray) is dense_c
    blk.factor(W, s)
    H = _dense_H(frame, W, s)
    assert blk.logdet() == pytest.approx(np.linalg.slogdet(H)[1], rel=1e-12)
    rhs = [rng.normal(size=(g, 3)) for g in frame.n_groups]
    x = np.concatenate(blk.solve(rhs))
    np.testing.assert_allclose(x, np.linalg.solve(H, np.concatenate(rhs)), rtol=1e-9, atol=1e-12)
    Hinv = np.linalg.inv(H)
    off = np.concatenate([[0], np.cumsum(frame.n_groups)])
    pairs = blk.inverse_pairs()
    for f in range(3):
        for g in range(3):
            ref = Hinv[off[f] + frame.codes[f], off[g] + frame.codes[g]]
            np.testing.assert_allclose(pairs[f][g], ref, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(np.concatenate(blk.diag_inverse()), np.diag(Hinv), rtol=1e-10)


def test_crossed_analytic_gradient_matches_finite_differences() -> None:
    frame = build_frame(parse_formula("y ~ x + (1 | a) + (1 | b) + (1 | c)"),
                        _three_crossed(seed=4))
    prob = LaplaceProblem(frame)
    assert isinstance(prob.blocks, CrossedBlocks)
    x0 = np.array([-0.2, 0.6, 0.5, 0.8, 0.3])
    p = prob.p
    g = prob.evaluate(x0[:p], x0[p:]).grad
    fd = np.empty_like(x0)
    for k in range(x0.size):
        e = np.zeros_like(x0)
        e[k] = 1e-5
        fd[k] = (prob.evaluate((x0 + e)[:p], (x0 + e)[p:]).value
                 - prob.evaluate((x0 - e)[:p], (x0 - e)[p:]).value) / 2e-5
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-5)


def test_crossed_path_reaches_the_dense_optimum(tmp_path: Path) -> None:
    """The glmmTMB crossed fixture: sparse and dense paths give the same fit."""
    ref = json.loads((REF / "glmm_crossed.json").read_text())
    csv = tmp_path / "crossed.csv"
    assert write_csv(simulate_crossed(seed=ref["seed"]), csv) == ref["csv_sha256"]
    df = pd.read_csv(csv)
    sparse = fit_glmm(FORMULA, df)
    dense = fit_glmm(FORMULA, df, control=Control(dense=True))
    assert sparse.diagnostics["re_path"] == "CrossedBlocks"
    assert dense.diagnostics["re_path"] == "DenseBlocks"
    assert sparse.converged and dense.converged
    assert sparse.loglik == pytest.approx(dense.loglik, abs=1e-8)
    np.testing.assert_allclose(sparse.fixef, dense.fixef, atol=1e-6)
    np.testing.assert_allclose(sparse.sd, dense.sd, atol=1e-6)
    np.testing.assert_allclose(sparse.se, dense.se, rtol=1e-6)
    for f in ("school", "area"):
        np.testing.assert_allclose(sparse.ranef[f], dense.ranef[f], atol=1e-6)


def test_large_crossed_design_the_dense_path_refuses(tmp_path: Path) -> None:
    """6,300 crossed random effects: glmmTMB's optimum and the simulation's truth recovered."""
    ref = json.loads((REF / "glmm_crossed_large.json").read_text())
    csv = tmp_path / "crossed_large.csv"
    assert write_csv(simulate_crossed(**ref["sizes"], seed=ref["seed"]), csv) == ref["csv_sha256"]
    df = pd.read_csv(csv)
    with pytest.raises(ModelError, match="exceed the dense path's limit of 6000"):
        fit_glmm(FORMULA, df, control=Control(dense=True))
    r = fit_glmm(FORMULA, df)
    assert r.converged and r.diagnostics["re_path"] == "CrossedBlocks"
    assert r.n_groups == {"school": 6000, "area": 300}
    tmb = ref["glmmTMB"]
    assert r.loglik == pytest.approx(tmb["loglik"], abs=1e-4)
    for term, value in tmb["fixef"].items():
        assert r.fixef[term] == pytest.approx(value, abs=1e-4)
        assert r.se[term] == pytest.approx(tmb["se"][term], rel=1e-3)
    for f, v in tmb["variances"].items():
        assert r.variances[f] == pytest.approx(v, rel=1e-3)
    # parameter recovery: simulate_crossed's truth within 3 standard errors
    truth = {"Intercept": -0.3, "x": 0.6, "girl": 0.25}
    for term, value in truth.items():
        assert abs(r.fixef[term] - value) < 3 * r.se[term]
    for f, v in {"school": 0.5, "area": 0.3}.items():
        assert abs(r.variances[f] - v) < 3 * r.variances_se[f]


def test_crossed_path_limit_names_the_schur_size() -> None:
    """Two large crossed factors: the dense Schur complement would be too big."""
    n = 13_000
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"y": rng.integers(0, 2, n), "a": np.arange(n) % 6_500,
                       "b": rng.permutation(np.arange(n) % 6_100)})
    with pytest.raises(ModelError, match="6100 random effects outside the largest factor"):
        fit_glmm("y ~ 1 + (1 | a) + (1 | b)", df)
