"""The numpy fast path of the fixed-effects design equals formulaic's model matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from formulaic import model_matrix

from socint.models import MODEL3_FORMULA, fit_glmm, simulate_model3
from socint.models.fastdesign import fast_design
from socint.models.formula import parse_formula


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 300
    df = pd.DataFrame({
        "a": rng.normal(size=n), "b": rng.integers(0, 2, n),
        "c": rng.choice(["x", "y", "z", "<-5%"], n), "d": rng.integers(1, 5, n),
        "e": rng.normal(size=n),
    })
    df.loc[3, "a"] = np.nan
    df.loc[7, "c"] = None
    df.loc[11, "e"] = np.nan
    return df


SUPPORTED = [
    "a*b + e", 'C(c, Treatment("y")) + a + I(a**2) + b:e', "C(d) + a", "a + c", "b:a + a",
    "C(c, Treatment('y'))", "I(a ** 2)", "a + b + a:b:e", "a*b*e", "e + a*b",
    "I(a**3):b + C(d)", "a + a", "1", "c + C(d) + a:e", 'C(c, Treatment("<-5%")) + d',
]


def _assemble(fills: list, n: int) -> np.ndarray:
    """The design matrix from fast_design's column fillers."""
    X = np.full((n, len(fills)), np.nan, order="F")
    for k, fill in enumerate(fills):
        fill(X[:, k])
    return X


@pytest.mark.parametrize("fixed", SUPPORTED)
def test_fast_design_equals_formulaic(data: pd.DataFrame, fixed: str) -> None:
    keep = np.ones(len(data), dtype=bool)
    keep[20] = False
    got = fast_design(fixed, data, keep)
    assert got is not None, fixed
    pos, fills, names, terms, sample, _ = got
    X = _assemble(fills, pos.size)
    kp = np.flatnonzero(keep)
    mm = model_matrix(fixed, data.iloc[kp].reset_index(drop=True), na_action="drop")
    assert list(names) == [str(c) for c in mm.columns]
    np.testing.assert_array_equal(pos, kp[mm.index.to_numpy()])
    np.testing.assert_array_equal(X, mm.to_numpy(dtype=float))
    want = {str(c): str(ts.term) for ts in mm.model_spec.structure for c in ts.columns}
    assert terms == want
    # the sample rows show every level, so formulaic rebuilds the same columns from them
    spec = model_matrix(fixed, data.iloc[pos[sample]]).model_spec
    assert [str(c) for c in spec.column_names] == list(names)


@pytest.mark.parametrize("fixed", ["0 + a", "a - 1", "C(c):a", "np.log(e)", "C(e)",
                                   "C(c, Sum)", "a**2"])
def test_other_formulas_fall_back_to_formulaic(data: pd.DataFrame, fixed: str) -> None:
    assert fast_design(fixed, data, np.ones(len(data), dtype=bool)) is None


def test_model3_design_and_predictions_equal_formulaic() -> None:
    df = simulate_model3(3000, 300, 40, seed=3)
    fixed = parse_formula(MODEL3_FORMULA).fixed
    got = fast_design(fixed, df, np.ones(len(df), dtype=bool))
    assert got is not None
    mm = model_matrix(fixed, df, na_action="drop")
    assert list(got[2]) == [str(c) for c in mm.columns]
    np.testing.assert_array_equal(_assemble(got[1], len(df)), mm.to_numpy(dtype=float))
    r = fit_glmm(MODEL3_FORMULA, df)
    new = df.iloc[::7]
    np.testing.assert_array_equal(r.design_matrix(new),
                                  model_matrix(fixed, new).to_numpy(dtype=float))
