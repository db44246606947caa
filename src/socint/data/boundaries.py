"""Area boundaries from GeoJSON FeatureCollections and TopoJSON topologies.

GeoJSON (RFC 7946) files are read as they are; TopoJSON (Bostock, *TopoJSON Format
Specification* 1.0) is decoded here: quantized arcs are delta-encoded integer positions, turned
into coordinates by a running sum times ``transform.scale`` plus ``transform.translate``; a
polygon ring lists arc indices, where a negative index ``~i`` means arc ``i`` reversed, and
consecutive arcs share their joining position, which is kept once.

Every ring is checked to be closed (first position = last) and to have at least 4 positions.
The output ``data`` has ``area_code``, ``area_name`` and ``geometry`` (a GeoJSON geometry dict,
lon/lat WGS84), England and Wales rows by default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socint.data.source import check_file, head_bytes, sha256_of
from socint.data.table import OGL, ONS, OfficialTable
from socint.data.validate import check_unique
from socint.errors import InputDataError, SchemaError, _preview
from socint.geo.codes import is_gss, levels_of

#: TopoJSON layer (object name) -> geography level.
TOPO_LAYER_LEVELS: dict[str, str] = {"ltla": "lad", "utla": "utla", "rgn": "region",
                                     "ctry": "country"}
_CODE_KEY = re.compile(r"^(?P<lvl>[A-Za-z]+?)(?P<yy>\d\d)(?:_code|CD)$")


def _load_json(p: Path) -> dict[str, Any]:
    try:
        raw = head_bytes(p, -1)  # gunzips a .geojson.gz
        obj = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputDataError(f"JSON is not UTF-8 text (byte at offset {exc.start})", file=p,
                             hint="GeoJSON/TopoJSON must be UTF-8; re-save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise InputDataError(f"not valid JSON: {exc.msg} at line {exc.lineno}", file=p,
                             hint="the file looks truncated or is not (Geo/Topo)JSON") from exc
    if not isinstance(obj, dict):
        raise SchemaError("JSON top level is not an object", file=p)
    return obj


def _check_rings(geometry: dict[str, Any], *, file: Path, row: int, code: str) -> None:
    gtype = geometry.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        raise InputDataError(f"geometry type is {gtype!r}, expected Polygon or MultiPolygon",
                             file=file, row=row, column="geometry", code=code)
    polygons = geometry["coordinates"] if gtype == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        for ring in polygon:
            if len(ring) < 4 or ring[0][0] != ring[-1][0] or ring[0][1] != ring[-1][1]:
                raise InputDataError(
                    f"a ring of {len(ring)} positions is not closed or too short (first "
                    f"{ring[0] if ring else None}, last {ring[-1] if ring else None})",
                    file=file, row=row,
                    column="geometry", code=code,
                    hint="each ring must end where it starts and have at least 4 positions")


def _code_keys(properties: dict[str, Any]) -> tuple[str, str | None, int | None]:
    """Find the code property, its name property and the vintage its name implies."""
    for key in properties:
        m = _CODE_KEY.match(key)
        if m:
            name_key = key[: -len("_code")] + "_name" if key.endswith("_code") else key[:-2] + "NM"
            return key, (name_key if name_key in properties else None), 2000 + int(m["yy"])
    if "areacd" in properties:
        return "areacd", "areanm" if "areanm" in properties else None, None
    raise SchemaError(f"no area-code property among {_preview(list(properties))}",
                      hint="expected a property like lsoa11_code, LSOA11CD or areacd")


def _table(p: Path, rows: list[tuple[str, Any, dict[str, Any]]], *, dataset: str,
           level: str | None, vintage: int | None, layout: str,
           meta: dict[str, Any]) -> OfficialTable:
    data = pd.DataFrame(rows, columns=["area_code", "area_name", "geometry"])
    if data.empty:
        raise InputDataError("no features left after filtering by country and year", file=p,
                             hint="check the countries and year asked for")
    codes = data["area_code"].to_numpy(dtype=object)
    check_unique(codes, file=p, column="area_code")
    return OfficialTable(dataset=dataset, kind="boundaries",
                         level=level, vintage=vintage, topic=None, scheme=None, data=data,
                         areas=None, source=f"{ONS}, Open Geography portal boundaries",
                         licence=OGL, path=p, sha256=sha256_of(p), layout=layout, meta=meta)


def _single_level(codes: Sequence[str], p: Path) -> str | None:
    found = levels_of(pd.Series(list(codes), dtype=object)).dropna().unique()
    if len(found) > 1:
        raise InputDataError(f"features mix geography levels {_preview(sorted(found))}", file=p,
                             hint="keep one level per file")
    return str(found[0]) if len(found) else None


def _read_geojson(p: Path, obj: dict[str, Any], countries: str) -> OfficialTable:
    features = obj.get("features")
    if obj.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise SchemaError(f"GeoJSON type is {obj.get('type')!r}, expected a FeatureCollection",
                          file=p)
    if not features:
        raise InputDataError("FeatureCollection has no features", file=p)
    code_key, name_key, vintage = _code_keys(features[0].get("properties") or {})
    rows: list[tuple[str, Any, dict[str, Any]]] = []
    for i, feat in enumerate(features, start=1):
        props = feat.get("properties") or {}
        code = str(props.get(code_key, ""))
        if not code:
            raise InputDataError(f"feature has no {code_key} property", file=p, row=i,
                                 column=code_key)
        if code[:1] not in countries:
            continue
        geometry = feat.get("geometry") or {}
        _check_rings(geometry, file=p, row=i, code=code)
        rows.append((code, props.get(name_key) if name_key else None, geometry))
    level = _single_level([r[0] for r in rows], p)
    # Dataset id unique per file: per-LA sample files (named by a GSS code) get the code.
    dataset = f"boundaries_{level or 'areas'}{vintage or ''}"
    if is_gss(p.stem):
        dataset += f"_{p.stem}"
    return _table(p, rows, dataset=dataset, level=level, vintage=vintage,
                  layout="boundaries_geojson",
                  meta={"code_property": code_key, "features_in_file": len(features)})


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Absolute coordinates of every arc of a TopoJSON topology (n × 2 float arrays)."""
    transform = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        a = np.asarray(arc, dtype=float)[:, :2]
        if transform:
            a = np.cumsum(a, axis=0) * np.asarray(transform["scale"], dtype=float) \
                + np.asarray(transform["translate"], dtype=float)
        out.append(a)
    return out


