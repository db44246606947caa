"""Raking (iterative proportional fitting) of survey respondents to census margins.

Each iteration scales the weights so that, margin by margin, the weighted sample reproduces the
population totals (Deming & Stephan 1940, *Ann. Math. Stat.* 11:427; the algorithm of R's
``survey::rake`` and of ``anesrake``). Optional trimming caps weights at ``trim`` times the mean
weight and re-rakes, alternating until both hold (the "trim and rake" of Battaglia et al. 2009,
*Survey Practice* 2(5)). The Kish (1965) design effect due to weighting is
``deff = n Σw² / (Σw)²``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import ConvergenceError, InputDataError, _preview


@dataclass(frozen=True)
class Margin:
    """Population totals of one variable (or a cross of variables, e.g. age × sex).

    ``targets`` maps a category (for a cross, a tuple of categories in ``variables`` order) to
    its population count. Categories with target 0 must not occur in the sample.
    """

    variables: tuple[str, ...]
    targets: Mapping[Any, float]

    @property
    def name(self) -> str:
        """The margin's name, e.g. ``age_band×sex``."""
        return "×".join(self.variables)


@dataclass(frozen=True)
class RakingResult:
    """Raked weights and diagnostics.

    ``history`` holds, per raking cycle, the largest absolute difference between a weighted
    margin share and its target share (the convergence criterion). ``n_trimmed`` is the largest
    number of weights capped in one trimming round; ``max_weight_ratio`` the final largest
    weight over the mean weight, and ``trim_satisfied`` whether it is within the cap (the
    final step is always a rake, so the margins hold exactly and the cap approximately).
    """

    weights: pd.Series
    iterations: int
    converged: bool
    history: tuple[float, ...]
    max_margin_error: float
    deff_kish: float
    n_trimmed: int
    trim: float | None
    max_weight_ratio: float
    trim_satisfied: bool
    margins: tuple[str, ...] = field(default=())

    @property
    def effective_n(self) -> float:
        """Kish effective sample size n / deff."""
        return float(len(self.weights) / self.deff_kish)


def kish_deff(weights: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's design effect due to unequal weighting, ``n Σw² / (Σw)²`` (Kish 1965, §11.7)."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise InputDataError(
            "weights must be non-empty, finite, non-negative and not all zero",
            hint="check the weight column",
        )
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def _keys(sample: pd.DataFrame, margin: Margin) -> pd.Series:
    for v in margin.variables:
        if v not in sample.columns:
            raise InputDataError(
                f"margin {margin.name} needs column {v!r}, absent from the sample",
                column=v,
                hint=f"the sample has {_preview(list(map(str, sample.columns)))}",
            )
    if len(margin.variables) == 1:
        return sample[margin.variables[0]].astype(object)
    return pd.Series(
        list(zip(*(sample[v].tolist() for v in margin.variables), strict=True)),
        index=sample.index, dtype=object,
    )


def _check(sample: pd.DataFrame, margin: Margin, keys: pd.Series) -> None:
    """Refuse unweightable samples: a respondent outside the targets or an empty target cell."""
    targets = margin.targets
    outside = ~keys.isin(list(targets))
    if outside.any():
        i = int(np.flatnonzero(outside.to_numpy())[0])
        raise InputDataError(
            f"{int(outside.sum())} respondent(s) have {margin.name} categories missing from the "
            f"population margins, e.g. {keys.iloc[i]!r}; margins have {_preview(list(targets))}",
            row=i + 1,
            column=margin.variables[0],
            hint="recode respondents to the census categories or add the category's target",
        )
    counts = keys.value_counts()
    empty = [k for k, t in targets.items() if t > 0 and counts.get(k, 0) == 0]
    if empty:
        raise InputDataError(
            f"the sample cannot be weighted: margin {margin.name} has cell(s) with a population "
            f"target but no respondents: {_preview(empty)}",
            column=margin.variables[0],
            hint="collapse the empty cell(s) into a neighbouring category, or drop that margin",
        )
    bad = [k for k, t in targets.items() if not np.isfinite(t) or t < 0]
    if bad:
        raise InputDataError(
            f"margin {margin.name} has negative or non-finite targets for {_preview(bad)}",
            column=margin.variables[0],
        )


