"""Area tables: deciles, deprivation direction, rurality and the model's covariate frames."""

from __future__ import annotations

import numpy as np
import pytest
from _synthetic_shared import default_england

from socint.published import WB_CHANGE_BANDS
from socint.synthetic.areas import RUC_LABELS, decile


def test_decile_hand_cases() -> None:
    # 20 distinct values: two per decile; descending puts the largest in decile 1.
    x = np.arange(20.0)
    assert decile(x).tolist() == [d for d in range(1, 11) for _ in range(2)]
    assert decile(x, descending=True).tolist() == [d for d in range(10, 0, -1) for _ in range(2)]


def test_msoa_covariates_columns_and_ranges() -> None:
    e = default_england()
    cov = e.msoa_covariates
    assert list(cov.columns) == ["msoa_code", "lad_code", "div_decile", "poor_english",
                                 "family_pct", "income_decile", "crime_decile", "pct65", "rural"]
    assert (cov["msoa_code"].to_numpy() == e.msoas["msoa_code"].to_numpy()).all()
    for col in ("div_decile", "income_decile", "crime_decile"):
        counts = cov[col].value_counts()
        assert sorted(counts.index) == list(range(1, 11))
        assert counts.max() - counts.min() <= 2  # deciles of distinct values are equal-sized
    assert set(cov["poor_english"]) == {0, 1} and set(cov["rural"]) == {0, 1}
    assert cov["pct65"].between(3, 40).all() and cov["family_pct"].between(2, 40).all()
    assert 0.1 <= cov["rural"].mean() <= 0.35
    assert 14 <= cov["pct65"].mean() <= 20


def test_la_covariates_bands() -> None:
    e = default_england()
    la = e.la_covariates
    assert list(la.columns) == ["lad_code", "wb_change"]
    assert set(la["wb_change"]) == set(WB_CHANGE_BANDS)
    assert (e.las["wb_change"].to_numpy() == la["wb_change"].to_numpy()).all()
    # the band agrees with the stored percentage change
    pct = e.las["wb_change_pct"]
    expect = np.where(pct < -5, "<-5%", np.where(pct < 0, "-5-0%", ">0%"))
    assert (la["wb_change"].to_numpy() == expect).all()


def test_iod_deciles_run_the_official_way_and_model_deciles_the_other() -> None:
    e = default_england()
    att = e.lsoa_attributes
    income, crime = att["income_score"].to_numpy(), att["crime_score"].to_numpy()
    assert att["income_decile"].to_numpy()[income.argmax()] == 1
    assert att["income_decile"].to_numpy()[income.argmin()] == 10
    assert att["crime_decile"].to_numpy()[crime.argmax()] == 1
    # model deciles: 10 = most deprived, so they fall as the mean IoD decile rises
    iod = att.assign(msoa_code=e.lsoas["msoa_code"].to_numpy()).groupby("msoa_code")[
        "income_decile"].mean()
    cov = e.msoa_covariates.set_index("msoa_code")
    assert np.corrcoef(cov["income_decile"], iod[cov.index])[0, 1] < -0.8
    assert np.corrcoef(cov["income_decile"], cov["crime_decile"])[0, 1] > 0.4


def test_rural_msoas_have_rural_lsoas() -> None:
    e = default_england()
    att = e.lsoa_attributes.assign(msoa_code=e.lsoas["msoa_code"].to_numpy())
    assert set(att["ruc_code"]) <= set(RUC_LABELS)
    assert (att["ruc_label"] == att["ruc_code"].map(RUC_LABELS)).all()
    rural = e.msoa_covariates.set_index("msoa_code")["rural"]
    is_rural_class = att["ruc_code"].str.slice(0, 1).isin(["D", "E"])
    assert (is_rural_class.to_numpy() == (rural[att["msoa_code"]] == 1).to_numpy()).all()
    london = e.lsoas["lad_code"].isin(e.las.loc[e.las["region_code"] == "E12000007", "lad_code"])
    assert (att.loc[london.to_numpy(), "ruc_code"] == "A1").all()


@pytest.mark.parametrize("col,sign", [("pct65", -1), ("income_decile", 1)])
def test_diverse_areas_are_younger_and_more_deprived(col: str, sign: int) -> None:
    cov = default_england().msoa_covariates
    r = np.corrcoef(cov["div_decile"], cov[col])[0, 1]
    assert sign * r > 0.2
