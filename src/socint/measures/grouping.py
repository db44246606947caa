"""Vectorised sums of small-unit values within parent areas.

Every measure in :mod:`socint.measures` works on many areas at once: a ``units x groups`` count
matrix plus a *parent index* array giving, for each unit, the 0-based position of its area.
Sums over units within areas are ``np.bincount`` calls (one per column), so the cost is linear in
the number of units and there is no Python loop over areas.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from socint.errors import InputDataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def as_counts(counts: npt.ArrayLike) -> FloatArray:
    """Return ``counts`` as a 2-D float64 matrix (a 1-D array is one column)."""
    m = np.asarray(counts, dtype=np.float64)
    if m.ndim == 1:
        m = m[:, None]
    if m.ndim != 2:
        raise InputDataError(
            f"counts must be a units x groups matrix, but got an array of shape {m.shape}",
            hint="pass a 2-D array with one row per unit and one column per group",
        )
    return m


def as_parent(parent: npt.ArrayLike, n_units: int, n_areas: int | None) -> tuple[IntArray, int]:
    """Check a parent index array and return it with the number of areas."""
    p = np.asarray(parent)
    if p.shape != (n_units,):
        raise InputDataError(
            f"parent index has shape {p.shape} but counts have {n_units} unit rows",
            hint="give one parent-area index per unit",
        )
    if n_units and not np.issubdtype(p.dtype, np.integer):
        raise InputDataError(
            f"parent index must hold integers (area positions), got dtype {p.dtype}",
            hint="encode parent area codes with pandas.factorize first",
        )
    p = p.astype(np.intp, copy=False)
    if n_units and p.min() < 0:
        raise InputDataError(
            "parent index holds negative positions (a unit without a parent area?)",
            hint="every unit needs a parent area; drop or fix units whose parent is missing",
        )
    top = int(p.max()) + 1 if n_units else 0
    if n_areas is None:
        n_areas = top
    elif top > n_areas:
        raise InputDataError(f"parent index refers to area {top - 1} but n_areas is {n_areas}")
    return p, n_areas


def area_sum(values: FloatArray, parent: IntArray, n_areas: int) -> FloatArray:
    """Sum unit values within areas: ``(n_units,)`` -> ``(n_areas,)`` or columnwise for 2-D."""
    if values.ndim == 1:
        return np.bincount(parent, weights=values, minlength=n_areas).astype(np.float64)
    out = np.empty((n_areas, values.shape[1]), dtype=np.float64)
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(parent, weights=values[:, j], minlength=n_areas)
    return out


def units_per_area(total: FloatArray, parent: IntArray, n_areas: int) -> IntArray:
    """Number of units with a positive population in each area."""
    return np.bincount(parent[total > 0], minlength=n_areas).astype(np.intp)


def weighted_mean(
    values: FloatArray, weights: FloatArray, parent: IntArray, n_areas: int
) -> FloatArray:
    """Weighted mean of unit values within each area (NaN unit values are skipped)."""
    ok = ~np.isnan(values) & (weights > 0)
    num = np.bincount(parent[ok], weights=values[ok] * weights[ok], minlength=n_areas)
    den = np.bincount(parent[ok], weights=weights[ok], minlength=n_areas)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


__all__ = ["area_sum", "as_counts", "as_parent", "units_per_area", "weighted_mean"]
