"""Readers for the official file formats socint uses, each returning an :class:`OfficialTable`.

One function per layout (Census 2011 and 2021 counts, mid-year population, Indices of
Deprivation, Rural-Urban Classification, geography lookups, LA changes, boundaries), plus
:func:`read_official`, which recognises a file's layout from its header and dispatches through
:data:`KNOWN_LAYOUTS`. No statistics here: readers only parse, rename to canonical names and
check (see ``docs/data.md``).
"""

from socint.data.boundaries import decode_arcs, read_boundaries
from socint.data.census2011 import read_census2011_ethnicity_small_area
from socint.data.census2021 import (
                                    read_census2021_ethnicity,
                                    read_census2021_proficiency,
                                    read_census2021_religion,
                                    read_population_single_year,
)
from socint.data.iod import read_iod
from socint.data.lookups import read_la_changes, read_lookup, read_ruc2011
from socint.data.nomis import NOMIS_TOPICS, NomisTopic, read_census2011_nomis
from socint.data.registry import KNOWN_LAYOUTS, Layout, read_official, sniff
from socint.data.table import SCHEMES, OfficialTable, counts_wide
from socint.data.validate import CENSUS2021_SMALL_AREA_OPTIONS, ReadOptions

__all__ = [
    "CENSUS2021_SMALL_AREA_OPTIONS",
    "KNOWN_LAYOUTS",
    "NOMIS_TOPICS",
    "SCHEMES",
    "Layout",
    "NomisTopic",
    "OfficialTable",
    "ReadOptions",
    "counts_wide",
    "decode_arcs",
    "read_boundaries",
    "read_census2011_ethnicity_small_area",
    "read_census2011_nomis",
    "read_census2021_ethnicity",
    "read_census2021_proficiency",
    "read_census2021_religion",
    "read_iod",
    "read_la_changes",
    "read_lookup",
    "read_official",
    "read_population_single_year",
    "read_ruc2011",
    "sniff",
]
