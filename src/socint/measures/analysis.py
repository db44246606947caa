"""Analysis helpers over area measure tables: correlation with a CI, decile selections, change.

Used by the index and the report: e.g. "how strongly do diversity and segregation go
together across LAs", "LAs in the top two deciles of diversity and of trust, with their
dissimilarity decile" (Bright Blue 2019's most integrated places), and change between the 2011
and 2021 Censuses on a common (harmonised) LA set.

References
----------
Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced from a
small sample. *Metron* 1, 3-32 (z transform, ``se = 1 / sqrt(n - 3)``).
Bonett, D. G. & Wright, T. A. (2000). Sample size requirements for estimating Pearson, Kendall
and Spearman correlations. *Psychometrika* 65, 23-28 (Spearman ``se = sqrt(1 + r^2/2) /
sqrt(n - 3)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from socint.errors import GeographyError, InputDataError, _preview
from socint.measures.units import UnitCounts


@dataclass(frozen=True)
class Correlation:
    """A correlation coefficient with its confidence interval.

    Attributes: ``r`` (coefficient), ``low``/``high`` (CI bounds), ``level`` (e.g. 0.95),
    ``n`` (pairs used, NaN pairs dropped), ``method`` (``pearson`` or ``spearman``).
    """

    r: float
    low: float
    high: float
    level: float
    n: int
    method: str


def correlation(x: npt.ArrayLike, y: npt.ArrayLike, *, method: str = "pearson",
                level: float = 0.95) -> Correlation:
    """Correlation of two area measures with a Fisher-z confidence interval.

    Pearson uses ``se = 1/sqrt(n-3)`` (Fisher 1921); Spearman the Bonett & Wright (2000)
    ``se = sqrt(1 + r^2/2)/sqrt(n-3)``. Pairs with a NaN are dropped; at least 4 are needed.
    """
    if method not in ("pearson", "spearman"):
        raise InputDataError(f"`method` was {method!r} but is expected to be in "
                             "['pearson', 'spearman']")
    if not 0 < level < 1:
        raise InputDataError(f"confidence level must be in (0, 1), got {level}")
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.shape != b.shape:
        raise InputDataError(f"x and y differ in length ({a.shape} vs {b.shape})")
    ok = ~(np.isnan(a) | np.isnan(b))
    n = int(ok.sum())
    if n < 4:
        raise InputDataError(f"a correlation CI needs at least 4 areas with both values, "
                             f"got {n}")
    a, b = a[ok], b[ok]
    if method == "spearman":
        a, b = stats.rankdata(a), stats.rankdata(b)
    r = float(np.corrcoef(a, b)[0, 1])
    se = 1.0 / math.sqrt(n - 3)
    if method == "spearman":
        se *= math.sqrt(1.0 + r * r / 2.0)
    zq = float(stats.norm.ppf(0.5 + level / 2.0))
    z = math.atanh(max(min(r, 1 - 1e-15), -1 + 1e-15))
    return Correlation(r=r, low=math.tanh(z - zq * se), high=math.tanh(z + zq * se),
                       level=level, n=n, method=method)


def decile_crosstab(table: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Counts of areas by decile of ``x`` (rows) and of ``y`` (columns), deciles 1-10."""
    for col in (x, y):
        _need(table, f"{col}_decile")
    tab = pd.crosstab(table[f"{x}_decile"], table[f"{y}_decile"])
    full = range(1, 11)
    return tab.reindex(index=full, columns=full, fill_value=0)


def select_deciles(table: pd.DataFrame, conditions: Mapping[str, tuple[int, int]],
                   show: Sequence[str] = ()) -> pd.DataFrame:
    """Areas whose deciles lie in given ranges, with the deciles of other measures.

    ``select_deciles(t, {"edi": (9, 10), "trust": (9, 10)}, show=["dissimilarity"])`` gives the
    areas in the top two deciles of both, with their dissimilarity decile.
    """
    keep = pd.Series(True, index=table.index)
    for col, (lo, hi) in conditions.items():
        if not 1 <= lo <= hi <= 10:
            raise InputDataError(f"decile range of {col} must satisfy 1 <= low <= high <= 10, "
                                 f"got ({lo}, {hi})")
        d = _need(table, f"{col}_decile")
        keep &= d.between(lo, hi).fillna(False).astype(bool)
    ids = [c for c in table.columns[:2] if not str(c).endswith(("_rank", "_decile"))]
    cols = ids + [c for col in [*conditions, *show] for c in (col, f"{col}_decile")]
    for c in show:
        _need(table, f"{c}_decile")
    return table.loc[keep, cols].reset_index(drop=True)


