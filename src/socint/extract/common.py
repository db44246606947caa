"""Shared pieces of the extract build: source files, limits, licence texts, the Builder.

Build the bundled real-England extract from the official files (``../shared/data``).

Every output is *derived*: England only, the columns the run needs, socint's area keys
(``oa_code, lsoa_code, msoa_code, lad_code, region_code`` + ``_name``), counts as published.
Tables are Parquet (zstd, no pandas metadata), boundary sets gzipped GeoJSON (mtime 0,
coordinates simplified with shapely's topology-preserving simplification and snapped to a
1e-4 degree grid, about 10 m). The build is deterministic: the same files and library versions
give byte-identical outputs (checked by ``tests/extract``).

Sources (folder names under the data directory; each folder's README gives the publisher's
original): see :data:`TABLES` and :func:`build`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import InputDataError
from socint.extract import sha256_bytes

OGL = "Open Government Licence v3.0"
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0"
OS_ATTRIBUTION = "Contains OS data © Crown copyright and database right"
MAX_FILE_BYTES = 2_000_000
MAX_TOTAL_BYTES = 10_000_000
#: Simplification tolerance (degrees) and coordinate grid of bundled boundaries.
SIMPLIFY = {"lad": 0.0005, "msoa": 0.0003}
GRID = 1e-4

ONS, MHCLG, DEFRA = "Office for National Statistics", "MHCLG", "ONS and Defra"

F = {  # source files, relative to the data directory
    "oa11": "census2011_ethnicity_oa_lsoa_mlid/ethnicity_2011_oa_ew.csv",
    "lsoa11": "census2011_ethnicity_oa_lsoa_mlid/ethnicity_2011_lsoa_ew.csv",
    "qs201": "census2011_ethnicity_la_qs201ew/qs201ew_ethnic_group_2011_la_ew.csv",
    "dc2101": "census2011_dc2101ew_ethnicity_sex_age_la/dc2101ew_ethnicity_sex_age_la_ew_long.csv",
    "iod_lsoa": "iod_2015_2019_humaniverse/imd2019_england_lsoa11.csv",
    "iod_msoa": "iod_2015_2019_humaniverse/imd2019_england_msoa11.csv",
    "iod_lad": "iod_2015_2019_humaniverse/imd2019_england_ltla19.csv",
    "ruc": "ruc2011_lsoa/ruc2011_lsoa11_ew.csv",
    "pop19": "census2021_demographr/population19_msoa11.csv",
    "eth21_lsoa": "census2021_demographr/ethnicity21_lsoa21.csv",
    "eth21_msoa": "census2021_demographr/ethnicity21_msoa21.csv",
    "eth21_lad": "census2021_demographr/ethnicity21_ltla21.csv",
    "prof21": "census2021_demographr/proficiency21_msoa21.csv",
    "age21": "census2021_age6_lsoa21_msoa21/age6_msoa21_ew.csv",
    "lk_lsoa11_21": "geographr_2021_lookups_boundaries/lookup_lsoa11_lsoa21_ltla22.csv",
    "lk_lsoa21": "geographr_2021_lookups_boundaries/lookup_lsoa21_msoa21_ltla22.csv",
    "lk_lad21_rgn": "geographr_2021_lookups_boundaries/lookup_ltla21_region21.csv",
    "lk_lad22_23": "geographr_2021_lookups_boundaries/lookup_ltla22_ltla23.csv",
    "lk_lad19_rgn": "geographr_lookups_boundaries/lookup_ltla19_region19.csv",
    "lk_msoa11_lad19": "geographr_lookups_boundaries/lookup_msoa11_ltla19.csv",
    "lk_lad14": "ons_uk_topojson_lad_2014_2025/ltla14_lookup.csv",
    "changes": "ons_uk_topojson_lad_2014_2025/ltla_changes_2014_2025.csv",
    "topo": "ons_uk_topojson_lad_2014_2025/uk_topo_2014_2025.topojson",
    "msoa11_geo": "geographr_lookups_boundaries/boundaries_msoa11.geojson",
    "msoa21_geo": "geographr_2021_lookups_boundaries/boundaries_msoa21.geojson",
}


@dataclass
class Output:
    """One derived file and what the manifest says about it."""

    name: str
    obj: pd.DataFrame | dict[str, Any]
    description: str
    sources: Sequence[str]
    publisher: str
    meta: dict[str, Any] = field(default_factory=dict)


class Builder:
    """Reads the source files once each and remembers their checksums."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self._sha: dict[str, str] = {}

    def path(self, key: str) -> Path:
        p = self.data / F[key]
        if not p.is_file():
            raise InputDataError(f"source file for the extract is missing: {F[key]}", file=p,
                                 hint="point --data at the folder holding the official files "
                                 "(see docs/data.md for where each comes from)")
        return p

    def sha(self, key: str) -> str:
        if key not in self._sha:
            self._sha[key] = sha256_bytes(self.path(key).read_bytes())
        return self._sha[key]

    def csv(self, key: str, **kw: Any) -> pd.DataFrame:
        return pd.read_csv(self.path(key), encoding="utf-8-sig", **kw)


def _wide(table: Any) -> pd.DataFrame:
    """An OfficialTable of counts as a wide frame: area_code + one column per category."""
    from socint.data.table import SCHEMES

    w = table.data.pivot(index="area_code", columns="category", values="count")
    w = w.reindex(columns=list(SCHEMES[table.scheme])).astype("int64")
    return w.reset_index()


def _england(df: pd.DataFrame, col: str) -> pd.DataFrame:
    return df[df[col].astype(str).str.startswith("E")].sort_values(col, ignore_index=True)


def lad11_reference(b: Builder) -> pd.DataFrame:

    """The 326 English LAs of the 2011 Census (QS201EW codes and names)."""
    from socint.data import read_official

    areas = read_official(b.path("qs201")).areas
    assert areas is not None
    ref = areas.rename(columns={"area_code": "lad_code", "area_name": "lad_name"})
    return _england(ref[["lad_code", "lad_name"]], "lad_code")


__all__ = [
    "ATTRIBUTION",
    "GRID",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "OGL",
    "OS_ATTRIBUTION",
    "SIMPLIFY",
    "Builder",
    "F",
    "Output",
    "lad11_reference",
]
