"""Level-1 sampling weights (pseudo-maximum likelihood, Pfeffermann et al. 1998)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.models import Control, fit_glmm, scale_weights, simulate_model3

FORMULA = "trust ~ female + age + (1 | la) + (1 | msoa)"


def test_scalings_by_hand() -> None:
    w = np.array([1.0, 3.0, 2.0, 2.0, 4.0])
    c = np.array([0, 0, 1, 1, 1])
    # "size": sum to n_j → cluster 0: 2/4, cluster 1: 3/8
    np.testing.assert_allclose(scale_weights(w, c, "size"), [0.5, 1.5, 0.75, 0.75, 1.5])
    # "effective": sum to (Σw)²/Σw² → factor Σw/Σw²: 4/10 and 8/24
    np.testing.assert_allclose(scale_weights(w, c, "effective"),
                               [0.4, 1.2, 2 / 3, 2 / 3, 4 / 3])
    np.testing.assert_allclose(scale_weights(w, c, "none"), w)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate_model3(1500, 150, 20, seed=3)


def test_frequency_weights_equal_duplicated_rows(data: pd.DataFrame) -> None:
    """Weight 2 on every row (unscaled) is the same likelihood as each row twice."""
    twice = pd.concat([data, data], ignore_index=True)
    ref = fit_glmm(FORMULA, twice)
    w = fit_glmm(FORMULA, data, weights=np.full(len(data), 2.0))
    np.testing.assert_allclose(w.fixef, ref.fixef, atol=1e-6)
    np.testing.assert_allclose(w.variances, ref.variances, rtol=1e-5)
    assert w.loglik == pytest.approx(ref.loglik, abs=1e-6)
    assert w.weighted and not ref.weighted


def test_size_scaling_of_constant_weights_is_the_unweighted_fit(data: pd.DataFrame) -> None:
    plain = fit_glmm(FORMULA, data)
    rng = np.random.default_rng(0)
    per_msoa = pd.Series(rng.uniform(0.5, 3.0, data["msoa"].nunique()),
                         index=sorted(data["msoa"].unique()))
    w = per_msoa.reindex(data["msoa"]).to_numpy()
    scaled = fit_glmm(FORMULA, data, weights=w, control=Control(weights_scaling="size"))
    np.testing.assert_allclose(scaled.fixef, plain.fixef, atol=1e-6)
    assert scaled.loglik == pytest.approx(plain.loglik, abs=1e-6)
