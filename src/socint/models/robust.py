"""Cluster-robust (sandwich) covariance for (weighted, pseudo-ML) GLMM fits.

With nested random effects the Laplace (pseudo-)log-likelihood is a sum over the top-level
groups ``c`` (``H`` is block-diagonal over them): ``ℓ(θ) = Σ_c ℓ_c(θ)``. The sandwich
``V = C/(C−1) · A⁻¹ (Σ_c s_c s_cᵀ) A⁻¹``, with ``A`` the Hessian of ``−ℓ`` and ``s_c = ∇ℓ_c``,
is then consistent for the pseudo-ML estimator under informative sampling whatever the
weights (Rabe-Hesketh & Skrondal 2006, *J. R. Stat. Soc. A* 169(4):805, section 3.3; Stata's
``vce(cluster)``, which also requires the clusters to contain whole top-level groups, and uses
the same ``C/(C−1)``). The per-cluster scores are the terms of the analytic Laplace gradient
(:meth:`LaplaceProblem.evaluate`) summed by cluster, exact because every row and every group
belongs to one cluster. A named PSU must contain whole top-level groups (e.g. PSUs made of
whole LAs); a PSU that splits a top-level group has no such decomposition and is refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socint.errors import ModelError
from socint.models.frame import FloatArray, IntArray, ModelFrame
from socint.models.laplace import LaplaceProblem


def cluster_codes(frame: ModelFrame, data: pd.DataFrame, psu: str | None) -> tuple[IntArray, str]:
    """Cluster code per row: the top-level grouping factor, or the named PSU column."""
    if frame.nesting is None:
        raise ModelError(
            "cluster-robust standard errors need nested grouping factors (the likelihood "
            "must split over top-level groups); the model's factors are crossed",
            hint="fit nested factors, e.g. (1 | la/msoa), or use model-based SEs")
    top = frame.nesting.order[-1]
    top_codes = frame.codes[top]
    if psu is None:
        return top_codes, frame.factor_names[top]
    if psu not in data.columns:
        raise ModelError(f"PSU column {psu!r} is not a column of the data", column=psu,
                         hint=f"columns available: {', '.join(map(str, data.columns[:20]))}")
    col = data.loc[frame.index, psu]
    if col.isna().any():
        row = int(np.flatnonzero(col.isna().to_numpy())[0])
        raise ModelError(f"PSU column {psu!r} has a missing value", column=psu, row=row + 1,
                         hint="give every respondent a PSU")
    codes, uniq = pd.factorize(col, sort=True)
    G = frame.n_groups[top]
    pairs = np.unique(top_codes * len(uniq) + codes)
    if pairs.size != G:
        split = int(np.bincount(pairs // len(uniq), minlength=G).argmax())
        raise ModelError(
            f"PSU {psu!r} splits top-level group {frame.labels[top][split]!r} of "
            f"{frame.factor_names[top]!r} across PSUs; the sandwich needs PSUs that contain "
            "whole top-level groups",
            column=psu,
            hint=f"cluster at {frame.factor_names[top]!r} (robust=True) or at a coarser PSU")
    return codes.astype(np.int64), psu


def cluster_scores(problem: LaplaceProblem, beta: FloatArray, sigma: FloatArray,
                   cluster: IntArray, n_clusters: int) -> FloatArray:
    """Per-cluster gradients of the negative Laplace log-likelihood (C × (p + F)).

    The terms of :meth:`LaplaceProblem.evaluate`'s gradient, summed by the cluster of each
    row (β, and the ``W·s_f`` part of σ) or of each group (the ``b`` and adjoint parts of σ).
    """
    b, _, dW, score, W = problem.pirls(beta, sigma)
    if problem.expected:
        raise ModelError("cluster-robust SEs are not available with information='expected'",
                         hint='use Control(information="observed")')
    F, p = problem.F, problem.p
    pairs = problem.blocks.inverse_pairs()
    s_f = [sum(sigma[g] * pairs[g][f] for g in range(F)) for f in range(F)]
    h = sum(sigma[f] * s_f[f] for f in range(F))
    a = 0.5 * dW * h
    v = problem.blocks.solve([sigma[f] * problem.zt(a, f) for f in range(F)])
    r = -score + a - W * problem.zlam(v, sigma)
    out = np.zeros((n_clusters, p + F))
    for k in range(p):
        out[:, k] = np.bincount(cluster, r * problem.X[:, k], n_clusters)
    for f in range(F):
        g_cluster = np.zeros(problem.n_groups[f], dtype=np.int64)
        g_cluster[problem.codes[f]] = cluster
        per_group = b[f] * problem.zt(r, f) + v[f] * problem.zt(score, f)
        out[:, p + f] = (np.bincount(g_cluster, per_group, n_clusters)
                         + np.bincount(cluster, W * s_f[f], n_clusters))
    return out


def sandwich(hessian: FloatArray, scores: FloatArray, free: np.ndarray) -> FloatArray:
    """``C/(C−1) · A⁻¹ M A⁻¹`` on the free parameters (NaN elsewhere)."""
    C = scores.shape[0]
    if C < 2:
        raise ModelError("cluster-robust SEs need at least 2 clusters",
                         hint="use model-based SEs")
    Ainv = np.linalg.inv(hessian[np.ix_(free, free)])
    S = scores[:, free]
    V = np.full(hessian.shape, np.nan)
    V[np.ix_(free, free)] = C / (C - 1) * Ainv @ (S.T @ S) @ Ainv
    return V


__all__ = ["cluster_codes", "cluster_scores", "sandwich"]
