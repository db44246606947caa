"""Readers of the shared open data used by the geography tests (cached, canonical columns).

The ``socint.data`` readers are written in parallel; these helpers only read the CSVs with
pandas and rename columns to the canonical names of ``docs/architecture.md``, so the geography
tests depend on the files, not on the readers. Each skips (via ``shared_path``) when the shared
data folder is absent.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from conftest import shared_path

QS201EW = ("census2011_ethnicity_la_qs201ew", "qs201ew_ethnic_group_2011_la_ew.csv")
QS201EW_TOTAL = "Ethnic Group: All categories: Ethnic group; measures: Value"


@lru_cache(maxsize=1)
def _changes() -> pd.DataFrame:
    path = shared_path("ons_uk_topojson_lad_2014_2025", "ltla_changes_2014_2025.csv")
    return pd.read_csv(path, encoding="utf-8-sig").rename(columns={
        "oldcd": "old_code", "oldnm": "old_name", "newcd": "new_code", "newnm": "new_name",
        "type": "change_type", "start": "year"})


def changes() -> pd.DataFrame:
    """ONS LTLA/UTLA/combined-authority change table 2014-2025, canonical columns."""
    return _changes().copy()


@lru_cache(maxsize=1)
def _la_all_codes() -> pd.DataFrame:
    path = shared_path("geo_lookups_drkane", "la_all_codes.csv")
    return pd.read_csv(path, dtype=str).rename(columns={
        "LADCD": "lad_code", "LADNM": "lad_name", "LADCD_ACTIVE": "active_code"})


def la_all_codes() -> pd.DataFrame:
    """Every LA code used since 2011 with its currently active successor."""
    return _la_all_codes().copy()


@lru_cache(maxsize=1)
def _qs201ew() -> pd.DataFrame:
    return pd.read_csv(shared_path(*QS201EW))


def qs201ew() -> pd.DataFrame:
    """Census 2011 QS201EW by LA (post-2013 codes), original Nomis column names."""
    return _qs201ew().copy()


def qs201ew_value_cols() -> list[str]:
    """The total, the 5 broad and the 18 detailed count columns of QS201EW."""
    return [c for c in _qs201ew().columns if c.startswith("Ethnic Group:")]


@lru_cache(maxsize=1)
def _mlid_lsoa() -> pd.DataFrame:
    path = shared_path("census2011_ethnicity_oa_lsoa_mlid", "ethnicity_2011_lsoa_ew.csv")
    return pd.read_csv(path)


def mlid_lsoa() -> pd.DataFrame:
    """Census 2011 ethnic group counts per LSOA (MLID package), original columns."""
    return _mlid_lsoa().copy()


@lru_cache(maxsize=1)
def _mlid_oa() -> pd.DataFrame:
    path = shared_path("census2011_ethnicity_oa_lsoa_mlid", "ethnicity_2011_oa_ew.csv")
    return pd.read_csv(path, usecols=["OA", "LSOA", "MSOA", "LAD"]).rename(columns={
        "OA": "oa_code", "LSOA": "lsoa_code", "MSOA": "msoa_code", "LAD": "lad_name"})


def mlid_oa() -> pd.DataFrame:
    """OA -> LSOA -> MSOA codes and LA name of every OA 2011 (E&W)."""
    return _mlid_oa().copy()


@lru_cache(maxsize=8)
def _geographr(name: str) -> pd.DataFrame:
    path = shared_path("geographr_lookups_boundaries", name)
    out = pd.read_csv(path)
    return out.rename(columns={
        "lsoa11_code": "lsoa_code", "msoa11_code": "msoa_code", "ltla18_code": "lad_code",
        "ltla19_code": "lad_code", "region19_code": "region_code", "ltla19_name": "lad_name",
        "ltla18_name": "lad_name"})


def geographr(name: str) -> pd.DataFrame:
    """A geographr lookup (e.g. ``lookup_lsoa11_ltla19.csv``) with canonical code columns."""
    return _geographr(name).copy()


@lru_cache(maxsize=1)
def _ltla14() -> pd.DataFrame:
    path = shared_path("ons_uk_topojson_lad_2014_2025", "ltla14_lookup.csv")
    return pd.read_csv(path, encoding="utf-8-sig").rename(
        columns={"ltlacd": "lad_code", "ltlanm": "lad_name", "rgncd": "region_code"})


def ltla14() -> pd.DataFrame:
    """The 2014 LTLA lookup (UK) with canonical ``lad_code``/``lad_name``."""
    return _ltla14().copy()


@lru_cache(maxsize=1)
def _topojson_ltla() -> pd.DataFrame:
    import json

    path = shared_path("ons_uk_topojson_lad_2014_2025", "uk_topo_2014_2025.topojson")
    topo = json.loads(path.read_text(encoding="utf-8"))
    rows = [g["properties"] for g in topo["objects"]["ltla"]["geometries"]]
    return pd.DataFrame(rows)


def topojson_ltla() -> pd.DataFrame:
    """Properties (``areacd``, ``areanm``, ``start``, ``end``) of the ONS LTLA features."""
    return _topojson_ltla().copy()
