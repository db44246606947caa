"""Project LA polygons (GeoJSON lon/lat) to SVG path data for the offline map.

The map needs no tiles and no JavaScript mapping library: the polygons are projected once, in
Python, with an equirectangular projection scaled by ``cos(φ0)`` at the centre latitude φ0 (an
equidistant cylindrical projection, Snyder 1987, *Map Projections — A Working Manual*, §12),
which is accurate enough for a choropleth of England (latitudes 50–56°). Coordinates are then
fitted to an SVG ``viewBox`` of fixed width with the y axis pointing down, and rounded to one
decimal (0.1 px of a 1000 px wide map) to keep the pages small.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from socint.report.inputs import feature_code

#: Width of the SVG viewBox in user units.
MAP_WIDTH = 1000.0
#: Margin around the map in user units.
MAP_PAD = 10.0


@dataclass(frozen=True)
class Projection:
    """Lon/lat -> SVG user units: ``x = (lon - lon0)·k·cos φ0 + pad``, ``y = (lat1 - lat)·k + pad``.

    ``lon0``/``lat1`` are the west and north edges of the data, φ0 its centre latitude and ``k``
    the scale that makes the map :data:`MAP_WIDTH` wide.
    """

    lon0: float
    lat1: float
    cos_phi0: float
    scale: float
    width: float
    height: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        """Project one point."""
        return ((lon - self.lon0) * self.cos_phi0 * self.scale + MAP_PAD,
                (self.lat1 - lat) * self.scale + MAP_PAD)

    @property
    def view_box(self) -> str:
        """The SVG ``viewBox`` attribute covering the map."""
        return f"0 0 {self.width:.1f} {self.height:.1f}"


def _rings(geometry: Mapping[str, Any]) -> Iterator[list[list[float]]]:
    """Every ring of a Polygon or MultiPolygon."""
    coords = geometry["coordinates"]
    polys = [coords] if geometry["type"] == "Polygon" else coords
    for poly in polys:
        yield from poly


def fit_projection(collection: Mapping[str, Any]) -> Projection:
    """The projection fitting all features of a FeatureCollection into the viewBox."""
    lons: list[float] = []
    lats: list[float] = []
    for feat in collection["features"]:
        for ring in _rings(feat["geometry"]):
            for pt in ring:
                lons.append(float(pt[0]))
                lats.append(float(pt[1]))
    lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
    cos_phi0 = math.cos(math.radians((lat0 + lat1) / 2.0))
    span_x = max((lon1 - lon0) * cos_phi0, 1e-9)
    scale = (MAP_WIDTH - 2 * MAP_PAD) / span_x
    height = (lat1 - lat0) * scale + 2 * MAP_PAD
    return Projection(lon0, lat1, cos_phi0, scale, MAP_WIDTH, height)


def path_data(geometry: Mapping[str, Any], proj: Projection) -> str:
    """SVG path data (``M x y L … Z`` per ring) of one Polygon/MultiPolygon.

    Consecutive points that round to the same position are dropped; the fill rule
    ``evenodd`` (set in the CSS) makes inner rings holes.
    """
    parts: list[str] = []
    for ring in _rings(geometry):
        last = ""
        cmds: list[str] = []
        for pt in ring:
            x, y = proj(float(pt[0]), float(pt[1]))
            xy = f"{x:.1f} {y:.1f}"
            if xy != last:
                cmds.append(("M" if not cmds else "L") + xy)
                last = xy
        if len(cmds) >= 3:
            parts.append("".join(cmds) + "Z")
    return "".join(parts)


def project_collection(collection: Mapping[str, Any], level: str = "lad"
                       ) -> tuple[Projection, dict[str, str]]:
    """Project every feature: the fitted projection and ``area code -> path data``."""
    proj = fit_projection(collection)
    paths: dict[str, str] = {}
    for feat in collection["features"]:
        code = feature_code(feat, level)
        if code is not None:
            paths[code] = path_data(feat["geometry"], proj)
    return proj, paths


__all__ = ["MAP_PAD", "MAP_WIDTH", "Projection", "fit_projection", "path_data",
           "project_collection"]
