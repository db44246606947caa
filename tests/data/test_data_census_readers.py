"""Census readers against published figures (ONS Census 2011 and 2021) on the real shared files.

Every expected number is a published figure quoted in the data READMEs or ONS releases, or a
cross-check between two independently published files (MLID OA counts aggregated to LAs vs the
Nomis QS201EW LA table), never the readers' own output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from socint.data import (
    SCHEMES,
    counts_wide,
    read_census2011_ethnicity_small_area,
    read_census2011_nomis,
    read_census2021_ethnicity,
    read_census2021_proficiency,
    read_census2021_religion,
    read_population_single_year,
)
from socint.data.table import OfficialTable

MLID = "census2011_ethnicity_oa_lsoa_mlid"
C21 = "census2021_demographr"


@pytest.fixture(scope="module")
def oa() -> OfficialTable:
    return read_census2011_ethnicity_small_area(shared_path(MLID, "ethnicity_2011_oa_ew.csv"))


@pytest.fixture(scope="module")
def lsoa() -> OfficialTable:
    return read_census2011_ethnicity_small_area(shared_path(MLID, "ethnicity_2011_lsoa_ew.csv"))


@pytest.fixture(scope="module")
def qs201() -> OfficialTable:
    return read_census2011_nomis(shared_path("census2011_ethnicity_la_qs201ew",
                                             "qs201ew_ethnic_group_2011_la_ew.csv"))


def _england(table: OfficialTable) -> pd.DataFrame:
    assert table.areas is not None
    return table.areas[table.areas["area_code"].str.startswith("E")]


def test_oa_file_counts_and_totals(oa: OfficialTable) -> None:
    # Census 2011: 171,372 OAs in England; E&W usual residents 56,075,912; England 53,012,456.
    assert (oa.level, oa.vintage, oa.scheme, oa.kind) == ("oa", 2011, "ethnicity_2011_mlid",
                                                          "counts")
    eng = _england(oa)
    assert len(eng) == 171_372
    assert int(eng["total"].sum()) == 53_012_456
    assert oa.areas is not None and int(oa.areas["total"].sum()) == 56_075_912
    assert eng["msoa_code"].nunique() == 6_791
    assert eng["lsoa_code"].nunique() == 32_844


def test_oa_categories_partition_the_total(oa: OfficialTable) -> None:
    wide = counts_wide(oa)
    assert list(wide.columns) == list(SCHEMES["ethnicity_2011_mlid"])
    assert oa.areas is not None
    np.testing.assert_array_equal(wide.sum(axis=1).to_numpy(), oa.areas["total"].to_numpy())
    # Published Gypsy or Irish Traveller count for E&W (KS201EW): 57,680.
    assert int(wide["white_gypsy_traveller"].sum()) == 57_680


def test_lsoa_file_city_of_london(lsoa: OfficialTable) -> None:
    assert lsoa.areas is not None
    eng = _england(lsoa)
    assert len(eng) == 32_844 and eng["msoa_code"].nunique() == 6_791
    assert eng["lad_name"].nunique() == 326
    city = lsoa.areas[lsoa.areas["lad_name"] == "City of London"]
    assert int(city["total"].sum()) == 7_375  # published City of London population
    scilly = lsoa.areas[lsoa.areas["lad_name"] == "Isles of Scilly"]
    assert int(scilly["total"].sum()) == 2_203


def test_oa_aggregates_to_the_published_lsoa_file(oa: OfficialTable,
                                                  lsoa: OfficialTable) -> None:
    assert oa.areas is not None
    by_lsoa = counts_wide(oa).groupby(oa.areas["lsoa_code"].to_numpy()).sum()
    lsoa_wide = counts_wide(lsoa)
    pd.testing.assert_frame_equal(by_lsoa.loc[lsoa_wide.index], lsoa_wide, check_names=False,
                                  check_index_type=False)


def test_qs201_la_table(qs201: OfficialTable) -> None:
    assert (qs201.level, qs201.vintage, qs201.scheme) == ("lad", 2013, "ethnicity_2011_detailed")
    assert qs201.areas is not None
    assert len(_england(qs201)) == 326 and len(qs201.areas) == 348
    wide = counts_wide(qs201)
    assert int(wide.to_numpy().sum()) == 56_075_912
    assert int(wide.loc[["E09000001"]].to_numpy().sum()) == 7_375
    assert "E06000057" in wide.index and "E06000048" not in wide.index


def test_mlid_matches_qs201_by_la(lsoa: OfficialTable, qs201: OfficialTable) -> None:
    """Two independent publications agree: LSOA counts summed by LA name = QS201EW by LA."""
    assert lsoa.areas is not None and qs201.areas is not None
    mlid = counts_wide(lsoa).groupby(lsoa.areas["lad_name"].to_numpy()).sum()
    q = counts_wide(qs201)
    q.index = qs201.areas["area_name"].to_numpy()
    mixed = ["mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
             "mixed_other"]
    q = q.assign(mixed=q[mixed].sum(axis=1)).drop(columns=mixed)[mlid.columns]
    common = mlid.index.intersection(q.index)
    assert len(common) >= 340  # a few LA names are spelled differently between the two
    pd.testing.assert_frame_equal(mlid.loc[common], q.loc[common], check_names=False,
                                  check_index_type=False)


def test_census2021_ltla_ethnicity() -> None:
    t = read_census2021_ethnicity(shared_path(C21, "ethnicity21_ltla21.csv"))
    assert (t.level, t.vintage, t.scheme) == ("lad", 2021, "ethnicity_2021_detailed")
    assert t.areas is not None
    assert len(t.areas) == 331 and len(_england(t)) == 309
    city = t.areas[t.areas["area_code"] == "E09000001"]
    assert city["total"].tolist() == [8_584] and city["area_name"].tolist() == ["City of London"]


def test_census2021_small_areas() -> None:
    lsoa = read_census2021_ethnicity(shared_path(C21, "ethnicity21_lsoa21.csv"))
    assert lsoa.areas is not None and lsoa.scheme == "ethnicity_2021_broad"
    assert len(lsoa.areas) == 35_672 and len(_england(lsoa)) == 33_755
    assert int(counts_wide(lsoa).to_numpy().sum()) == 59_597_576
    msoa = read_census2021_ethnicity(shared_path(C21, "ethnicity21_msoa21.csv"))
    assert msoa.areas is not None and msoa.scheme == "ethnicity_2021_msoa6"
    assert len(msoa.areas) == 7_264 and len(_england(msoa)) == 6_856
    prof = read_census2021_proficiency(shared_path(C21, "proficiency21_msoa21.csv"))
    assert int(counts_wide(prof).to_numpy().sum()) == 57_704_237  # residents aged 3+
    rel = read_census2021_religion(shared_path(C21, "religion21_lsoa21.csv"))
    assert rel.scheme == "religion_2021" and rel.areas is not None and len(rel.areas) == 35_672


def test_population_single_year() -> None:
    t = read_population_single_year(shared_path(C21, "population19_msoa11.csv"))
    assert (t.topic, t.scheme, t.level, t.vintage) == ("age", "age_single_year", "msoa", 2011)
    wide = counts_wide(t)
    assert list(wide.columns[[0, -1]]) == ["0", "90+"] and wide.shape == (7_201, 91)
    assert int(wide.to_numpy().sum()) == 59_439_840
    share65 = wide[[str(a) for a in range(65, 90)] + ["90+"]].sum(axis=1) / wide.sum(axis=1)
    assert 0.004 < share65.min() < 0.006 and 0.52 < share65.max() < 0.54  # README: 0.5%-53%
    assert t.areas is not None and t.areas["area_name"].iloc[0] == "Hartlepool 001"
