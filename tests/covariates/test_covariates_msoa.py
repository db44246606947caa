"""Area covariates from official tables, checked against the raw files and official codings."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from socint.covariates import (
    DATASETS,
    NEEDED,
    AreaCovariates,
    build_area_covariates,
    collect_tables,
)
from socint.covariates.carry import weighted_mean_by
from socint.covariates.msoa import rank_measure
from socint.data import OfficialTable, counts_wide
from socint.errors import InputDataError
from socint.models import MODEL3_FORMULA
from socint.published import WB_CHANGE_BANDS

D = "census2021_demographr"


@pytest.fixture(scope="module")
def tables(shared_data: Path) -> dict[str, OfficialTable]:
    """Every table the covariates can use, keyed by dataset id, read from ../shared/data."""
    return collect_tables(shared_data, list(DATASETS), census=2021)


@pytest.fixture(scope="module")
def cov(tables: dict[str, OfficialTable]) -> dict[int, AreaCovariates]:
    return {c: build_area_covariates(c, tables) for c in (2011, 2021)}


def test_every_english_msoa_and_la_gets_covariates(cov: dict[int, AreaCovariates]) -> None:
    # ONS: 6,791 English MSOA11 and 326 LAs (2011); 6,856 MSOA21 and 309 LTLA21 (2021)
    for census, n_msoa, n_la in ((2011, 6791, 326), (2021, 6856, 309)):
        c = cov[census]
        assert len(c.msoa) == n_msoa and c.msoa["msoa_code"].is_unique, census
        assert len(c.la) == n_la and c.excluded.empty, census
        assert set(c.msoa["lad_code"]) == set(c.la["lad_code"]), census
        assert c.msoa_vintage == census and c.lad_vintage == (2013 if census == 2011 else 2021)
        assert {p.term for p in c.provenance} == {
            "div_decile", "poor_english", "family_pct", "income_decile", "crime_decile",
            "pct65", "rural", "wb_change"}


def test_columns_are_the_model_formula_variables(cov: dict[int, AreaCovariates]) -> None:
    names = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", MODEL3_FORMULA))
    for c in cov.values():
        msoa, la = c.model_columns()
        assert set(msoa.columns[2:]) <= names and set(la.columns[1:]) <= names
        for col in ("div_decile", "income_decile", "crime_decile"):
            assert msoa[col].dtype == np.int64 and set(msoa[col]) == set(range(1, 11))
        assert set(msoa["poor_english"]) == {0, 1} and set(msoa["rural"]) == {0, 1}
        assert set(la["wb_change"]) == set(WB_CHANGE_BANDS)
        assert 'Treatment("<-5%")' in MODEL3_FORMULA and WB_CHANGE_BANDS[0] == "<-5%"


def _official_decile_by_msoa(tables: dict[str, OfficialTable], domain: str,
                             lsoa_msoa: pd.Series) -> pd.Series:
    """Mean official IoD2019 decile (1 = most deprived) of each MSOA's LSOAs."""
    iod = tables["iod2019_lsoa"].data.set_index("area_code")[f"{domain}_decile"]
    return iod.groupby(lsoa_msoa.reindex(iod.index).to_numpy()).mean()


@pytest.mark.parametrize("census", [2011, 2021])
def test_income_decile_10_is_most_deprived_reverse_of_official(
        cov: dict[int, AreaCovariates], tables: dict[str, OfficialTable], census: int) -> None:
    m = cov[census].msoa.set_index("msoa_code")
    by_lad = m.groupby("lad_code")["income_decile"].mean()
    # Blackpool E06000009 and Middlesbrough E06000002 are among England's most income-deprived
    # LAs; Hart E07000089 and Wokingham E06000041 among the least (IoD2019 LA summaries).
    assert by_lad["E06000009"] > 7.5 and by_lad["E06000002"] > 7.0
    assert by_lad["E07000089"] < 2.5 and by_lad["E06000041"] < 2.5
    if census == 2011:
        areas = tables["census2011_ethnicity_lsoa"].areas
        assert areas is not None
        lsoa_msoa = areas.set_index("area_code")["msoa_code"]
        for domain in ("income", "crime"):
            off = _official_decile_by_msoa(tables, domain, lsoa_msoa).reindex(m.index)
            rho = spearmanr(off, m[f"{domain}_decile"])[0]
            assert rho < -0.95, (domain, rho)  # reversed: official 1 = most deprived
            worst = off[off == 1].index  # every LSOA in the official most deprived tenth
            assert (m.loc[worst, f"{domain}_decile"] == 10).all()


