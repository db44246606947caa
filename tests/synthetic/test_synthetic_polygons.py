"""Synthetic boundaries: valid, one per area, non-overlapping, tiling the outline."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely
from _synthetic_shared import default_england
from shapely.geometry import Polygon, box, shape

from socint.synthetic.polygons import england_outline, sample_in, to_lonlat, voronoi_cells


def _shapes(fc: dict[str, Any]) -> tuple[list[str], list[Any]]:
    codes = [f["properties"]["area_code"] for f in fc["features"]]
    return codes, [shape(f["geometry"]) for f in fc["features"]]


def _coords(obj: Any) -> list[float]:
    if isinstance(obj, float | int):
        return [float(obj)]
    return [c for o in obj for c in _coords(o)]


def test_voronoi_cells_of_two_points_halve_a_square() -> None:
    # Hand-computed: the bisector of (0.25, 0.5) and (0.75, 0.5) is x = 0.5.
    cells = voronoi_cells(np.array([[0.25, 0.5], [0.75, 0.5]]), box(0, 0, 1, 1))
    assert [c.area for c in cells] == pytest.approx([0.5, 0.5], abs=1e-12)
    assert cells[0].bounds == pytest.approx((0.0, 0.0, 0.5, 1.0))


def test_one_valid_polygon_per_la_with_codes_and_names() -> None:
    e = default_england()
    codes, geoms = _shapes(e.la_geojson)
    assert codes == e.las["lad_code"].tolist()
    assert [f["properties"]["area_name"] for f in e.la_geojson["features"]] == (
        e.las["lad_name"].tolist())
    assert all(g.geom_type in ("Polygon", "MultiPolygon") and g.is_valid and not g.is_empty
               for g in geoms)


@pytest.mark.parametrize("level", ["la", "msoa"])
def test_areas_do_not_overlap_and_tile_the_outline(level: str) -> None:
    e = default_england()
    fc = e.la_geojson if level == "la" else e.msoa_geojson
    _, geoms = _shapes(fc)
    assert all(g.is_valid for g in geoms)
    total = sum(g.area for g in geoms)
    union = shapely.union_all(geoms).area
    outline = to_lonlat(england_outline()).area
    # Snapping to 1e-5 degrees moves edges by at most ~1e-5: a relative 1e-4 is generous.
    assert total == pytest.approx(union, rel=1e-4)
    assert union == pytest.approx(outline, rel=1e-3)


def test_msoas_nest_in_their_la() -> None:
    e = default_england()
    la_codes, la_geoms = _shapes(e.la_geojson)
    la = dict(zip(la_codes, la_geoms, strict=True))
    msoa_codes, msoa_geoms = _shapes(e.msoa_geojson)
    parent = e.msoas.set_index("msoa_code")["lad_code"]
    assert msoa_codes == e.msoas["msoa_code"].tolist()
    for code, g in list(zip(msoa_codes, msoa_geoms, strict=True))[::10]:
        assert g.intersection(la[parent[code]]).area == pytest.approx(g.area, rel=1e-3)


def test_coordinates_are_lonlat_in_england_rounded_to_5_decimals() -> None:
    e = default_england()
    for fc in (e.la_geojson, e.msoa_geojson):
        xy = np.array(_coords([f["geometry"]["coordinates"] for f in fc["features"]]))
        lon, lat = xy[0::2], xy[1::2]
        assert lon.min() >= -6.5 and lon.max() <= 2.0
        assert lat.min() >= 49.8 and lat.max() <= 56.0
        assert np.all(np.round(xy, 5) == xy)


def test_outline_is_a_valid_polygon() -> None:
    outline = england_outline()
    assert isinstance(outline, Polygon) and outline.is_valid


def test_sample_in_stays_inside_and_refuses_empty_shapes() -> None:
    rng = np.random.default_rng(0)
    tri = Polygon([(0, 0), (1, 0), (0, 1)])
    pts = sample_in(tri, 500, rng, centre=(0.2, 0.2), spread=0.3, clustered=0.5)
    assert pts.shape == (500, 2)
    assert (pts[:, 0] >= 0).all() and (pts[:, 1] >= 0).all() and (pts.sum(axis=1) <= 1).all()
    with pytest.raises(ValueError, match="empty geometry"):
        sample_in(Polygon(), 3, rng)
