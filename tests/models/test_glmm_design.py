"""The public design API (issue 13 item 2): ``design_matrix``, ``fixed_terms``,
``grouping_factors`` — what small-area estimation builds on instead of ``result._spec``.

The reference is the design coded by hand: treatment dummies against the named reference
category, the squared term and the interaction computed with numpy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.models import fit_glmm


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 500
    g = rng.integers(0, 25, n)
    u = rng.normal(0, 1.0, 25)
    return pd.DataFrame({
        "y": (rng.random(n) < 1 / (1 + np.exp(-u[g]))).astype(int),
        "age": rng.normal(45, 15, n), "f": rng.integers(0, 2, n),
        "eth": rng.choice(["White", "Asian", "Black"], n), "msoa": g, "la": g // 5,
    })


FORMULA = 'y ~ age + I(age**2) + f * age + C(eth, Treatment("White")) + (1 | la) + (1 | msoa)'


def test_design_matrix_equals_the_hand_coded_design(data: pd.DataFrame) -> None:
    r = fit_glmm(FORMULA, data)
    new = pd.DataFrame({"age": [20.0, 50.0, 81.0], "f": [1, 0, 1],
                        "eth": ["Black", "White", "Asian"]})
    X = r.design_matrix(new)
    assert isinstance(X, np.ndarray) and X.shape == (3, len(r.fixed_terms))
    assert r.fixed_terms == tuple(r.fixef.index)
    col = {c: X[:, k] for k, c in enumerate(r.fixed_terms)}
    age = new["age"].to_numpy()
    np.testing.assert_array_equal(col["Intercept"], [1, 1, 1])
    np.testing.assert_array_equal(col["age"], age)
    np.testing.assert_allclose(col["I(age ** 2)"], age**2)
    np.testing.assert_array_equal(col["f"], [1, 0, 1])
    np.testing.assert_array_equal(col["f:age"], [20.0, 0.0, 81.0])
    np.testing.assert_array_equal(col["C(eth, Treatment('White'))[T.Black]"], [1, 0, 0])
    np.testing.assert_array_equal(col["C(eth, Treatment('White'))[T.Asian]"], [0, 0, 1])
    # the linear predictor without random effects, as predict gives it
    new_g = new.assign(la=[99, 99, 99], msoa=[999, 999, 999])  # unseen groups → 0
    np.testing.assert_allclose(X @ r.fixef.to_numpy(), r.predict(new_g, type="link"))


def test_grouping_factors_and_private_spec_still_work(data: pd.DataFrame) -> None:
    r = fit_glmm(FORMULA, data)
    assert r.grouping_factors == {"la": ("la",), "msoa": ("msoa",)}
    # estimates/ still reads _spec until it switches: it must keep working
    mm = r._spec["model_spec"].get_model_matrix(data.head(4), na_action="raise")
    np.testing.assert_array_equal(mm.to_numpy(dtype=float), r.design_matrix(data.head(4)))


def test_interaction_grouping_factor_lists_its_columns(data: pd.DataFrame) -> None:
    r = fit_glmm("y ~ age + (1 | la/msoa)", data)
    assert r.grouping_factors == {"la": ("la",), "la:msoa": ("la", "msoa")}