def test_rank_based_2021_method_matches_score_based_msoa11(
        cov: dict[int, AreaCovariates], tables: dict[str, OfficialTable]) -> None:
    """The 2021 route (ranks -> population-weighted mean) against the MSOA11 domain scores."""
    m = cov[2011].msoa.set_index("msoa_code")
    mlid = tables["census2011_ethnicity_lsoa"]
    assert mlid.areas is not None
    pop = counts_wide(mlid).sum(axis=1).astype(float)
    parent = mlid.areas.set_index("area_code")["msoa_code"]
    iod = tables["iod2019_lsoa"].data.set_index("area_code")
    for domain, rho_min in (("income", 0.99), ("crime", 0.99)):
        v = weighted_mean_by(rank_measure(iod[f"{domain}_rank"]), pop, parent).reindex(m.index)
        assert spearmanr(v, m[f"{domain}_measure"])[0] > rho_min


def test_poor_english_and_pct65_against_the_raw_files(cov: dict[int, AreaCovariates],
                                                      shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / D / "proficiency21_msoa21.csv").set_index("msoa21_code")
    cols = list(raw.columns)
    share = (raw[cols[4]] + raw[cols[5]]) / raw[cols[1]]  # cannot (well) / main not English
    m = cov[2021].msoa.set_index("msoa_code")
    np.testing.assert_allclose(m["share_not_well"], share.reindex(m.index).fillna(0), atol=1e-12)
    np.testing.assert_array_equal(m["poor_english"], (share.reindex(m.index) > 0.3).astype(int))
    age = pd.read_csv(shared_data / "census2021_age6_lsoa21_msoa21" / "age6_msoa21_ew.csv")
    np.testing.assert_allclose(m["pct65"], 100 * age.set_index("msoa21_code")["share_65_plus"]
                               .reindex(m.index), atol=1e-4)  # file's share rounded to 6 dp
    best = pd.read_csv(shared_data / "geographr_2021_lookups_boundaries" /
                       "lookup_msoa11_msoa21_ltla22.csv").set_index("msoa11_code")
    m11 = cov[2011].msoa.set_index("msoa_code")
    np.testing.assert_array_equal(
        m11["poor_english"], (share.reindex(best["msoa21_code"].reindex(m11.index)) > 0.3)
        .fillna(False).astype(int).to_numpy())
    # 2011 proxy: mid-2019 profile fitted to the census. Reference: LA 65+ shares of DC2101EW
    # (country file: England 16.3%) are reproduced exactly by the MSOAs' population-weighted mean,
    # and the MSOAs' order within an LA stays that of the mid-2019 shares.
    dc = pd.read_csv(shared_data / "census2011_dc2101ew_ethnicity_sex_age_la" /
                     "dc2101ew_ethnicity_sex_age_la_ew_wide.csv").set_index("geography code")
    eth = "Ethnic Group: All categories: Ethnic group; measures: Value"
    c65 = [f"Sex: All persons; Age: Age {a}; {eth}" for a in
           ("65 to 69", "70 to 74", "75 to 79", "80 to 84", "85 and over")]
    la65 = 100 * dc[c65].sum(axis=1) / dc[f"Sex: All persons; Age: All categories: Age; {eth}"]
    mlid = pd.read_csv(shared_data / "census2011_ethnicity_oa_lsoa_mlid" /
                       "ethnicity_2011_lsoa_ew.csv").groupby("MSOA")["Persons"].sum()
    w = mlid.reindex(m11.index)
    got = (m11["pct65"] * w).groupby(m11["lad_code"]).sum() / w.groupby(m11["lad_code"]).sum()
    np.testing.assert_allclose(got, la65.reindex(got.index), rtol=1e-8)
    pop = pd.read_csv(shared_data / D / "population19_msoa11.csv").set_index("msoa11_code")
    old = pop[[str(a) for a in range(65, 90)] + ["90+"]].sum(axis=1) / pop["total_population"]
    rho = spearmanr(m11["pct65"], old.reindex(m11.index))[0]
    assert rho > 0.98


