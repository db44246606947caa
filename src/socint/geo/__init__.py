"""Geography: GSS codes, levels, the OA→LSOA→MSOA→LA→region hierarchy, LA vintages, names."""

from socint.geo.codes import LEVEL_ORDER, detect_level, is_gss, levels_of, validate_codes

__all__ = ["LEVEL_ORDER", "detect_level", "is_gss", "levels_of", "validate_codes"]
