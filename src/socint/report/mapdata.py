"""What the map pages need beyond the values: legend classes with their value ranges, the
uncertainty of each area's class, the diverging classes of the change map, and the London inset.

Nothing is estimated here; every number is read from the index tables.

* **Legend ranges.** Class *d* of a measure shows the lowest and highest value of the areas in
  decile *d* (so the legend is exactly what the map shows, "41%–45%").
* **Uncertainty.** An area is *uncertain* when its 90% interval spans more than two classes:
  the interval ends are placed among the classes by the decile cut points (the lowest value of
  each decile), for trust from ``trust_lower90``/``trust_upper90`` and for the composite from
  the 90% rank interval (rank *r* of *n* is in decile ``10 − floor(10 (r − 1) / n)``).
* **Change map.** Seven classes of equal width in percentage points, symmetric around no
  change; an area is uncertain when its 90% interval of change includes 0.
* **London inset.** The London boroughs (codes ``E09``, or region ``E12000007``) drawn again at
  a larger scale: the inset's viewBox is their bounding box in the map's coordinates.
"""

from __future__ import annotations

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


def _fmt(value: float, kind: str) -> str:
    if kind == "pct":
        return f"{100 * value:.0f}%"
    if kind == "num3":
        return f"{value:.2f}"
    if kind == "pp":
        return f"{100 * value:+.1f} pp".replace("-", "−")
    return f"{value:.0f}"


def legend_classes(frame: pd.DataFrame, m: Measure) -> list[dict[str, Any]]:
    """Deciles 10..1 of ``m`` with the range of values in each ("41%–45%")."""
    if m.decile_column is None:
        return []
    vals = pd.to_numeric(frame[m.column], errors="coerce")
    dec = pd.to_numeric(frame[m.decile_column], errors="coerce")
    out = []
    for d in range(10, 0, -1):
        part = vals[dec == d].dropna()
        if part.empty:
            text = "no areas"
        else:
            lo, hi = _fmt(float(part.min()), m.fmt), _fmt(float(part.max()), m.fmt)
            text = lo if lo == hi else f"{lo}–{hi}"
        out.append({"d": d, "text": text, "lo": None if part.empty else float(part.min()),
                    "hi": None if part.empty else float(part.max())})
    return out


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

        def dec_of(r: float) -> int:
            return 10 - math.floor(10 * (r - 1) / n)

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
           "legend_classes", "london_codes", "path_bbox"]
