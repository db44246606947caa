"""Compute registered measures for every area: one row per area, with ranks and deciles.

A :class:`MeasureSpec` says which registered measure to compute, on which small units (OA,
LSOA, MSOA), in which category scheme, for which group(s), and — for diversity — how unit values
roll up to an area (pooled counts or population-weighted mean of unit values).
:func:`compute_measures` runs a list of specs on a :class:`~socint.measures.units.UnitCounts`
and returns a table with ``area_code``, ``area_name``, ``population``, each measure and its
``_rank`` and ``_decile``, and a ``note`` giving the reason of every NaN.

Ranks and deciles (the documented rule, ``docs/methods/diversity.md``): rank 1 is the highest
value (ties share the lowest rank number); with ``r`` the ascending rank (1 = lowest, ties
sharing their minimum rank) among the ``n`` areas with a value, ``decile = ceil(10 r / n)``, so
the highest value is in decile 10 and, for 326 LAs, each decile holds 32 or 33 areas (decile
``d`` holds ranks ``10 r / n`` in ``(d - 1, d]``). NaN values get no rank or decile.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from socint.errors import InputDataError, _preview
from socint.measures.diversity import ROLLUPS, Rollup, area_diversity
from socint.measures.registry import get_measure
from socint.measures.segregation import undefined_reasons
from socint.measures.units import MeasureWarning, UnitCounts


@dataclass(frozen=True)
class MeasureSpec:
    """What to compute for one output column.

    Parameters
    ----------
    column
        Output column name.
    measure
        Registered measure name (:data:`socint.measures.registry.MEASURES`).
    unit_level
        Level of the small units (``oa``, ``lsoa``, ``msoa``); ``None`` = the input's level.
    scheme
        Collapse the categories into this scheme first (``None`` = as read).
    group, other
        Category names for two-group measures (``other=None``: everyone else).
    rollup
        Diversity only: ``"pooled"`` or ``"weighted_mean"``.
    scale
        Multiplier of the result (100 for a 0-100 Index of Dissimilarity).
    options
        Extra keyword options of the measure (e.g. ``{"fpc": True}``, ``{"n_sim": 200}``).
    """

    column: str
    measure: str
    unit_level: str | None = None
    scheme: str | None = None
    group: str | None = None
    other: str | None = None
    rollup: str = "pooled"
    scale: float = 1.0
    options: Mapping[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        """Refuse options that would have no effect or that the measure does not take."""
        m = get_measure(self.measure)
        if self.rollup not in ROLLUPS:
            raise InputDataError(f"{self.column}: rollup {self.rollup!r} is not one of {ROLLUPS}")
        if m.kind == "segregation" and self.rollup != "pooled":
            raise InputDataError(
                f"{self.column}: rollup {self.rollup!r} does not apply to segregation measure "
                f"{self.measure!r}, which is defined over the units of each area",
                hint="leave rollup as 'pooled' for segregation measures")
        for name, val in (("group", self.group), ("other", self.other)):
            if val is not None and name not in m.groups:
                raise InputDataError(f"{self.column}: measure {self.measure!r} takes no {name}")
        if "group" in m.groups and self.group is None:
            raise InputDataError(f"{self.column}: measure {self.measure!r} needs a group")
        extra = sorted(set(self.options) - set(m.options))
        if extra:
            raise InputDataError(
                f"{self.column}: measure {self.measure!r} does not take option(s) "
                f"{_preview(extra)}; it takes {_preview(m.options) or 'none'}")


def rank_and_decile(values: npt.ArrayLike) -> tuple[pd.Series, pd.Series]:
    """Rank (1 = highest) and decile (10 = highest tenth) of values; NaN stays unranked."""
    s = pd.Series(np.asarray(values, dtype=np.float64))
    rank = s.rank(ascending=False, method="min").astype("Int64")
    asc = s.rank(ascending=True, method="min")
    n = int(s.notna().sum())
    decile = pd.Series(np.ceil(10.0 * asc / max(n, 1))).astype("Int64")
    return rank, decile


def _column(units: UnitCounts, cats: Sequence[str], name: str | None, spec: str) -> int | None:
    if name is None:
        return None
    if name not in cats:
        raise InputDataError(
            f"{spec}: group {name!r} is not a category of the counts; categories: "
            f"{_preview(cats, 30)}", file=units.source,
            hint="use a canonical category name of the (collapsed) scheme")
    return list(cats).index(name)


def compute_measures(
    units: UnitCounts,
    specs: Sequence[MeasureSpec],
    *,
    area_level: str,
) -> pd.DataFrame:
    """Compute ``specs`` for every area of ``area_level`` from ``units``.

    Units with zero population are dropped (with a :class:`MeasureWarning` giving their
    number); an area whose every unit has zero population is kept with population 0, NaN
    measures and the note "every unit of the area has zero population"; areas where a measure
    is undefined get NaN, the reason in ``note`` and a warning naming them.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` (the area key: its code, or its name when the units carry no code),
        ``area_name``, ``population``, then per spec ``<column>``, ``<column>_rank``,
        ``<column>_decile``, and ``note``.
    """
    for spec in specs:
        spec.check()
    base = units.drop_empty()
    # Area keys come from every unit, so an area whose units all have zero population is kept
    # (NaN measures and a note) instead of vanishing from the output unremarked.
    all_parent, keys = units.area_index(area_level)
    base_idx, base_keys = base.area_index(area_level)
    parent = keys.get_indexer(base_keys)[base_idx]
    n_areas = len(keys)
    out = pd.DataFrame({"area_code": keys.to_numpy(dtype=object)})
    name_col = f"{area_level}_name"
    if name_col in units.parents.columns:
        names = units.parents[name_col].groupby(all_parent).first()
        out["area_name"] = names.reindex(range(n_areas)).to_numpy(dtype=object)
    else:
        out["area_name"] = pd.NA
    out["population"] = np.bincount(parent, weights=base.total, minlength=n_areas).astype(
        np.int64)
    notes: list[list[str]] = [[] for _ in range(n_areas)]
    empty = np.flatnonzero(out["population"].to_numpy() == 0)
    for i in empty:
        notes[i].append("every unit of the area has zero population")
    for spec in specs:
        values = _one(base, spec, area_level, keys, notes)
        rank, decile = rank_and_decile(values)
        out[spec.column] = values
        out[f"{spec.column}_rank"] = rank.array
        out[f"{spec.column}_decile"] = decile.array
    out["note"] = ["; ".join(n) if n else "" for n in notes]
    flagged = [f"{k} ({n})" for k, n in zip(out["area_code"], out["note"], strict=True) if n]
    if flagged:
        warnings.warn(f"{len(flagged)} area(s) have NaN measures: {_preview(flagged, 5)}",
                      MeasureWarning, stacklevel=2)
    return out


def _one(base: UnitCounts, spec: MeasureSpec, area_level: str, keys: pd.Index,
         notes: list[list[str]]) -> npt.NDArray[np.float64]:
    """Values of one spec aligned with the area keys; appends NaN reasons to ``notes``."""
    measure = get_measure(spec.measure)
    u = base.rollup(spec.unit_level) if spec.unit_level else base
    if spec.scheme:
        u = u.to_scheme(spec.scheme)
    idx, own_keys = u.area_index(area_level)
    align = keys.get_indexer(own_keys)
    k = len(own_keys)
    counts = u.counts.astype(np.float64)
    if measure.kind == "diversity":
        opts = dict(spec.options)
        vals = area_diversity(counts, idx, measure=spec.measure,
                              rollup=cast(Rollup, spec.rollup),
                              fpc=bool(opts.get("fpc", False)), n_areas=k)
        reasons: list[str | None] = ["no residents in the categories used" if np.isnan(v)
                                     else None for v in vals]
    else:
        g = _column(u, u.categories, spec.group, spec.column)
        o = _column(u, u.categories, spec.other, spec.column)
        kwargs: dict[str, Any] = dict(spec.options)
        if "group" in measure.groups:
            kwargs["group"] = g
        if "other" in measure.groups:
            kwargs["other"] = o
        vals = measure.function(counts, idx, n_areas=k, **kwargs)
        reasons = undefined_reasons(counts, idx, group=g, other=o, n_areas=k,
                                    labels=u.categories)
    full = np.full(len(keys), np.nan)
    full[align] = np.asarray(vals, dtype=np.float64) * spec.scale
    for i, r in zip(align, reasons, strict=True):
        if r is not None and np.isnan(full[i]):
            notes[i].append(f"{spec.column}: {r}")
    return full


__all__ = ["MeasureSpec", "compute_measures", "rank_and_decile"]
