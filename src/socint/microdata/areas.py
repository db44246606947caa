"""Area codes of a survey file: check them against a lookup of the stated vintage, derive LADs.

The lookup is a table from the survey's area level up to the LAD for the mapping's vintage:
``msoa_code → lad_code`` (or ``lsoa_code → msoa_code → lad_code``, or just ``lad_code``). Given
lookups of both vintages, codes unknown for the stated one are checked against the other, so the
report can say "these are 2021 codes" instead of only "unknown".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from socint.errors import GeographyError, SchemaError, _preview
from socint.microdata.spec import AREA_LEVELS, VINTAGES

#: What ``import_survey(lookup=...)`` takes: one table (for the mapping's vintage) or one per
#: vintage, e.g. ``{2011: msoa11_to_lad, 2021: msoa21_to_lad}``.
LookupArg = pd.DataFrame | Mapping[int, pd.DataFrame] | None
_PARENTS = {"lsoa_code": ("msoa_code", "lad_code"), "msoa_code": ("lad_code",), "lad_code": ()}
_GENERIC = re.compile(r"^(lsoa|msoa|ltla|lad|utla)(\d\d)_?(code|cd)$", re.IGNORECASE)


def _default_lookup(vintage: int) -> pd.DataFrame:
    """The bundled England lookup for ``vintage``: LSOA → MSOA → LAD (2021), MSOA → LAD (2011).

    From the bundled real-England extract (:mod:`socint.extract`); other vintages need a
    lookup file (``--lookup``).
    """
    if vintage == 2021:
        from socint.extract import load

        lk = load("lookup_lsoa21_msoa21_lad21")
        assert isinstance(lk, pd.DataFrame)
        return lk[[c for c in ("lsoa_code", "msoa_code", "lad_code") if c in lk.columns]]
    if vintage == 2011:
        from socint.extract.snapshot import bundled_source

        return bundled_source(2011).msoas[["msoa_code", "lad_code"]].astype(str)
    raise GeographyError(
        f"no area lookup is bundled for vintage {vintage}, and none was given",
        hint=f"pass --lookup FILE with an official {vintage} lookup, or lookup= to "
             "socint.microdata.import_survey")


def _generic_lookup(path: Path) -> tuple[int | None, pd.DataFrame]:
    """Read a lookup CSV by its headers: ONS-style with the year (``msoa21_code``,
    ``ltla22_code``…), or socint's own names (``msoa_code``, ``lad_code``; vintage unknown)."""
    header = pd.read_csv(path, nrows=0).columns
    rename: dict[str, str] = {}
    years: dict[str, int] = {}
    for col in header:
        m = _GENERIC.match(str(col))
        if m:
            level = {"ltla": "lad", "utla": None}.get(m.group(1).lower(), m.group(1).lower())
            if level and f"{level}_code" not in rename.values():
                rename[str(col)] = f"{level}_code"
                years[f"{level}_code"] = 2000 + int(m.group(2))
    if not rename:
        rename = {c: c for c in map(str, header) if c in AREA_LEVELS}
    finest = next((lv for lv in AREA_LEVELS if lv in rename.values()), None)
    if finest is None:
        raise SchemaError(f"not an area lookup socint knows; headers: {_preview(list(header))}",
                          file=path, hint="give an ONS lookup with columns such as "
                                          "msoa11_code/ltla19_code or msoa21_code/ltla22_code, "
                                          "or a CSV with msoa_code and lad_code")
    frame = pd.read_csv(path, usecols=list(rename), dtype=str).rename(columns=rename)
    return years.get(finest), frame


def read_lookup(path: str | Path) -> tuple[int | None, pd.DataFrame]:
    """Read one lookup file; return the vintage of its finest area codes and the table.

    Official layouts known to :func:`socint.data.read_official` are read by it; other ONS
    lookups whose headers carry the year (``msoa21_code``, ``ltla22_code``…) are recognised by
    their headers; a CSV with socint's own column names has no stated vintage (``None``).
    """
    from socint.data import read_official

    p = Path(path)
    try:
        table = read_official(p)
    except SchemaError:
        return _generic_lookup(p)
    vintages = table.meta.get("vintages", {}) if table.kind == "lookup" else {}
    finest = next((lv for lv in AREA_LEVELS if lv in vintages), None)
    if finest is None:
        raise SchemaError(f"this file is a {table.kind} table ({table.layout}), not an area "
                          "lookup", file=p, hint="give a lookup such as lookup_msoa11_ltla19.csv")
    cols = [c for c in AREA_LEVELS if c in table.data.columns]
    return int(vintages[finest]), table.data[cols].astype(str)


