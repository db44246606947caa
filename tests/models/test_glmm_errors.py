"""Bad input gets a clear ModelError naming what was received and where (named scenarios)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.errors import InputDataError, ModelError
from socint.models import Control, fit_glmm


def _survey(seed: int = 0, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 20, n)
    return pd.DataFrame({
        "trust": rng.integers(0, 2, n),
        "age": rng.integers(16, 90, n),
        "ethnicity": rng.choice(["White", "Asian", "Black"], n),
        "msoa": g,
        "la": g // 5,
    })


def test_empty_category_is_named() -> None:
    df = _survey()
    df["ethnicity"] = pd.Categorical(df["ethnicity"], categories=["White", "Asian", "Black",
                                                                  "Chinese"])
    with pytest.raises(ModelError, match=r"Chinese.*all zero"):
        fit_glmm('trust ~ age + C(ethnicity, Treatment("White")) + (1 | msoa)', df)


def test_complete_separation_names_the_term() -> None:
    df = _survey()
    df.loc[df["ethnicity"] == "Black", "trust"] = 0
    with pytest.raises(ModelError, match=r"complete separation.*Black.*outcome 0"):
        fit_glmm('trust ~ age + C(ethnicity, Treatment("White")) + (1 | msoa)', df)


def test_non_binary_response_names_the_row(tmp_path: object) -> None:
    df = _survey()
    df.loc[7, "trust"] = 3
    with pytest.raises(ModelError, match=r"row 8 holds 3") as exc:
        fit_glmm("trust ~ age + (1 | msoa)", df)
    assert exc.value.row == 8 and exc.value.column == "trust"


def test_missing_grouping_column() -> None:
    with pytest.raises(ModelError, match="'lad' is not a column"):
        fit_glmm("trust ~ age + (1 | lad)", _survey())


def test_unknown_covariate() -> None:
    with pytest.raises(ModelError, match="fixed-effects design"):
        fit_glmm("trust ~ agee + (1 | msoa)", _survey())


def test_collinear_covariates() -> None:
    df = _survey()
    df["age2"] = 2 * df["age"] + 1
    with pytest.raises(ModelError, match="rank deficient"):
        fit_glmm("trust ~ age + age2 + (1 | msoa)", df)


def test_bad_weight_names_the_row() -> None:
    df = _survey()
    df["w"] = 1.0
    df.loc[4, "w"] = -2.0
    with pytest.raises(InputDataError, match=r"row 5 holds -2\.0"):
        fit_glmm("trust ~ age + (1 | msoa)", df, weights="w")


def test_unknown_weight_scaling_and_nagq() -> None:
    df = _survey()
    df["w"] = 1.0
    with pytest.raises(ModelError, match='`weights_scaling` was "cluster"'):
        fit_glmm("trust ~ age + (1 | msoa)", df, weights="w",
                 control=Control(weights_scaling="cluster"))
    with pytest.raises(ModelError, match="`nagq` was 26"):
        fit_glmm("trust ~ age + (1 | msoa)", df, control=Control(nagq=26))
    with pytest.raises(ModelError, match="needs exactly one grouping factor; the model has 2"):
        fit_glmm("trust ~ age + (1 | la) + (1 | msoa)", df, control=Control(nagq=7))


def test_bad_cbind_counts() -> None:
    df = pd.DataFrame({"s": [1, 2, 5], "n": [3, 4, 4], "g": [1, 2, 3]})
    with pytest.raises(ModelError, match=r"row 3 has successes=5\.0, failures=-1\.0"):
        fit_glmm("cbind(s, n - s) ~ 1 + (1 | g)", df)


def test_rows_with_missing_values_are_dropped_and_counted() -> None:
    df = _survey()
    df.loc[[3, 10], "age"] = np.nan
    r = fit_glmm("trust ~ age + (1 | msoa)", df)
    assert r.n_dropped == 2 and r.nobs == len(df) - 2


def test_too_many_random_effects_for_the_dense_path() -> None:
    n = 7000
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"y": rng.integers(0, 2, n), "a": np.arange(n), "b": rng.integers(0, 7, n)})
    # rows 0 and 1 share "a" group 1 but lie in different "b" groups: the factors are crossed
    df.loc[0, "a"] = 1
    df.loc[1, "b"] = (df.loc[0, "b"] + 1) % 7
    with pytest.raises(ModelError, match="7006 random effects in total exceed the dense path"):
        fit_glmm("y ~ 1 + (1 | a) + (1 | b)", df, control=Control(dense=True))


def test_separation_by_a_continuous_covariate_is_caught_after_the_fit() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    df = pd.DataFrame({"y": (x > 0).astype(int), "x": x, "g": rng.integers(0, 20, 400)})
    with pytest.raises(ModelError, match=r"diverged for design column\(s\) 'x'"):
        fit_glmm("y ~ x + (1 | g)", df)
