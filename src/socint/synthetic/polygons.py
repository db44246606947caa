"""Map-like synthetic boundaries: an England-shaped outline cut into nested Voronoi cells.

The outline is a rough, hand-drawn polygon of England's coast and Welsh/Scottish borders (about
40 vertices, lon/lat). It is split into the nine regions (a small ellipse for London, Voronoi
cells of eight region centres for the rest), each region into its local authorities (Voronoi
cells of LA seed points, clipped to the region) and each LA into its MSOAs (Voronoi cells of MSOA
seed points, clipped to the LA). Clipping each level to its parent makes the hierarchy nest
exactly and tile the outline without overlaps (Okabe et al. 2000, *Spatial Tessellations*, on
Voronoi diagrams as models of service areas).

All computation is done in a locally equal-scaled plane, ``x = lon * cos(53°)``, ``y = lat``, so
that cells are not stretched east-west; :func:`to_lonlat` maps back for GeoJSON output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

#: East-west scale factor of the working plane (cosine of England's mid latitude).
LON_SCALE = math.cos(math.radians(53.0))

#: A rough outline of England (lon, lat), clockwise from Land's End.
ENGLAND_OUTLINE_LONLAT: tuple[tuple[float, float], ...] = (
    (-5.70, 50.05), (-5.00, 50.60), (-4.60, 51.00), (-4.20, 51.20), (-3.10, 51.20),
    (-2.65, 51.60), (-2.65, 52.00), (-3.10, 52.50), (-2.75, 53.00), (-3.10, 53.30),
    (-3.05, 53.50), (-2.90, 53.80), (-3.20, 54.10), (-3.60, 54.50), (-3.40, 54.90),
    (-3.05, 55.00), (-2.70, 55.30), (-2.30, 55.60), (-2.00, 55.80), (-1.60, 55.60),
    (-1.45, 55.00), (-1.20, 54.65), (-0.50, 54.40), (-0.20, 54.10), (0.10, 53.60),
    (0.35, 53.45), (0.30, 53.10), (0.50, 52.95), (1.30, 52.95), (1.70, 52.75),
    (1.75, 52.50), (1.30, 51.95), (0.90, 51.75), (0.70, 51.50), (1.45, 51.38),
    (1.40, 51.15), (1.00, 50.95), (0.20, 50.75), (-0.80, 50.75), (-1.30, 50.75),
    (-2.00, 50.60), (-2.90, 50.70), (-3.50, 50.60), (-4.20, 50.35), (-5.00, 50.00),
)

#: London: centre (lon, lat) and semi-axes (degrees lon, degrees lat) of its ellipse.
LONDON_ELLIPSE = ((-0.12, 51.50), (0.36, 0.22))


def to_plane(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat to the working plane."""
    return np.asarray(lon, dtype=float) * LON_SCALE, np.asarray(lat, dtype=float)


def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """Map a working-plane geometry back to lon/lat."""
    return shapely.transform(geom, lambda xy: xy * np.array([1.0 / LON_SCALE, 1.0]))


def england_outline() -> Polygon:
    """The England outline in the working plane (a valid polygon)."""
    x, y = to_plane(*np.array(ENGLAND_OUTLINE_LONLAT).T)
    poly = Polygon(np.column_stack([x, y]))
    return poly if poly.is_valid else shapely.make_valid(poly)


def london_shape(outline: BaseGeometry) -> BaseGeometry:
    """London as an ellipse (working plane), inside the outline."""
    (lon, lat), (ax, ay) = LONDON_ELLIPSE
    x, y = to_plane(lon, lat)
    circle = Point(float(x), float(y)).buffer(1.0, quad_segs=16)
    ellipse = affinity.scale(circle, xfact=ax * LON_SCALE, yfact=ay)
    return ellipse.intersection(outline)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygonal parts of a geometry (clipping can leave lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def voronoi_cells(points: np.ndarray, parent: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of ``points`` (n × 2, inside ``parent``), clipped to ``parent``.

    Cells are returned in the order of ``points``; together they tile ``parent``.
    """
    if len(points) == 1:
        return [parent]
    minx, miny, maxx, maxy = parent.bounds
    pad = max(maxx - minx, maxy - miny)
    extent = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, ordered=True)
    cells = shapely.intersection(np.asarray(diagram.geoms, dtype=object), parent)
    return [_polygonal(c) for c in cells]


def sample_in(geom: BaseGeometry, n: int, rng: np.random.Generator, *,
              centre: tuple[float, float] | None = None, spread: float = 0.0,
              clustered: float = 0.0) -> np.ndarray:
    """Draw ``n`` points inside ``geom`` by rejection sampling.

    A share ``clustered`` of the candidates is drawn from a normal around ``centre`` with
    standard deviation ``spread`` (town centres are denser), the rest uniformly in the bounding
    box; candidates outside ``geom`` are rejected.
    """
    out = np.empty((0, 2))
    if n <= 0:
        return out
    if geom.is_empty or geom.area <= 0:
        raise ValueError(f"cannot sample {n} points in an empty geometry ({geom.geom_type})")
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    for _ in range(100_000):
        if len(out) >= n:
            break
        m = max(4 * n, 16)
        pts = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        if centre is not None and clustered > 0:
            near = rng.random(m) < clustered
            pts[near] = np.asarray(centre) + rng.normal(0.0, spread, (int(near.sum()), 2))
        inside = shapely.contains_xy(geom, pts[:, 0], pts[:, 1])
        out = np.vstack([out, pts[inside]])
    if len(out) < n:
        raise RuntimeError(f"rejection sampling found only {len(out)} of {n} points in a "
                           f"{geom.geom_type} of area {geom.area:.3g}")
    return out[:n]


def region_shapes(outline: BaseGeometry, centres: np.ndarray,
                  london_index: int) -> list[BaseGeometry]:
    """Regions: London's ellipse, then Voronoi cells of the other centres minus London.

    ``centres`` (working plane, one row per region) are in region order; the row at
    ``london_index`` is ignored (London is the ellipse).
    """
    london = london_shape(outline)
    rest = outline.difference(london)
    others = [i for i in range(len(centres)) if i != london_index]
    cells = voronoi_cells(centres[others], rest)
    shapes: list[BaseGeometry] = [Polygon()] * len(centres)
    shapes[london_index] = london
    for i, cell in zip(others, cells, strict=True):
        shapes[i] = cell
    return shapes


def _round_coords(obj: Any, ndigits: int) -> Any:
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, list | tuple):
        return [_round_coords(o, ndigits) for o in obj]
    return obj


def feature_collection(codes: Sequence[str], names: Sequence[str],
                       geoms: Sequence[BaseGeometry], *, ndigits: int = 5) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (lon/lat, coordinates rounded to ``ndigits`` decimals).

    Geometries are snapped to a ``10**-ndigits`` grid with :func:`shapely.set_precision`
    (which keeps them valid) before rounding, so neighbours still share their edges.
    """
    features = []
    for code, name, geom in zip(codes, names, geoms, strict=True):
        snapped = shapely.set_precision(to_lonlat(geom), 10.0 ** -ndigits)
        gj = mapping(snapped)
        features.append({
            "type": "Feature",
            "properties": {"area_code": code, "area_name": name},
            "geometry": {"type": gj["type"],
                         "coordinates": _round_coords(gj["coordinates"], ndigits)},
        })
    return {"type": "FeatureCollection", "features": features}


__all__ = [
    "ENGLAND_OUTLINE_LONLAT",
    "LON_SCALE",
    "england_outline",
    "feature_collection",
    "region_shapes",
    "sample_in",
    "to_lonlat",
    "to_plane",
    "voronoi_cells",
]