def combine_lookups(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Join lookups of one vintage on their shared area keys (e.g. LSOA→MSOA with MSOA→LAD)."""
    parts = [f[[c for c in AREA_LEVELS if c in f.columns]].drop_duplicates() for f in frames]
    parts.sort(key=lambda f: -len(f.columns))
    out = parts[0]
    for part in parts[1:]:
        new = [c for c in part.columns if c not in out.columns]
        keys = [c for c in part.columns if c in out.columns]
        if new and keys:
            out = out.merge(part[[*keys, *new]].drop_duplicates(keys), on=keys, how="left")
    return out


def lookups_from_files(paths: Sequence[str | Path],
                       vintage: int) -> dict[int, pd.DataFrame]:
    """Read lookup files (:func:`read_lookup`) into one joined table per vintage.

    This is what ``--lookup FILE`` (repeatable) gives ``import_survey(lookup=...)``; a file
    whose vintage its headers do not say is taken to be of the mapping's ``vintage``.
    """
    frames: dict[int, list[pd.DataFrame]] = {}
    for path in paths:
        stated, frame = read_lookup(path)
        frames.setdefault(vintage if stated is None else stated, []).append(frame)
    return {v: combine_lookups(fs) for v, fs in frames.items()}


def lookups_by_vintage(lookup: LookupArg, vintage: int) -> dict[int, pd.DataFrame]:
    """One lookup table per vintage; the stated vintage falls back to :func:`_default_lookup`."""
    if lookup is None:
        return {vintage: _default_lookup(vintage)}
    if isinstance(lookup, pd.DataFrame):
        return {vintage: lookup}
    out = {int(v): f for v, f in lookup.items()}
    bad = sorted(set(out) - set(VINTAGES))
    if bad:
        raise GeographyError(f"lookups given for vintage(s) {_preview(bad)}; allowed: "
                             f"{', '.join(map(str, VINTAGES))}", hint="key lookups by 2011/2021")
    if vintage not in out:
        out[vintage] = _default_lookup(vintage)
    return out


def _parent_table(lookup: pd.DataFrame, level: int | str, vintage: int) -> pd.DataFrame:
    """``level`` code → its parent codes, one row per code; checks the lookup's columns."""
    need = [str(level), *_PARENTS[str(level)]]
    absent = [c for c in need if c not in lookup.columns]
    if absent:
        raise GeographyError(
            f"the {vintage} lookup has columns {_preview(list(lookup.columns))} but this "
            f"mapping's area level needs {' → '.join(need)}",
            hint="give a lookup with those columns (several --lookup files of one vintage are "
                 "joined on their shared codes, e.g. LSOA→MSOA plus MSOA→LAD)")
    table = lookup[need].dropna().astype(str).drop_duplicates()
    dup = table[str(level)].duplicated(keep=False)
    if dup.any():
        codes = table.loc[dup, str(level)].unique()
        raise GeographyError(
            f"the {vintage} lookup maps {len(codes)} {level} to more than one parent, e.g. "
            f"{_preview(codes[:3])}", code=str(codes[0]),
            hint="use a lookup where each code has one parent (a best-fit lookup)")
    return table.set_index(str(level))


def resolve_areas(codes: pd.Series, level: str, vintage: int,
                  lookups: Mapping[int, pd.DataFrame]) -> tuple[pd.DataFrame, pd.Series,
                                                                dict[int, int]]:
    """Check area codes against the stated vintage and derive their parent codes.

    Returns
    -------
    areas
        Columns ``level`` and its parents (``msoa_code``, ``lad_code``), NaN where unknown.
    known
        Boolean mask of codes found in the stated vintage's lookup (missing codes: False).
    other
        For each other vintage whose lookup was given: how many of the non-missing codes unknown
        for the stated vintage it knows.
    """
    table = _parent_table(lookups[vintage], level, vintage)
    known = codes.notna() & codes.isin(table.index)
    areas = pd.DataFrame({level: codes.where(known)}, index=codes.index)
    for parent in _PARENTS[level]:
        areas[parent] = codes.map(table[parent]).where(known)
    unknown = codes[codes.notna() & ~known]
    other = {}
    for v, frame in lookups.items():
        if v != vintage and level in frame.columns:
            other[v] = int(unknown.isin(frame[level].astype(str)).sum())
    return areas, known, other


__all__ = ["LookupArg", "_default_lookup", "combine_lookups", "lookups_by_vintage",
           "lookups_from_files", "read_lookup", "resolve_areas"]
