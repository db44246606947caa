"""The nested statistical geography OA -> LSOA -> MSOA -> LA -> region.

England's 2011 census geography nests by construction: every Output Area lies in one LSOA,
every LSOA in one MSOA, every MSOA in one local authority, every LA in one region (ONS, *Census
geography*; "A beginner's guide to UK geography"). Segregation indices need exactly this: the
units (OAs or LSOAs) inside each area (LA). A :class:`Hierarchy` is built from lookup frames
with canonical ``<level>_code`` columns, checks that each unit has exactly one parent at every
coarser level (by every route the lookups give), and answers parent/children queries.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socint.errors import GeographyError, _preview
from socint.geo.codes import LEVEL_ORDER, levels_of, validate_codes

_SUFFIX = "_code"


def _levels_in(frame: pd.DataFrame) -> list[str]:
    """Levels with a ``<level>_code`` column in ``frame``, finest first."""
    cols = {str(c) for c in frame.columns}
    return [lv for lv in LEVEL_ORDER if lv + _SUFFIX in cols]


def _edge(frame: pd.DataFrame, child: str, parent: str, which: int) -> pd.Series:
    """child code -> parent code from one lookup frame; refuses a child with two parents."""
    pairs = frame.loc[:, [child + _SUFFIX, parent + _SUFFIX]].dropna().drop_duplicates()
    n = pairs.groupby(child + _SUFFIX)[parent + _SUFFIX].nunique()
    bad = n[n > 1].index
    if len(bad):
        items = [
            f"{c} -> {', '.join(sorted(pairs.loc[pairs[child + _SUFFIX] == c, parent + _SUFFIX]))}"
            for c in bad[:20]
        ]
        raise GeographyError(
            f"lookup {which} gives {len(bad)} {child} code(s) more than one {parent}: "
            f"{_preview(items)}{' …' if len(bad) > 20 else ''}",
            column=parent + _SUFFIX, code=str(bad[0]),
            hint=f"each {child} must lie in exactly one {parent}; check the lookup's vintage "
            "(e.g. LSOA 2011 with LA 2019) or drop duplicate rows",
        )
    return pairs.set_index(child + _SUFFIX)[parent + _SUFFIX].astype("object")


def _check_nesting(table: pd.DataFrame, levels: tuple[str, ...]) -> None:
    """Each code of a level must map to one code of the next coarser level.

    Lookups that each pass (LSOA -> MSOA, LSOA -> LA) can still fail to nest together: an MSOA
    whose LSOAs lie in two LAs. Catch that here.
    """
    for fine, coarse in itertools.pairwise(levels[1:]):
        n = table.groupby(fine + _SUFFIX)[coarse + _SUFFIX].nunique()
        bad = n[n > 1].index.tolist()
        if bad:
            items = []
            for c in bad[:20]:
                parents = sorted(set(table.loc[table[fine + _SUFFIX] == c, coarse + _SUFFIX]))
                items.append(f"{c} -> {', '.join(parents)}")
            raise GeographyError(
                f"{len(bad)} {fine} code(s) straddle more than one {coarse}, so the lookups do "
                f"not nest: {_preview(items)}",
                code=bad[0], column=coarse + _SUFFIX,
                hint="use lookups of one vintage, or drop the level that does not nest",
            )


@dataclass(frozen=True)
class Hierarchy:
    """A nested geography: one row per finest unit, one ``<level>_code`` column per level.

    Build it with :meth:`from_lookups`; the constructor only stores.
    """

    table: pd.DataFrame
    levels: tuple[str, ...]

    @classmethod
    def from_lookups(cls, *frames: pd.DataFrame, countries: str = "EW") -> Hierarchy:
        """Build a hierarchy from lookup frames with ``<level>_code`` columns.

        For example ``lsoa_code, msoa_code`` (LSOA11 -> MSOA11) plus ``lsoa_code, lad_code``
        (LSOA11 -> LAD19) plus ``lad_code, region_code``; or one small-area file carrying its
        own parent columns (``oa_code, lsoa_code, msoa_code``). Every code is validated for its
        level and country; every unit must have exactly one parent per coarser level, and when
        two routes reach the same level (LSOA -> LA directly and via MSOA) they must agree.

        Raises
        ------
        GeographyError
            Listing the offending codes: malformed codes, a unit with two parents, units
            that do not nest, or units without a parent in a coarser level's lookup.
        """
        if not frames:
            raise GeographyError("no lookup frames given", hint="pass at least one lookup frame")
        edges: dict[tuple[str, str], list[pd.Series]] = {}
        for i, frame in enumerate(frames, start=1):
            lv = _levels_in(frame)
            if len(lv) < 2:
                raise GeographyError(
                    f"lookup {i} has {len(lv)} <level>_code column(s) ({lv}); a lookup needs "
                    f"two. Columns: {', '.join(map(str, frame.columns))}",
                    hint="rename columns to canonical names, e.g. lsoa_code and msoa_code; "
                    f"levels: {', '.join(LEVEL_ORDER)}",
                )
            for level in lv:
                validate_codes(frame[level + _SUFFIX].dropna(), level=level, countries=countries,
                               column=level + _SUFFIX)
            for a in range(len(lv)):
                for b in range(a + 1, len(lv)):
                    edges.setdefault((lv[a], lv[b]), []).append(_edge(frame, lv[a], lv[b], i))
        levels = tuple(lv for lv in LEVEL_ORDER if any(lv in k for k in edges))
        finest = levels[0]
        units = sorted({c for (ch, _), es in edges.items() if ch == finest
                        for e in es for c in e.index})
        table = pd.DataFrame({finest + _SUFFIX: pd.Series(units, dtype="object")})
        for parent in levels[1:]:
            routes: list[pd.Series] = []
            for child in levels[: levels.index(parent)]:
                for e in edges.get((child, parent), []):
                    routes.append(table[child + _SUFFIX].map(e))
            got = routes[0]
            for other in routes[1:]:
                clash = got.notna() & other.notna() & (got != other)
                if clash.any():
                    idx = np.flatnonzero(clash.to_numpy())
                    items = [f"{table.iloc[j, 0]} ({got.iloc[j]} vs {other.iloc[j]})"
                             for j in idx[:20]]
                    raise GeographyError(
                        f"{len(idx)} {finest} unit(s) reach different {parent}s by different "
                        f"lookups, so the geographies do not nest: {_preview(items)}",
                        code=str(table.iloc[idx[0], 0]),
                        hint="use lookups of one vintage (e.g. MSOA11 -> LAD19 with LSOA11 -> "
                        "LAD19)",
                    )
                got = got.fillna(other)
            if got.isna().any():
                orphans = table.loc[got.isna().to_numpy(), finest + _SUFFIX].tolist()
                raise GeographyError(
                    f"{len(orphans)} {finest} unit(s) have no {parent} in the lookups: "
                    f"{_preview(orphans)}",
                    code=orphans[0], column=parent + _SUFFIX,
                    hint="give lookups covering the same areas (e.g. filter all of them to "
                    "England), or one that maps these units",
                )
            table[parent + _SUFFIX] = got.astype("object").to_numpy()
        _check_nesting(table, levels)
        return cls(table=table, levels=levels)

    # -- queries ------------------------------------------------------------------------------
    def _level_of(self, codes: pd.Series) -> str:
        lv = levels_of(codes)
        found = sorted(set(lv.dropna()))
        if lv.isna().any() or len(found) != 1 or found[0] not in self.levels:
            raise GeographyError(
                f"codes must all be of one level among {list(self.levels)}; found levels "
                f"{found}{' and unrecognised codes' if lv.isna().any() else ''}",
                hint="query one level at a time with GSS codes of that level",
            )
        return str(found[0])

    def _check_known(self, codes: pd.Series, level: str) -> None:
        known = set(self.table[level + _SUFFIX])
        unknown = sorted(set(codes) - known)
        if unknown:
            raise GeographyError(
                f"{len(unknown)} {level} code(s) are not in the hierarchy: {_preview(unknown)}",
                code=unknown[0], hint="check the codes' vintage and that the lookups cover them",
            )

    def _check_order(self, fine: str, coarse: str) -> None:
        for level in (coarse, fine):
            if level not in self.levels:
                raise GeographyError(
                    f"level {level!r} is not in this hierarchy (levels: {list(self.levels)})",
                    hint="build the hierarchy with a lookup that includes this level",
                )
        if self.levels.index(coarse) <= self.levels.index(fine):
            raise GeographyError(
                f"{coarse!r} is not coarser than {fine!r} (order: {' -> '.join(self.levels)})",
                hint="parents are coarser, children finer",
            )

    def parent(self, codes: Iterable[str] | pd.Series, to_level: str) -> pd.Series:
        """The ``to_level`` area containing each code (codes of one finer level).

        Returns a Series aligned with ``codes`` (a Series keeps its index), named
        ``<to_level>_code``.
        """
        s = codes.copy() if isinstance(codes, pd.Series) else pd.Series(list(codes),
                                                                       dtype="object")
        level = self._level_of(s)
        self._check_order(level, to_level)
        self._check_known(s, level)
        lookup = (self.table.loc[:, [level + _SUFFIX, to_level + _SUFFIX]]
                  .drop_duplicates().set_index(level + _SUFFIX)[to_level + _SUFFIX])
        return s.map(lookup).rename(to_level + _SUFFIX)

    def children(self, code: str, level: str) -> list[str]:
        """The ``level`` units lying in area ``code`` (sorted)."""
        return self.units_in([code], level).index.tolist()

    def units_in(self, area_codes: Iterable[str] | pd.Series, unit_level: str) -> pd.Series:
        """Every ``unit_level`` unit inside each of ``area_codes`` (one level).

        Returns a Series indexed by unit code (``<unit_level>_code``, sorted) whose values are
        the containing area codes (``<area_level>_code``) — the unit -> area map that
        segregation indices aggregate over.
        """
        s = pd.Series(list(area_codes), dtype="object")
        level = self._level_of(s)
        self._check_order(unit_level, level)
        self._check_known(s, level)
        sub = self.table.loc[self.table[level + _SUFFIX].isin(set(s)),
                             [unit_level + _SUFFIX, level + _SUFFIX]].drop_duplicates()
        sub = sub.sort_values(unit_level + _SUFFIX)
        return sub.set_index(unit_level + _SUFFIX)[level + _SUFFIX]

    def codes(self, level: str) -> list[str]:
        """All codes of ``level`` in the hierarchy (sorted)."""
        if level not in self.levels:
            raise GeographyError(
                f"level {level!r} is not in this hierarchy (levels: {list(self.levels)})",
                hint="build the hierarchy with a lookup that includes this level",
            )
        return sorted(set(self.table[level + _SUFFIX]))

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table: one row per finest unit, ``<level>_code`` columns finest first."""
        return self.table.copy()


__all__ = ["Hierarchy"]