def change(before: pd.DataFrame, after: pd.DataFrame, measures: Sequence[str], *,
           key: str = "area_code", labels: tuple[str, str] = ("2011", "2021")) -> pd.DataFrame:
    """Change of measures between two tables on the same (harmonised) areas.

    Both tables must be keyed on the same area set (compute the earlier one on units recoded
    with :func:`recode_parents`). Returns ``key``, ``<m>_<before>``, ``<m>_<after>`` and
    ``<m>_change`` (after minus before) per measure.

    Raises
    ------
    GeographyError
        If the two tables do not cover the same areas (naming the unmatched codes).
    """
    for t in (before, after):
        _need(t, key)
        for m in measures:
            _need(t, m)
    only_b = sorted(set(before[key]) - set(after[key]))
    only_a = sorted(set(after[key]) - set(before[key]))
    if only_b or only_a:
        raise GeographyError(
            f"the tables cover different areas: only in {labels[0]}: {_preview(only_b)}; "
            f"only in {labels[1]}: {_preview(only_a)}", code=(only_b or only_a)[0],
            hint="harmonise the earlier LAs to the later LA set first (recode_parents with "
            "socint.geo.vintages.LaChanges.mapping)")
    b = before[[key, *measures]].rename(columns={m: f"{m}_{labels[0]}" for m in measures})
    a = after[[key, *measures]].rename(columns={m: f"{m}_{labels[1]}" for m in measures})
    out = b.merge(a, on=key, validate="one_to_one")
    for m in measures:
        out[f"{m}_change"] = out[f"{m}_{labels[1]}"] - out[f"{m}_{labels[0]}"]
    return out


def recode_parents(units: UnitCounts, mapping: pd.DataFrame, *, level: str = "lad") -> UnitCounts:
    """Move units to the areas of another vintage: ``<level>_code`` old -> new.

    ``mapping`` has ``old_code``, ``new_code`` and optionally ``share`` (as returned by
    :meth:`socint.geo.vintages.LaChanges.mapping`). Merges and code changes move whole units;
    a split area (share below 1) cannot be expressed by whole units and is refused.
    """
    col = f"{level}_code"
    if col not in units.parents.columns:
        raise GeographyError(f"the units carry no {col} to recode", file=units.source)
    if "share" in mapping.columns and (mapping["share"] < 1).any():
        split = sorted(mapping.loc[mapping["share"] < 1, "old_code"].astype(str).unique())
        raise GeographyError(
            f"area(s) split between vintages cannot be recoded unit by unit: {_preview(split)}",
            code=split[0], hint="use finer units whose new area is known, or a lookup")
    m = dict(zip(mapping["old_code"], mapping["new_code"], strict=True))
    old = units.parents[col]
    unknown = sorted(set(old.dropna()) - set(m))
    if unknown:
        raise GeographyError(f"{len(unknown)} {col} value(s) are not in the mapping: "
                             f"{_preview(unknown)}", code=str(unknown[0]), column=col)
    parents = units.parents.copy()
    parents[col] = old.map(m)
    name = f"{level}_name"
    if name in parents.columns:
        parents = parents.drop(columns=[name])
    return replace(units, parents=parents)


def _need(table: pd.DataFrame, col: str) -> pd.Series:
    if col not in table.columns:
        raise InputDataError(f"column {col!r} not in the measures table; it has "
                             f"{_preview(list(map(str, table.columns)), 40)}", column=col)
    return table[col]


__all__ = ["Correlation", "change", "correlation", "decile_crosstab", "recode_parents",
           "select_deciles"]
