"""Boundary sets of the extract: simplified, snapped, checked to one shape per area."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import InputDataError
from socint.extract.common import (
    GRID,
    ONS,
    OS_ATTRIBUTION,
    SIMPLIFY,
    Builder,
    Output,
    _england,
    lad11_reference,
)


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



__all__ = ["boundaries", "expected_codes", "simplify_collection"]
