"""The OA -> LSOA -> MSOA -> LA -> region hierarchy.

References: a hand-built toy geography; for real data, the ONS 2011 unit counts (32,844 LSOAs,
6,791 MSOAs in England; 317 LAD19; 9 regions), the published per-LA counts quoted in the
shared-data README (City of London 6 LSOAs / 1 MSOA, Tower Hamlets 32 MSOAs, Bradford 61
MSOAs), and independent lookups not used to build the hierarchy (MSOA11 -> LAD19, LSOA11 ->
LAD18).
"""

from __future__ import annotations

import _geo_shared as shared
import pandas as pd
import pytest

from socint.errors import GeographyError
from socint.geo import Hierarchy, match_la_names

# Toy geography: 6 OAs in 3 LSOAs in 2 MSOAs in 2 LAs in 1 region.
OA = [f"E0000000{i}" for i in range(1, 7)]
LSOA = ["E01000001", "E01000002", "E01000003"]
MSOA = ["E02000001", "E02000002"]
LAD = ["E09000001", "E09000002"]
RGN = "E12000007"


def _toy_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    oa = pd.DataFrame({"oa_code": OA, "lsoa_code": [LSOA[0]] * 2 + [LSOA[1]] * 2 + [LSOA[2]] * 2,
                       "msoa_code": [MSOA[0]] * 4 + [MSOA[1]] * 2})
    lsoa_lad = pd.DataFrame({"lsoa_code": LSOA, "lad_code": [LAD[0], LAD[0], LAD[1]]})
    lad_rgn = pd.DataFrame({"lad_code": LAD, "region_code": [RGN, RGN]})
    return oa, lsoa_lad, lad_rgn


def test_toy_hierarchy_queries() -> None:
    h = Hierarchy.from_lookups(*_toy_frames())
    assert h.levels == ("oa", "lsoa", "msoa", "lad", "region")
    frame = h.to_frame()
    assert frame.columns.tolist() == ["oa_code", "lsoa_code", "msoa_code", "lad_code",
                                      "region_code"]
    assert len(frame) == 6
    assert h.parent(pd.Series(["E00000005", "E00000001"], index=[9, 8]), "lad").to_dict() == {
        9: LAD[1], 8: LAD[0]}
    assert h.parent([LSOA[1]], "msoa").tolist() == [MSOA[0]]
    assert h.children(LAD[0], "oa") == OA[:4]
    assert h.children(RGN, "msoa") == MSOA
    units = h.units_in(LAD, "lsoa")
    assert units.to_dict() == {LSOA[0]: LAD[0], LSOA[1]: LAD[0], LSOA[2]: LAD[1]}
    assert units.index.name == "lsoa_code" and units.name == "lad_code"
    assert h.codes("msoa") == MSOA


def test_child_with_two_parents_lists_the_offending_codes() -> None:
    oa, lsoa_lad, lad_rgn = _toy_frames()
    lsoa_lad = pd.concat([lsoa_lad, pd.DataFrame({"lsoa_code": [LSOA[0], LSOA[2]],
                                                  "lad_code": [LAD[1], LAD[0]]})])
    with pytest.raises(GeographyError, match="more than one lad") as err:
        Hierarchy.from_lookups(oa, lsoa_lad, lad_rgn)
    msg = str(err.value)
    assert f"{LSOA[0]} -> {LAD[0]}, {LAD[1]}" in msg and f"{LSOA[2]} -> " in msg
    assert LSOA[1] not in msg


def test_lookups_that_do_not_nest_are_refused() -> None:
    oa, lsoa_lad, lad_rgn = _toy_frames()
    # LSOA 2 moved to LA 2: MSOA 1 (LSOAs 1 and 2) now straddles two LAs.
    lsoa_lad = lsoa_lad.assign(lad_code=[LAD[0], LAD[1], LAD[1]])
    with pytest.raises(GeographyError, match="straddle") as err:
        Hierarchy.from_lookups(oa, lsoa_lad, lad_rgn)
    assert f"{MSOA[0]} -> {LAD[0]}, {LAD[1]}" in str(err.value)


def test_two_routes_that_disagree_are_refused() -> None:
    oa, lsoa_lad, lad_rgn = _toy_frames()
    oa_lad = pd.DataFrame({"oa_code": OA, "lad_code": [LAD[1]] + [LAD[0]] * 3 + [LAD[1]] * 2})
    with pytest.raises(GeographyError, match="different lads") as err:
        Hierarchy.from_lookups(oa, lsoa_lad, lad_rgn, oa_lad)
    msg = str(err.value)
    assert f"{OA[0]} (" in msg and LAD[0] in msg and LAD[1] in msg and OA[1] not in msg


