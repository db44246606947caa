"""What the map pages need beyond the values: legend classes with their value ranges, the
uncertainty of each area's class, the diverging classes of the change map, and the London inset.

Nothing is estimated here; every number is read from the index tables.

* **Legend ranges.** Class *d* of a measure shows the lowest and highest value of the areas in
  decile *d* (so the legend is exactly what the map shows, "41%–45%"), printed with the fewest
  decimals (whole percent first) at which every class's highest value reads differently from
  the next class's lowest value ("41.2%–41.7%" where classes are that close).
* **Uncertainty.** An area is *uncertain* when its 90% interval spans more than two classes:
  the interval ends are placed among the classes by the decile cut points (the lowest value of
  each decile), for trust from ``trust_lower90``/``trust_upper90`` and for the composite from
  the 90% rank interval (the decile of rank *r* of *n* is the project's one decile rule,
  :func:`socint.composite.deciles.deciles`, applied to the ranks).
* **Change map.** Seven classes of equal width in percentage points, symmetric around no
  change; an area is uncertain when its 90% interval of change includes 0.
* **London inset.** The London boroughs (codes ``E09``, or region ``E12000007``) drawn again at
  a larger scale: the inset's viewBox is their bounding box in the map's coordinates.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from socint.report.definitions import Measure

#: Number of classes of the change map (odd: the middle one holds "no change").
CHANGE_CLASSES = 7
LONDON_REGION = "E12000007"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


#: Decimals a legend starts from, per display format (whole percent; EDI to 2 places), and
#: the most it may add to tell adjacent classes apart.
_BASE_DIGITS = {"pct": 0, "num3": 2, "pp": 1, "num1": 1}
_MAX_EXTRA_DIGITS = 3


def _fmt(value: float, kind: str, digits: int | None = None) -> str:
    d = _BASE_DIGITS.get(kind, 0) if digits is None else digits
    if kind == "pct":
        return f"{100 * value:.{d}f}%"
    if kind == "pp":
        return f"{100 * value:+.{d}f} pp".replace("-", "−")
    return f"{value:.{d}f}"


def legend_digits(ranges: Sequence[tuple[float, float]], kind: str) -> int:
    """Fewest decimals at which each class's highest value (``ranges`` ordered by class, each
    ``(lowest, highest)``) prints differently from the next class's lowest value.

    Starts at the format's usual precision (whole percent, EDI to 2 places) and adds up to
    three decimals; classes whose values are equal to that precision stay equal.
    """
    base = _BASE_DIGITS.get(kind, 0)
    for digits in range(base, base + _MAX_EXTRA_DIGITS + 1):
        if all(_fmt(a[1], kind, digits) != _fmt(b[0], kind, digits)
               for a, b in itertools.pairwise(ranges) if a[1] < b[0]):
            return digits
    return base + _MAX_EXTRA_DIGITS


def legend_classes(frame: pd.DataFrame, m: Measure) -> list[dict[str, Any]]:
    """Deciles 10..1 of ``m`` with the range of values in each ("41%–45%"), to the precision
    of :func:`legend_digits` (one precision for the whole legend)."""
    if m.decile_column is None:
        return []
    vals = pd.to_numeric(frame[m.column], errors="coerce")
    dec = pd.to_numeric(frame[m.decile_column], errors="coerce")
    parts = {d: vals[dec == d].dropna() for d in range(1, 11)}
    ranges = [(float(p.min()), float(p.max())) for p in parts.values() if not p.empty]
    digits = legend_digits(ranges, m.fmt)
    out = []
    for d in range(10, 0, -1):
        part = parts[d]
        if part.empty:
            text = "no areas"
        else:
            lo = _fmt(float(part.min()), m.fmt, digits)
            hi = _fmt(float(part.max()), m.fmt, digits)
            text = lo if lo == hi else f"{lo}–{hi}"
        out.append({"d": d, "text": text, "lo": None if part.empty else float(part.min()),
                    "hi": None if part.empty else float(part.max())})
    return out


def rank_deciles(n: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Decile of each rank 1..n (rank 1 = highest value) by the project's one decile rule
    (:func:`socint.composite.deciles.deciles` of n distinct values); index ``r - 1``."""
    from socint.composite.deciles import deciles

    return np.asarray(deciles(np.arange(n, 0, -1, dtype=float)).to_numpy(dtype=np.int64))


