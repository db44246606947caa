"""Map projection against hand-computed coordinates; colours against the WCAG definitions."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from socint.report.geometry import MAP_PAD, MAP_WIDTH, fit_projection, path_data
from socint.report.palette import (
    CSS_COLOURS,
    DECILE_COLOURS,
    TEXT_PAIRS,
    contrast_ratio,
    relative_luminance,
)
from socint.report.site import stylesheet


def _square(lon: float, lat: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + 1, lat], [lon + 1, lat + 1], [lon, lat + 1], [lon, lat]]
    return {"type": "Feature", "properties": {"area_code": f"X{lon:.0f}"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


TWO_SQUARES = {"type": "FeatureCollection", "features": [_square(0, 50), _square(1, 50)]}


def test_projection_hand_computed() -> None:
    # Data span lon 0..2, lat 50..51; centre latitude 50.5 deg.
    cos0 = math.cos(math.radians(50.5))
    k = (MAP_WIDTH - 2 * MAP_PAD) / (2 * cos0)
    proj = fit_projection(TWO_SQUARES)
    assert proj.scale == pytest.approx(k)
    assert proj(0, 51) == pytest.approx((MAP_PAD, MAP_PAD))          # north-west corner
    assert proj(2, 50) == pytest.approx((MAP_WIDTH - MAP_PAD, k + MAP_PAD))
    assert proj.height == pytest.approx(k + 2 * MAP_PAD)
    # A 1x1 degree cell is cos(phi0) as wide as it is tall (equirectangular at phi0).
    (x0, y0), (x1, y1) = proj(0, 51), proj(1, 50)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(cos0)


def test_path_data_of_a_square() -> None:
    proj = fit_projection(TWO_SQUARES)
    d = path_data(TWO_SQUARES["features"][1]["geometry"], proj)  # type: ignore[index]
    nums = [float(v) for v in re.findall(r"-?\d+\.\d", d)]
    xs, ys = nums[0::2], nums[1::2]
    assert d.startswith("M") and d.endswith("Z") and d.count("M") == 1
    assert min(xs) == pytest.approx(500.0, abs=0.06)      # lon 1 is the middle of the map
    assert max(xs) == pytest.approx(MAP_WIDTH - MAP_PAD, abs=0.06)
    assert min(ys) == pytest.approx(MAP_PAD, abs=0.06)


def test_multipolygon_with_hole_gives_one_subpath_per_ring() -> None:
    outer = [[0, 50], [3, 50], [3, 53], [0, 53], [0, 50]]
    hole = [[1, 51], [2, 51], [2, 52], [1, 52], [1, 51]]
    geom = {"type": "MultiPolygon", "coordinates": [[outer, hole], [[[4, 50], [5, 50],
                                                                    [5, 51], [4, 50]]]]}
    fc = {"type": "FeatureCollection",
          "features": [{"type": "Feature", "properties": {"area_code": "A"}, "geometry": geom}]}
    d = path_data(geom, fit_projection(fc))
    assert d.count("M") == 3 and d.count("Z") == 3


def test_wcag_contrast_reference_values() -> None:
    # WCAG 2.1 definition: black on white is 21:1, white on white 1:1; #777777 on white is the
    # well-known 4.48:1 that just fails AA.
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_meet_wcag_aa(fg: str, bg: str) -> None:
    assert contrast_ratio(CSS_COLOURS[fg], CSS_COLOURS[bg]) >= 4.5


def test_stylesheet_uses_the_checked_colours() -> None:
    css = stylesheet()
    for name, colour in CSS_COLOURS.items():
        assert f"--{name.replace('_', '-')}: {colour};" in css
    # text colours in the static rules come only from the checked custom properties
    for m in re.finditer(r"(?<![-\w])color:\s*([^;]+);", css):
        assert m.group(1).strip().startswith("var(--"), m.group(0)


def test_decile_palette_is_ordered_in_lightness() -> None:
    # Readable without hue (greyscale, colour-vision deficiency): luminance rises with decile.
    lum = [relative_luminance(c) for c in DECILE_COLOURS]
    assert len(set(DECILE_COLOURS)) == 10
    assert all(b > a for a, b in itertools.pairwise(lum))
