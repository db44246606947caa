"""Small-unit count tables for the measures: validation, roll-up to coarser units, area index.

:class:`UnitCounts` holds one ``units x categories`` matrix with each unit's parent areas
(``lsoa_code``, ``msoa_code``, ``lad_code``, ``lad_name``, ``region_name``…). It is built from
any counts table the ``socint.data`` readers return (:meth:`UnitCounts.from_table`) or from a
wide data frame (:meth:`UnitCounts.from_frame`), which checks the counts and names every
offending unit code.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from socint.errors import GeographyError, InputDataError, _preview
from socint.geo.codes import LEVEL_ORDER
from socint.measures.schemes import check_categories, collapse

if TYPE_CHECKING:
    from socint.data.table import OfficialTable

#: Columns of a reader's ``areas`` table that are not parent areas.
_NOT_PARENTS = ("area_code", "area_name", "level", "vintage", "total")


class MeasureWarning(UserWarning):
    """Data were dropped or a value is NaN for a stated reason (the run continues)."""


@dataclass(frozen=True)
class UnitCounts:
    """Counts of residents by category for small units, with their parent areas.

    Parameters
    ----------
    level
        Geography level of the units (``oa``, ``lsoa``, ``msoa``, ``lad``…).
    codes
        Unit codes, one per row of ``counts``.
    counts
        ``units x categories`` int64 matrix.
    categories, scheme
        Column names of ``counts`` (canonical names of ``scheme``).
    parents
        One row per unit (same order): parent columns ``<level>_code`` / ``<level>_name``.
    source
        The file the counts came from, for error messages.
    """

    level: str
    codes: npt.NDArray[np.object_]
    counts: npt.NDArray[np.int64]
    categories: tuple[str, ...]
    scheme: str
    parents: pd.DataFrame
    source: str | None = None

    @property
    def total(self) -> npt.NDArray[np.int64]:
        """Residents of each unit (sum over categories)."""
        return np.asarray(self.counts.sum(axis=1), dtype=np.int64)

    @classmethod
    def from_table(cls, table: OfficialTable) -> UnitCounts:
        """Units of a ``socint.data`` counts table (any reader's :class:`OfficialTable`)."""
        from socint.data.table import counts_wide

        if table.kind != "counts" or table.scheme is None or table.level is None:
            raise InputDataError(
                f"measures need a counts table of one geography level, got kind {table.kind!r} "
                f"level {table.level!r} ({table.dataset})", file=table.path,
                hint="pass a small-area counts table (e.g. Census ethnic group by OA or LSOA)",
            )
        wide = counts_wide(table)
        areas = table.areas if table.areas is not None else pd.DataFrame({"area_code": []})
        areas = areas.set_index("area_code").reindex(wide.index)
        keep = [c for c in areas.columns if c not in _NOT_PARENTS]
        parents = areas[keep].reset_index(drop=True)
        if table.level in ("lad", "msoa", "region") and "area_name" in areas.columns:
            parents[f"{table.level}_name"] = areas["area_name"].to_numpy()
        return cls(level=table.level, codes=wide.index.to_numpy(dtype=object),
                   counts=wide.to_numpy(dtype=np.int64), categories=tuple(wide.columns),
                   scheme=table.scheme, parents=parents, source=str(table.path))

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        level: str,
        scheme: str,
        code_col: str,
        categories: Sequence[str],
        total_col: str | None = None,
        parent_cols: Sequence[str] = (),
        file: str | None = None,
    ) -> UnitCounts:
        """Units from a wide frame: one row per unit, one column per category.

        Raises
        ------
        InputDataError
            Unknown category names; non-numeric, non-integer or negative counts; a category
            count above the unit's total (``total_col``) or categories summing above it. Each
            message lists the offending unit codes and the first 1-based row.
        """
        check_categories(categories, scheme, file=file)
        missing = [c for c in [code_col, *categories, *parent_cols,
                               *([total_col] if total_col else [])] if c not in frame.columns]
        if missing:
            raise InputDataError(
                f"column(s) {_preview(missing)} not found; the table has "
                f"{_preview(list(map(str, frame.columns)), 40)}", file=file, column=missing[0],
                hint="rename the columns to canonical category and <level>_code names")
        codes = frame[code_col].astype("object").to_numpy()
        matrix = np.column_stack([_whole(frame[c], c, codes, file) for c in categories]) \
            if categories else np.zeros((len(frame), 0), dtype=np.int64)
        if total_col is not None:
            total = _whole(frame[total_col], total_col, codes, file)
            over = matrix > total[:, None]
            if over.any():
                rows, cols = np.nonzero(over)
                items = [f"{codes[r]} ({categories[c]} {matrix[r, c]} > total {total[r]})"
                         for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]
                raise InputDataError(
                    f"{len(items)} group count(s) exceed the unit total: {_preview(items)}",
                    file=file, row=int(rows[0]) + 1, column=categories[int(cols[0])],
                    code=str(codes[rows[0]]),
                    hint="check the count and total columns are of the same population")
            gap = total - matrix.sum(axis=1)
            if (gap < 0).any():
                bad = np.flatnonzero(gap < 0)
                raise InputDataError(
                    f"categories sum above the total in {bad.size} unit(s): "
                    f"{_preview([str(codes[i]) for i in bad])}", file=file,
                    row=int(bad[0]) + 1, column=total_col, code=str(codes[bad[0]]),
                    hint="categories must partition the total; remove subtotal columns")
        parents = frame[list(parent_cols)].reset_index(drop=True)
        return cls(level=level, codes=codes, counts=matrix, categories=tuple(categories),
                   scheme=scheme, parents=parents, source=file)

    def to_scheme(self, scheme: str) -> UnitCounts:
        """The same units with categories collapsed into ``scheme``."""
        if scheme == self.scheme:
            return self
        m, cats = collapse(self.counts, self.categories, self.scheme, scheme)
        return replace(self, counts=m, categories=cats, scheme=scheme)

    def only(self, mask: npt.NDArray[np.bool_]) -> UnitCounts:
        """The units where ``mask`` is true."""
        return replace(self, codes=self.codes[mask], counts=self.counts[mask],
                       parents=self.parents.loc[mask].reset_index(drop=True))

    def key_column(self, level: str) -> str:
        """Column of ``parents`` identifying areas of ``level`` (its code, else its name)."""
        for col in (f"{level}_code", f"{level}_name"):
            if col in self.parents.columns:
                return col
        raise GeographyError(
            f"the {self.level} units carry no {level}_code or {level}_name column, so they "
            f"cannot be grouped into {level} areas; they carry {_preview(list(self.parents))}",
            file=self.source,
            hint=f"choose an area level the table has, or add a {level}_code column",
        )

    def area_index(self, level: str) -> tuple[npt.NDArray[np.intp], pd.Index]:
        """Parent index of each unit into the areas of ``level``, and the area keys.

        Raises
        ------
        GeographyError
            When units have no parent area (missing code), naming the units.
        """
        col = self.key_column(level)
        keys = self.parents[col]
        missing = keys.isna().to_numpy() | (keys.astype("string").str.strip() == "").fillna(
            True).to_numpy()
        if missing.any():
            bad = [str(c) for c in self.codes[missing]]
            raise GeographyError(
                f"{len(bad)} {self.level} unit(s) have no parent {level} area ({col} is "
                f"missing): {_preview(bad)}", file=self.source, column=col, code=bad[0],
                row=int(np.flatnonzero(missing)[0]) + 1,
                hint=f"fill in {col} for these units or drop them before computing measures")
        idx, uniques = pd.factorize(keys.astype("object"), sort=True)
        return idx.astype(np.intp), pd.Index(uniques)

    def rollup(self, level: str) -> UnitCounts:
        """Sum the counts into coarser units of ``level`` (e.g. OAs into MSOAs)."""
        if level == self.level:
            return self
        order = list(LEVEL_ORDER)
        if level not in order or self.level not in order or \
                order.index(level) <= order.index(self.level):
            raise GeographyError(
                f"cannot roll {self.level} units up to {level}; the unit level must be coarser "
                f"than {self.level} (levels from finest: {', '.join(order)})")
        idx, keys = self.area_index(level)
        m = np.column_stack([np.bincount(idx, weights=self.counts[:, j], minlength=len(keys))
                             for j in range(self.counts.shape[1])]).astype(np.int64)
        coarser = [c for c in self.parents.columns
                   if c.rsplit("_", 1)[0] in order[order.index(level) + 1:]]
        first = self.parents[coarser].groupby(idx, sort=True).first().reset_index(drop=True)
        return replace(self, level=level, codes=keys.to_numpy(dtype=object), counts=m,
                       parents=first)

    def drop_empty(self) -> UnitCounts:
        """Drop units without residents, warning with their number."""
        empty = self.total == 0
        if not empty.any():
            return self
        warnings.warn(
            f"dropped {int(empty.sum())} {self.level} unit(s) with zero population "
            f"(e.g. {_preview([str(c) for c in self.codes[empty]], 5)})",
            MeasureWarning, stacklevel=2)
        return self.only(~empty)


def _whole(s: pd.Series, col: str, codes: npt.NDArray[np.object_],
           file: str | None) -> npt.NDArray[np.int64]:
    """A count column as int64, or an error listing the units with bad values."""
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for bad, what in ((np.isnan(num), "non-numeric or empty"),
                      (num < 0, "negative"),
                      (num != np.round(num), "not whole numbers")):
        bad = np.asarray(bad) & (~np.isnan(num) if what != "non-numeric or empty" else True)
        if bad.any():
            rows = np.flatnonzero(bad)
            items = [f"{codes[i]} ({s.iloc[i]!r})" for i in rows]
            raise InputDataError(
                f"{rows.size} count(s) in column {col!r} are {what}: {_preview(items)}",
                file=file, row=int(rows[0]) + 1, column=col, code=str(codes[rows[0]]),
                hint="counts must be whole, non-negative numbers of residents")
    return num.astype(np.int64)


__all__ = ["MeasureWarning", "UnitCounts"]
