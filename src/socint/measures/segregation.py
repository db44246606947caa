"""Residential segregation of groups across the small units of many areas at once.

Every function takes a ``units x groups`` count matrix (columns partition each unit's
residents), a parent index (0-based area of each unit) and returns one value per area. The
indices follow the definitions implemented in PySAL ``segregation`` (Cortes et al. 2020), which
the tests check to 1e-9.

An index is NaN for an area where it is undefined: no residents, fewer than two populated units
(segregation *between* units needs at least two; PySAL would return 0 there), or a group of
interest that is absent from the area. :func:`undefined_reasons` says which applies.

References
----------
Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation indexes. *American
Sociological Review* 20, 210-217 (Index of Dissimilarity).
Massey, D. S. & Denton, N. A. (1988). The dimensions of residential segregation. *Social Forces*
67, 281-315 (isolation, exposure/interaction).
Reardon, S. F. & Firebaugh, G. (2002). Measures of multigroup segregation. *Sociological
Methodology* 32, 33-67 (multigroup dissimilarity, Theil's information theory index H).
Theil, H. & Finizza, A. J. (1971). A note on the measurement of racial integration of schools.
*Journal of Mathematical Sociology* 1, 187-193.
Cortes, R. X., Rey, S., Knaap, E. et al. (2020). An open-source framework for non-spatial and
spatial segregation measures: the PySAL segregation module. *J. Comput. Soc. Sci.* 3, 135-166.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from socint.errors import InputDataError
from socint.measures.grouping import (
    FloatArray,
    IntArray,
    area_sum,
    as_counts,
    as_parent,
    units_per_area,
)


def _pair(
    counts: npt.ArrayLike, group: int, other: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Columns ``x`` (group), ``y`` (other group, or everyone else) and unit totals ``t``."""
    m = as_counts(counts)
    k = m.shape[1]
    for name, idx in (("group", group), ("other", other)):
        if idx is not None and not 0 <= idx < k:
            raise InputDataError(f"{name} column {idx} is out of range for {k} group column(s)")
    if other is not None and other == group:
        raise InputDataError(f"group and other are the same column ({group})")
    t = m.sum(axis=1)
    x = m[:, group]
    y = t - x if other is None else m[:, other]
    return x, y, t


def _defined(
    values: FloatArray, t: FloatArray, parent: IntArray, n_areas: int, *need: FloatArray
) -> FloatArray:
    """Set NaN where an area has < 2 populated units or a needed group total is zero."""
    ok = units_per_area(t, parent, n_areas) >= 2
    for tot in need:
        ok &= tot > 0
    return np.where(ok, values, np.nan)


