"""Ranks and deciles of area values, reusing the measures' documented rule.

The rule is ``socint.measures.compute.rank_and_decile`` (documented in
``docs/methods/diversity.md``; at the time of writing: with ``r`` the ascending rank, ties sharing
their minimum rank, among the ``n`` areas with a value, ``decile = ceil(10 r / n)``), so decile 10
holds the highest tenth and decile 1 the lowest; rank 1 is the highest value. This module never
restates the formula: the draw-by-draw version maps ranks through the measures' own function, so
an LA's EDI decile in ``socint measures`` and in ``la_index.csv`` are always the same number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from socint.measures.compute import rank_and_decile

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def deciles(values: npt.ArrayLike) -> pd.Series:
    """Decile (1-10, 10 = highest tenth) of each value; NaN stays NaN (``Int64`` dtype)."""
    return rank_and_decile(values)[1]


def ranks(values: npt.ArrayLike) -> pd.Series:
    """Rank (1 = highest, ties share the lowest rank number); NaN stays NaN (``Int64``)."""
    return rank_and_decile(values)[0]


def deciles_by_row(draws: npt.ArrayLike) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Deciles of each column of a (areas × draws) matrix, computed draw by draw.

    Same rule as :func:`deciles` (ties share their minimum rank), vectorised over draws for the
    rank-uncertainty calculations. The matrix must hold no NaN.
    """
    x = np.asarray(draws, dtype=np.float64)
    n = x.shape[0]
    asc = _min_rank_ascending(x).astype(np.int64)
    # decile of ascending rank r among n distinct values, by the measures' own rule
    lookup = np.concatenate([[0], rank_and_decile(np.arange(1.0, n + 1.0))[1]
                             .to_numpy(dtype=np.int64)])
    return np.asarray(lookup[asc], dtype=np.int64)


def _min_rank_ascending(x: FloatArray) -> FloatArray:
    """Ascending ranks (1 = lowest, ties get their minimum rank) of each column of ``x``."""
    n, d = x.shape
    order = np.argsort(x, axis=0, kind="stable")
    sorted_x = np.take_along_axis(x, order, axis=0)
    pos = np.arange(1, n + 1, dtype=np.float64)[:, None] * np.ones((1, d))
    # ties: propagate the first position of each run of equal values down the run
    new_run = np.ones_like(sorted_x, dtype=bool)
    new_run[1:] = sorted_x[1:] != sorted_x[:-1]
    run_start = np.where(new_run, pos, 0.0)
    run_start = np.maximum.accumulate(run_start, axis=0)
    out = np.empty_like(run_start)
    np.put_along_axis(out, order, run_start, axis=0)
    return out


def ranks_by_row(draws: npt.ArrayLike) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Ranks (1 = highest, ties share the lowest number) of each column of (areas × draws)."""
    x = np.asarray(draws, dtype=np.float64)
    return _min_rank_ascending(-x).astype(np.int64)


__all__ = ["deciles", "deciles_by_row", "ranks", "ranks_by_row"]
