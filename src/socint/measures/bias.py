"""Small-unit bias of the Index of Dissimilarity: expected D under random allocation, corrections.

With few residents per unit, chance alone makes group shares differ between units, so D is
above zero even when residents are allocated to units at random; the bias is largest for small
units (OAs) and small groups. Two remedies are provided:

* Carrington & Troske (1997): simulate the expected D under random allocation, ``D*``, holding
  every unit's population and the area's group totals fixed (multivariate hypergeometric
  allocation), and rescale ``D_ct = (D - D*) / (1 - D*)`` when ``D >= D*`` and
  ``(D - D*) / D*`` otherwise (0 = as even as random allocation).
* Allen, Burgess, Davidson & Windmeijer (2015): bootstrap bias correction
  ``D_bc = 2 D - mean(D_b)``, where each replicate draws each group's members over the units
  from a multinomial with the observed unit shares (as PySAL ``BiasCorrectedDissim``).

All draws come from a seeded :class:`numpy.random.Generator`, vectorised over areas: units are
visited by their position within their area (at most the largest area's unit count steps), and
each step draws the conditional hypergeometric/binomial for every area at once.

References
----------
Carrington, W. J. & Troske, K. R. (1997). On measuring segregation in samples with small
units. *Journal of Business & Economic Statistics* 15, 402-409.
Allen, R., Burgess, S., Davidson, R. & Windmeijer, F. (2015). More reliable inference for the
dissimilarity index of segregation. *The Econometrics Journal* 18, 40-66.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from socint.errors import InputDataError
from socint.measures.grouping import FloatArray, IntArray, area_sum, as_parent
from socint.measures.segregation import _pair, dissimilarity

Allocation = Literal["hypergeometric", "binomial"]


class _Positions:
    """Units of many areas visited by their position within their area."""

    def __init__(self, parent: IntArray, n_areas: int) -> None:
        order = np.argsort(parent, kind="stable")
        sizes = np.bincount(parent, minlength=n_areas)
        start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        pos = np.empty_like(parent)
        pos[order] = np.arange(parent.shape[0]) - start[parent[order]]
        by_pos = np.argsort(pos, kind="stable")
        counts = np.bincount(pos) if parent.shape[0] else np.zeros(0, dtype=np.intp)
        self.steps: list[IntArray] = np.split(by_pos, np.cumsum(counts)[:-1])
        # is the unit the last one of its area (it takes whatever is left)?
        self.last = pos == (sizes[parent] - 1)


def _batches(n_rep: int, n_units: int) -> list[int]:
    """Replicate batch sizes keeping a batch's draws to about four million numbers."""
    size = max(1, 4_000_000 // max(n_units, 1))
    return [min(size, n_rep - i) for i in range(0, n_rep, size)]


def _allocate(
    rng: np.random.Generator,
    steps: _Positions,
    t: FloatArray,
    parent: IntArray,
    big_x: FloatArray,
    big_y: FloatArray,
    method: Allocation,
    reps: int,
) -> FloatArray:
    """``reps`` random allocations of each area's X group members to its units of sizes t."""
    good = np.tile(big_x.astype(np.int64), (reps, 1))
    bad = np.tile(big_y.astype(np.int64), (reps, 1))
    x = np.zeros((reps, t.shape[0]))
    ti = t.astype(np.int64)
    share = np.divide(big_x, big_x + big_y, out=np.zeros_like(big_x), where=(big_x + big_y) > 0)
    for idx in steps.steps:
        a = parent[idx]
        size = np.broadcast_to(ti[idx], (reps, idx.shape[0]))
        if method == "hypergeometric":
            draw = rng.hypergeometric(good[:, a], bad[:, a], size)
            good[:, a] -= draw
            bad[:, a] -= size - draw
        else:
            draw = rng.binomial(size, share[a])
        x[:, idx] = draw
    return x


def expected_dissimilarity(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    group: int = 0,
    other: int | None = None,
    n_sim: int = 100,
    seed: int = 0,
    method: Allocation = "hypergeometric",
    n_areas: int | None = None,
) -> FloatArray:
    """Expected two-group D under random allocation of residents to units.

    Unit populations (of the two groups) are held fixed. ``method="hypergeometric"`` also
    holds each area's group totals fixed (Carrington & Troske 1997); ``"binomial"`` draws each
    unit's group count independently with the area's group share. Returns the mean D over
    ``n_sim`` simulations per area (draws leaving a group empty are skipped); NaN where the
    observed D is undefined.
    """
    if method not in ("hypergeometric", "binomial"):
        raise InputDataError(f"allocation method {method!r} is not 'hypergeometric'/'binomial'")
    if n_sim < 1:
        raise InputDataError(f"n_sim must be at least 1, got {n_sim}")
    x, y, _ = _pair(counts, group, other)
    p, k = as_parent(parent, x.shape[0], n_areas)
    _check_integral(x, y)
    t = x + y
    keep = t > 0
    x, y, t, p = x[keep], y[keep], t[keep], p[keep]
    steps = _Positions(p, k)
    big_x, big_y = area_sum(x, p, k), area_sum(y, p, k)
    rng = np.random.default_rng(seed)
    total = np.zeros(k)
    used = np.zeros(k)
    for reps in _batches(n_sim, t.shape[0]):
        batch = _allocate(rng, steps, t, p, big_x, big_y, method, reps)
        for xs in batch:
            d = dissimilarity(np.c_[xs, t - xs], p, n_areas=k)
            ok = np.isfinite(d)  # a binomial draw can leave a group empty: D undefined
            total[ok] += d[ok]
            used += ok
    observed = dissimilarity(np.c_[x, y], p, n_areas=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where((used > 0) & np.isfinite(observed), total / used, np.nan)
    return np.asarray(mean, dtype=np.float64)


def carrington_troske(d: npt.ArrayLike, d_random: npt.ArrayLike) -> FloatArray:
    """Carrington & Troske (1997) bias-corrected D from D and its expectation ``D*``.

    ``(D - D*) / (1 - D*)`` if ``D >= D*`` else ``(D - D*) / D*``; ranges over [-1, 1] with 0
    meaning no more segregated than random allocation.
    """
    d_arr = np.asarray(d, dtype=np.float64)
    r = np.asarray(d_random, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(d_arr >= r, (d_arr - r) / (1.0 - r), (d_arr - r) / r)
    return np.asarray(out, dtype=np.float64)


def corrected_dissimilarity(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    group: int = 0,
    other: int | None = None,
    n_sim: int = 100,
    seed: int = 0,
    n_areas: int | None = None,
) -> FloatArray:
    """Carrington & Troske (1997) bias-corrected two-group D of every area.

    Combines :func:`dissimilarity` with :func:`expected_dissimilarity` (hypergeometric random
    allocation, ``n_sim`` seeded simulations) through :func:`carrington_troske`.
    """
    d = dissimilarity(counts, parent, group=group, other=other, n_areas=n_areas)
    d_star = expected_dissimilarity(
        counts, parent, group=group, other=other, n_sim=n_sim, seed=seed, n_areas=d.shape[0]
    )
    return carrington_troske(d, d_star)


def bootstrap_corrected_dissimilarity(
    counts: npt.ArrayLike,
    parent: npt.ArrayLike,
    *,
    group: int = 0,
    other: int | None = None,
    n_boot: int = 500,
    seed: int = 0,
    n_areas: int | None = None,
) -> FloatArray:
    """Allen et al. (2015) bootstrap bias-corrected D: ``2 D - mean(D_b)``.

    In each replicate the X members of the group are spread over the area's units by a
    multinomial draw with probabilities ``x_i / X`` and the Y others with ``y_i / Y`` (drawn
    as sequential conditional binomials, vectorised over areas).
    """
    if n_boot < 1:
        raise InputDataError(f"n_boot must be at least 1, got {n_boot}")
    x, y, _ = _pair(counts, group, other)
    p, k = as_parent(parent, x.shape[0], n_areas)
    _check_integral(x, y)
    d = dissimilarity(np.c_[x, y], p, n_areas=k)
    steps = _Positions(p, k)
    rng = np.random.default_rng(seed)
    acc = np.zeros(k)
    for reps in _batches(n_boot, x.shape[0]):
        xb = _multinomial(rng, steps, x, p, k, reps)
        yb = _multinomial(rng, steps, y, p, k, reps)
        for r in range(reps):
            acc += dissimilarity(np.c_[xb[r], yb[r]], p, n_areas=k)
    return np.asarray(2.0 * d - acc / n_boot, dtype=np.float64)


def _multinomial(
    rng: np.random.Generator, steps: _Positions, w: FloatArray, parent: IntArray, k: int,
    reps: int,
) -> FloatArray:
    """``reps`` draws, per area, of sum(w) residents over units with probabilities w/sum(w)."""
    left_n = np.tile(area_sum(w, parent, k).astype(np.int64), (reps, 1))
    left_w = area_sum(w, parent, k)
    out = np.zeros((reps, w.shape[0]))
    for idx in steps.steps:
        a = parent[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            prob = np.clip(np.where(left_w[a] > 0, w[idx] / left_w[a], 0.0), 0.0, 1.0)
        prob = np.where(steps.last[idx], 1.0, prob)
        draw = rng.binomial(left_n[:, a], prob)
        out[:, idx] = draw
        left_n[:, a] -= draw
        left_w[a] -= w[idx]
    return out


def _check_integral(*cols: FloatArray) -> None:
    for c in cols:
        if np.any(c < 0) or np.any(c != np.round(c)):
            raise InputDataError(
                "random allocation needs whole, non-negative counts",
                hint="pass resident counts, not shares or weighted estimates",
            )


__all__ = [
    "Allocation",
    "bootstrap_corrected_dissimilarity",
    "carrington_troske",
    "corrected_dissimilarity",
    "expected_dissimilarity",
]
