"""Boundaries matched to a vintage: exactly one shape per area of that vintage, no holes, no strays.

A map is only right when its shapes are the areas of the table's own vintage. LA sets change
(``socint.geo.vintages``): a 2011 table drawn on 2019 LA shapes leaves holes where LAs were
recoded or merged, and a TopoJSON holding every LA of 2014-2025 adds stray shapes from other
years. Here a boundary set is always selected *for a year* and checked against the independent
list of that year's area codes (from the ONS lookups), so a missing shape (a hole) or a shape of
another vintage (a stray) is reported by code, never drawn silently.

LA sets (England): 2011 = the 326 LAs of the 2011 Census (with the six codes re-issued in
2013, as Nomis publishes the census tables; :data:`socint.geo.vintages.RECODES_2013`); 2019 = 317;
2021 = 309 (LTLA21 = LAD22); 2023 = 296. MSOA vintages: 2011 (6,791 English MSOAs) and 2021
(6,856).

Boundaries are GeoJSON ``FeatureCollection`` dicts whose features carry ``lad_code``/
``lad_name`` (or ``msoa_code``/``msoa_name``), lon/lat WGS84. Without a ``path`` they come from
the bundled extract (simplified, :mod:`socint.extract`); with a ``path`` they are read from the
official file (the ONS TopoJSON of 2014-2025 for LAs, a GeoJSON for MSOAs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import GeographyError, _preview

#: LA years with a bundled boundary set and code list.
LA_YEARS: tuple[int, ...] = (2011, 2019, 2021, 2023)
#: MSOA vintages with a bundled boundary set and code list.
MSOA_VINTAGES: tuple[int, ...] = (2011, 2021)
#: Number of English areas per set (ONS; checked against the lookups by the extract build).
EXPECTED_COUNTS: Mapping[tuple[str, int], int] = {
    ("lad", 2011): 326, ("lad", 2019): 317, ("lad", 2021): 309, ("lad", 2023): 296,
    ("msoa", 2011): 6791, ("msoa", 2021): 6856,
}


@dataclass(frozen=True)
class BoundaryCheck:
    """How a set of shapes matches the area codes of a vintage.

    ``missing`` are areas with no shape (holes in the map), ``stray`` shapes of codes that are
    not areas of the vintage, ``duplicated`` codes with more than one shape.
    """

    level: str
    vintage: int
    n_expected: int
    n_shapes: int
    missing: tuple[str, ...]
    stray: tuple[str, ...]
    duplicated: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when there is exactly one shape per area and nothing else."""
        return not (self.missing or self.stray or self.duplicated)

    def describe(self) -> str:
        """One line: counts and the offending codes."""
        parts = [f"{self.n_shapes} shape(s) for {self.n_expected} {self.level} areas of "
                 f"{self.vintage}"]
        if self.missing:
            parts.append(f"{len(self.missing)} missing (holes): {_preview(self.missing, 10)}")
        if self.stray:
            parts.append(f"{len(self.stray)} stray (not of {self.vintage}): "
                         f"{_preview(self.stray, 10)}")
        if self.duplicated:
            parts.append(f"{len(self.duplicated)} duplicated: {_preview(self.duplicated, 10)}")
        return "; ".join(parts)

    def raise_if_bad(self, file: str | Path | None = None) -> None:
        """Raise :class:`GeographyError` naming every missing, stray or duplicated code."""
        if not self.ok:
            first = (self.missing or self.stray or self.duplicated)[0]
            raise GeographyError(
                self.describe(), file=file, code=first,
                hint=f"use boundaries of the {self.level} set of {self.vintage} (e.g. "
                f"socint.geo.la_boundaries({self.vintage}) or msoa_boundaries), or convert the "
                "table to the boundaries' vintage first")


def check_boundary_codes(codes: Iterable[str], expected: Iterable[str], *, level: str,
                         vintage: int) -> BoundaryCheck:
    """Compare the codes of a set of shapes with the codes of the areas of a vintage."""
    got = [str(c) for c in codes]
    exp = set(map(str, expected))
    counts = Counter(got)
    return BoundaryCheck(
        level=level, vintage=vintage, n_expected=len(exp), n_shapes=len(got),
        missing=tuple(sorted(exp - set(got))), stray=tuple(sorted(set(got) - exp)),
        duplicated=tuple(sorted(c for c, n in counts.items() if n > 1)))


def feature_codes(collection: Mapping[str, Any], level: str) -> list[str]:
    """The ``<level>_code`` property of every feature of a FeatureCollection."""
    key = f"{level}_code"
    return [str((f.get("properties") or {}).get(key)) for f in collection.get("features", [])]