def _ring(indexes: Sequence[int], arcs: list[np.ndarray]) -> list[list[float]]:
    parts = []
    for k, idx in enumerate(indexes):
        a = arcs[idx] if idx >= 0 else arcs[~idx][::-1]
        parts.append(a if k == 0 else a[1:])
    return np.vstack(parts).tolist()


def topo_geometry(geom: dict[str, Any], arcs: list[np.ndarray]) -> dict[str, Any]:
    """Decode one TopoJSON Polygon/MultiPolygon geometry object to a GeoJSON geometry dict."""
    gtype = geom.get("type")
    if gtype == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in geom["arcs"]]}
    if gtype == "MultiPolygon":
        return {"type": "MultiPolygon",
                "coordinates": [[_ring(r, arcs) for r in poly] for poly in geom["arcs"]]}
    return {"type": gtype, "coordinates": []}


def _alive(props: dict[str, Any], year: int | None) -> bool:
    if year is None:
        return True
    start, end = props.get("start"), props.get("end")
    return (start is None or int(start) <= year) and (end is None or year <= int(end))


def _read_topojson(p: Path, obj: dict[str, Any], layer: str, year: int | None,
                   countries: str) -> OfficialTable:
    objects = obj.get("objects") or {}
    if layer not in objects:
        raise SchemaError(f"TopoJSON has no layer {layer!r}; layers: {_preview(list(objects))}",
                          file=p, hint="pass layer= one of the layers listed")
    arcs = decode_arcs(obj)
    rows: list[tuple[str, Any, dict[str, Any]]] = []
    geometries = objects[layer].get("geometries", [])
    for i, geom in enumerate(geometries, start=1):
        props = geom.get("properties") or {}
        code = str(props.get("areacd", ""))
        if code[:1] not in countries or not _alive(props, year):
            continue
        try:
            geometry = topo_geometry(geom, arcs)
        except IndexError as exc:
            raise InputDataError(f"geometry refers to an arc that does not exist ({exc})",
                                 file=p, row=i, column="arcs", code=code) from exc
        _check_rings(geometry, file=p, row=i, code=code)
        rows.append((code, props.get("areanm"), geometry))
    return _table(p, rows, dataset=f"boundaries_{layer}{year or ''}_topojson",
                  level=TOPO_LAYER_LEVELS.get(layer), vintage=year,
                  layout="boundaries_topojson",
                  meta={"layer": layer, "year": year, "features_in_layer": len(geometries)})


def read_boundaries(path: str | Path, *, layer: str | None = None, year: int | None = None,
                    countries: str = "EW") -> OfficialTable:
    """Read area boundaries from a GeoJSON FeatureCollection or a TopoJSON topology.

    Parameters
    ----------
    layer
        TopoJSON only: the object to read (default ``"ltla"``; also ``utla``, ``rgn``,
        ``ctry``, …). Refused for GeoJSON, which has one layer.
    year
        TopoJSON only: keep features alive in ``year`` (``start <= year <= end`` where given).
        The vintage of the output is ``year``. Refused for GeoJSON (its vintage comes from the
        code property name, e.g. ``ltla19_code`` -> 2019).
    countries
        Country letters of the codes kept (England and Wales by default).

    Returns
    -------
    OfficialTable
        kind ``boundaries``: ``area_code``, ``area_name``, ``geometry`` (GeoJSON dict).
    """
    p = check_file(path)
    if not countries or set(countries) - set("EWSNK"):
        raise ValueError(f"countries was {countries!r} but is expected to be letters from 'EWSNK'")
    obj = _load_json(p)
    if obj.get("type") == "Topology":
        return _read_topojson(p, obj, layer or "ltla", year, countries)
    if layer is not None or year is not None:
        raise ValueError("layer and year apply to TopoJSON only; a GeoJSON file has one layer "
                         f"and its own vintage (got layer={layer!r}, year={year!r})")
    return _read_geojson(p, obj, countries)


__all__ = ["TOPO_LAYER_LEVELS", "decode_arcs", "read_boundaries", "topo_geometry"]
