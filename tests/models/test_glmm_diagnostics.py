"""Diagnostics a user sees (issue 13) and the model scenarios of issue 10, each named.

Each degenerate design has a reason it is degenerate that does not depend on socint:
* a singular fit: every group has the same share of successes, so the score for the variance
  at σ² = 0, ½ Σ_g [(Σ_i (y_i − p))² − n_g p(1 − p)], is negative and σ² = 0 is the maximum;
* one level: a variance of one group is not identified (lme4 stops: ``check.nlev.gtr.1``);
* aliased factors: two names for the same groups, the likelihood depends on σ₁² + σ₂² only;
* near-unidentifiable: two covariates correlated to 1 − 5e-9;
* separation: y = 1[x > 0] (Albert & Anderson 1984), other covariates unrelated.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from socint.errors import ModelError, ModelWarning, SocintWarning
from socint.models import Control, fit_glmm


def _survey(seed: int = 0, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    msoa = rng.integers(0, 40, n)
    u = rng.normal(0, 0.7, 40)
    x = rng.normal(size=n)
    eta = -0.3 + 0.5 * x + u[msoa]
    return pd.DataFrame({
        "trust": (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int),
        "x": x, "z": rng.normal(size=n),
        "ethnicity": rng.choice(["White", "Asian", "Black"], n),
        "msoa_code": msoa, "lad_code": msoa // 8,
    })


def _no_model_warning(formula: str, data: pd.DataFrame, **kw: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelWarning)
        return fit_glmm(formula, data, **kw)  # type: ignore[arg-type]


def test_warning_class_is_a_socint_user_warning() -> None:
    assert issubclass(ModelWarning, SocintWarning) and issubclass(SocintWarning, UserWarning)


def test_singular_fit_warns_and_names_the_factor() -> None:
    # 30 groups of 10 rows, each with exactly 4 successes: no between-group variation at all
    df = pd.DataFrame({"y": np.tile([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 30),
                       "g": np.repeat(np.arange(30), 10)})
    with pytest.warns(ModelWarning, match=r"singular fit: the variance of 'g' is at the boundary"):
        r = fit_glmm("y ~ 1 + (1 | g)", df)
    assert r.variances["g"] < 1e-8 and r.diagnostics["boundary"] == {"g": True}
    assert r.converged  # a boundary optimum is a proper optimum (σ = 0 curves up)
    assert r.fixef["Intercept"] == pytest.approx(np.log(0.4 / 0.6), abs=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelWarning)
        fit_glmm("y ~ 1 + (1 | g)", df, control=Control(check_singular="ignore"))
    with pytest.raises(ModelError, match="singular fit"):
        fit_glmm("y ~ 1 + (1 | g)", df, control=Control(check_singular="raise"))


def test_one_level_grouping_factor_says_so_and_names_constant_covariates() -> None:
    """issue 10: a single-LA survey was reported as "'poor_english' is all zero"."""
    df = _survey()
    df["lad_code"] = "E08000025"
    df["poor_english"] = 0.0  # an LA-level covariate: one value in one LA
    f = "trust ~ x + poor_english + (1 | lad_code) + (1 | msoa_code)"
    with pytest.raises(ModelError) as exc:
        fit_glmm(f, df)
    msg = str(exc.value)
    assert "grouping factor 'lad_code' (only 'E08000025') has one level" in msg
    assert "constant over all rows" in msg and "'poor_english'" in msg and "'x'" not in msg
    assert "How to fix: fit data covering several groups" in msg
    # "warn" fits the model without the constant covariate, with the warning
    with pytest.warns(ModelWarning, match="'lad_code' .* has one level"):
        r = fit_glmm("trust ~ x + (1 | lad_code) + (1 | msoa_code)", df,
                     control=Control(check_nlev="warn", check_singular="ignore"))
    assert r.n_groups["lad_code"] == 1


def test_aliased_grouping_factors_warn() -> None:
    df = _survey()
    df["msoa_name"] = "M" + df["msoa_code"].astype(str)  # the same groups under another name
    with pytest.warns(ModelWarning, match=r"'msoa_code' and 'msoa_name' are aliased"):
        fit_glmm("trust ~ x + (1 | msoa_code) + (1 | msoa_name)", df,
                 control=Control(check_singular="ignore", check_identifiable="ignore"))
    with pytest.raises(ModelError, match="aliased"):
        fit_glmm("trust ~ x + (1 | msoa_code) + (1 | msoa_name)", df,
                 control=Control(check_aliased="raise"))


def test_nested_factors_are_not_aliased() -> None:
    _no_model_warning("trust ~ x + (1 | lad_code) + (1 | msoa_code)", _survey())


def test_near_unidentifiable_fit_warns_and_names_the_columns() -> None:
    df = _survey()
    rng = np.random.default_rng(5)
    df["x2"] = df["x"] + 1e-4 * rng.normal(size=len(df))
    with pytest.warns(ModelWarning, match=r"nearly unidentifiable.*'x'.*'x2'|"
                                          r"nearly unidentifiable.*'x2'.*'x'"):
        fit_glmm("trust ~ x + x2 + (1 | msoa_code)", df)


def test_check_levels_are_validated() -> None:
    with pytest.raises(ModelError, match='`check_singular` was "stop"'):
        fit_glmm("trust ~ x + (1 | msoa_code)", _survey(),
                 control=Control(check_singular="stop"))


def test_converged_is_false_when_the_optimiser_is_stopped_early() -> None:
    df = _survey()
    ok = _no_model_warning("trust ~ x + z + (1 | msoa_code)", df)
    assert ok.converged  # type: ignore[attr-defined]
    r = fit_glmm("trust ~ x + z + (1 | msoa_code)", df,
                 control=Control(newton_steps=0, maxiter=1))
    assert not r.converged and r.diagnostics["scaled_grad_max"] > 2e-3


def test_separation_error_names_only_the_separating_covariate() -> None:
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    df = pd.DataFrame({"y": (x > 0).astype(int), "x": x, "z": 0.8 * x + 0.6 * rng.normal(size=n),
                       "w": rng.normal(size=n), "g": rng.integers(0, 20, n)})
    for formula in ("y ~ x + z + w + (1 | g)", "y ~ z + x * w + (1 | g)"):
        with pytest.raises(ModelError) as exc:
            fit_glmm(formula, df)
        msg = str(exc.value)
        assert "diverged for design column(s) 'x': they separate the outcome" in msg, msg
        assert "'z'" not in msg and "'w'" not in msg and "'x:w'" not in msg


def test_separation_by_two_covariates_jointly_names_both() -> None:
    rng = np.random.default_rng(1)
    n = 400
    a, b = rng.normal(size=n), rng.normal(size=n)
    df = pd.DataFrame({"y": (a + b > 0).astype(int), "a": a, "b": b, "w": rng.normal(size=n),
                       "g": rng.integers(0, 20, n)})
    with pytest.raises(ModelError, match=r"column\(s\) 'a', 'b': they separate"):
        fit_glmm("y ~ a + b + w + (1 | g)", df)


def test_header_only_survey_is_a_clear_error() -> None:
    """issue 10: a header-only survey gave numpy's LinAlgError."""
    with pytest.raises(ModelError, match=r"the data have no rows \(a header-only survey"):
        fit_glmm("trust ~ x + (1 | msoa_code)", _survey().iloc[:0])


