"""Geography: GSS codes, levels, the OA→LSOA→MSOA→LA→region hierarchy, LA vintages, names,
boundaries by vintage, LSOA11→LSOA21 carrying."""

from socint.geo.boundaries import (
    BoundaryCheck,
    check_boundary_codes,
    la_boundaries,
    msoa_boundaries,
)
from socint.geo.carry import carry_lsoa11_to_lsoa21, la_changes_2021_2023, lad21_to_lad23
from socint.geo.codes import LEVEL_ORDER, detect_level, is_gss, levels_of, validate_codes
from socint.geo.hierarchy import Hierarchy
from socint.geo.names import DEFAULT_ALIASES, match_la_names, normalise_la_name
from socint.geo.vintages import (
    RECODES_2013,
    LaChanges,
    convert_la_vintage,
    recode_2011_to_2013,
)

__all__ = [
    "DEFAULT_ALIASES",
    "LEVEL_ORDER",
    "RECODES_2013",
    "BoundaryCheck",
    "Hierarchy",
    "LaChanges",
    "carry_lsoa11_to_lsoa21",
    "check_boundary_codes",
    "convert_la_vintage",
    "detect_level",
    "is_gss",
    "la_boundaries",
    "la_changes_2021_2023",
    "lad21_to_lad23",
    "levels_of",
    "match_la_names",
    "msoa_boundaries",
    "normalise_la_name",
    "recode_2011_to_2013",
    "validate_codes",
]
