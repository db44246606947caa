"""Boundaries by vintage: exactly one shape per area, no holes, no strays (issue 11 §2).

References: the code lists of each vintage come from the ONS lookups (309 LTLA21 in
lookup_ltla21_region21, 296 LAD23 in lookup_ltla22_ltla23, 317 LAD19, 326 Census 2011 LAs in
QS201EW), independent of the shapes; the counts are ONS's published numbers of English LAs.
"""

from __future__ import annotations

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from conftest import shared_path
from socint.data.boundaries import read_boundaries
from socint.errors import GeographyError
from socint.geo.boundaries import (
    EXPECTED_COUNTS,
    LA_YEARS,
    area_codes,
    check_boundary_codes,
    feature_codes,
    la_boundaries,
    msoa_boundaries,
    read_la_topojson,
)

TOPO = ("ons_uk_topojson_lad_2014_2025", "uk_topo_2014_2025.topojson")


@pytest.mark.parametrize("year", LA_YEARS)
def test_bundled_la_boundaries_one_valid_shape_per_la(year: int) -> None:
    fc = la_boundaries(year)
    codes = feature_codes(fc, "lad")
    assert len(codes) == len(set(codes)) == EXPECTED_COUNTS[("lad", year)]
    assert set(codes) == area_codes("lad", year)
    for f in fc["features"]:
        g = shape(f["geometry"])
        assert g.is_valid and not g.is_empty and g.area > 0, f["properties"]


@pytest.mark.parametrize("vintage", [2011, 2021])
def test_bundled_msoa_boundaries_one_valid_shape_per_msoa(vintage: int) -> None:
    fc = msoa_boundaries(vintage)
    codes = feature_codes(fc, "msoa")
    assert len(codes) == len(set(codes)) == EXPECTED_COUNTS[("msoa", vintage)]
    geoms = [shape(f["geometry"]) for f in fc["features"]]
    assert all(g.is_valid and g.area > 0 for g in geoms)
    # MSOAs tile their LAs: the union of the simplified MSOAs covers England about as the
    # bundled LAs of the same vintage do (simplification moves edges by < ~30 m)
    las = shapely.union_all([shape(f["geometry"]) for f in la_boundaries(vintage)["features"]])
    msoas = shapely.union_all(geoms)
    assert abs(msoas.area - las.area) / las.area < 0.01


def test_bundled_code_lists_match_the_ons_lookups() -> None:
    r21 = pd.read_csv(shared_path("geographr_2021_lookups_boundaries",
                                  "lookup_ltla21_region21.csv"))
    l23 = pd.read_csv(shared_path("geographr_2021_lookups_boundaries",
                                  "lookup_ltla22_ltla23.csv"))
    assert area_codes("lad", 2021) == set(r21["ltla21_code"])
    assert area_codes("lad", 2023) == set(l23.loc[l23["ltla23_code"].str[0] == "E",
                                                  "ltla23_code"])


def test_topojson_selected_by_year_has_no_holes_or_strays() -> None:
    path = shared_path(*TOPO)
    for year in LA_YEARS:
        fc = la_boundaries(year, path=path)  # raises on any hole/stray
        assert len(fc["features"]) == EXPECTED_COUNTS[("lad", year)]


def test_scenario_whole_topojson_has_31_strays_for_2021() -> None:
    """Today's bug: drawing every English LA of the 2014-2025 file adds other years' shapes."""
    data = read_boundaries(shared_path(*TOPO), countries="E").data
    chk = check_boundary_codes(data["area_code"], area_codes("lad", 2021), level="lad",
                               vintage=2021)
    assert (len(chk.missing), len(chk.stray), chk.n_shapes) == (0, 31, 340)
    assert "E07000004" in chk.stray  # Aylesbury Vale, merged into Buckinghamshire in 2020
    with pytest.raises(GeographyError, match="31 stray") as exc:
        chk.raise_if_bad()
    assert "la_boundaries(2021)" in str(exc.value)


def test_scenario_2011_las_on_2019_boundaries_leave_14_holes() -> None:
    """Today's bug: the 2011 LAs on the 2019 LAD boundaries (Dorset, Suffolk, Somerset W&T)."""
    data = read_boundaries(shared_path("geographr_lookups_boundaries",
                                       "boundaries_ltla19.geojson"), countries="E").data
    chk = check_boundary_codes(data["area_code"], area_codes("lad", 2011), level="lad",
                               vintage=2011)
    assert len(chk.missing) == 14 and len(chk.stray) == 5
    assert {"E06000028", "E06000029"} <= set(chk.missing)  # Bournemouth, Poole
    fc = la_boundaries(2011)  # the right set for 2011 tables
    assert set(feature_codes(fc, "lad")) >= set(chk.missing)


def test_2011_set_uses_the_census_table_codes() -> None:
    fc = read_la_topojson(shared_path(*TOPO), 2011)
    codes = set(feature_codes(fc, "lad"))
    assert "E06000057" in codes and "E06000048" not in codes  # as QS201EW/DC2101EW publish


def test_unknown_year_and_duplicates_are_refused() -> None:
    with pytest.raises(GeographyError, match="no lad boundary set for 2016"):
        la_boundaries(2016)
    chk = check_boundary_codes(["A", "A", "B"], ["A", "B", "C"], level="lad", vintage=2021)
    assert chk.duplicated == ("A",) and chk.missing == ("C",) and not chk.ok
