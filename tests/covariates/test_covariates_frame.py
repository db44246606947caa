"""The census post-stratification frames against the published census tables they are raked to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socint.covariates import (
    DATASETS,
    AreaCovariates,
    PopulationFrame,
    build_area_covariates,
    build_frame,
    collect_tables,
)
from socint.covariates.frame import survey6
from socint.data import OfficialTable, counts_wide, read_official
from socint.estimates.poststrat import build_poststrat_frame
from socint.models import simulate_model3
from socint.published import ETHNICITY_SURVEY6

REL = 1e-6  # margins reproduced to 1e-6 of the MSOA's population after raking


@pytest.fixture(scope="module")
def tables(shared_data: Path) -> dict[str, OfficialTable]:
    """Every table the covariates can use, keyed by dataset id, read from ../shared/data."""
    return collect_tables(shared_data, list(DATASETS), census=2021)


@pytest.fixture(scope="module")
def built(tables: dict[str, OfficialTable]
          ) -> dict[int, tuple[AreaCovariates, PopulationFrame]]:
    out = {}
    for c in (2011, 2021):
        cov = build_area_covariates(c, tables)
        out[c] = (cov, build_frame(c, tables, cov))
    return out


def _adults_16plus(table: OfficialTable, code: str) -> float:
    d = table.data
    young = {"0-4", "5-7", "8-9", "10-14", "15"}
    sel = (d["area_code"] == code) & ~d["age_band"].astype(str).isin(young)
    return float(d.loc[sel, "count"].sum())


def test_2011_frame_totals_equal_dc2101_england_and_la_tables(
        built: dict[int, tuple[AreaCovariates, PopulationFrame]], shared_data: Path) -> None:
    cov, fr = built[2011]
    country = read_official(shared_data / "census2011_dc2101ew_ethnicity_sex_age_la" /
                            "dc2101ew_ethnicity_sex_age_country_wide.csv")
    assert fr.counts["count"].sum() == pytest.approx(_adults_16plus(country, "E92000001"),
                                                     rel=1e-9)
    assert set(fr.counts["msoa_code"]) == set(cov.msoa["msoa_code"])
    assert set(fr.counts["ethnicity"]) == set(ETHNICITY_SURVEY6)
    assert set(fr.counts["sex"]) == {"male", "female"}
    # every LA's sex x ethnicity adults equal DC2101EW (independent LA long file)
    long = read_official(shared_data / "census2011_dc2101ew_ethnicity_sex_age_la" /
                         "dc2101ew_ethnicity_sex_age_la_ew_long.csv").data
    long = long[long["area_code"].str.startswith("E") & ~long["age_band"].astype(str).isin(
        ["0-4", "5-7", "8-9", "10-14", "15"])]
    ref = long.assign(eth=long["category"].astype(str).map(survey6)).groupby(
        ["area_code", "sex", "eth"], observed=True)["count"].sum()
    got = fr.counts.groupby(["lad_code", "sex", "ethnicity"])["count"].sum()
    got.index.names = ref.index.names
    ref.index = ref.index.set_levels(ref.index.levels[1].astype(str), level=1)
    np.testing.assert_allclose(got.reindex(ref.index).to_numpy(), ref.to_numpy(dtype=float),
                               rtol=0, atol=1e-3)


def test_2011_msoa_ethnic_margins_reproduced(
        built: dict[int, tuple[AreaCovariates, PopulationFrame]], shared_data: Path) -> None:
    _, fr = built[2011]
    raw = pd.read_csv(shared_data / "census2011_ethnicity_oa_lsoa_mlid" /
                      "ethnicity_2011_lsoa_ew.csv")
    g = raw.groupby("MSOA").sum(numeric_only=True)
    ref = pd.DataFrame({
        "White": g["Persons"] - g[["Mixed", "Indian", "Pakistani", "Bangladeshi", "Chinese",
                                   "OtherAsian", "BlkAfrican", "BlkCaribbean", "OtherBlk",
                                   "Arab", "Other"]].sum(axis=1),
        "Asian": g[["Indian", "Pakistani", "Bangladeshi", "OtherAsian"]].sum(axis=1),
        "Black": g[["BlkAfrican", "BlkCaribbean", "OtherBlk"]].sum(axis=1),
        "Mixed": g["Mixed"], "Chinese": g["Chinese"], "Other": g[["Arab", "Other"]].sum(axis=1),
    })
    assert fr.all_ages is not None
    got = fr.all_ages.pivot_table(index="msoa_code", columns="ethnicity", values="count",
                                  aggfunc="sum")[ref.columns]
    ref = ref.loc[got.index].astype(float)
    gap = (got - ref).abs().max(axis=1) / ref.sum(axis=1)
    assert gap.max() < REL


def test_2021_frame_margins_are_census_2021_age_and_ethnicity(
        built: dict[int, tuple[AreaCovariates, PopulationFrame]], shared_data: Path) -> None:
    cov, fr = built[2021]
    age = pd.read_csv(shared_data / "census2021_age6_lsoa21_msoa21" / "age6_msoa21_ew.csv")
    age = age[age["msoa21_code"].str.startswith("E")].set_index("msoa21_code")
    adult_cols = ["Aged 16 to 24 years", "Aged 25 to 34 years", "Aged 35 to 49 years",
                  "Aged 50 to 64 years", "Aged 65 years and over"]
    assert fr.counts["count"].sum() == pytest.approx(age[adult_cols].to_numpy().sum(),
                                                     rel=1e-9)
    got = fr.counts.pivot_table(index="msoa_code", columns="age_band", values="count",
                                aggfunc="sum")[["16-24", "25-34", "35-49", "50-64", "65+"]]
    ref = age.loc[got.index, adult_cols].to_numpy(dtype=float)
    assert (np.abs(got.to_numpy() - ref).max(axis=1) / ref.sum(axis=1)).max() < REL
    eth = pd.read_csv(shared_data / "census2021_demographr" / "ethnicity21_msoa21.csv")
    eth = eth.set_index("msoa21_code").loc[got.index]
    assert fr.all_ages is not None
    all_eth = fr.all_ages.pivot_table(index="msoa_code", columns="ethnicity", values="count",
                                      aggfunc="sum")
    scale = age.loc[got.index, "total_residents"] / eth["total_residents"]
    np.testing.assert_allclose(all_eth["White"], eth["White"] * scale, rtol=REL)
    asian = all_eth["Asian"] + all_eth["Chinese"]
    np.testing.assert_allclose(asian, eth["Asian, Asian British or Asian Welsh"] * scale,
                               rtol=REL)
    assert set(fr.counts["msoa_code"]) == set(cov.msoa["msoa_code"])


@pytest.mark.parametrize("census", [2011, 2021])
def test_frame_and_covariates_plug_into_the_mrp_frame(
        built: dict[int, tuple[AreaCovariates, PopulationFrame]], census: int) -> None:
    cov, fr = built[census]
    msoa, la = cov.model_columns()
    sim = simulate_model3(n_respondents=2000, n_msoa=200, n_la=40, seed=3)
    real = msoa["msoa_code"].to_numpy()[:: len(msoa) // 200][:200]
    ids = sorted(sim["msoa"].unique())
    survey = sim.drop(columns=["div_decile", "poor_english", "family_pct", "income_decile",
                               "crime_decile", "pct65", "rural", "wb_change", "la"])
    survey["msoa_code"] = survey.pop("msoa").map(dict(zip(ids, real, strict=True)))
    survey["lad_code"] = survey["msoa_code"].map(msoa.set_index("msoa_code")["lad_code"])
    pf = build_poststrat_frame(fr.counts, survey, msoa, la, min_cell_respondents=1)
    assert len(pf.msoa_codes) == len(msoa)
    np.testing.assert_allclose(pf.adults.sum(), fr.counts["count"].sum(), rtol=1e-12)
    np.testing.assert_allclose(pf.shares.sum(axis=1), 1.0, atol=1e-12)
    assert set(pf.area["wb_change"]) <= {"<-5%", "-5-0%", ">0%"}


def test_dc2101_long_file_can_stand_in_for_the_wide(tables: dict[str, OfficialTable],
                                                    built: dict[int, tuple[AreaCovariates,
                                                                           PopulationFrame]]
                                                    ) -> None:
    alt = {k: v for k, v in tables.items() if k != "census2011_ethnicity_sex_age_lad"}
    fr = build_frame(2021, alt)
    np.testing.assert_allclose(fr.counts["count"].to_numpy(),
                               built[2021][1].counts["count"].to_numpy(), rtol=1e-9)
    assert counts_wide(tables["census2011_ethnicity_sex_age_lad_long"]).shape == (348, 18)


def test_covariates_of_another_census_are_refused(
        tables: dict[str, OfficialTable],
        built: dict[int, tuple[AreaCovariates, PopulationFrame]]) -> None:
    from socint.errors import InputDataError
    with pytest.raises(InputDataError, match=r"Census 2011.*Census 2021"):
        build_frame(2021, tables, built[2011][0])
