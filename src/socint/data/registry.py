"""The registry of official file layouts and ``read_official``, which sniffs and dispatches.

A layout is recognised from the file's *content*: the CSV header row (or, for JSON, the
top-level ``type``), never from its name alone. The registry is also what ``socint ingest`` and
``socint status`` list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socint.data.boundaries import _load_json, read_boundaries
from socint.data.census2011 import MLID_GROUPS, read_census2011_ethnicity_small_area
from socint.data.census2011_dc2101 import (
    is_dc2101_header,
    read_census2011_dc2101_long,
    read_census2011_dc2101_wide,
    read_dc2101_ethnic_codes,
)
from socint.data.census2021 import (
    read_census2021_ethnicity,
    read_census2021_proficiency,
    read_census2021_religion,
    read_population_single_year,
)
from socint.data.census2021_age import is_age6_header, read_census2021_age6
from socint.data.iod import read_iod
from socint.data.lookups import (
    LATLONG_HEADERS,
    LOOKUP_LAYOUTS,
    read_la_changes,
    read_lookup,
    read_ruc2011,
)
from socint.data.nomis import is_nomis_header, read_census2011_nomis
from socint.data.source import check_file, csv_header, head_bytes
from socint.data.table import MHCLG, OGL, ONS, OfficialTable
from socint.errors import SchemaError, _preview

Matcher = Callable[[list[str]], bool]


@dataclass(frozen=True)
class Layout:
    """One known layout of an official file.

    Parameters
    ----------
    id
        Layout id (stable; used by the store and the CLI).
    reader
        The reader function (``socint.data.read_*``).
    description, source, licence
        What the file is, who publishes it, under which licence.
    matches
        Predicate on the header row (CSV) or ``["<json type>"]`` (JSON) that recognises it.
    example
        A file of this layout in the shared open data (folder/file), for documentation.
    """

    id: str
    reader: Callable[..., OfficialTable]
    description: str
    source: str
    licence: str
    matches: Matcher
    example: str


def _has(*cols: str, without: tuple[str, ...] = ()) -> Matcher:
    def match(header: list[str]) -> bool:
        found = set(header)
        return set(cols) <= found and not (set(without) & found)
    return match


def _lookup(layout_id: str) -> Matcher:
    lay = next(x for x in LOOKUP_LAYOUTS if x.id == layout_id)
    # A lookup holds no counts: files with a total column (e.g. age6_msoa21_ew.csv, which also
    # carries msoa21/ltla22 code and name columns) are count tables, not lookups.
    return _has(*lay.columns, *lay.flags, without=("total_residents",))


_MLID = tuple(MLID_GROUPS)
_LAYOUT_LIST: list[Layout] = [
    Layout("census2011_ethnicity_oa_mlid", read_census2011_ethnicity_small_area,
           "Census 2011 ethnic group, Output Areas (14 groups + Persons)", f"{ONS} (MLID)", OGL,
           _has("OA", "LSOA", "Persons", *_MLID),
           "census2011_ethnicity_oa_lsoa_mlid/ethnicity_2011_oa_ew.csv"),
    Layout("census2011_ethnicity_lsoa_mlid", read_census2011_ethnicity_small_area,
           "Census 2011 ethnic group, LSOAs (14 groups + Persons)", f"{ONS} (MLID)", OGL,
           _has("LSOA", "Persons", *_MLID, without=("OA",)),
           "census2011_ethnicity_oa_lsoa_mlid/ethnicity_2011_lsoa_ew.csv"),
    # DC2101EW before the generic Nomis layout, which would also match its header.
    Layout("census2011_dc2101_wide", read_census2011_dc2101_wide,
           "Census 2011 DC2101EW ethnic group x sex x age, Nomis wide (LAs, regions, countries)",
           f"{ONS} (Nomis)", OGL, is_dc2101_header,
           "census2011_dc2101ew_ethnicity_sex_age_la/dc2101ew_ethnicity_sex_age_la_ew_wide.csv"),
    Layout("census2011_dc2101_long", read_census2011_dc2101_long,
           "Census 2011 DC2101EW ethnic group x sex x age, LAs, tidy long", f"{ONS} (Nomis)",
           OGL, _has("geography_code", "sex", "age_band", "ethnic_group_code", "count"),
           "census2011_dc2101ew_ethnicity_sex_age_la/dc2101ew_ethnicity_sex_age_la_ew_long.csv"),
    Layout("census2011_dc2101_codes", read_dc2101_ethnic_codes,
           "Census 2011 DC2101EW ethnic group codes of the long file", f"{ONS} (Nomis)", OGL,
           _has("ethnic_group_code", "ethnic_group"),
           "census2011_dc2101ew_ethnicity_sex_age_la/ethnic_group_codes.csv"),
    Layout("census2011_nomis", read_census2011_nomis,
           "Census 2011 Nomis bulk wide table (QS201EW ethnic group; religion, proficiency)",
           f"{ONS} (Nomis)", OGL, is_nomis_header,
           "census2011_ethnicity_la_qs201ew/qs201ew_ethnic_group_2011_la_ew.csv"),
    Layout("census2021_ts021_ltla", read_census2021_ethnicity,
           "Census 2021 TS021 ethnic group, LTLA 2021, long (19 groups)", ONS, OGL,
           _has("ltla21_code", "ethnic_group", "value"),
           "census2021_demographr/ethnicity21_ltla21.csv"),
    Layout("census2021_ts021_msoa", read_census2021_ethnicity,
           "Census 2021 TS021 ethnic group, MSOA 2021 (6 groups)", ONS, OGL,
           _has("msoa21_code", "total_residents", "White", "Mixed or Multiple ethnic groups"),
           "census2021_demographr/ethnicity21_msoa21.csv"),
    Layout("census2021_ts021_lsoa", read_census2021_ethnicity,
           "Census 2021 TS021 ethnic group, LSOA 2021 (5 broad groups)", ONS, OGL,
           _has("lsoa21_code", "total_residents", "White", "Mixed or Multiple ethnic groups"),
           "census2021_demographr/ethnicity21_lsoa21.csv"),
    Layout("census2021_ts029_msoa", read_census2021_proficiency,
           "Census 2021 TS029 proficiency in English, MSOA 2021", ONS, OGL,
           _has("msoa21_code", "Main language is English (English or Welsh in Wales)"),
           "census2021_demographr/proficiency21_msoa21.csv"),
    Layout("census2021_ts030_lsoa", read_census2021_religion,
           "Census 2021 TS030 religion, LSOA 2021", ONS, OGL,
           _has("lsoa21_code", "total_residents", "No religion", "Christian"),
           "census2021_demographr/religion21_lsoa21.csv"),
    Layout("census2021_age6", read_census2021_age6,
           "Census 2021 usual residents by age (6 bands), LSOA21 / MSOA21 / LAD 2022", ONS, OGL,
           is_age6_header, "census2021_age6_lsoa21_msoa21/age6_msoa21_ew.csv"),
    Layout("population_mid2019_msoa11", read_population_single_year,
           "Mid-2019 population by single year of age, MSOA 2011", ONS, OGL,
           _has("msoa11_code", "total_population", "0", "90+"),
           "census2021_demographr/population19_msoa11.csv"),
    Layout("iod2015_lsoa11", read_iod, "IoD2015 LSOA IMD score, rank, decile", MHCLG, OGL,
           _has("lsoa11_code", "IMD_score", "IMD_rank", "IMD_decile"),
           "iod_2015_2019_humaniverse/imd2015_england_lsoa11.csv"),
    Layout("iod2019_lsoa11", read_iod, "IoD2019 LSOA ranks and deciles (IMD + 7 domains)",
           MHCLG, OGL, _has("lsoa11_code", "IMD_decile", "Income_decile", without=("IMD_score",)),
           "iod_2015_2019_humaniverse/imd2019_england_lsoa11.csv"),
    Layout("iod_msoa11", read_iod, "IoD MSOA aggregates (population-weighted, not official)",
           MHCLG, OGL, _has("msoa11_code", "Score", "Proportion", "Extent"),
           "iod_2015_2019_humaniverse/imd2019_england_msoa11.csv"),
    Layout("iod2019_lad19", read_iod, "IoD2019 LA summaries (LAD 2019)", MHCLG, OGL,
           _has("ltla19_code", "Score", "Proportion", "Extent"),
           "iod_2015_2019_humaniverse/imd2019_england_ltla19.csv"),
    Layout("iod_lad19_trafford", read_iod, "IoD LA summaries, long (Trafford Data Lab)",
           MHCLG, OGL, _has("lad19cd", "index_domain", "year"),
           "iod_2015_2019_humaniverse/trafforddatalab_iod2019_lad19_summaries.csv"),
    Layout("ruc2011_lsoa", read_ruc2011, "2011 Rural-Urban Classification of LSOAs",
           f"{ONS} and Defra", OGL, _has("lsoa", "RUC11CD", "RUC11"),
           "ruc2011_lsoa/ruc2011_lsoa11_ew.csv"),
    *(Layout(lay.id, read_lookup, f"lookup: {lay.description}", ONS, OGL, _lookup(lay.id), "")
      for lay in LOOKUP_LAYOUTS),
    Layout("latlong", read_lookup, "LSOA/MSOA population-weighted centroids", ONS, OGL,
           lambda h: any(k in h for k in LATLONG_HEADERS) and {"latitude", "longitude"} <= set(h),
           "geo_lookups_drkane/lsoa_latlong.csv"),
    Layout("la_changes", read_la_changes, "LA code changes and mergers 2014-2025", ONS, OGL,
           _has("oldcd", "newcd", "type", "start"),
           "ons_uk_topojson_lad_2014_2025/ltla_changes_2014_2025.csv"),
    Layout("boundaries_geojson", read_boundaries, "area boundaries, GeoJSON FeatureCollection",
           ONS, OGL, lambda h: h == ["FeatureCollection"],
           "geographr_lookups_boundaries/boundaries_ltla19.geojson"),
    Layout("boundaries_topojson", read_boundaries, "LA boundaries 2014-2025, TopoJSON", ONS, OGL,
           lambda h: h == ["Topology"], "ons_uk_topojson_lad_2014_2025/uk_topo_2014_2025.topojson"),
]
_LOOKUP_EXAMPLES = {
    "lookup_lsoa11_msoa11": "geographr_lookups_boundaries/lookup_lsoa11_msoa11.csv",
    "lookup_lsoa11_ltla18": "geographr_lookups_boundaries/lookup_lsoa11_ltla18.csv",
    "lookup_lsoa11_ltla19": "geographr_lookups_boundaries/lookup_lsoa11_ltla19.csv",
    "lookup_msoa11_ltla19": "geographr_lookups_boundaries/lookup_msoa11_ltla19.csv",
    "lookup_ltla19_region19": "geographr_lookups_boundaries/lookup_ltla19_region19.csv",
    "la_all_codes": "geo_lookups_drkane/la_all_codes.csv",
    "rgn_all_codes": "geo_lookups_drkane/rgn_all_codes.csv",
    "msoa_la": "geo_lookups_drkane/msoa_la.csv",
    "ltla14_lookup": "ons_uk_topojson_lad_2014_2025/ltla14_lookup.csv",
    "lad16_csp16_pfa16": "census2011_ethnicity_la_qs201ew/lad16_to_csp16_to_pfa16_lookup_ew.csv",
    **{k: f"geographr_2021_lookups_boundaries/{k}.csv" for k in (
        "lookup_lsoa11_lsoa21_ltla22", "lookup_msoa11_msoa21_ltla22",
        "lookup_lsoa21_msoa21_ltla22", "lookup_msoa21_ltla22", "lookup_lsoa21_ward24_ltla24",
        "lookup_ltla21_region21", "lookup_ltla22_ltla23")},
}

#: Layout id -> :class:`Layout`, in the order they are tried.
KNOWN_LAYOUTS: dict[str, Layout] = {
    lay.id: (Layout(lay.id, lay.reader, lay.description, lay.source, lay.licence, lay.matches,
                    _LOOKUP_EXAMPLES[lay.id]) if lay.id in _LOOKUP_EXAMPLES else lay)
    for lay in _LAYOUT_LIST
}


def sniff(path: str | Path) -> tuple[list[str], Layout | None]:
    """Return the header (or JSON type) of a file and the layout it matches, if any.

    Among matching CSV layouts the most specific (the lookup with most columns) wins, so that a
    lookup file with extra columns is not mistaken for a smaller one.
    """
    p = check_file(path)
    head = head_bytes(p, 4096).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        # The top-level "type" comes first in GeoJSON/TopoJSON files; parse fully otherwise.
        m = re.search(rb'"type"\s*:\s*"(\w+)"', head)
        header = [m.group(1).decode()] if m else [str(_load_json(p).get("type"))]
    else:
        header = csv_header(p)
    fits = [lay for lay in KNOWN_LAYOUTS.values() if lay.matches(header)]
    if len(fits) > 1:
        lookups = {x.id: len(x.columns) for x in LOOKUP_LAYOUTS}
        fits.sort(key=lambda lay: -lookups.get(lay.id, 0))
    return header, (fits[0] if fits else None)


def read_official(path: str | Path, **options: Any) -> OfficialTable:
    """Read any official file socint knows, recognising its layout from its content.

    Parameters
    ----------
    path
        A CSV, GeoJSON or TopoJSON file.
    **options
        Passed to the layout's reader (e.g. ``options=ReadOptions(...)`` for counts readers,
        ``year=2019`` for TopoJSON boundaries); a reader refuses options it does not take.

    Raises
    ------
    SchemaError
        Unknown layout: names the file, the headers found and the layouts known.
    """
    p = Path(path)
    header, layout = sniff(p)
    if layout is None:
        raise SchemaError(
            f"unknown layout; headers found: {_preview(header, 30)}; known layouts: "
            f"{', '.join(KNOWN_LAYOUTS)}", file=p,
            hint="check the file is one of the official tables listed in docs/data.md")
    return layout.reader(p, **options)


__all__ = ["KNOWN_LAYOUTS", "Layout", "read_official", "sniff"]