def dissimilarity(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    group: int = 0,
    other: int | None = None,
    n_areas: int | None = None,
) -> FloatArray:
    """Two-group Index of Dissimilarity D (Duncan & Duncan 1955), on a 0-1 scale.

    ``D = 1/2 sum_i |x_i / X - y_i / Y|``: the share of either group that would have to move
    for both to be spread over the area's units in the same proportions.

    Parameters
    ----------
    counts
        ``units x groups`` counts.
    parent
        0-based area index of each unit.
    group
        Column of the group of interest.
    other
        Column of the comparison group; ``None`` compares ``group`` with everyone else
        (``y = total - x``, as PySAL ``Dissim``).
    n_areas
        Number of areas (defaults to ``max(parent) + 1``).
    """
    x, y, t = _pair(counts, group, other)
    p, k = as_parent(parent, x.shape[0], n_areas)
    if other is not None:
        t = x + y
    big_x, big_y = area_sum(x, p, k), area_sum(y, p, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.abs(x / big_x[p] - y / big_y[p])
    d = np.where(t > 0, d, 0.0)
    return _defined(0.5 * area_sum(d, p, k), t, p, k, big_x, big_y)


def isolation(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    group: int = 0,
    n_areas: int | None = None,
) -> FloatArray:
    """Isolation index xPx (Massey & Denton 1988).

    ``xPx = sum_i (x_i / X)(x_i / t_i)``: the share of the group among the residents of the
    unit where a typical member of the group lives.
    """
    x, _, t = _pair(counts, group, None)
    return _exposure_of(x, x, t, parent, n_areas)


def exposure(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    group: int = 0,
    other: int | None = None,
    n_areas: int | None = None,
) -> FloatArray:
    """Exposure (interaction) index xPy (Massey & Denton 1988).

    ``xPy = sum_i (x_i / X)(y_i / t_i)``: the share of group ``other`` (or of everyone else
    when ``other`` is None, as PySAL ``Interaction``) among the residents of the unit where a
    typical member of ``group`` lives. ``t_i`` is always the unit's whole population.
    """
    x, y, t = _pair(counts, group, other)
    return _exposure_of(x, y, t, parent, n_areas)


def _exposure_of(x: FloatArray, y: FloatArray, t: FloatArray, parent: npt.ArrayLike,
                 n_areas: int | None) -> FloatArray:
    """``sum_i (x_i / X)(y_i / t_i)`` per area: isolation when ``y`` is ``x``, else exposure."""
    p, k = as_parent(parent, x.shape[0], n_areas)
    big_x = area_sum(x, p, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(t > 0, (x / big_x[p]) * (y / np.where(t > 0, t, 1.0)), 0.0)
    return _defined(area_sum(terms, p, k), t, p, k, big_x)


def multigroup_dissimilarity(
    counts: npt.ArrayLike, parent: npt.ArrayLike, *, n_areas: int | None = None
) -> FloatArray:
    """Multigroup Index of Dissimilarity (Reardon & Firebaugh 2002), on a 0-1 scale.

    ``D = sum_i sum_m t_i |pi_im - pi_m| / (2 T I)`` with ``I = sum_m pi_m (1 - pi_m)``
    (Simpson's interaction index of the area). Equals two-group D when there are two groups.
    """
    m = as_counts(counts)
    p, k = as_parent(parent, m.shape[0], n_areas)
    t = m.sum(axis=1)
    big = area_sum(m, p, k)
    big_t = big.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = big / big_t[:, None]
        unit = m / np.where(t > 0, t, 1.0)[:, None]
        dev = (t[:, None] * np.abs(unit - share[p])).sum(axis=1)
        inter = (share * (1.0 - share)).sum(axis=1)
        d = area_sum(dev, p, k) / (2.0 * big_t * inter)
    return _defined(d, t, p, k, big_t, inter)


def theil_h(
    counts: npt.ArrayLike, parent: npt.ArrayLike, *, n_areas: int | None = None
) -> FloatArray:
    """Theil's information theory index H (Theil & Finizza 1971; Reardon & Firebaugh 2002).

    ``H = sum_i sum_m t_i pi_im ln(pi_im / pi_m) / (T E)`` with ``E`` the area's entropy
    ``sum_m pi_m ln(1 / pi_m)``: the share of the area's entropy that is between units. Terms
    with ``pi_im = 0`` are zero and groups absent from an area are ignored (PySAL
    ``MultiInfoTheory`` returns NaN for an absent group).
    """
    m = as_counts(counts)
    p, k = as_parent(parent, m.shape[0], n_areas)
    t = m.sum(axis=1)
    big = area_sum(m, p, k)
    big_t = big.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = big / big_t[:, None]
        ent = -np.where(big > 0, share * np.log(np.where(big > 0, share, 1.0)), 0.0).sum(axis=1)
        unit = m / np.where(t > 0, t, 1.0)[:, None]
        ratio = np.where(m > 0, unit / np.where(m > 0, share[p], 1.0), 1.0)
        div = (m * np.log(ratio)).sum(axis=1)
        h = area_sum(div, p, k) / (big_t * ent)
    return _defined(h, t, p, k, big_t, ent)


def undefined_reasons(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    group: int | None = None,
    other: int | None = None,
    n_areas: int | None = None,
    labels: Sequence[str] | None = None,
) -> list[str | None]:
    """Why a segregation index is NaN in each area (``None`` where it is defined).

    Reasons: the area has no residents; it has only one populated unit (nothing to be
    segregated between); the group of interest (or the comparison group) is absent; for a
    multigroup index (``group=None``), all residents are in one group. ``labels`` names the
    columns in the messages.
    """
    m = as_counts(counts)
    p, k = as_parent(parent, m.shape[0], n_areas)
    t = m.sum(axis=1)
    big = area_sum(m, p, k)
    big_t = big.sum(axis=1)
    n_units = units_per_area(t, p, k)
    out: list[str | None] = []
    for a in range(k):
        if big_t[a] <= 0:
            out.append("no residents")
        elif n_units[a] < 2:
            out.append("only one populated unit")
        elif group is not None and big[a, group] <= 0:
            out.append(f"group {labels[group] if labels else group} absent")
        elif group is not None and (
            (other is None and big[a, group] >= big_t[a])
            or (other is not None and big[a, other] <= 0)
        ):
            out.append("comparison group absent")
        elif group is None and int((big[a] > 0).sum()) < 2:
            out.append("all residents are in one group")
        else:
            out.append(None)
    return out


__all__ = [
    "dissimilarity",
    "exposure",
    "isolation",
    "multigroup_dissimilarity",
    "theil_h",
    "undefined_reasons",
]
