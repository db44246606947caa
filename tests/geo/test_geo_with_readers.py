"""End to end with the ``socint.data`` readers: names -> hierarchy -> LA vintages.

Two independent routes to the Census 2011 ethnic counts of the 2019 LAs must agree exactly:

1. the published LA table QS201EW (2013 codes) converted to the 2019 LA set;
2. the LSOA file (LA *names* only): names matched to codes, LSOAs aggregated to LAs through a
   hierarchy built from the file's own columns, then converted to the 2019 LA set.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import shared_path
from socint.data import (
    counts_wide,
    read_census2011_ethnicity_small_area,
    read_census2011_nomis,
    read_la_changes,
    read_lookup,
)
from socint.geo import Hierarchy, LaChanges, convert_la_vintage, match_la_names

pytestmark = pytest.mark.shared_data

MIXED = ["mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
         "mixed_other"]


def test_two_routes_to_2019_la_counts_agree() -> None:
    changes = LaChanges.from_frames(
        read_la_changes(shared_path("ons_uk_topojson_lad_2014_2025",
                                    "ltla_changes_2014_2025.csv")).data,
        read_lookup(shared_path("geo_lookups_drkane", "la_all_codes.csv")).data,
    )
    qs = read_census2011_nomis(shared_path("census2011_ethnicity_la_qs201ew",
                                           "qs201ew_ethnic_group_2011_la_ew.csv"))
    wide = counts_wide(qs)
    wide = wide.drop(columns=MIXED).assign(mixed=wide[MIXED].sum(axis=1))
    route1 = convert_la_vintage(wide.reset_index(), value_cols=list(wide.columns),
                                to_year=2019, changes=changes).set_index("area_code")
    england = route1.index.str.startswith("E")
    assert england.sum() == 317
    assert int(route1[england].to_numpy().sum()) == 53_012_456

    small = read_census2011_ethnicity_small_area(shared_path(
        "census2011_ethnicity_oa_lsoa_mlid", "ethnicity_2011_lsoa_ew.csv"))
    areas = small.areas
    assert areas is not None and qs.areas is not None
    lad_codes = match_la_names(areas["lad_name"], qs.areas, name_col="area_name",
                               code_col="area_code")
    h = Hierarchy.from_lookups(pd.DataFrame({
        "lsoa_code": areas["area_code"], "msoa_code": areas["msoa_code"],
        "lad_code": lad_codes.to_numpy()}))
    assert len(h.codes("lad")) == 348
    counts = counts_wide(small)
    by_la = counts.groupby(h.parent(counts.index.to_series(), "lad").to_numpy()).sum()
    by_la.index.name = "area_code"
    route2 = convert_la_vintage(by_la.reset_index(), value_cols=list(by_la.columns),
                                to_year=2019, changes=changes).set_index("area_code")
    assert route2.index.equals(route1.index)
    pd.testing.assert_frame_equal(route2[sorted(route2.columns)],
                                  route1[sorted(route2.columns)], check_dtype=False)