def test_rows_all_incomplete_is_a_clear_error() -> None:
    df = _survey()
    df["x"] = np.nan
    with pytest.raises(ModelError, match="none of the 600 rows is complete"):
        fit_glmm("trust ~ x + (1 | msoa_code)", df)


@pytest.mark.parametrize(("value", "said"), [(0, "0 (no successes)"), (1, "1 (no failures)")])
def test_outcome_without_variation_is_not_called_separation(value: int, said: str) -> None:
    """issue 10: an all-0 or all-1 outcome was called "complete separation … 'female'"."""
    df = _survey()
    df["trust"] = value
    df["female"] = np.arange(len(df)) % 2
    with pytest.raises(ModelError) as exc:
        fit_glmm("trust ~ female + x + (1 | msoa_code)", df)
    msg = str(exc.value)
    assert f"the outcome 'trust' has no variation: every one of the 600 rows is {said}" in msg
    assert "separation" not in msg and "female" not in msg


def test_prediction_on_an_unseen_category_raises_or_warns() -> None:
    """issue 10: a population frame with an ethnicity the survey lacks was coded as the
    reference category with only formulaic's "cast to nan" warning."""
    df = _survey()
    f = 'trust ~ x + C(ethnicity, Treatment("White")) + (1 | msoa_code)'
    r = fit_glmm(f, df)
    frame = df.head(6).copy()
    frame.loc[[1, 4], "ethnicity"] = "Chinese"
    with pytest.raises(ModelError) as exc:
        r.predict(frame)
    msg = str(exc.value)
    assert "2 row(s) of the new data have 'ethnicity' = Chinese" in msg
    assert "fitted categories: Asian, Black, White" in msg and "row 2" in msg
    with pytest.raises(ModelError, match="'ethnicity' = Chinese"):
        r.design_matrix(frame)
    with pytest.warns(ModelWarning, match="predictions are NaN"):
        p = r.predict(frame, unseen="warn")
    assert p.isna().tolist() == [False, True, False, False, True, False]
    assert np.allclose(p.dropna(), r.predict(frame.drop(index=[1, 4])))
