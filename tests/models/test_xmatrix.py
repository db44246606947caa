"""The design matrix with area-level columns per area, against the dense matrix it stands for."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from socint.errors import ModelError
from socint.models import xmatrix
from socint.models.formula import parse_formula
from socint.models.frame import build_frame
from socint.models.laplace import LaplaceProblem
from socint.models.xmatrix import Indicator, XBuilder, XMatrix


@pytest.fixture(autouse=True, params=["split storage", "dense copy"])
def _storage(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here runs on both product paths: the split storage (R, G and coded
    blocks; no dense copy) and the dense copy a small design keeps (``DENSE_CELLS``)."""
    if request.param == "split storage":
        monkeypatch.setattr(xmatrix, "DENSE_CELLS", 0)
    else:
        monkeypatch.setattr(xmatrix, "DENSE_CELLS", 1 << 22)


@pytest.fixture(scope="module")
def dense() -> tuple[np.ndarray, np.ndarray, int]:
    """X with an intercept, two area-level columns and three row-level ones; the groups."""
    rng = np.random.default_rng(4)
    n, nf = 500, 37
    fine = rng.integers(0, nf, n)
    fine[:nf] = np.arange(nf)  # every group has a row
    area = rng.normal(size=(nf, 2))
    X = np.column_stack([np.ones(n), rng.normal(size=n), area[fine, 0],
                         rng.integers(0, 2, n).astype(float), area[fine, 1],
                         rng.normal(size=n)])
    return X, fine.astype(np.int64), nf


def test_split_finds_the_area_level_columns_and_keeps_the_matrix(dense) -> None:
    X, fine, nf = dense
    xm = XMatrix.split(X, fine, nf)
    assert xm.gcols.tolist() == [0, 2, 4] and xm.rcols.tolist() == [1, 3, 5]
    assert xm.R.shape == (500, 3) and xm.G.shape == (nf, 3)
    np.testing.assert_array_equal(xm.toarray(), X)
    np.testing.assert_array_equal(np.asarray(xm), X)
    for k in range(X.shape[1]):
        np.testing.assert_array_equal(xm[:, k], X[:, k])
    np.testing.assert_array_equal(xm[10:60], X[10:60])
    np.testing.assert_array_equal(xm[:, np.array([4, 1])], X[:, [4, 1]])
    np.testing.assert_array_equal(xm[X[:, 3] == 1], X[X[:, 3] == 1])


