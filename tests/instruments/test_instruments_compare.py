"""Adjusted area comparison: statsmodels as reference, recovery of the built-in group effect."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from socint.errors import InputDataError, ModelError, SchemaError
from socint.instruments.compare import compare_groups, fit_logit, fit_ols, trust_distrust_ratio
from socint.synthetic.instruments import BASELINE_GAP, GROUP_EFFECTS, generate_instruments


@pytest.fixture(scope="module")
def sm() -> Any:
    """statsmodels, the independent reference (a test-only dependency)."""
    return pytest.importorskip("statsmodels.api")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return generate_instruments(1).comparison_survey


def _design(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    X = np.column_stack([np.ones(len(df)), (df.area_group == "Integration Area").astype(float),
                         df.age, df.female, (df.ethnicity == "white").astype(float), df.degree])
    return X, df.lad_code.to_numpy()


def test_ols_cluster_covariance_matches_statsmodels(sm: Any, survey: pd.DataFrame) -> None:
    X, cl = _design(survey)
    y = survey.thermometer.to_numpy(float)
    ours = fit_ols(X, y, cl)
    ref = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(cl)[0]})
    np.testing.assert_allclose(ours.beta, ref.params, rtol=1e-10)
    np.testing.assert_allclose(ours.cov, ref.cov_params(), rtol=1e-8)


def test_logit_cluster_covariance_matches_statsmodels(sm: Any, survey: pd.DataFrame) -> None:
    X, cl = _design(survey)
    y = survey.volunteered.to_numpy(float)
    ours = fit_logit(X, y, cl)
    ref = sm.Logit(y, X).fit(disp=0, cov_type="cluster",
                             cov_kwds={"groups": pd.factorize(cl)[0]})
    np.testing.assert_allclose(ours.beta, ref.params, rtol=1e-7)
    np.testing.assert_allclose(ours.cov, ref.cov_params(), rtol=1e-6)


def test_emm_difference_equals_ols_group_coefficient(sm: Any, survey: pd.DataFrame) -> None:
    # For a linear model the adjusted gap is the group coefficient (statsmodels formula fit)
    res = compare_groups(survey, outcomes={"thermometer": "thermometer"}, group="area_group",
                         covariates=["age", "female", "ethnicity", "degree"], cluster="lad_code",
                         reference="Other area")
    ref = sm.OLS.from_formula(
        "thermometer ~ C(area_group, Treatment('Other area')) + age + female + C(ethnicity)"
        " + degree", survey).fit(cov_type="cluster",
                                 cov_kwds={"groups": pd.factorize(survey.lad_code)[0]})
    term = "C(area_group, Treatment('Other area'))[T.Integration Area]"
    gap = res.contrasts.query("contrast == 'gap'").iloc[0]
    assert gap["estimate"] == pytest.approx(ref.params[term], rel=1e-10)
    assert gap["se"] == pytest.approx(ref.bse[term], rel=1e-8)
    # EMM of the reference group: prediction at everyone's own covariates, group set to it
    pred = ref.predict(survey.assign(area_group="Other area")).mean()
    m = res.means.set_index("group").loc["Other area", "emm"]
    assert m == pytest.approx(pred, rel=1e-10)


def test_logit_emms_match_statsmodels_predictions(sm: Any, survey: pd.DataFrame) -> None:
    res = compare_groups(survey, outcomes={"volunteered": "binary"}, group="area_group",
                         covariates=["age", "degree"], cluster="lad_code",
                         reference="Other area")
    ref = sm.Logit.from_formula("volunteered ~ C(area_group, Treatment('Other area')) + age"
                                " + degree", survey).fit(disp=0)
    for g in ("Other area", "Integration Area"):
        want = ref.predict(survey.assign(area_group=g)).mean()
        assert res.means.set_index("group").loc[g, "emm"] == pytest.approx(want, rel=1e-7)


@pytest.mark.parametrize("outcome", ["cohesion_latent", "civic_actions", "thermometer"])
def test_recovers_built_in_effect(survey: pd.DataFrame, outcome: str) -> None:
    key = "cohesion_likert" if outcome == "cohesion_latent" else outcome
    res = compare_groups(survey, outcomes={outcome: "continuous"}, group="area_group",
                         covariates=["age", "female", "ethnicity", "degree"], cluster="lad_code",
                         wave="wave", reference="Other area", before=2016)
    c = res.contrasts.set_index(["contrast", "wave"])
    did = c.loc[("did", 2018)]
    assert abs(did["estimate"] - GROUP_EFFECTS[key]) < 3 * did["se"]
    assert did["lower"] > 0  # the effect is detected
    gap = c.loc[("gap", 2016)]
    assert abs(gap["estimate"] - BASELINE_GAP[key]) < 3 * gap["se"]
    # adjustment matters: the raw gap is further from the truth than the adjusted one
    m = res.means.set_index(["group", "wave"])
    raw = m.loc[("Integration Area", 2016), "raw_mean"] - m.loc[("Other area", 2016), "raw_mean"]
    assert abs(raw - BASELINE_GAP[key]) > abs(gap["estimate"] - BASELINE_GAP[key])


def test_small_cells_are_suppressed_and_bad_inputs_named(survey: pd.DataFrame) -> None:
    tiny = pd.concat([survey[survey.area_group == "Other area"],
                      survey[survey.area_group == "Integration Area"].head(6)])
    res = compare_groups(tiny, outcomes={"thermometer": "thermometer"}, group="area_group",
                         covariates=["age"], cluster="lad_code")
    row = res.means.set_index("group").loc["Integration Area"]
    assert row["suppressed"] and np.isnan(row["emm"]) and np.isnan(row["n"])
    gap = res.contrasts.iloc[0]
    assert gap["suppressed"] and np.isnan(gap["estimate"])  # built on a suppressed cell
    with pytest.raises(InputDataError, match="unknown outcome kind"):
        compare_groups(survey, outcomes={"thermometer": "ratio"}, group="area_group",
                       covariates=[], cluster="lad_code")
    with pytest.raises(InputDataError, match="0/1"):
        compare_groups(survey, outcomes={"civic_actions": "binary"}, group="area_group",
                       covariates=[], cluster="lad_code")
    with pytest.raises(SchemaError, match="income"):
        compare_groups(survey, outcomes={"thermometer": "thermometer"}, group="area_group",
                       covariates=["income"], cluster="lad_code")
    with pytest.raises(InputDataError, match="before wave 2010"):
        compare_groups(survey, outcomes={"thermometer": "thermometer"}, group="area_group",
                       covariates=[], cluster="lad_code", wave="wave", before=2010)
    one_area = survey.assign(lad_code="E06000001")
    with pytest.raises(ModelError, match="at least 2 areas"):
        compare_groups(one_area, outcomes={"thermometer": "thermometer"}, group="area_group",
                       covariates=[], cluster="lad_code")


def test_group_labels_with_separators_are_safe(survey: pd.DataFrame) -> None:
    s = survey.assign(area_group=survey.area_group.str.replace(" ", "|"))
    res = compare_groups(s, outcomes={"thermometer": "thermometer"}, group="area_group",
                         covariates=["age"], cluster="lad_code", wave="wave")
    assert set(res.means["group"]) == {"Integration|Area", "Other|area"}


def test_trust_distrust_ratio_hand_computed() -> None:
    df = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 4, "w": [1] * 14,
                       "t": [5, 5, 4, 4, 4, 3, 2, 1, 1, 3, 5, 5, 1, 2]})
    out = trust_distrust_ratio(df, outcome="t", trust=[4, 5], distrust=[1, 2], group="g",
                               wave="w").set_index("group")
    assert out.loc["a", "ratio"] == pytest.approx((5 / 10) / (3 / 10))
    assert out.loc["b", "suppressed"] and np.isnan(out.loc["b", "ratio"])


@pytest.mark.slow
def test_did_is_unbiased_with_nominal_coverage_over_seeds() -> None:
    """Parameter recovery over 20 synthetic surveys: mean DiD ≈ truth, 95% CIs cover ~95%."""
    est, covered = [], 0
    for seed in range(20):
        data = generate_instruments(100 + seed).comparison_survey
        res = compare_groups(data, outcomes={"thermometer": "thermometer"}, group="area_group",
                             covariates=["age", "female", "ethnicity", "degree"],
                             cluster="lad_code", wave="wave", reference="Other area",
                             before=2016)
        did = res.contrasts.query("contrast == 'did'").iloc[0]
        est.append(did["estimate"])
        covered += did["lower"] <= GROUP_EFFECTS["thermometer"] <= did["upper"]
    mean, sd = float(np.mean(est)), float(np.std(est, ddof=1))
    assert abs(mean - GROUP_EFFECTS["thermometer"]) < 3 * sd / np.sqrt(len(est))
    assert covered >= 16  # 95% nominal; with 12 clusters CR1 intervals run a little narrow
