"""Diagnostics a user sees: lme4-style check levels, degenerate designs, separation.

lme4 runs a set of checks on every fit and lets each be set to stop, warn or ignore
(``glmerControl(check.nlev.gtr.1 = "stop", check.conv.singular = ..., check.conv.hess = ...)``;
Bates et al. 2015, *J. Stat. Softw.* 67(1), and ``?lme4::lmerControl``). socint does the same
with :class:`socint.models.Control`'s ``check_*`` fields, each ``"raise"``, ``"warn"`` or
``"ignore"``. Warnings are :class:`socint.errors.ModelWarning`, a ``UserWarning`` subclass.

Which covariates separate the outcome is found by the linear programme of Konis (2007,
*Linear programming algorithms for detecting separated data in binary logistic regression
models*, DPhil thesis, Oxford; R package ``detectseparation``): a direction ``d`` with
``x'd ≥ 0`` on every row with a success and ``x'd ≤ 0`` on every row with a failure, not all
zero, exists exactly when the maximum likelihood estimate does not; the columns where ``d`` is
non-zero are the ones that separate.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.optimize
import scipy.sparse

from socint.errors import ModelError, ModelWarning

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

#: The allowed check levels, as lme4's "stop" / "warning" / "ignore".
CHECK_LEVELS = ("raise", "warn", "ignore")

#: lme4's ``check.conv.hess`` tolerance on the Hessian's eigenvalue ratio ("nearly
#: unidentifiable: large eigenvalue ratio").
EIGEN_RATIO_TOL = 1e-6


def validate_level(name: str, level: str) -> None:
    """Raise if a ``check_*`` option is not one of :data:`CHECK_LEVELS`."""
    if level not in CHECK_LEVELS:
        raise ModelError(
            f'`{name}` was "{level}" but is expected to be in {list(CHECK_LEVELS)}',
            hint='use "raise" (an error), "warn" (a ModelWarning) or "ignore", as lme4\'s '
                 "check levels",
        )


def act(level: str, message: str, *, hint: str, column: str | None = None,
        stacklevel: int = 4) -> None:
    """Raise a :class:`ModelError`, warn a :class:`ModelWarning`, or do nothing."""
    if level == "raise":
        raise ModelError(message, column=column, hint=hint)
    if level == "warn":
        warnings.warn(f"{message}\nHow to fix: {hint}", ModelWarning, stacklevel=stacklevel)


def one_level_factors(names: Sequence[str], labels: Sequence[Any]) -> list[int]:
    """Indices of grouping factors with a single level."""
    return [f for f in range(len(names)) if len(labels[f]) == 1]


def constant_columns(columns: Sequence[str], X: Any) -> list[str]:
    """Non-intercept design columns that take one value on every row (``X`` an array or an
    :class:`~socint.models.xmatrix.XMatrix`: column by column)."""
    if X.shape[0] == 0:
        return []
    out = []
    for k, c in enumerate(columns):
        if c != "Intercept":
            x = X[:, k]
            if bool(np.all(x == x[0])):
                out.append(c)
    return out


def aliased_pairs(names: Sequence[str], codes: Sequence[IntArray],
                  n_groups: Sequence[int]) -> list[tuple[str, str]]:
    """Pairs of grouping factors that define the same groups.

    Factor A is aliased with B when every group of A holds exactly one group of B and vice
    versa (the same partition of the rows under two names, e.g. ``(1 | lad_code) +
    (1 | lad_name)``, or MSOAs that are each a whole LA): only the sum of the two variances
    is identified.
    """
    out = []
    for a in range(len(codes)):
        for b in range(a + 1, len(codes)):
            if n_groups[a] != n_groups[b] or n_groups[a] < 2:
                continue
            # with as many groups on each side, A nested in B is the same partition
            if nested_parent(codes[a], codes[b], n_groups[a]) is not None:
                out.append((names[a], names[b]))
    return out


def nested_parent(fine: IntArray, coarse: IntArray, n_fine: int) -> IntArray | None:
    """The coarse group of each fine group if every fine group lies in one coarse group.

    One O(n) pass (a sort of the code pairs costs more): the coarse code seen on some row of
    each fine group must be the coarse code of every row of that group. Every fine group
    0..n_fine-1 occurs (the codes come from a factorisation of the rows).
    """
    parent = np.zeros(n_fine, dtype=np.int64)
    parent[fine] = coarse
    return parent if np.array_equal(parent[fine], coarse) else None


def _separation_lp(A: scipy.sparse.csr_matrix, c_d: FloatArray,
                   fixed_zero: set[int]) -> FloatArray | None:
    """A separating direction with ``d_k = 0`` for ``k`` in ``fixed_zero``, or None."""
    p = c_d.size
    bounds = [(0.0, 0.0 if k in fixed_zero else 1.0) for k in range(p)] * 2
    res = scipy.optimize.linprog(np.concatenate([c_d, -c_d]),
                                 A_ub=scipy.sparse.hstack([A, -A]).tocsr(),
                                 b_ub=np.zeros(A.shape[0]), bounds=bounds, method="highs")
    # solver tolerances are ~1e-9 per row: a real separation gains O(1) per separated row
    if res.status != 0 or -res.fun <= 1e-6 * max(A.shape[0], 1):
        return None
    return np.asarray(res.x[:p] - res.x[p:])


def separating_columns(columns: Sequence[str], X: FloatArray, y: FloatArray,
                       trials: FloatArray) -> list[str]:
    """A minimal set of design columns that (quasi-)completely separate the outcome.

    Solves Konis's linear programme ``max Σ_{y>0} x'd − Σ_{y<m} x'd`` subject to ``x'd ≥ 0``
    where there is a success, ``x'd ≤ 0`` where there is a failure and ``|d_k| ≤ 1``; its
    optimum is positive exactly when the data are separated. A direction can always lean a
    little on unrelated columns within the margin, so the columns are then pruned one at a
    time (smallest weight first): a column stays only if the data are no longer separated
    without it. The intercept is never named.
    """
    n, p = X.shape
    if n == 0:
        return []
    A = scipy.sparse.vstack([
        scipy.sparse.csr_matrix(-X[y > 0]),      # -x'd ≤ 0 where there is a success
        scipy.sparse.csr_matrix(X[y < trials]),  #  x'd ≤ 0 where there is a failure
    ]).tocsr()
    c_d = -(X[y > 0].sum(axis=0) - X[y < trials].sum(axis=0))
    d = _separation_lp(A, c_d, set())
    if d is None:
        return []
    intercept = {k for k, c in enumerate(columns) if c == "Intercept"}
    active = [k for k in np.argsort(np.abs(d)) if abs(d[k]) > 0 and k not in intercept]
    zero = {k for k in range(p) if d[k] == 0 and k not in intercept}
    keep: list[int] = []
    for k in active:
        if _separation_lp(A, c_d, zero | {k}) is not None:
            zero.add(k)
        else:
            keep.append(k)
    return [columns[k] for k in sorted(keep)]


def eigen_ratio(H: FloatArray) -> float:
    """``min eigenvalue / max eigenvalue`` of a symmetric matrix (lme4's ``check.conv.hess``)."""
    lam = np.linalg.eigvalsh(H)
    top = float(np.max(np.abs(lam)))
    return float(lam.min() / top) if top > 0 else 0.0


__all__ = [
    "CHECK_LEVELS", "EIGEN_RATIO_TOL", "act", "aliased_pairs", "constant_columns", "eigen_ratio",
    "nested_parent", "one_level_factors", "separating_columns", "validate_level",
]
