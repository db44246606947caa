"""Census 2021 age (6 bands) reader and the 2021 geography lookups, against the published facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_path

from socint.data import counts_wide, read_official, sniff
from socint.data.census2021_age import read_census2021_age6
from socint.errors import InputDataError

AGE = "census2021_age6_lsoa21_msoa21"
GEO = "geographr_2021_lookups_boundaries"


def test_age6_lsoa_aggregates_to_the_msoa_file_and_published_share() -> None:
    lsoa = read_official(shared_path(AGE, "age6_lsoa21_ew.csv"))
    msoa = read_official(shared_path(AGE, "age6_msoa21_ew.csv"))
    assert (lsoa.dataset, msoa.dataset) == ("census2021_age_lsoa", "census2021_age_msoa")
    assert (lsoa.n_areas, msoa.n_areas, msoa.vintage) == (35_672, 7_264, 2021)
    lk = read_official(shared_path(GEO, "lookup_lsoa21_msoa21_ltla22.csv")).data
    w = counts_wide(lsoa)
    agg = w.groupby(lk.set_index("lsoa_code").loc[w.index, "msoa_code"].to_numpy()).sum()
    m = counts_wide(msoa)
    np.testing.assert_array_equal(agg.loc[m.index].to_numpy(), m.to_numpy())
    eng = m.index.str.startswith("E")
    assert int(m[eng].to_numpy().sum()) == 56_489_608  # README; published 56,490,048 (perturbed)
    share65 = m["65+"].sum() / m.to_numpy().sum()
    assert round(100 * share65, 1) == 18.6  # ONS: 18.6% of E&W residents aged 65+
    assert msoa.areas is not None and msoa.areas["lad_code"].str.startswith(("E06", "E07",
                                                                             "E08", "E09",
                                                                             "W06")).all()


def test_age6_msoa_file_is_not_mistaken_for_a_lookup() -> None:
    _, layout = sniff(shared_path(AGE, "age6_msoa21_ew.csv"))
    assert layout is not None and layout.id == "census2021_age6"


def test_share_65_plus_that_disagrees_with_counts_is_refused(tmp_path: Path) -> None:
    src = shared_path(AGE, "age6_ltla22_ew.csv").read_text(encoding="utf-8-sig").splitlines()
    head = src[0].split(",")
    j = head.index("share_65_plus")
    row = src[3].split(",")
    row[j] = "0.9"
    p = tmp_path / "a.csv"
    p.write_text("\n".join([src[0], src[1], src[2], ",".join(row)]) + "\n")
    with pytest.raises(InputDataError, match="share_65_plus") as exc:
        read_census2021_age6(p)
    assert exc.value.row == 3


def test_2021_lookups_counts_from_the_readme() -> None:
    l1121 = read_official(shared_path(GEO, "lookup_lsoa11_lsoa21_ltla22.csv"))
    d = l1121.data
    assert l1121.meta["vintages"]["lsoa_code_2021"] == 2021
    assert d["change_code"].value_counts().to_dict() == {"U": 33_647, "S": 1_900, "M": 239,
                                                         "X": 9}
    assert d["lsoa_code_2011"].nunique() == 34_753 and d["lsoa_code_2021"].nunique() == 35_672
    m = read_official(shared_path(GEO, "lookup_msoa11_msoa21_ltla22.csv")).data
    assert len(m) == 7_201 and m["msoa_code_2021"].nunique() == 7_182
    reg = read_official(shared_path(GEO, "lookup_ltla21_region21.csv")).data
    assert len(reg) == 309 and reg["region_code"].nunique() == 9
    m21 = read_official(shared_path(GEO, "lookup_msoa21_ltla22.csv")).data
    assert (m21["msoa_code"].str.startswith("E")).sum() == 6_856
    l23 = read_official(shared_path(GEO, "lookup_ltla22_ltla23.csv"))
    assert l23.meta["rows_dropped"] == 43 and len(l23.data) == 331  # Scotland/NI cut


def test_many_to_many_lookup_refuses_a_duplicated_pair(tmp_path: Path) -> None:
    src = shared_path(GEO, "lookup_lsoa11_lsoa21_ltla22.csv").read_text().splitlines()
    p = tmp_path / "l.csv"
    p.write_text("\n".join([src[0], src[1], src[2], src[1]]) + "\n")
    with pytest.raises(InputDataError, match="occurs 2 times"):
        read_official(p)