def test_products_equal_the_dense_ones(dense) -> None:
    X, fine, nf = dense
    xm = XMatrix.split(X, fine, nf)
    rng = np.random.default_rng(5)
    v, r = rng.normal(size=X.shape[1]), rng.normal(size=X.shape[0])
    np.testing.assert_allclose(xm @ v, X @ v, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(r @ xm, r @ X, rtol=1e-12, atol=1e-12)
    D = rng.normal(size=(X.shape[0], 4)).astype(np.float32)
    np.testing.assert_allclose(xm.chunk_product(D), X.T @ D.astype(np.float64), rtol=1e-11,
                               atol=1e-11)
    np.testing.assert_allclose(xm.gram(), X.T @ X, rtol=1e-12)
    Z = np.zeros((X.shape[0], nf))
    Z[np.arange(X.shape[0]), fine] = 1.0
    for W in (rng.uniform(0.1, 0.3, X.shape[0]), rng.normal(size=X.shape[0])):  # W < 0: no √W
        A, Bf, wsum = xm.cross(W)
        np.testing.assert_allclose(A, X.T @ (W[:, None] * X), rtol=1e-11, atol=1e-11)
        np.testing.assert_allclose(Bf, Z.T @ (W[:, None] * X), rtol=1e-11, atol=1e-11)
        np.testing.assert_allclose(wsum, Z.T @ W, rtol=1e-12, atol=1e-12)
        start = rng.normal(size=(nf, X.shape[1]))  # group sums added into a given array
        out, _ = xm.group_sums(W, fine, nf, out=start.copy())
        np.testing.assert_allclose(out, start + Z.T @ (W[:, None] * X), rtol=1e-11, atol=1e-11)


def test_standardise_is_the_dense_centring_and_scaling(dense) -> None:
    X, fine, nf = dense
    xm = XMatrix.split(X, fine, nf)
    A = xm.standardise(True)
    Xs = X.copy()
    Xs[:, 1:] = (X[:, 1:] - X[:, 1:].mean(axis=0)) / X[:, 1:].std(axis=0)
    np.testing.assert_allclose(xm.toarray(), Xs, rtol=1e-12, atol=1e-12)
    beta_s = np.random.default_rng(6).normal(size=X.shape[1])
    np.testing.assert_allclose(X @ (A @ beta_s), Xs @ beta_s, rtol=1e-12, atol=1e-12)


def test_builder_never_writes_beyond_the_row_level_columns(dense) -> None:
    X, fine, nf = dense
    buf = np.full((X.shape[0], X.shape[1]), np.nan, order="F")
    b = XBuilder(buf, fine, nf)
    calls = []
    for k in range(X.shape[1]):
        def fill(out: np.ndarray, k: int = k) -> None:
            calls.append(k)
            out[:] = X[:, k]
        b.add(fill)
    xm = b.build()
    assert calls == list(range(X.shape[1]))
    np.testing.assert_array_equal(xm.toarray(), X)
    # the three row-level columns fill slots 0..2 (the area columns were tried in the next
    # free slot and moved out); the other three are never written
    assert np.isnan(buf[:, 3:]).all() and not np.isnan(buf[:, :3]).any()


def test_no_grouping_keeps_every_column_per_row(dense) -> None:
    X, _, _ = dense
    xm = XMatrix.split(X, None, 0)
    assert xm.gcols.size == 0 and xm.R.shape == X.shape
    np.testing.assert_allclose(xm.cross(np.ones(X.shape[0]))[0], X.T @ X, rtol=1e-12)


def _areas() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    msoa = np.repeat(np.arange(60), 12)
    rural = (np.arange(60) % 5 == 0).astype(int)[msoa]
    y = rng.integers(0, 2, msoa.size)
    return pd.DataFrame({"y": y, "age": rng.normal(40, 10, msoa.size), "rural": rural,
                         "msoa": msoa, "la": msoa // 6})


def test_frame_keeps_area_covariates_per_msoa_and_the_laplace_objective_is_unchanged() -> None:
    df = _areas()
    frame = build_frame(parse_formula("y ~ age + rural + (1 | la/msoa)"), df)
    assert [frame.columns[k] for k in frame.X.gcols] == ["Intercept", "rural"]
    assert frame.X.G.shape[0] == 60
    split = LaplaceProblem(frame)
    whole = LaplaceProblem(dataclasses.replace(frame, X=XMatrix.dense(frame.X.toarray())))
    beta, sigma = np.array([0.1, -0.2, 0.3]), np.array([0.4, 0.6])
    a, b = split.evaluate(beta, sigma), whole.evaluate(beta, sigma)
    assert a.value == pytest.approx(b.value, rel=1e-13)
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(split.beta_hessian(beta, sigma), whole.beta_hessian(beta, sigma),
                               rtol=1e-10, atol=1e-10)


def test_separation_in_an_area_level_column_counts_its_rows() -> None:
    df = _areas()
    df.loc[df["rural"] == 1, "y"] = 0
    with pytest.raises(ModelError, match=r"every one of the 144 rows with design column "
                                         r"'rural' .* has outcome 0"):
        build_frame(parse_formula("y ~ age + rural + (1 | la/msoa)"), df)


def test_coded_categoricals_equal_their_dense_dummies() -> None:
    """Dummies of categoricals that vary within groups are held by their codes; one that is
    constant within groups goes to the per-group columns; every product equals the dense."""
    rng = np.random.default_rng(11)
    n, nf = 3_000, 40  # (one chunk: the chunking is checked in the next test)
    fine = np.sort(rng.integers(0, nf, n)).astype(np.int64)
    fine[:nf] = np.arange(nf)
    eth = rng.integers(0, 5, n).astype(np.int64)          # varies within groups
    area_cat = rng.integers(0, 3, nf).astype(np.int64)[fine]  # constant within groups
    x = rng.normal(size=n)
    fills = [lambda out: out.fill(1.0), lambda out: np.copyto(out, x),
             Indicator(eth, 1, 5), Indicator(eth, 3, 5), Indicator(eth, 4, 5),
             Indicator(area_cat, 2, 3), Indicator(eth, 2, 5)]
    Xd = np.column_stack([np.ones(n), x, eth == 1, eth == 3, eth == 4, area_cat == 2,
                          eth == 2]).astype(float)
    b = XBuilder(np.full((n, len(fills)), np.nan, order="F"), fine, nf)
    for f in fills:
        b.add(f)
    xm = b.build()
    assert [c.cols.tolist() for c in xm.coded] == [[2, 3, 4, 6]]
    assert xm.gcols.tolist() == [0, 5] and xm.rcols.tolist() == [1]
    np.testing.assert_array_equal(xm.toarray(), Xd)
    for k in range(Xd.shape[1]):
        np.testing.assert_array_equal(xm[:, k], Xd[:, k])
    A = xm.standardise(True)
    Xs = Xd.copy()
    Xs[:, 1:] = (Xd[:, 1:] - Xd[:, 1:].mean(axis=0)) / Xd[:, 1:].std(axis=0)
    np.testing.assert_allclose(xm.toarray(), Xs, rtol=1e-12, atol=1e-12)
    beta = rng.normal(size=Xd.shape[1])
    np.testing.assert_allclose(Xd @ (A @ beta), Xs @ beta, rtol=1e-11, atol=1e-11)
    v, r = rng.normal(size=Xs.shape[1]), rng.normal(size=n)
    np.testing.assert_allclose(xm @ v, Xs @ v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r @ xm, r @ Xs, rtol=1e-11, atol=1e-11)
    D = rng.normal(size=(n, 3))
    np.testing.assert_allclose(xm.chunk_product(D), Xs.T @ D, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(xm.gram(), Xs.T @ Xs, rtol=1e-11, atol=1e-10)
    Z = np.zeros((n, nf))
    Z[np.arange(n), fine] = 1.0
    for W in (rng.uniform(0.1, 0.3, n), rng.normal(size=n)):
        A_, Bf, _ = xm.cross(W)
        np.testing.assert_allclose(A_, Xs.T @ (W[:, None] * Xs), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(Bf, Z.T @ (W[:, None] * Xs), rtol=1e-10, atol=1e-10)
        start = rng.normal(size=(nf, Xs.shape[1]))
        out, _ = xm.group_sums(W, fine, nf, out=start.copy())
        np.testing.assert_allclose(out, start + Z.T @ (W[:, None] * Xs), rtol=1e-10,
                                   atol=1e-10)


def test_coded_row_gram_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunked gather of coded columns (several chunks, a short last one)."""
    monkeypatch.setattr(xmatrix, "CHUNK", 128)
    rng = np.random.default_rng(12)
    n, nf = 1_000, 30
    fine = rng.integers(0, nf, n).astype(np.int64)
    fine[:nf] = np.arange(nf)
    g = rng.integers(0, 4, n).astype(np.int64)
    x = rng.normal(size=n)
    b = XBuilder(np.empty((n, 4), order="F"), fine, nf)
    for f in (lambda out: np.copyto(out, x), Indicator(g, 1, 4), Indicator(g, 2, 4),
              Indicator(g, 3, 4)):
        b.add(f)
    xm = b.build()
    assert len(xm.coded) == 1
    Xd = np.column_stack([x, g == 1, g == 2, g == 3]).astype(float)
    W = rng.uniform(0.1, 0.3, n)
    np.testing.assert_allclose(xm.row_gram(W), Xd.T @ (W[:, None] * Xd), rtol=1e-11)