def test_units_without_a_parent_are_listed() -> None:
    oa, lsoa_lad, lad_rgn = _toy_frames()
    with pytest.raises(GeographyError, match="no region") as err:
        Hierarchy.from_lookups(oa, lsoa_lad, lad_rgn.iloc[:1])
    assert "E00000005, E00000006" in str(err.value)


def test_bad_lookups_are_refused() -> None:
    oa, lsoa_lad, _ = _toy_frames()
    with pytest.raises(GeographyError, match="lsoa codes") as err:
        Hierarchy.from_lookups(oa, lsoa_lad.assign(lsoa_code=["E01000001", "E02000002", "x"]))
    assert "'x' (row 3" in str(err.value)
    with pytest.raises(GeographyError, match="needs"):
        Hierarchy.from_lookups(pd.DataFrame({"LSOA11CD": LSOA, "lad_code": [*LAD, LAD[0]]}))
    with pytest.raises(GeographyError, match="no lookup"):
        Hierarchy.from_lookups()


def test_bad_queries_are_refused() -> None:
    h = Hierarchy.from_lookups(*_toy_frames())
    with pytest.raises(GeographyError, match="not in the hierarchy") as err:
        h.parent(["E01000001", "E01999998", "E01999999"], "lad")
    assert "E01999998, E01999999" in str(err.value)
    with pytest.raises(GeographyError, match="not coarser"):
        h.parent([LAD[0]], "lsoa")
    with pytest.raises(GeographyError, match="one level"):
        h.parent([LAD[0], LSOA[0]], "region")
    with pytest.raises(GeographyError, match="'utla' is not in this hierarchy"):
        h.units_in([LAD[0]], "utla")


def _england(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["lsoa_code"].str.startswith("E")]


@pytest.mark.shared_data
def test_real_lsoa_msoa_lad19_region_hierarchy() -> None:
    h = Hierarchy.from_lookups(
        _england(shared.geographr("lookup_lsoa11_msoa11.csv"))[["lsoa_code", "msoa_code"]],
        _england(shared.geographr("lookup_lsoa11_ltla19.csv"))[["lsoa_code", "lad_code"]],
        shared.geographr("lookup_ltla19_region19.csv")[["lad_code", "region_code"]],
    )
    assert [len(h.codes(lv)) for lv in h.levels] == [32_844, 6_791, 317, 9]
    assert len(h.children("E09000001", "lsoa")) == 6
    assert h.children("E09000001", "msoa") == ["E02000001"]
    assert len(h.children("E09000030", "msoa")) == 32
    assert len(h.children("E08000032", "msoa")) == 61
    # MSOA -> LA derived through the LSOAs equals ONS's own MSOA11 -> LAD19 lookup.
    msoa_lad = shared.geographr("lookup_msoa11_ltla19.csv")
    msoa_lad = msoa_lad[msoa_lad["msoa_code"].str.startswith("E")]
    derived = h.parent(msoa_lad["msoa_code"], "lad")
    assert (derived.to_numpy() == msoa_lad["lad_code"].to_numpy()).all()


@pytest.mark.shared_data
def test_real_oa_hierarchy_from_the_small_area_file() -> None:
    """OA -> LSOA -> MSOA from the file's own columns, LA from its names matched to codes."""
    oa = shared.mlid_oa()
    oa = oa[oa["oa_code"].str.startswith("E")]
    lad = shared.qs201ew().rename(columns={"geography": "lad_name",
                                           "geography code": "lad_code"})
    oa = oa.assign(lad_code=match_la_names(oa["lad_name"], lad).to_numpy())
    h = Hierarchy.from_lookups(oa[["oa_code", "lsoa_code", "msoa_code", "lad_code"]])
    assert [len(h.codes(lv)) for lv in h.levels] == [171_372, 32_844, 6_791, 326]
    assert len(h.children("E09000001", "oa")) == 31
    # LSOA -> LA through the OAs equals ONS's LSOA11 -> LAD18 lookup (same 2013-18 LA set).
    look = shared.geographr("lookup_lsoa11_ltla18.csv")
    assert (h.parent(look["lsoa_code"], "lad").to_numpy() == look["lad_code"].to_numpy()).all()