def _class_of(x: float, cuts: np.ndarray) -> int:
    """Decile class (1-10) of value ``x`` given the lowest values of deciles 2..10."""
    return 1 + int(np.searchsorted(cuts, x, side="right"))


def class_spans(frame: pd.DataFrame, m: Measure) -> pd.Series:
    """How many classes each area's 90% interval spans (NaN when it has no interval)."""
    out = pd.Series(np.nan, index=frame.index)
    if m.key == "trust" and {"trust_lower90", "trust_upper90"} <= set(frame.columns):
        vals = pd.to_numeric(frame["trust"], errors="coerce")
        dec = pd.to_numeric(frame["trust_decile"], errors="coerce")
        cuts = np.array([vals[dec == d].min() for d in range(2, 11)], dtype=float)
        if np.isnan(cuts).any():
            return out
        lo = pd.to_numeric(frame["trust_lower90"], errors="coerce")
        hi = pd.to_numeric(frame["trust_upper90"], errors="coerce")
        for i in frame.index:
            if np.isfinite(lo[i]) and np.isfinite(hi[i]):
                out[i] = _class_of(hi[i], cuts) - _class_of(lo[i], cuts) + 1
    elif m.key == "composite" and {"rank_lower90", "rank_upper90"} <= set(frame.columns):
        n = int(pd.to_numeric(frame["rank"], errors="coerce").notna().sum())
        if n == 0:
            return out
        by_rank = rank_deciles(n)

        def dec_of(r: float) -> int:
            # a fractional rank bound (a quantile between two ranks) takes the nearer rank
            return int(by_rank[min(max(round(r), 1), n) - 1])

        lo = pd.to_numeric(frame["rank_lower90"], errors="coerce").astype(float)
        hi = pd.to_numeric(frame["rank_upper90"], errors="coerce").astype(float)
        for i in frame.index:
            if np.isfinite(lo[i]) and np.isfinite(hi[i]):
                out[i] = dec_of(lo[i]) - dec_of(hi[i]) + 1
    return out


def change_classes(change: pd.Series) -> tuple[list[float], list[dict[str, Any]]]:
    """Edges and legend (highest class first) of the diverging change classes."""
    mx = float(np.nanmax(np.abs(change.to_numpy(float)))) if change.notna().any() else 0.01
    half = CHANGE_CLASSES / 2
    raw = max(mx, 1e-4) / half
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    edges = [(-half + k) * step for k in range(CHANGE_CLASSES + 1)]
    legend = []
    for k in range(CHANGE_CLASSES, 0, -1):
        lo, hi = edges[k - 1], edges[k]
        text = f"{_fmt(lo, 'pp')} to {_fmt(hi, 'pp')}"
        if k == (CHANGE_CLASSES + 1) // 2:
            text += " (about no change)"
        legend.append({"d": k, "text": text, "lo": lo, "hi": hi})
    return edges, legend


def change_class(value: float, edges: Sequence[float]) -> int | None:
    """Class 1..7 of a change (``None`` when missing)."""
    if not np.isfinite(value):
        return None
    k = int(np.searchsorted(np.asarray(edges[1:-1]), value, side="right")) + 1
    return min(max(k, 1), CHANGE_CLASSES)


def london_codes(frame: pd.DataFrame, code_col: str = "lad_code") -> list[str]:
    """Codes of the London boroughs in ``frame`` (``E09…`` or region ``E12000007``)."""
    is_lon = frame[code_col].astype(str).str.startswith("E09")
    if "region_code" in frame.columns:
        is_lon |= frame["region_code"].astype(str) == LONDON_REGION
    return [str(c) for c in frame.loc[is_lon, code_col]]


def path_bbox(paths: Mapping[str, str], codes: Sequence[str], pad: float = 0.04
              ) -> str | None:
    """``"x y w h"`` bounding the path data of ``codes`` (padded), or ``None``."""
    xs: list[float] = []
    ys: list[float] = []
    for code in codes:
        nums = [float(v) for v in _NUMBER.findall(paths.get(code, ""))]
        xs += nums[0::2]
        ys += nums[1::2]
    if not xs:
        return None
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    return f"{x0 - pad * w:.1f} {y0 - pad * h:.1f} {w * (1 + 2 * pad):.1f} {h * (1 + 2 * pad):.1f}"


__all__ = ["CHANGE_CLASSES", "change_class", "change_classes", "class_spans",
           "legend_classes", "legend_digits", "london_codes", "path_bbox", "rank_deciles"]