def _collection(rows: Iterable[tuple[str, Any, dict[str, Any]]], level: str) -> dict[str, Any]:
    feats = [{"type": "Feature", "properties": {f"{level}_code": c, f"{level}_name": n},
              "geometry": g} for c, n, g in sorted(rows, key=lambda r: r[0])]
    return {"type": "FeatureCollection", "features": feats}


def _check_year(level: str, year: int) -> None:
    allowed = LA_YEARS if level == "lad" else MSOA_VINTAGES
    if year not in allowed:
        raise GeographyError(
            f"no {level} boundary set for {year}; sets exist for {', '.join(map(str, allowed))}",
            hint="LA outputs of other years: convert them with socint.geo.convert_la_vintage")


def read_la_topojson(path: str | Path, year: int) -> dict[str, Any]:
    """English LA shapes of ``year`` from the ONS TopoJSON of 2014-2025 (features with start/end).

    ``year=2011`` selects the 2014 set: the same 326 areas, with the codes re-issued in 2013,
    which are the codes of the Census 2011 tables as ONS/Nomis publish them (QS201EW,
    DC2101EW). A table on the original 2011 codes (E06000048, …) needs
    :func:`socint.geo.recode_2011_to_2013` first.
    """
    from socint.data.boundaries import read_boundaries

    table = read_boundaries(path, layer="ltla", year=max(year, 2014), countries="E")
    codes = table.data["area_code"].astype(str)
    return _collection(zip(codes, table.data["area_name"], table.data["geometry"],
                           strict=True), "lad")


def read_msoa_geojson(path: str | Path) -> dict[str, Any]:
    """English MSOA shapes from an MSOA GeoJSON (vintage from its code property)."""
    from socint.data.boundaries import read_boundaries

    table = read_boundaries(path, countries="E")
    return _collection(zip(table.data["area_code"], table.data["area_name"],
                           table.data["geometry"], strict=True), "msoa")


def area_codes(level: str, vintage: int) -> frozenset[str]:
    """English area codes of a vintage, from the bundled extract's ``area_codes`` table."""
    from socint.extract import load

    _check_year(level, vintage)
    tab = load("area_codes")
    assert isinstance(tab, pd.DataFrame)
    sel = tab[(tab["level"] == level) & (tab["vintage"] == vintage)]
    return frozenset(sel["area_code"].astype(str))


def _checked(fc: dict[str, Any], level: str, year: int, expected: Iterable[str] | None,
             file: str | Path | None) -> dict[str, Any]:
    exp = area_codes(level, year) if expected is None else expected
    check_boundary_codes(feature_codes(fc, level), exp, level=level,
                         vintage=year).raise_if_bad(file)
    return fc


def la_boundaries(year: int, *, path: str | Path | None = None,
                  expected: Iterable[str] | None = None) -> dict[str, Any]:
    """English LA boundaries of ``year``, checked to hold exactly one shape per LA.

    Parameters
    ----------
    year
        2011 (Census 2011 LAs, 326), 2019 (317), 2021 (LTLA21, 309) or 2023 (296).
    path
        The ONS TopoJSON of 2014-2025 LAs; default: the bundled simplified extract.
    expected
        The LA codes of ``year``; default: the bundled code list (built from the ONS lookups).

    Raises
    ------
    GeographyError
        If any LA of ``year`` has no shape, a shape belongs to another year, or a code repeats.
    """
    _check_year("lad", year)
    if path is None:
        from socint.extract import load

        fc = load(f"boundaries_lad{year}")
        assert isinstance(fc, dict)
    else:
        fc = read_la_topojson(path, year)
    return _checked(fc, "lad", year, expected, path)


def msoa_boundaries(vintage: int, *, path: str | Path | None = None,
                    expected: Iterable[str] | None = None) -> dict[str, Any]:
    """English MSOA boundaries of ``vintage`` (2011 or 2021), one shape per MSOA, checked.

    ``path``: an MSOA GeoJSON (``boundaries_msoa11.geojson`` / ``boundaries_msoa21.geojson``);
    default: the bundled simplified extract.
    """
    _check_year("msoa", vintage)
    if path is None:
        from socint.extract import load

        fc = load(f"boundaries_msoa{vintage}")
        assert isinstance(fc, dict)
    else:
        fc = read_msoa_geojson(path)
    return _checked(fc, "msoa", vintage, expected, path)


__all__ = [
    "EXPECTED_COUNTS", "LA_YEARS", "MSOA_VINTAGES", "BoundaryCheck", "area_codes",
    "check_boundary_codes", "feature_codes", "la_boundaries", "msoa_boundaries",
    "read_la_topojson", "read_msoa_geojson",
]