def test_diversity_decile_and_rural_against_hand_computations(
        cov: dict[int, AreaCovariates], shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "census2011_ethnicity_oa_lsoa_mlid" /
                      "ethnicity_2011_lsoa_ew.csv")
    groups = ["WhiteBrit", "Irish", "OtherWhite", "Mixed", "Indian", "Pakistani", "Bangladeshi",
              "Chinese", "OtherAsian", "BlkAfrican", "BlkCaribbean", "OtherBlk", "Arab", "Other"]
    g = raw.groupby("MSOA")[[*groups, "Persons"]].sum()
    g["GRT"] = g["Persons"] - g[groups].sum(axis=1)
    p = g[[*groups, "GRT"]].div(g["Persons"], axis=0)
    edi = 1 - (p ** 2).sum(axis=1)
    m = cov[2011].msoa.set_index("msoa_code")
    np.testing.assert_allclose(m["edi"], edi.reindex(m.index), rtol=1e-12)
    # Newham (E09000025) is England's most diverse LA: almost all its MSOAs in decile 10
    assert (m.loc[m["lad_code"] == "E09000025", "div_decile"] >= 9).mean() > 0.9
    ruc = pd.read_csv(shared_data / "ruc2011_lsoa" / "ruc2011_lsoa11_ew.csv").set_index("lsoa")
    lsoa = raw.set_index("LSOA")
    rural = ruc["RUC11CD"].str[0].isin(["D", "E"]).reindex(lsoa.index)
    share = (lsoa["Persons"] * rural).groupby(lsoa["MSOA"]).sum() / lsoa.groupby("MSOA")[
        "Persons"].sum()
    np.testing.assert_array_equal(m["rural"], (share.reindex(m.index) > 0.5).astype(int))
    assert m.loc[m["lad_code"] == "E09000025", "rural"].sum() == 0  # no rural LSOA in Newham


def test_wb_change_by_hand_for_an_unchanged_and_a_merged_la(
        cov: dict[int, AreaCovariates], shared_data: Path) -> None:
    qs = pd.read_csv(shared_data / "census2011_ethnicity_la_qs201ew" /
                     "qs201ew_ethnic_group_2011_la_ew.csv").set_index("geography code")
    col = "Ethnic Group: White: English/Welsh/Scottish/Northern Irish/British; measures: Value"
    ts = pd.read_csv(shared_data / D / "ethnicity21_ltla21.csv")
    wb21 = ts[ts["ethnic_group"].str.startswith("White: English") &
              ts["ethnic_group"].str.endswith("(number)")].set_index("ltla21_code")["value"]
    la = cov[2021].la.set_index("lad_code")
    newham = 100 * (wb21["E09000025"] - qs.loc["E09000025", col]) / qs.loc["E09000025", col]
    assert la.loc["E09000025", "wb_change_pct"] == pytest.approx(newham, rel=1e-12)
    # Dorset (E06000059, 2019) = West Dorset, North Dorset, Purbeck, East Dorset, Weymouth
    old = ["E07000052", "E07000050", "E07000051", "E07000049", "E07000053"]
    dorset = 100 * (wb21["E06000059"] - qs.loc[old, col].sum()) / qs.loc[old, col].sum()
    assert la.loc["E06000059", "wb_change_pct"] == pytest.approx(dorset, rel=1e-12)
    la11 = cov[2011].la.set_index("lad_code")
    np.testing.assert_allclose(la11.loc[old, "wb_change_pct"], dorset, rtol=1e-12)
    expect = "<-5%" if newham < -5 else "-5-0%" if newham <= 0 else ">0%"
    assert la.loc["E09000025", "wb_change"] == expect


def test_a_missing_table_is_named_with_census_and_publisher(
        tables: dict[str, OfficialTable]) -> None:
    partial = {k: v for k, v in tables.items() if k != "census2021_proficiency_msoa"}
    with pytest.raises(InputDataError, match=r"Census 2021.*census2021_proficiency_msoa.*TS029"):
        build_area_covariates(2021, partial)
    with pytest.raises(InputDataError, match="census"):
        build_area_covariates(2001, tables)
    assert set(NEEDED) == {2011, 2021}


def test_reading_from_a_folder_finds_tables_by_content(tmp_path: Path,
                                                       shared_data: Path) -> None:
    (tmp_path / "x").mkdir()
    src = shared_data / D / "proficiency21_msoa21.csv"
    (tmp_path / "x" / "renamed.csv").write_bytes(src.read_bytes())
    with pytest.raises(InputDataError) as exc:
        build_area_covariates(2021, tmp_path)
    assert "census2021_proficiency_msoa" not in str(exc.value).split("not found:")[1]
