"""Diversity of a population's group composition: Simpson, Shannon, effective number of groups.

Each function takes a ``rows x groups`` count matrix and returns one value per row (a row is a
unit or an area). :func:`area_diversity` rolls small-unit values up to parent areas, either by
pooling the counts (the area's own composition) or as the population-weighted mean of the unit
values (the diversity a typical resident meets in their own small area).

References
----------
Simpson, E. H. (1949). Measurement of diversity. *Nature* 163, 688.
Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical Journal*
27, 379-423.
Jost, L. (2006). Entropy and diversity. *Oikos* 113, 363-375 (effective numbers, Hill numbers).
Bright Blue (2019). *Distant neighbours?* — the Ethnic Diversity Index is Simpson's index.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from socint.errors import InputDataError
from socint.measures.grouping import FloatArray, area_sum, as_counts, as_parent, weighted_mean

Rollup = Literal["pooled", "weighted_mean"]
ROLLUPS: tuple[str, ...] = ("pooled", "weighted_mean")


def simpson(counts: npt.ArrayLike, *, fpc: bool = False) -> FloatArray:
    """Simpson's diversity index: probability that two random residents are in different groups.

    ``1 - sum_g p_g**2`` with ``p_g = n_g / N`` (draws with replacement, Simpson 1949). With
    ``fpc=True`` the finite-population correction draws without replacement:
    ``1 - sum_g n_g (n_g - 1) / (N (N - 1))``.

    Parameters
    ----------
    counts
        ``rows x groups`` non-negative counts.
    fpc
        Use the finite-population (without replacement) form.

    Returns
    -------
    numpy.ndarray
        One value per row in [0, 1); NaN for a row with no residents (or fewer than two with
        ``fpc``), where the probability is undefined.
    """
    m = as_counts(counts)
    n = m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if fpc:
            same = (m * (m - 1.0)).sum(axis=1) / (n * (n - 1.0))
            out = np.where(n >= 2, 1.0 - same, np.nan)
        else:
            same = (m * m).sum(axis=1) / (n * n)
            out = np.where(n > 0, 1.0 - same, np.nan)
    return np.asarray(out, dtype=np.float64)


def shannon(counts: npt.ArrayLike, *, base: float = np.e) -> FloatArray:
    """Shannon entropy of the group shares, ``-sum_g p_g log p_g`` (Shannon 1948).

    Groups with zero count contribute nothing (``0 log 0 = 0``). ``base`` sets the logarithm's
    base (e, 2 or the number of groups for a 0-1 scale). NaN for a row with no residents.
    """
    if base <= 0 or base == 1:
        raise InputDataError(f"logarithm base must be positive and not 1, got {base}")
    m = as_counts(counts)
    n = m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = m / n[:, None]
        terms = np.where(m > 0, p * np.log(np.where(m > 0, p, 1.0)), 0.0)
    h = -terms.sum(axis=1) / np.log(base)
    return np.asarray(np.where(n > 0, h, np.nan), dtype=np.float64)


def effective_number(counts: npt.ArrayLike) -> FloatArray:
    """Effective number of groups: ``exp(Shannon entropy)``, the Hill number of order 1.

    The number of equally common groups that would give the same entropy (Jost 2006): 1 for a
    single group, ``k`` for ``k`` equal groups. NaN for a row with no residents.
    """
    return np.asarray(np.exp(shannon(counts)), dtype=np.float64)


_DIVERSITY = {
    "simpson": lambda m, fpc: simpson(m, fpc=fpc),
    "shannon": lambda m, fpc: shannon(m),
    "effective_number": lambda m, fpc: effective_number(m),
}


def area_diversity(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    measure: str = "simpson",
    rollup: Rollup = "pooled",
    fpc: bool = False,
    n_areas: int | None = None,
) -> FloatArray:
    """Diversity of every parent area from its small units' counts.

    Parameters
    ----------
    counts
        ``units x groups`` counts.
    parent
        0-based area index of each unit.
    measure
        ``"simpson"``, ``"shannon"`` or ``"effective_number"``.
    rollup
        ``"pooled"``: the measure of the area's summed counts. ``"weighted_mean"``: the mean of
        the units' values weighted by unit population (units with no residents are skipped);
        this is how Bright Blue (2019) rolls MSOA diversity up to local authorities.
    fpc
        Finite-population correction; only Simpson has one.
    n_areas
        Number of areas (defaults to ``max(parent) + 1``).
    """
    if measure not in _DIVERSITY:
        raise InputDataError(
            f"diversity measure {measure!r} is unknown; expected one of {sorted(_DIVERSITY)}"
        )
    if fpc and measure != "simpson":
        raise InputDataError(f"fpc=True only applies to Simpson's index, not to {measure!r}")
    if rollup not in ROLLUPS:
        raise InputDataError(f"rollup {rollup!r} is unknown; expected one of {list(ROLLUPS)}")
    m = as_counts(counts)
    p, k = as_parent(parent, m.shape[0], n_areas)
    fn = _DIVERSITY[measure]
    if rollup == "pooled":
        pooled = area_sum(m, p, k)
        return np.asarray(fn(pooled, fpc), dtype=np.float64)
    return weighted_mean(np.asarray(fn(m, fpc), dtype=np.float64), m.sum(axis=1), p, k)


__all__ = ["ROLLUPS", "Rollup", "area_diversity", "effective_number", "shannon", "simpson"]
