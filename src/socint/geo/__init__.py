"""Geography: GSS codes, levels, the OA→LSOA→MSOA→LA→region hierarchy, LA vintages, names."""

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
    "Hierarchy",
    "LaChanges",
    "convert_la_vintage",
    "detect_level",
    "is_gss",
    "levels_of",
    "match_la_names",
    "normalise_la_name",
    "recode_2011_to_2013",
    "validate_codes",
]