def rake(
    sample: pd.DataFrame,
    margins: Sequence[Margin],
    *,
    base_weights: Sequence[float] | pd.Series | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    trim: float | None = None,
    trim_tol: float = 1e-3,
    max_trim_rounds: int = 50,
) -> RakingResult:
    """Rake respondents so that weighted counts reproduce every margin.

    Parameters
    ----------
    sample
        One row per respondent with the margin variables.
    margins
        Population totals. Each margin is rescaled to the first margin's total (census tables
        differ slightly in their totals); weights then sum to that total.
    base_weights
        Starting (design) weights; 1 for everyone when None.
    tol
        Convergence: the largest absolute difference between a weighted margin share and its
        target share, checked after each full cycle.
    max_iter
        Raking cycles allowed (per trimming round).
    trim
        If given, cap weights at ``trim`` × mean weight, alternating trim and rake.
    trim_tol
        Relative tolerance on the cap: trimming stops once no weight exceeds
        ``trim × mean × (1 + trim_tol)``.
    max_trim_rounds
        Trim/rake alternations allowed.

    Raises
    ------
    InputDataError
        A respondent category absent from the margins, or a margin cell with no respondents.
    ConvergenceError
        The margins are not met within ``max_iter`` cycles.
    """
    if not margins:
        raise InputDataError("no margins were given to rake to", hint="give at least one margin")
    if trim is not None and trim <= 1:
        raise InputDataError(f"trim was {trim} but must exceed 1 (a multiple of the mean weight)")
    n = len(sample)
    w = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    if w.shape != (n,) or (w <= 0).any() or not np.isfinite(w).all():
        raise InputDataError("base weights must be positive and one per respondent")
    total = float(sum(margins[0].targets.values()))
    codes: list[np.ndarray] = []
    shares: list[np.ndarray] = []
    for m in margins:
        keys = _keys(sample, m)
        _check(sample, m, keys)
        cats = list(m.targets)
        lookup = {k: j for j, k in enumerate(cats)}
        codes.append(np.array([lookup[k] for k in keys], dtype=np.int64))
        t = np.array([m.targets[k] for k in cats], dtype=float)
        shares.append(t / t.sum())
    w *= total / w.sum()
    history: list[float] = []
    iterations = 0
    n_trimmed = 0

    def error(weights: np.ndarray) -> float:
        s = weights.sum()
        return max(
            float(np.max(np.abs(np.bincount(c, weights, minlength=len(p)) / s - p)))
            for c, p in zip(codes, shares, strict=True)
        )

    def cycles(w: np.ndarray) -> np.ndarray:
        nonlocal iterations
        for _ in range(max_iter):
            iterations += 1
            for c, p in zip(codes, shares, strict=True):
                achieved = np.bincount(c, w, minlength=len(p))
                with np.errstate(divide="ignore", invalid="ignore"):
                    factor = np.where(achieved > 0, p * total / achieved, 0.0)
                w = w * factor[c]
            history.append(error(w))
            if history[-1] < tol:
                return w
        raise ConvergenceError(
            f"raking did not converge in {max_iter} cycles (largest margin share error "
            f"{history[-1]:.3g} > tol {tol:g})",
            hint="margins may be inconsistent (e.g. cross-classified cells forcing "
            "incompatible totals); collapse sparse categories or raise max_iter",
        )

    w = cycles(w)
    if trim is not None:
        for _round in range(max_trim_rounds):
            cap = trim * w.mean()
            over = w > cap * (1 + trim_tol)
            if not over.any():
                break
            n_trimmed = max(n_trimmed, int(over.sum()))
            w = cycles(np.minimum(w, cap))
    final = error(w)
    return RakingResult(
        weights=pd.Series(w, index=sample.index, name="weight"),
        iterations=iterations,
        converged=final < tol,
        history=tuple(history),
        max_margin_error=final,
        deff_kish=kish_deff(w),
        n_trimmed=n_trimmed,
        trim=trim,
        max_weight_ratio=float(w.max() / w.mean()),
        trim_satisfied=trim is None or bool(w.max() <= trim * w.mean() * (1 + trim_tol)),
        margins=tuple(m.name for m in margins),
    )
