"""Synthetic geography: 9 real regions, invented LAs, MSOAs and LSOAs with valid-looking codes.

Codes follow the ONS GSS shape (entity + six-digit instance) but use instance numbers from
900001 upward, which no real area has, so a synthetic code can never be mistaken for a real one:
LSOA ``E01900001``, MSOA ``E02900001``, LA ``E06900001`` (unitary), ``E07900001`` (non-metropolitan
district), ``E08900001`` (metropolitan district), ``E09900001`` (London borough). Region codes and
names are the real ones (E12000001-E12000009). Names of MSOAs and LSOAs follow the ONS pattern
(``<LA name> 001``, ``<LA name> 001A``). A few LA names copy the awkward punctuation of real ones
("Bristol, City of", "King's Lynn and West Norfolk") so that the readers and the dashboard meet
commas and apostrophes.

Sizes at ``scale=1``: about 310 LAs, 3,100 MSOAs and 15,500 LSOAs, close to half the real 2011
counts of MSOAs and LSOAs (6,791 and 32,844 in England) so that the whole country generates fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from socint.synthetic.polygons import (
    england_outline,
    region_shapes,
    sample_in,
    to_plane,
    voronoi_cells,
)


class RegionSpec(NamedTuple):
    """A real English region and the settings its synthetic LAs are drawn with."""

    code: str
    name: str
    centre: tuple[float, float]
    n_la: int
    cities: tuple[tuple[float, float], ...]
    metropolitan: bool
    deprivation: float


#: The nine English regions (ONS codes and names), with lon/lat of the main cities.
REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("E12000001", "North East", (-1.80, 54.90), 12,
               ((-1.60, 54.97), (-1.23, 54.57)), True, 0.45),
    RegionSpec("E12000002", "North West", (-2.60, 53.95), 39,
               ((-2.24, 53.48), (-2.98, 53.41), (-2.70, 53.76)), True, 0.35),
    RegionSpec("E12000003", "Yorkshire and The Humber", (-1.20, 53.90), 21,
               ((-1.55, 53.80), (-1.47, 53.38), (-0.33, 53.74), (-1.75, 53.79)), True, 0.30),
    RegionSpec("E12000004", "East Midlands", (-0.90, 52.90), 40,
               ((-1.15, 52.95), (-1.13, 52.63), (-1.48, 52.92)), False, 0.10),
    RegionSpec("E12000005", "West Midlands", (-2.20, 52.45), 30,
               ((-1.90, 52.48), (-1.51, 52.41), (-2.13, 52.59)), True, 0.25),
    RegionSpec("E12000006", "East of England", (0.60, 52.30), 45,
               ((0.12, 52.20), (1.30, 52.63), (-0.42, 51.88), (0.70, 51.55)), False, -0.20),
    RegionSpec("E12000007", "London", (-0.12, 51.50), 33, ((-0.12, 51.50),), False, 0.20),
    RegionSpec("E12000008", "South East", (-0.60, 51.20), 62,
               ((-1.40, 50.90), (-0.14, 50.83), (-0.97, 51.45), (-0.75, 51.60)), False, -0.35),
    RegionSpec("E12000009", "South West", (-3.30, 50.90), 27,
               ((-2.59, 51.45), (-4.14, 50.37), (-1.88, 50.72)), False, -0.10),
)
LONDON = "E12000007"

URBAN, SIGNIFICANT_RURAL, RURAL = (
    "Predominantly Urban", "Urban with Significant Rural", "Predominantly Rural")

#: Real-style LA names with awkward punctuation: (name, region code, LA type, which LA gets it:
#: "city" = nearest to the given point, "largest" = largest in area).
SPECIAL_NAMES: tuple[tuple[str, str, str, str, tuple[float, float]], ...] = (
    ("Herefordshire, County of", "E12000005", "E06", "largest", (-2.7, 52.1)),
    ("Bristol, City of", "E12000009", "E06", "city", (-2.59, 51.45)),
    ("King's Lynn and West Norfolk", "E12000006", "E07", "largest", (0.5, 52.7)),
    ("Kingston upon Hull, City of", "E12000003", "E06", "city", (-0.33, 53.74)),
)

_STEMS = (
    "Ash", "Brad", "Cal", "Dun", "Elm", "Fen", "Gran", "Hal", "Kel", "Lang", "Mar", "Nor",
    "Oak", "Pen", "Ribble", "Sal", "Thorn", "Ux", "Wal", "Whit", "Bram", "Chel", "Dor", "Hart",
    "Lynd", "Mel", "Stan", "Tam", "Wey", "Bex", "Crow", "Hol", "Ket", "Lud", "Marl", "Rush",
    "Sand", "Tor", "Wyn", "Ald", "Bur", "Col", "Dart", "Farn", "Glen", "Hun", "Ick", "Kirk",
    "Lox", "Mick", "Ness", "Orm", "Pit", "Quen", "Rother", "Scar", "Tad", "Ulver", "Ven",
    "Wend", "Yar", "Brack", "Clay", "Dew", "Eas", "Fox", "Gos", "Hay", "Ire", "Kings",
)
_ENDINGS = (
    "ford", "ham", "ton", "field", "bury", "by", "worth", "ley", "wick", "mouth", "stead",
    "chester", "borough", "dale", "minster", "well", "hurst", "combe", "ington", "thorpe",
    "bridge", "caster", "wood", "den", "cliffe", "gate", "mere", "holme",
)
_RIVERS = ("Avon", "Trent", "Tyne", "Severn", "Wear", "Tees", "Ouse", "Exe", "Dee", "Lune")


def _la_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct invented LA names in a handful of real naming patterns."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        a = str(rng.choice(_STEMS)) + str(rng.choice(_ENDINGS))
        b = str(rng.choice(_STEMS)) + str(rng.choice(_ENDINGS))
        r = rng.random()
        if r < 0.70:
            name = a
        elif r < 0.80:
            name = f"{a} and {b}"
        elif r < 0.87:
            name = f"{rng.choice(['North', 'South', 'East', 'West', 'Mid'])} {a}"
        elif r < 0.92:
            name = f"{a}-upon-{rng.choice(_RIVERS)}"
        elif r < 0.96:
            name = f"{a} Vale"
        else:
            name = f"St. {a}'s"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


@dataclass(frozen=True)
class Geography:
    """The generated hierarchy, its polygons (working plane) and point positions.

    ``las`` columns: ``lad_code, lad_name, region_code, region_name, la_type, urban_rural``;
    ``msoas``: ``msoa_code, msoa_name, lad_code``; ``lsoas``: ``lsoa_code, lsoa_name,
    msoa_code, lad_code, lon, lat``. Row ``i`` of ``la_xy``/``msoa_xy``/``lsoa_xy`` is the seed
    point of row ``i`` of the frame (working plane); ``la_shapes``/``msoa_shapes`` the polygons.
    """

    regions: pd.DataFrame
    las: pd.DataFrame
    msoas: pd.DataFrame
    lsoas: pd.DataFrame
    la_xy: np.ndarray
    msoa_xy: np.ndarray
    lsoa_xy: np.ndarray
    la_city_distance: np.ndarray
    la_shapes: tuple[BaseGeometry, ...]
    msoa_shapes: tuple[BaseGeometry, ...]
    outline: BaseGeometry


def _n_las(scale: float) -> list[int]:
    return [max(2, round(r.n_la * scale)) for r in REGIONS]


def _la_seeds(rng: np.random.Generator, shapes: list[BaseGeometry],
              counts: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LA seed points per region (40% clustered around the region's cities)."""
    xy, region_idx, city_dist = [], [], []
    for i, (spec, shape, n) in enumerate(zip(REGIONS, shapes, counts, strict=True)):
        cities = np.column_stack(to_plane(*np.array(spec.cities).T))
        pts = np.empty((0, 2))
        while len(pts) < n:
            k = max(n // len(cities), 1)
            for c in cities:
                pts = np.vstack([pts, sample_in(shape, k, rng, centre=(c[0], c[1]),
                                                spread=0.12, clustered=0.4)])
        pts = pts[rng.permutation(len(pts))[:n]]
        d = np.sqrt(((pts[:, None, :] - cities[None, :, :]) ** 2).sum(-1)).min(axis=1)
        xy.append(pts)
        region_idx.append(np.full(n, i))
        city_dist.append(d)
    return np.vstack(xy), np.concatenate(region_idx), np.concatenate(city_dist)


def _assign_types(rng: np.random.Generator, region_idx: np.ndarray, area: np.ndarray,
                  city_dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Urban/rural character (by area rank outside London) and LA type (E06-E09)."""
    n = len(area)
    london = np.array([REGIONS[r].code == LONDON for r in region_idx])
    metro = np.array([REGIONS[r].metropolitan for r in region_idx])
    rank = pd.Series(np.where(london, -1.0, area)).rank(pct=True).to_numpy()
    character = np.where(rank < 0.45, URBAN, np.where(rank < 0.68, SIGNIFICANT_RURAL, RURAL))
    character[london] = URBAN
    la_type = np.where(rng.random(n) < 0.1, "E06", "E07").astype(object)
    urban = character == URBAN
    la_type[urban & (rng.random(n) < 0.5)] = "E06"
    la_type[urban & metro & (city_dist < 0.35)] = "E08"
    la_type[london] = "E09"
    return character.astype(object), la_type


def _apply_special_names(names: list[str], la_type: np.ndarray, region_idx: np.ndarray,
                         area: np.ndarray, xy: np.ndarray) -> None:
    codes = [REGIONS[r].code for r in region_idx]
    used: set[int] = set()
    for name, region, typ, how, point in SPECIAL_NAMES:
        cand = [i for i, c in enumerate(codes) if c == region and i not in used]
        if not cand:
            continue
        if how == "largest":
            pick = max(cand, key=lambda i: area[i])
        else:
            px, py = to_plane(*point)
            pick = min(cand, key=lambda i: (xy[i, 0] - px) ** 2 + (xy[i, 1] - py) ** 2)
        used.add(pick)
        names[pick] = name
        la_type[pick] = typ


def _codes(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{900001 + i:06d}" for i in range(n)]


def build_geography(rng: np.random.Generator, scale: float) -> Geography:
    """Draw the whole hierarchy: regions → LAs → MSOAs → LSOAs, with nested polygons."""
    outline = england_outline()
    centres = np.column_stack(to_plane(*np.array([r.centre for r in REGIONS]).T))
    london_i = [r.code for r in REGIONS].index(LONDON)
    shapes = region_shapes(outline, centres, london_i)
    counts = _n_las(scale)
    la_xy, region_idx, city_dist = _la_seeds(rng, shapes, counts)

    la_shapes: list[BaseGeometry] = []
    for i, shape in enumerate(shapes):
        la_shapes.extend(voronoi_cells(la_xy[region_idx == i], shape))
    area = np.array([g.area for g in la_shapes])
    character, la_type = _assign_types(rng, region_idx, area, city_dist)
    names = _la_names(rng, len(area))
    _apply_special_names(names, la_type, region_idx, area, la_xy)

    la_codes = np.empty(len(area), dtype=object)
    for typ in ("E06", "E07", "E08", "E09"):
        idx = np.flatnonzero(la_type == typ)
        la_codes[idx] = _codes(typ, len(idx))

    base = np.select([character == URBAN, character == SIGNIFICANT_RURAL], [12.0, 8.5], 6.5)
    n_msoa = np.maximum(3, np.round(base * rng.lognormal(0.0, 0.3, len(area)))).astype(int)

    msoa_xy, msoa_shapes, msoa_la = [], [], []
    for i, (shape, n) in enumerate(zip(la_shapes, n_msoa, strict=True)):
        pts = sample_in(shape, int(n), rng, centre=(la_xy[i, 0], la_xy[i, 1]),
                        spread=float(np.sqrt(shape.area)) / 3.0, clustered=0.5)
        msoa_xy.append(pts)
        msoa_shapes.extend(voronoi_cells(pts, shape))
        msoa_la.append(np.full(int(n), i))
    msoa_la_idx = np.concatenate(msoa_la)
    n_lsoa = 3 + rng.binomial(4, 0.5, len(msoa_la_idx))
    lsoa_xy = np.vstack([sample_in(g, int(k), rng) for g, k in
                         zip(msoa_shapes, n_lsoa, strict=True)])
    lsoa_msoa_idx = np.repeat(np.arange(len(msoa_la_idx)), n_lsoa)

    regions = pd.DataFrame({"region_code": [r.code for r in REGIONS],
                            "region_name": [r.name for r in REGIONS]})
    las = pd.DataFrame({
        "lad_code": la_codes, "lad_name": np.array(names, dtype=object),
        "region_code": [REGIONS[r].code for r in region_idx],
        "region_name": [REGIONS[r].name for r in region_idx],
        "la_type": la_type, "urban_rural": character,
    })
    msoa_codes = np.array(_codes("E02", len(msoa_la_idx)), dtype=object)
    within = pd.Series(msoa_la_idx).groupby(msoa_la_idx).cumcount().to_numpy() + 1
    msoas = pd.DataFrame({
        "msoa_code": msoa_codes,
        "msoa_name": [f"{names[la]} {k:03d}" for la, k in zip(msoa_la_idx, within, strict=True)],
        "lad_code": la_codes[msoa_la_idx],
    })
    letter = pd.Series(lsoa_msoa_idx).groupby(lsoa_msoa_idx).cumcount().to_numpy()
    msoa_names = msoas["msoa_name"].to_numpy()
    lsoas = pd.DataFrame({
        "lsoa_code": np.array(_codes("E01", len(lsoa_msoa_idx)), dtype=object),
        "lsoa_name": [f"{msoa_names[m]}{chr(65 + k)}" for m, k in
                      zip(lsoa_msoa_idx, letter, strict=True)],
        "msoa_code": msoa_codes[lsoa_msoa_idx],
        "lad_code": la_codes[msoa_la_idx[lsoa_msoa_idx]],
        "lon": np.round(lsoa_xy[:, 0] / to_plane(1.0, 0.0)[0], 5),
        "lat": np.round(lsoa_xy[:, 1], 5),
    })
    return Geography(regions=regions, las=las, msoas=msoas, lsoas=lsoas, la_xy=la_xy,
                     msoa_xy=np.vstack(msoa_xy), lsoa_xy=lsoa_xy, la_city_distance=city_dist,
                     la_shapes=tuple(la_shapes), msoa_shapes=tuple(msoa_shapes),
                     outline=outline)


def lookup_frame(geo: Geography) -> pd.DataFrame:
    """The contract's lookup layout: one row per LSOA with every parent's code and name."""
    out = geo.lsoas[["lsoa_code", "lsoa_name", "msoa_code"]].merge(
        geo.msoas, on="msoa_code", how="left", validate="many_to_one")
    out = out.merge(geo.las[["lad_code", "lad_name", "region_code", "region_name"]],
                    on="lad_code", how="left", validate="many_to_one")
    return out[["lsoa_code", "lsoa_name", "msoa_code", "msoa_name", "lad_code", "lad_name",
                "region_code", "region_name"]]


__all__ = ["LONDON", "REGIONS", "SPECIAL_NAMES", "Geography", "RegionSpec", "build_geography",
           "lookup_frame"]
