"""Boundary readers: a hand-made topology with known coordinates, and the ONS TopoJSON decoded
here vs the independently generalised geographr GeoJSON of the same LAs (shapely area/bounds)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from shapely.geometry import shape

from conftest import shared_path
from socint.data import decode_arcs, read_boundaries, read_official
from socint.errors import InputDataError, SchemaError

# Two unit squares side by side sharing the edge B-C. Quantized grid (scale 0.5, 0.25;
# translate 10, 50): A(0,0) B(2,0) C(2,4) D(0,4) E(4,0) F(4,4) -> lon 10..12, lat 50..51.
TINY: dict[str, Any] = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [10.0, 50.0]},
    "arcs": [
        [[2, 0], [0, 4]],                       # 0: B -> C (shared edge)
        [[2, 4], [-2, 0], [0, -4], [2, 0]],     # 1: C -> D -> A -> B
        [[2, 0], [2, 0], [0, 4], [-2, 0]],      # 2: B -> E -> F -> C
    ],
    "objects": {"ltla": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "arcs": [[1, 0]],
         "properties": {"areacd": "E06000001", "areanm": "West"}},
        {"type": "Polygon", "arcs": [[2, -1]],
         "properties": {"areacd": "E06000002", "areanm": "East", "end": 2018}},
        {"type": "MultiPolygon", "arcs": [[[1, 0]], [[2, -1]]],
         "properties": {"areacd": "E06000003", "areanm": "Merged", "start": 2019}},
        {"type": "Polygon", "arcs": [[1, 0]],
         "properties": {"areacd": "S12000001", "areanm": "Scottish"}},
    ]}},
}


def _write(tmp_path: Path, obj: dict[str, Any], name: str = "tiny.topojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return path


def test_tiny_topology_decodes_to_known_coordinates(tmp_path: Path) -> None:
    t = read_boundaries(_write(tmp_path, TINY))
    assert t.kind == "boundaries" and t.level == "lad"
    g = t.data.set_index("area_code")["geometry"]
    assert "S12000001" not in g.index  # England and Wales only by default
    assert g["E06000001"]["coordinates"] == [[[11, 51], [10, 51], [10, 50], [11, 50], [11, 51]]]
    # Reversed shared arc (index -1 = ~0): C -> B, joined without repeating C.
    assert g["E06000002"]["coordinates"] == [[[11, 50], [12, 50], [12, 51], [11, 51], [11, 50]]]
    merged = shape(g["E06000003"])
    assert merged.area == pytest.approx(2.0) and merged.bounds == (10, 50, 12, 51)
    assert shape(g["E06000001"]).union(shape(g["E06000002"])).area == pytest.approx(2.0)


def test_tiny_topology_year_filter(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    assert set(read_boundaries(path, year=2018).data["area_code"]) == {"E06000001", "E06000002"}
    t19 = read_boundaries(path, year=2019)
    assert set(t19.data["area_code"]) == {"E06000001", "E06000003"} and t19.vintage == 2019
    assert len(read_boundaries(path, countries="S").data) == 1


def test_unquantized_topology(tmp_path: Path) -> None:
    topo = {"type": "Topology", "arcs": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
            "objects": {"ltla": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0]], "properties": {"areacd": "E06000001"}}]}}}
    arcs = decode_arcs(topo)
    np.testing.assert_array_equal(arcs[0], [[0, 0], [1, 0], [1, 1], [0, 0]])
    assert read_boundaries(_write(tmp_path, topo)).data["area_name"].isna().all()


def test_open_ring_is_rejected(tmp_path: Path) -> None:
    broken = json.loads(json.dumps(TINY))
    broken["objects"]["ltla"]["geometries"][0]["arcs"] = [[1]]  # C -> D -> A -> B, not closed
    with pytest.raises(InputDataError, match="not closed") as err:
        read_boundaries(_write(tmp_path, broken))
    assert err.value.row == 1 and err.value.code == "E06000001"


def test_unknown_layer_and_options_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, TINY)
    with pytest.raises(SchemaError, match="no layer 'wards'"):
        read_boundaries(path, layer="wards")
    gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "lsoa11_code": "E01000001", "lsoa11_name": "A"}, "geometry": {
        "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}
    gpath = _write(tmp_path, gj, "one.geojson")
    with pytest.raises(ValueError, match="TopoJSON only"):
        read_boundaries(gpath, year=2019)
    t = read_official(gpath)
    assert (t.level, t.vintage, t.layout) == ("lsoa", 2011, "boundaries_geojson")


def test_ons_topojson_la_counts_by_year() -> None:
    # README check: English LTLAs alive in a year: 326 (2014-2018), 317 (2019), 309 (2021),
    # 296 (2023) - the published LA sets of those years.
    path = shared_path("ons_uk_topojson_lad_2014_2025", "uk_topo_2014_2025.topojson")
    counts = {y: len(read_boundaries(path, year=y, countries="E").data)
              for y in (2014, 2018, 2019, 2021, 2023)}
    assert counts == {2014: 326, 2018: 326, 2019: 317, 2021: 309, 2023: 296}


def test_topojson_decoder_matches_independent_geojson() -> None:
    """Decoded ONS TopoJSON (2016 super-generalised) vs geographr LAD 2019 (ultra generalised).

    Different generalisations, so a loose tolerance: median |area ratio - 1| < 2 %, each of
    five mainland LAs within 6 % in area and 0.03 degrees in bounds.
    """
    topo = read_boundaries(shared_path("ons_uk_topojson_lad_2014_2025",
                                       "uk_topo_2014_2025.topojson"), year=2019)
    ref = read_boundaries(shared_path("geographr_lookups_boundaries",
                                      "boundaries_ltla19.geojson"))
    a = topo.data.set_index("area_code")["geometry"]
    b = ref.data.set_index("area_code")["geometry"]
    common = a.index.intersection(b.index)
    assert len(common) >= 330
    ratios = np.array([shape(a[c]).area / shape(b[c]).area - 1 for c in common])
    assert np.median(np.abs(ratios)) < 0.02
    for code in ("E06000001", "E06000016", "E08000032", "E06000052", "E09000030"):
        ga, gb = shape(a[code]), shape(b[code])
        assert ga.area / gb.area == pytest.approx(1, abs=0.06), code
        assert np.abs(np.subtract(ga.bounds, gb.bounds)).max() < 0.03, code


def test_geojson_files() -> None:
    t = read_boundaries(shared_path("geographr_lookups_boundaries", "boundaries_ltla19.geojson"))
    assert (t.level, t.vintage) == ("lad", 2019)
    assert int(t.data["area_code"].str.startswith("E").sum()) == 317
    assert t.meta["features_in_file"] == 382
    sizes = {}
    for lad in ("E09000001", "E06000001", "E06000016", "E06000017", "E09000030", "E08000032"):
        m = read_boundaries(shared_path("geo_lookups_drkane", "msoa11_boundaries_sample",
                                        f"{lad}.geojson"))
        sizes[lad] = len(m.data)
        assert m.level == "msoa" and m.vintage == 2011
    assert list(sizes.values()) == [1, 12, 37, 5, 32, 61]  # README feature counts


@pytest.mark.slow
def test_lsoa_geojson_full() -> None:
    t = read_boundaries(shared_path("geographr_lookups_boundaries", "boundaries_lsoa11.geojson"))
    assert len(t.data) == 34_753 and t.level == "lsoa"
