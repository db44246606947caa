"""Geography lookups, LA code changes, centroids and the 2011 Rural-Urban Classification.

Lookups are renamed to the canonical ``<level>_code`` / ``<level>_name`` columns of
``docs/architecture.md``; the vintage of each code column is recorded in ``meta["vintages"]``
(e.g. ``lad_code: 2019`` for ``ltla19_*``). UK-wide files are cut to the countries asked for
(England and Wales by default); the number of rows dropped is in ``meta["rows_dropped"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from socint.data.source import csv_header, read_csv, sha256_of, text
from socint.data.table import OGL, ONS, OfficialTable, areas_frame
from socint.data.validate import ReadOptions, check_codes, check_unique, first_true, numeric_column
from socint.errors import InputDataError, SchemaError, _preview
from socint.geo.codes import is_gss


@dataclass(frozen=True)
class LookupLayout:
    """One lookup file layout: source headers -> canonical columns, and code vintages."""

    id: str
    description: str
    columns: dict[str, str]
    vintages: dict[str, int | None]
    key: str
    key_level: str
    flags: dict[str, str] = field(default_factory=dict)
    booleans: tuple[str, ...] = ()
    #: Columns whose *combination* is unique (default: the key alone). Cross-vintage lookups
    #: such as LSOA11 -> LSOA21 are many-to-many (splits and merges), so only the pair is.
    unique: tuple[str, ...] = ()


def _pair(prefix: str, canon: str) -> dict[str, str]:
    return {f"{prefix}_code": f"{canon}_code", f"{prefix}_name": f"{canon}_name"}


_GEO = {"CTRYCD": "country_code", "CTRYNM": "country_name"}
LOOKUP_LAYOUTS: tuple[LookupLayout, ...] = (
    LookupLayout("lookup_lsoa11_msoa11", "LSOA11 -> MSOA11 (geographr)",
                 {**_pair("lsoa11", "lsoa"), **_pair("msoa11", "msoa")},
                 {"lsoa_code": 2011, "msoa_code": 2011}, "lsoa11_code", "lsoa"),
    LookupLayout("lookup_lsoa11_ltla18", "LSOA11 -> LAD 2018 (geographr)",
                 {**_pair("lsoa11", "lsoa"), **_pair("ltla18", "lad")},
                 {"lsoa_code": 2011, "lad_code": 2018}, "lsoa11_code", "lsoa"),
    LookupLayout("lookup_lsoa11_ltla19", "LSOA11 -> LAD 2019 (geographr)",
                 {**_pair("lsoa11", "lsoa"), **_pair("ltla19", "lad")},
                 {"lsoa_code": 2011, "lad_code": 2019}, "lsoa11_code", "lsoa"),
    LookupLayout("lookup_msoa11_ltla19", "MSOA11 -> LAD 2019 (geographr)",
                 {**_pair("msoa11", "msoa"), **_pair("ltla19", "lad")},
                 {"msoa_code": 2011, "lad_code": 2019}, "msoa11_code", "msoa"),
    LookupLayout("lookup_ltla19_region19", "LAD 2019 -> region 2019 (geographr)",
                 {**_pair("ltla19", "lad"), **_pair("region19", "region")},
                 {"lad_code": 2019, "region_code": 2019}, "ltla19_code", "lad"),
    LookupLayout("la_all_codes", "every LAD code since 2011 -> active LAD -> region (drkane)",
                 {"LADCD": "lad_code", "LADNM": "lad_name", "LADCD_ACTIVE": "lad_code_active",
                  "LADNM_ACTIVE": "lad_name_active", "UTLACD": "utla_code",
                  "UTLANM": "utla_name", "RGNCD": "region_code", "RGNNM": "region_name",
                  **_GEO, "Current": "current"},
                 {"lad_code": None, "lad_code_active": None}, "LADCD", "lad",
                 booleans=("current",)),
    LookupLayout("rgn_all_codes", "English regions (drkane)",
                 {"RGNCD": "region_code", "RGNNM": "region_name", **_GEO},
                 {"region_code": None}, "RGNCD", "region"),
    LookupLayout("msoa_la", "MSOA (2011 and 2021) -> current LAD -> region (drkane)",
                 {"MSOACD": "msoa_code", "MSOANM": "msoa_name", "MSOAHCLNM": "msoa_name_hcl",
                  "LADCD_ACTIVE": "lad_code_active", "LADNM_ACTIVE": "lad_name_active",
                  "UTLACD": "utla_code", "UTLANM": "utla_name", "RGNCD": "region_code",
                  "RGNNM": "region_name", **_GEO},
                 {"msoa_code": None, "lad_code_active": None}, "MSOACD", "msoa",
                 flags={"MSOA11CD": "in_2011", "MSOA21CD": "in_2021"}),
    LookupLayout("ltla14_lookup", "LAD 2014 -> county, CA, region (ONSvisual)",
                 {"ltlacd": "lad_code", "ltlanm": "lad_name", "ctycd": "county_code",
                  "ctynm": "county_name", "mctycd": "metcounty_code", "mctynm": "metcounty_name",
                  "cauthcd": "cauth_code", "cauthnm": "cauth_name", "rgncd": "region_code",
                  "rgnnm": "region_name", "ctrycd": "country_code", "ctrynm": "country_name"},
                 {"lad_code": 2014, "region_code": 2014}, "ltlacd", "lad"),
    # 2021 geography (geographr_2021_lookups_boundaries). Cross-vintage lookups name each code
    # column with its vintage (lsoa_code_2011, lsoa_code_2021): both are LSOA codes.
    LookupLayout("lookup_lsoa11_lsoa21_ltla22", "LSOA11 -> LSOA21 -> LAD 2022 (ONS, geographr)",
                 {"lsoa11_code": "lsoa_code_2011", "lsoa11_name": "lsoa_name_2011",
                  "change_code": "change_code", "lsoa21_code": "lsoa_code_2021",
                  "lsoa21_name": "lsoa_name_2021", **_pair("ltla22", "lad")},
                 {"lsoa_code_2011": 2011, "lsoa_code_2021": 2021, "lad_code": 2022},
                 "lsoa11_code", "lsoa", unique=("lsoa11_code", "lsoa21_code")),
    LookupLayout("lookup_msoa11_msoa21_ltla22",
                 "MSOA11 -> MSOA21 (best fit) -> LAD 2022 (ONS, geographr)",
                 {"msoa11_code": "msoa_code_2011", "msoa11_name": "msoa_name_2011",
                  "msoa21_code": "msoa_code_2021", "msoa21_name": "msoa_name_2021",
                  **_pair("ltla22", "lad")},
                 {"msoa_code_2011": 2011, "msoa_code_2021": 2021, "lad_code": 2022},
                 "msoa11_code", "msoa"),
    LookupLayout("lookup_lsoa21_msoa21_ltla22", "LSOA21 -> MSOA21 -> LAD 2022 (geographr)",
                 {**_pair("lsoa21", "lsoa"), **_pair("msoa21", "msoa"),
                  **_pair("ltla22", "lad")},
                 {"lsoa_code": 2021, "msoa_code": 2021, "lad_code": 2022}, "lsoa21_code",
                 "lsoa"),
    LookupLayout("lookup_msoa21_ltla22", "MSOA21 -> LAD 2022 (geographr)",
                 {**_pair("msoa21", "msoa"), **_pair("ltla22", "lad")},
                 {"msoa_code": 2021, "lad_code": 2022}, "msoa21_code", "msoa"),
    LookupLayout("lookup_lsoa21_ward24_ltla24", "LSOA21 -> ward 2024 -> LAD 2024 (geographr)",
                 {**_pair("lsoa21", "lsoa"), **_pair("ward24", "ward"),
                  **_pair("ltla24", "lad")},
                 {"lsoa_code": 2021, "ward_code": 2024, "lad_code": 2024}, "lsoa21_code",
                 "lsoa"),
    LookupLayout("lookup_ltla21_region21", "LAD 2021 -> region 2021 (geographr)",
                 {**_pair("ltla21", "lad"), **_pair("region21", "region")},
                 {"lad_code": 2021, "region_code": 2021}, "ltla21_code", "lad"),
    LookupLayout("lookup_ltla22_ltla23", "LAD 2022 -> LAD 2023 (UK; geographr)",
                 {"ltla22_code": "lad_code_2022", "ltla22_name": "lad_name_2022",
                  "ltla23_code": "lad_code_2023", "ltla23_name": "lad_name_2023"},
                 {"lad_code_2022": 2022, "lad_code_2023": 2023}, "ltla22_code", "lad"),
    LookupLayout("lad16_csp16_pfa16", "LAD 2016 -> community safety partnership -> police force",
                 {"LAD16CD": "lad_code", "LAD16NM": "lad_name", "CSP16CD": "csp_code",
                  "CSP16NM": "csp_name", "PFA16CD": "pfa_code", "PFA16NM": "pfa_name"},
                 {"lad_code": 2016}, "LAD16CD", "lad"),
)
#: Code columns whose level is checked (others, e.g. UTLA or combined authority, hold mixes).
_CHECKED = {"lsoa_code": "lsoa", "msoa_code": "msoa", "lad_code": "lad",
            "lad_code_active": "lad", "lsoa_code_2011": "lsoa", "lsoa_code_2021": "lsoa",
            "msoa_code_2011": "msoa", "msoa_code_2021": "msoa", "lad_code_2022": "lad",
            "lad_code_2023": "lad"}
LATLONG_HEADERS = {"LSOACD": "lsoa", "MSOACD": "msoa"}


def lookup_layout_of(header: list[str]) -> LookupLayout | None:
    """The lookup layout whose source headers are all present (most specific first)."""
    found = set(header)
    fits = [lay for lay in LOOKUP_LAYOUTS if set(lay.columns) | set(lay.flags) <= found]
    return max(fits, key=lambda lay: len(lay.columns)) if fits else None


def _keep_countries(df: pd.DataFrame, key: str, countries: str) -> tuple[pd.DataFrame, int]:
    first = text(df, key).fillna("").str.slice(0, 1)
    keep = first.isin(list(countries)).to_numpy()
    return df.loc[keep], int((~keep).sum())


def _read_latlong(p: Path, header: list[str], opts: ReadOptions) -> OfficialTable:
    key = next(h for h in LATLONG_HEADERS if h in header)
    level = LATLONG_HEADERS[key]
    df = read_csv(p, required=[key, "latitude", "longitude"], layout=f"{level} centroids",
                  text_columns=[key])
    rows = np.arange(1, len(df) + 1)
    df, dropped = _keep_countries(df.assign(_row=rows), key, opts.countries)
    rows = df["_row"].to_numpy()
    codes = text(df, key).to_numpy(dtype=object)
    check_codes(codes, level=level, countries=opts.countries, file=p, column=key)
    check_unique(codes, file=p, column=key)
    lat = numeric_column(df, "latitude", codes=codes, file=p, lo=49.0, hi=61.0, rows=rows)
    lon = numeric_column(df, "longitude", codes=codes, file=p, lo=-8.7, hi=2.0, rows=rows)
    data = pd.DataFrame({"area_code": codes, "latitude": lat, "longitude": lon})
    return OfficialTable(
        dataset=f"{level}_centroids", kind="attributes", level=level, vintage=None, topic=None,
        scheme=None, data=data, areas=areas_frame(codes, level=level, vintage=None),
        source=f"{ONS} population-weighted centroids via drkane/geo-lookups", licence=OGL,
        path=p, sha256=sha256_of(p), layout=f"{level}_latlong",
        meta={"rows_dropped": dropped, "vintages": {"area_code": "2011 and 2021 codes"}},
    )


def read_lookup(path: str | Path, *, options: ReadOptions | None = None) -> OfficialTable:
    """Read a geography lookup CSV (layouts in :data:`LOOKUP_LAYOUTS`) or a centroid file.

    Returns
    -------
    OfficialTable
        kind ``lookup`` (level and vintage None; ``meta["vintages"]`` per code column), with
        canonical columns, one row per lowest-level unit; or, for ``lsoa_latlong.csv`` /
        ``msoa_latlong.csv``, kind ``attributes`` with ``latitude`` and ``longitude``.

    Raises
    ------
    SchemaError
        Unknown lookup layout (lists the layouts known).
    InputDataError
        Duplicated or malformed key codes; code columns of the wrong level.
    """
    opts = options or ReadOptions()
    p = Path(path)
    header = csv_header(p)
    layout = lookup_layout_of(header)
    if layout is None:
        if any(h in header for h in LATLONG_HEADERS) and "latitude" in header:
            return _read_latlong(p, header, opts)
        raise SchemaError(
            f"not a known lookup layout; headers found: {_preview(header)}; known layouts: "
            + "; ".join(f"{lay.id} ({', '.join(lay.columns)})" for lay in LOOKUP_LAYOUTS),
            file=p, hint="rename the columns to one of the known layouts")
    src_cols = [*layout.columns, *layout.flags]
    df = read_csv(p, required=src_cols, layout=layout.id,
                  text_columns=[c for c in src_cols if c not in layout.booleans])
    rows = np.arange(1, len(df) + 1)
    df, dropped = _keep_countries(df.assign(_row=rows), layout.key, opts.countries)
    rows = df["_row"].to_numpy()
    out = pd.DataFrame({canon: text(df, src).to_numpy(dtype=object)
                        for src, canon in layout.columns.items()
                        if canon not in layout.booleans})
    codes = out[layout.columns[layout.key]].fillna("").to_numpy(dtype=object)
    try:
        check_codes(codes, level=layout.key_level, countries=opts.countries, file=p,
                    column=layout.key)
        if layout.unique:
            pair = np.array(["|".join(map(str, r)) for r in zip(
                *(text(df, c).fillna("").to_numpy(dtype=object) for c in layout.unique),
                strict=True)], dtype=object)
            check_unique(pair, file=p, column="+".join(layout.unique))
        else:
            check_unique(codes, file=p, column=layout.key)
        for canon, level in _CHECKED.items():
            if canon in out.columns and canon != layout.columns[layout.key]:
                col = out[canon]
                present = col.notna().to_numpy()
                check_codes(col[present].to_numpy(dtype=object), level=level, countries="EWSN",
                            file=p, column=canon)
    except InputDataError as exc:  # rows are positions after the country filter: map back
        if exc.row is not None:
            raise InputDataError(exc.message, file=p, row=int(rows[exc.row - 1]),
                                 column=exc.column, code=exc.code, hint=exc.hint) from exc
        raise
    for canon in layout.booleans:
        src = next(s for s, c in layout.columns.items() if c == canon)
        raw = text(df, src).str.upper()
        ok = raw.isin(["TRUE", "FALSE"]).to_numpy()
        i = first_true(~ok)
        if i is not None:
            raise InputDataError(f"{src} is {raw.iloc[i]!r}, expected TRUE or FALSE", file=p,
                                 row=int(rows[i]), column=src, code=str(codes[i]))
        out[canon] = (raw == "TRUE").to_numpy()
    for src, canon in layout.flags.items():
        out[canon] = text(df, src).fillna("").ne("").to_numpy()
    return OfficialTable(
        dataset=layout.id, kind="lookup", level=None, vintage=None, topic=None, scheme=None,
        data=out.reset_index(drop=True), areas=None, source=f"{ONS}, Open Geography portal",
        licence=OGL, path=p, sha256=sha256_of(p), layout=layout.id,
        meta={"vintages": dict(layout.vintages), "key_level": layout.key_level,
              "rows_dropped": dropped},
    )


CHANGE_TYPES = ("merger", "new_code", "new_geo", "termination")


def read_la_changes(path: str | Path) -> OfficialTable:
    """Read the ONSvisual list of LA code changes 2014-2025 (``ltla_changes_2014_2025.csv``).

    Returns kind ``changes`` with ``old_code, old_name, new_code, new_name, change_type, year``
    (``year`` = first year of the new geography; ``new_code`` empty for terminations).
    """
    p = Path(path)
    cols = {"oldcd": "old_code", "oldnm": "old_name", "newcd": "new_code", "newnm": "new_name",
            "type": "change_type", "start": "year"}
    df = read_csv(p, required=list(cols), layout="LA code changes",
                  text_columns=[c for c in cols if c != "start"])
    old = text(df, "oldcd").fillna("").to_numpy(dtype=object)
    kind = text(df, "type").fillna("")
    i = first_true(~kind.isin(CHANGE_TYPES).to_numpy())
    if i is not None:
        raise InputDataError(f"change type {kind.iloc[i]!r} is not one of {CHANGE_TYPES}",
                             file=p, row=i + 1, column="type", code=str(old[i]))
    new = text(df, "newcd").fillna("")
    i = first_true(((new == "") & (kind != "termination")).to_numpy())
    if i is not None:
        raise InputDataError("newcd is empty but the change is not a termination", file=p,
                             row=i + 1, column="newcd", code=str(old[i]),
                             hint="give the successor code")
    for col, values in (("oldcd", pd.Series(old)), ("newcd", new[new != ""])):
        bad = ~values.map(is_gss).astype(bool)
        if bad.any():
            j = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputDataError(f"{values.iloc[j]!r} is not a GSS code", file=p,
                                 row=int(values.index[j]) + 1, column=col,
                                 code=str(values.iloc[j]))
    year = numeric_column(df, "start", codes=old, file=p, integer=True, lo=2000, hi=2100)
    data = pd.DataFrame({"old_code": old, "old_name": text(df, "oldnm").to_numpy(dtype=object),
                         "new_code": new.to_numpy(dtype=object),
                         "new_name": text(df, "newnm").to_numpy(dtype=object),
                         "change_type": kind.to_numpy(dtype=object), "year": year})
    return OfficialTable(
        dataset="la_changes", kind="changes", level=None, vintage=None, topic=None, scheme=None,
        data=data, areas=None, source=f"{ONS} (ONSvisual uk-topojson)", licence=OGL, path=p,
        sha256=sha256_of(p), layout="la_changes")


RUC_CLASSES: dict[str, str] = {
    "A1": "Urban major conurbation", "B1": "Urban minor conurbation",
    "C1": "Urban city and town", "C2": "Urban city and town in a sparse setting",
    "D1": "Rural town and fringe", "D2": "Rural town and fringe in a sparse setting",
    "E1": "Rural village and dispersed",
    "E2": "Rural village and dispersed in a sparse setting",
}
RURAL_CLASSES = frozenset({"D1", "D2", "E1", "E2"})


def read_ruc2011(path: str | Path, *, options: ReadOptions | None = None) -> OfficialTable:
    """Read the 2011 Rural-Urban Classification of LSOAs (ONS/Defra, RUC11).

    Attributes ``ruc_code``, ``ruc_label`` and ``rural`` (True for classes D1, D2, E1, E2, the
    "rural town and fringe" and "rural village and dispersed" classes; Bibby & Brindley 2013,
    *The 2011 Rural-Urban Classification for Small Area Geographies*).
    """
    opts = options or ReadOptions()
    p = Path(path)
    df = read_csv(p, required=["lsoa", "RUC11CD", "RUC11"], layout="RUC 2011 LSOA",
                  text_columns=["lsoa", "LSOA11NM", "RUC11CD", "RUC11"])
    codes = text(df, "lsoa").fillna("").to_numpy(dtype=object)
    check_codes(codes, level="lsoa", countries=opts.countries, file=p, column="lsoa")
    check_unique(codes, file=p, column="lsoa")
    ruc = text(df, "RUC11CD").fillna("")
    i = first_true(~ruc.isin(list(RUC_CLASSES)).to_numpy())
    if i is not None:
        raise InputDataError(f"RUC11CD {ruc.iloc[i]!r} is not a 2011 RUC class; expected one of "
                             f"{', '.join(RUC_CLASSES)}", file=p, row=i + 1, column="RUC11CD",
                             code=str(codes[i]))
    data = pd.DataFrame({"area_code": codes, "ruc_code": ruc.to_numpy(dtype=object),
                         "ruc_label": text(df, "RUC11").to_numpy(dtype=object),
                         "rural": ruc.isin(list(RURAL_CLASSES)).to_numpy()})
    names = text(df, "LSOA11NM").to_numpy(dtype=object) if "LSOA11NM" in df else None
    return OfficialTable(
        dataset="ruc2011_lsoa", kind="attributes", level="lsoa", vintage=2011, topic=None,
        scheme=None, data=data, areas=areas_frame(codes, level="lsoa", vintage=2011, names=names),
        source=f"{ONS} and Defra, 2011 Rural-Urban Classification", licence=OGL, path=p,
        sha256=sha256_of(p), layout="ruc2011_lsoa")


__all__ = ["CHANGE_TYPES", "LOOKUP_LAYOUTS", "RUC_CLASSES", "RURAL_CLASSES", "LookupLayout",
           "lookup_layout_of", "read_la_changes", "read_lookup", "read_ruc2011"]
