"""Build the bundled real-England extract from the official files (``../shared/data``).

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

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import InputDataError
from socint.extract import MANIFEST_NAME, sha256_bytes

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


# -- 2011 -----------------------------------------------------------------------------------
def lad11_reference(b: Builder) -> pd.DataFrame:
    """The 326 English LAs of the 2011 Census (QS201EW codes and names)."""
    from socint.data import read_official

    areas = read_official(b.path("qs201")).areas
    assert areas is not None
    ref = areas.rename(columns={"area_code": "lad_code", "area_name": "lad_name"})
    return _england(ref[["lad_code", "lad_name"]], "lad_code")


def tables_2011(b: Builder) -> list[Output]:
    from socint.data import read_official
    from socint.geo.names import match_la_names

    ref = lad11_reference(b)
    oa = b.csv("oa11", usecols=["OA", "Persons", "WhiteBrit", "LSOA", "MSOA", "LAD"],
               dtype={"OA": str, "LSOA": str, "MSOA": str, "LAD": str})
    oa = _england(oa, "OA")
    names = pd.Series(oa["LAD"].unique())
    code_of = dict(zip(names, match_la_names(names, ref), strict=True))
    oa_t = pd.DataFrame({
        "oa_code": oa["OA"], "lsoa_code": oa["LSOA"], "msoa_code": oa["MSOA"],
        "lad_code": oa["LAD"].map(code_of), "white_british": oa["WhiteBrit"].astype("int64"),
        "total": oa["Persons"].astype("int64")})
    lsoa = read_official(b.path("lsoa11"))
    assert lsoa.areas is not None
    w = _wide(lsoa)
    w = w.merge(lsoa.areas[["area_code", "total"]], on="area_code")
    w = _england(w, "area_code")
    parent = oa_t.drop_duplicates("lsoa_code").set_index("lsoa_code")
    w["msoa_code"] = w["area_code"].map(parent["msoa_code"])
    w["lad_code"] = w["area_code"].map(parent["lad_code"])
    cats = [c for c in w.columns if c not in ("area_code", "msoa_code", "lad_code")]
    msoa = w.groupby(["msoa_code", "lad_code"], sort=True)[cats].sum().reset_index()
    msoa = msoa[["msoa_code", "lad_code", *cats]].astype({c: "int64" for c in cats})
    pop11 = w[["area_code", "total"]].rename(columns={"area_code": "lsoa_code",
                                                      "total": "population"})
    qs = read_official(b.path("qs201"))
    qsw = _england(_wide(qs), "area_code").rename(columns={"area_code": "lad_code"})
    assert qs.areas is not None
    qsw = qsw.merge(qs.areas[["area_code", "total"]].rename(columns={"area_code": "lad_code"}),
                    on="lad_code")
    qsw.insert(1, "lad_name", qsw["lad_code"].map(ref.set_index("lad_code")["lad_name"]))
    dc = b.csv("dc2101", dtype={"geography_code": str, "sex": str, "age_band": str,
                                "ethnic_group_code": str})
    dc = _england(dc, "geography_code").rename(columns={"geography_code": "lad_code"})
    dc = dc.sort_values(["lad_code", "sex", "age_band", "ethnic_group_code"], ignore_index=True)
    dc["count"] = dc["count"].astype("int64")
    lk14 = b.csv("lk_lad14", dtype=str)
    lk14 = _england(lk14, "ltlacd")
    reg = pd.DataFrame({"lad_code": lk14["ltlacd"],
                        "lad_name": lk14["ltlacd"].map(ref.set_index("lad_code")["lad_name"]),
                        "region_code": lk14["rgncd"], "region_name": lk14["rgnnm"]})
    reg = reg.sort_values("lad_code", ignore_index=True)
    mlid = "ONS Census 2011 (MLID compilation)"
    return [
        Output("ethnicity2011_oa", oa_t, "Census 2011 OAs (England): White British and all "
               "usual residents, with LSOA, MSOA and 2011 LA codes (also the OA -> LSOA -> "
               "MSOA -> LAD 2011 lookup); for the Index of Dissimilarity over OAs",
               ["oa11", "qs201"], mlid,
               {"kind": "counts", "level": "oa", "vintage": 2011, "topic": "ethnicity",
                "scheme": "ethnicity_white_british"}),
        Output("ethnicity2011_msoa", msoa, "Census 2011 MSOAs (England): the 15 MLID ethnic "
               "groups (Gypsy/Traveller derived as Persons minus the 14 published) and total, "
               "summed from LSOAs; for the Ethnic Diversity Index", ["lsoa11", "oa11"], mlid,
               {"kind": "counts", "level": "msoa", "vintage": 2011, "topic": "ethnicity",
                "scheme": "ethnicity_2011_mlid"}),
        Output("population2011_lsoa11", pop11, "Census 2011 usual residents per LSOA11 "
               "(England), the weights for carrying LSOA11 attributes to LSOA21",
               ["lsoa11"], mlid, {"kind": "attributes", "level": "lsoa", "vintage": 2011}),
        Output("ethnicity2011_lad_qs201ew", qsw, "Census 2011 QS201EW: 18 ethnic groups and "
               "total per LA (326 English LAs, codes as re-issued in 2013)", ["qs201"],
               ONS + " (Nomis)",
               {"kind": "counts", "level": "lad", "vintage": 2011, "topic": "ethnicity",
                "scheme": "ethnicity_2011_detailed"}),
        Output("dc2101ew_lad", dc, "Census 2011 DC2101EW: usual residents by LA x sex x age "
               "band (21) x ethnic group (18 codes), long, England", ["dc2101"], ONS + " (Nomis)",
               {"kind": "counts", "level": "lad", "vintage": 2011, "topic": "ethnicity_sex_age"}),
        Output("lookup_lad11_region", reg,
               "2011 Census LAs (326, codes as re-issued in 2013) -> region",
               ["lk_lad14", "qs201"], ONS, {"kind": "lookup", "vintage": 2011}),
    ]


def tables_iod_ruc(b: Builder) -> list[Output]:
    from socint.data import read_official

    iod = read_official(b.path("iod_lsoa")).data
    iod = _england(iod.rename(columns={"area_code": "lsoa_code"}), "lsoa_code")
    msoa = b.csv("iod_msoa", dtype={"msoa11_code": str})
    keep = ["msoa11_code", "Score", "Income_Score", "Crime_Score", "Employment_Score",
            "Education_Score", "Health_Score", "Housing_and_Access_Score", "Environment_Score"]
    msoa = _england(msoa[keep], "msoa11_code").rename(columns={"msoa11_code": "msoa_code"})
    msoa.columns = [c.lower() for c in msoa.columns]
    msoa = msoa.rename(columns={"score": "imd_score"})
    lad = b.csv("iod_lad", dtype={"ltla19_code": str})
    lad = _england(lad, "ltla19_code").rename(columns={"ltla19_code": "lad_code"})
    lad.columns = [c if c == "lad_code" else c.lower() for c in lad.columns]
    ruc = read_official(b.path("ruc")).data
    ruc = _england(ruc.rename(columns={"area_code": "lsoa_code"}), "lsoa_code")
    ruc = ruc[["lsoa_code", "ruc_code", "ruc_label", "rural"]].astype({"rural": bool})
    return [
        Output("iod2019_lsoa11", iod, "English Indices of Deprivation 2019: IMD and 7 domain "
               "ranks (1 = most deprived) and deciles per LSOA11", ["iod_lsoa"], MHCLG,
               {"kind": "attributes", "level": "lsoa", "vintage": 2011}),
        Output("iod2019_msoa11", msoa, "IoD 2019 population-weighted average scores per MSOA11 "
               "(IMD and 7 domains; higher = more deprived; not official MHCLG aggregates)",
               ["iod_msoa"], MHCLG, {"kind": "attributes", "level": "msoa", "vintage": 2011}),
        Output("iod2019_lad19", lad, "IoD 2019 LA summaries (LAD 2019): average scores and "
               "proportions, IMD and domains", ["iod_lad"], MHCLG,
               {"kind": "attributes", "level": "lad", "vintage": 2019}),
        Output("ruc2011_lsoa11", ruc, "2011 Rural-Urban Classification per LSOA11 (code, "
               "label, rural = town/fringe, village, hamlet)", ["ruc"], DEFRA,
               {"kind": "attributes", "level": "lsoa", "vintage": 2011}),
    ]


def _age_single(b: Builder) -> pd.DataFrame:
    from socint.data import read_official

    t = read_official(b.path("pop19"))
    w = _england(_wide(t), "area_code").rename(columns={"area_code": "msoa_code"})
    return w


def tables_2021(b: Builder) -> list[Output]:
    from socint.data import read_official

    lk = b.csv("lk_lsoa21", dtype=str)
    lk = _england(lk, "lsoa21_code")
    lsoa_lk = pd.DataFrame({"lsoa_code": lk["lsoa21_code"], "lsoa_name": lk["lsoa21_name"],
                            "msoa_code": lk["msoa21_code"], "msoa_name": lk["msoa21_name"],
                            "lad_code": lk["ltla22_code"], "lad_name": lk["ltla22_name"]})
    msoa_lad = lsoa_lk.drop_duplicates("msoa_code").set_index("msoa_code")["lad_code"]
    out: list[Output] = []
    for key, name, level, desc in (
            ("eth21_lsoa", "ethnicity2021_lsoa21", "lsoa", "5 broad ethnic groups"),
            ("eth21_msoa", "ethnicity2021_msoa21", "msoa", "6 ethnic groups (Black split "
             "African/Caribbean)"),
            ("eth21_lad", "ethnicity2021_lad21", "lad", "19 detailed ethnic groups"),
            ("prof21", "proficiency2021_msoa21", "msoa", "TS029 proficiency in English "
             "(main language English; 4 levels of spoken English)")):
        t = read_official(b.path(key))
        assert t.areas is not None
        w = _wide(t).merge(t.areas[["area_code", "total"]], on="area_code")
        code = f"{level}_code"
        w = _england(w.rename(columns={"area_code": code}), code)
        if level == "lsoa":
            w.insert(1, "msoa_code", w[code].map(lsoa_lk.set_index("lsoa_code")["msoa_code"]))
            w.insert(2, "lad_code", w[code].map(lsoa_lk.set_index("lsoa_code")["lad_code"]))
        elif level == "msoa":
            w.insert(1, "lad_code", w[code].map(msoa_lad))
        else:
            w.insert(1, "lad_name", t.areas.set_index("area_code")["area_name"]
                     .reindex(w[code]).to_numpy())
        out.append(Output(name, w, f"Census 2021 TS0{'29' if key == 'prof21' else '21'} "
                          f"per {level.upper()}21 (England): {desc} and total",
                          [key, "lk_lsoa21"], ONS, {"kind": "counts", "level": level,
                                                    "vintage": 2021, "scheme": t.scheme,
                                                    "topic": t.topic}))
    age = b.csv("age21", dtype={"msoa21_code": str})
    age = _england(age, "msoa21_code")
    bands = {"Aged 15 years and under": "age_0_15", "Aged 16 to 24 years": "age_16_24",
             "Aged 25 to 34 years": "age_25_34", "Aged 35 to 49 years": "age_35_49",
             "Aged 50 to 64 years": "age_50_64", "Aged 65 years and over": "age_65_plus"}
    age_t = pd.DataFrame({"msoa_code": age["msoa21_code"], "lad_code": age["ltla22_code"],
                          "total": age["total_residents"].astype("int64"),
                          **{v: age[k].astype("int64") for k, v in bands.items()}})
    out.append(Output("age6_msoa21", age_t, "Census 2021 usual residents by 6 age bands per "
                      "MSOA21 (England), summed from LSOA21 TS007", ["age21"], ONS,
                      {"kind": "counts", "level": "msoa", "vintage": 2021, "topic": "age"}))
    out.append(Output("population2019_msoa11_age", _age_single(b), "ONS mid-2019 population "
                      "estimates by single year of age (0-89, 90+) per MSOA11 (England)",
                      ["pop19"], ONS, {"kind": "counts", "level": "msoa", "vintage": 2011,
                                       "scheme": "age_single_year", "topic": "age"}))
    l1121 = b.csv("lk_lsoa11_21", dtype=str)
    l1121 = l1121[l1121["lsoa21_code"].str.startswith("E")]
    l1121 = l1121[["lsoa11_code", "lsoa21_code", "change_code"]].sort_values(
        ["lsoa11_code", "lsoa21_code"], ignore_index=True)
    reg = b.csv("lk_lad21_rgn", dtype=str).rename(columns={
        "ltla21_code": "lad_code", "ltla21_name": "lad_name", "region21_code": "region_code",
        "region21_name": "region_name"})
    reg = _england(reg[["lad_code", "lad_name", "region_code", "region_name"]], "lad_code")
    l2223 = b.csv("lk_lad22_23", dtype=str)
    l2223 = _england(l2223, "ltla22_code")
    out += [
        Output("lookup_lsoa11_lsoa21", l1121, "ONS LSOA11 -> LSOA21 (England; change_code U "
               "unchanged, S split, M merged, X complex)", ["lk_lsoa11_21"], ONS,
               {"kind": "lookup"}),
        Output("lookup_lsoa21_msoa21_lad21", lsoa_lk, "LSOA21 -> MSOA21 -> LTLA21 (= LAD22), "
               "England", ["lk_lsoa21"], ONS, {"kind": "lookup", "vintage": 2021}),
        Output("lookup_lad21_region", reg, "LTLA21 (309 English LAs) -> region",
               ["lk_lad21_rgn"], ONS, {"kind": "lookup", "vintage": 2021}),
        Output("lookup_lad22_lad23", l2223, "LAD22 (= LTLA21) -> LAD23, England (2023 merges "
               "in Cumbria, North Yorkshire and Somerset)", ["lk_lad22_23"], ONS,
               {"kind": "lookup"}),
    ]
    return out


def tables_changes(b: Builder) -> list[Output]:
    from socint.data import read_official

    ch = read_official(b.path("changes")).data.sort_values(
        ["year", "old_code", "new_code"], ignore_index=True)
    return [Output("la_changes", ch, "ONS LA code changes and mergers 2014-2025 (canonical "
                   "old_code, old_name, new_code, new_name, change_type, year)", ["changes"],
                   ONS, {"kind": "changes"})]


# -- boundaries -----------------------------------------------------------------------------
def simplify_collection(fc: dict[str, Any], level: str) -> dict[str, Any]:
    """Simplify (topology-preserving), snap to the grid, and check each shape stays valid."""
    import shapely
    from shapely.geometry import mapping, shape

    feats = []
    for f in fc["features"]:
        code = f["properties"][f"{level}_code"]
        g = shapely.make_valid(shape(f["geometry"]))
        s = shapely.set_precision(shapely.simplify(g, SIMPLIFY[level], preserve_topology=True),
                                  GRID)
        if s.is_empty or s.area == 0:  # tiny area: keep it at the grid only
            s = shapely.set_precision(g, GRID)
        if s.is_empty or not s.is_valid:
            raise InputDataError(f"shape of {code} is empty or invalid after simplification",
                                 code=code, hint="lower SIMPLIFY/GRID in socint.extract.build")
        polys = _polygons(s)
        if not polys:
            raise InputDataError(f"shape of {code} has no polygon after simplification",
                                 code=code, hint="lower SIMPLIFY/GRID in socint.extract.build")
        geom = shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
        m = mapping(geom)
        feats.append({"type": "Feature", "properties": f["properties"],
                      "geometry": {"type": m["type"], "coordinates": _round(m["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats}


def _polygons(geom: Any) -> list[Any]:
    """The polygons of a geometry, collections flattened (lines/points from make_valid dropped)."""
    if geom.geom_type == "Polygon":
        return [geom] if not geom.is_empty else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def _round(coords: Any) -> Any:
    if isinstance(coords[0], (float, int)):
        return [round(float(coords[0]), 4), round(float(coords[1]), 4)]
    return [_round(c) for c in coords]


def expected_codes(b: Builder) -> pd.DataFrame:
    """The English area codes of each vintage, from the lookups (independent of the shapes)."""
    rows = []
    ref11 = lad11_reference(b)
    rows.append(ref11.assign(level="lad", vintage=2011))
    r19 = _england(b.csv("lk_lad19_rgn", dtype=str), "ltla19_code")
    rows.append(pd.DataFrame({"lad_code": r19["ltla19_code"], "lad_name": r19["ltla19_name"],
                              "level": "lad", "vintage": 2019}))
    r21 = _england(b.csv("lk_lad21_rgn", dtype=str), "ltla21_code")
    rows.append(pd.DataFrame({"lad_code": r21["ltla21_code"], "lad_name": r21["ltla21_name"],
                              "level": "lad", "vintage": 2021}))
    r23 = _england(b.csv("lk_lad22_23", dtype=str), "ltla23_code").drop_duplicates("ltla23_code")
    rows.append(pd.DataFrame({"lad_code": r23["ltla23_code"], "lad_name": r23["ltla23_name"],
                              "level": "lad", "vintage": 2023}))
    out = pd.concat(rows, ignore_index=True).rename(columns={"lad_code": "area_code",
                                                             "lad_name": "area_name"})
    m11 = _england(b.csv("lk_msoa11_lad19", dtype=str), "msoa11_code")
    m21 = _england(b.csv("lk_lsoa21", dtype=str).drop_duplicates("msoa21_code"), "msoa21_code")
    msoa = pd.concat([
        pd.DataFrame({"area_code": m11["msoa11_code"], "area_name": m11.get("msoa11_name"),
                      "level": "msoa", "vintage": 2011}),
        pd.DataFrame({"area_code": m21["msoa21_code"], "area_name": m21["msoa21_name"],
                      "level": "msoa", "vintage": 2021})], ignore_index=True)
    out = pd.concat([out, msoa], ignore_index=True)
    out["vintage"] = out["vintage"].astype("int64")
    return out[["level", "vintage", "area_code", "area_name"]].sort_values(
        ["level", "vintage", "area_code"], ignore_index=True)


def boundaries(b: Builder, codes: pd.DataFrame) -> list[Output]:
    from socint.geo.boundaries import (
        LA_YEARS,
        check_boundary_codes,
        feature_codes,
        read_la_topojson,
        read_msoa_geojson,
    )

    out = []
    srcs: list[tuple[str, int, Callable[[], dict[str, Any]], str]] = [
        *[("lad", y, (lambda y=y: read_la_topojson(b.path("topo"), y)), "topo")
          for y in LA_YEARS],
        ("msoa", 2011, lambda: read_msoa_geojson(b.path("msoa11_geo")), "msoa11_geo"),
        ("msoa", 2021, lambda: read_msoa_geojson(b.path("msoa21_geo")), "msoa21_geo"),
    ]
    for level, year, read, key in srcs:
        exp = codes.loc[(codes["level"] == level) & (codes["vintage"] == year), "area_code"]
        fc = simplify_collection(read(), level)
        chk = check_boundary_codes(feature_codes(fc, level), exp, level=level, vintage=year)
        chk.raise_if_bad(b.path(key))
        n_vert = int(sum(np.asarray(_flat(f["geometry"]["coordinates"])).size // 2
                         for f in fc["features"]))
        out.append(Output(
            f"boundaries_{level}{year}", fc, f"{'LA' if level == 'lad' else 'MSOA'} "
            f"boundaries of {year}, England ({chk.n_shapes} shapes, one per area; simplified "
            f"{SIMPLIFY[level]} deg, grid {GRID} deg; {n_vert} vertices)", [key], ONS,
            {"kind": "boundaries", "level": level, "vintage": year,
             "attribution_extra": OS_ATTRIBUTION}))
    return out


def _flat(c: Any) -> list[float]:
    if isinstance(c[0], (float, int)):
        return [float(c[0]), float(c[1])]
    return [x for part in c for x in _flat(part)]


# -- writing --------------------------------------------------------------------------------
def encode(obj: pd.DataFrame | dict[str, Any]) -> tuple[bytes, str, int]:
    """Deterministic bytes, file suffix and row count of a table or boundary set."""
    if isinstance(obj, dict):
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        return (gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0), ".geojson.gz",
                len(obj["features"]))
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(obj.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata(None)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", compression_level=19, use_dictionary=True,
                   write_statistics=False)
    return buf.getvalue(), ".parquet", len(obj)


def build(data: str | Path, out: str | Path) -> dict[str, Any]:
    """Build every extract file from the official files in ``data`` into ``out``.

    Returns the manifest written to ``out/MANIFEST.json``. Refuses (before writing anything
    over the limit) when a file exceeds 2 MB or the whole extract exceeds 10 MB.
    """
    b = Builder(Path(data))
    codes = expected_codes(b)
    outputs = [*tables_2011(b), *tables_iod_ruc(b), *tables_2021(b), *tables_changes(b),
               Output("area_codes", codes, "English area codes and names per level and vintage "
                      "(LA 2011/2019/2021/2023, MSOA 2011/2021), from the ONS lookups: the "
                      "areas a boundary set must cover exactly",
                      ["qs201", "lk_lad19_rgn", "lk_lad21_rgn", "lk_lad22_23",
                       "lk_msoa11_lad19", "lk_lsoa21"], ONS, {"kind": "lookup"})]
    outputs += boundaries(b, codes)
    encoded = [(o, *encode(o.obj)) for o in outputs]
    big = [f"{o.name} ({len(raw)} bytes)" for o, raw, _, _ in encoded if len(raw) > MAX_FILE_BYTES]
    total = sum(len(raw) for _, raw, _, _ in encoded)
    if big or total > MAX_TOTAL_BYTES:
        raise InputDataError(f"extract over its limits: files over 2 MB: {big or 'none'}; "
                             f"total {total} bytes (limit {MAX_TOTAL_BYTES})",
                             hint="simplify boundaries more or keep fewer columns")
    files: dict[str, Any] = {}
    blobs: dict[str, bytes] = {}
    for o, raw, suffix, rows in encoded:
        fname = o.name + suffix
        blobs[fname] = raw
        meta = dict(o.meta)
        extra = meta.pop("attribution_extra", None)
        files[o.name] = {
            "file": fname, "rows": rows, "bytes": len(raw), "sha256": sha256_bytes(raw),
            "description": o.description,
            "columns": list(o.obj.columns) if isinstance(o.obj, pd.DataFrame) else None,
            "sources": [{"file": F[k], "sha256": b.sha(k)} for k in o.sources],
            "publisher": o.publisher, "licence": OGL,
            "attribution": ATTRIBUTION + (f". {extra}" if extra else ""), **meta}
    manifest = {"name": "socint real-England extract", "built_by": "scripts/build_extract.py",
                "licence": OGL, "attribution": ATTRIBUTION, "total_bytes": total,
                "files": files}
    blobs[MANIFEST_NAME] = (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False)
                            + "\n").encode("utf-8")
    _write_folder(Path(out), blobs)
    return manifest


def _write_folder(out: Path, blobs: dict[str, bytes]) -> None:
    """Replace the extract files in ``out`` all at once: written beside it, then swapped in.

    Other files in ``out`` (``__init__.py``, a README) are kept; extract files of an earlier
    build that are no longer produced are removed.
    """
    import shutil
    import tempfile

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=out.parent))
    try:
        for fname, raw in blobs.items():
            (tmp / fname).write_bytes(raw)
        old = [p for p in out.iterdir() if p.name.endswith((".parquet", ".geojson.gz"))
               or p.name == MANIFEST_NAME]
        for p in old:
            p.unlink()
        for fname in sorted(blobs):
            (tmp / fname).replace(out / fname)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = [
    "ATTRIBUTION",
    "GRID",
    "OGL",
    "OS_ATTRIBUTION",
    "SIMPLIFY",
    "F",
    "build",
    "encode",
    "expected_codes",
    "simplify_collection",
]
