"""Joint conditional draws of nested random effects (an MSOA's effect and its LA's together).

The Laplace approximation's conditional distribution of the random effects is Gaussian with
precision ``H = Σ⁻¹ + Z'WZ`` at the conditional modes (``W_i = p̂_i (1 − p̂_i)``; Bates et al.
2015, J. Stat. Softw. 67(1), section 3; Pinheiro & Bates 2000, section 7). For respondents in
MSOAs nested in LAs, ``H`` is block-diagonal per LA with an arrowhead inside: with
``a_j = Σ_{i∈j} W_i``,

    H_vv = 1/σ²_v + Σ_j a_j,   H_{u_j u_j} = 1/σ²_u + a_j,   H_{v u_j} = a_j.

The data inform mainly the *sum* ``u_j + v_k``, so the two are negatively correlated a
posteriori; drawing them independently from their marginal conditional variances overstates the
uncertainty of an LA's share (and the interval over-covers). Here they are drawn jointly:
``v_k ~ N(v̂_k, 1/S_k)`` with the Schur complement ``S_k = H_vv − Σ_j a_j² / H_{u_j u_j}``, then
``u_j | v_k ~ N(û_j − (a_j / H_{u_j u_j})(v_k − v̂_k), 1/H_{u_j u_j})``. The marginal variances
of this distribution are the conditional variances ``socint.models`` reports (``condvar``),
which the tests check. Each simulation draw applies its own variance draw ``σ²_d`` (see
:func:`draw_nested_effects`). Unsampled MSOAs and LAs are drawn from their prior ``N(0, σ²_d)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from socint.errors import InputDataError
from socint.estimates.simulate_draws import FittedParts

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class NestedPosterior:
    """Per sampled MSOA: its LA and ``a_j = Σ W_i`` at the conditional modes."""

    info: pd.Series
    msoa_la: pd.Series


def nested_posterior(parts: FittedParts, survey: pd.DataFrame) -> NestedPosterior:
    """Compute ``a_j`` from the respondents the model was fitted on."""
    for col in ("lad_code", "msoa_code"):
        if col not in survey.columns:
            raise InputDataError(f"survey has no column {col!r}", column=col)
    la = survey["lad_code"].astype(str)
    msoa = survey["msoa_code"].astype(str)
    eta = (parts.design(survey) @ parts.fixef.to_numpy()
           + parts.la.modes.reindex(pd.Index(la)).fillna(0.0).to_numpy()
           + parts.msoa.modes.reindex(pd.Index(msoa)).fillna(0.0).to_numpy())
    p = expit(eta)
    w = pd.Series(p * (1.0 - p)).groupby(msoa.to_numpy()).sum()
    parent = pd.Series(la.to_numpy(), index=msoa.to_numpy()).groupby(level=0).first()
    return NestedPosterior(w, parent.reindex(w.index))


def _precisions(parts: FittedParts, post: NestedPosterior
                ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``H_uu`` per MSOA, ``S`` per LA and the regression coefficient ``a_j / H_uu``."""
    vu, vv = parts.msoa.variance, parts.la.variance
    h_uu = (1.0 / vu if vu > 0 else np.inf) + post.info
    coef = post.info / h_uu
    h_vv = (1.0 / vv if vv > 0 else np.inf) + post.info.groupby(post.msoa_la).sum()
    schur = h_vv - (post.info * coef).groupby(post.msoa_la).sum()
    return h_uu, schur, coef


def marginal_variances(parts: FittedParts, post: NestedPosterior) -> tuple[pd.Series, pd.Series]:
    """Marginal conditional variances of the LA and MSOA effects under the joint posterior."""
    h_uu, schur, coef = _precisions(parts, post)
    var_v = 1.0 / schur
    var_u = 1.0 / h_uu + coef**2 * var_v.reindex(post.msoa_la).to_numpy()
    return var_v, var_u


def draw_nested_effects(parts: FittedParts, post: NestedPosterior, la_codes: pd.Index,
                        msoa_codes: pd.Index, var_la: FloatArray, var_msoa: FloatArray,
                        rng: np.random.Generator
                        ) -> tuple[FloatArray, FloatArray, np.ndarray, np.ndarray]:
    """Joint draws (LAs × draws, MSOAs × draws) and which LAs / MSOAs were sampled.

    Each draw uses its own variances ``var_la[d]``, ``var_msoa[d]``: the data part of the
    Gaussian approximation (precision ``A``, linear term ``b = H m̂`` at the fitted variances)
    is kept and the prior precision is that of the draw, ``H_d = P_d + A``, mode
    ``m_d = H_d⁻¹ b`` — so the shrinkage of sampled areas varies with the variance draw and the
    intervals integrate over the uncertainty of σ² as well as of the effects.
    """
    D = var_la.size
    info = post.info
    parent_la = post.msoa_la.to_numpy()
    las = pd.Index(np.unique(parent_la))
    g = las.get_indexer(pd.Index(parent_la))
    n_la = len(las)
    a = info.to_numpy()
    u_hat = parts.msoa.modes.reindex(info.index).fillna(0.0).to_numpy()
    v_hat = parts.la.modes.reindex(las).fillna(0.0).to_numpy()
    vu, vv = parts.msoa.variance, parts.la.variance
    # data linear term b = H m̂ at the fitted variances
    b_u = a * v_hat[g] + ((1.0 / vu if vu > 0 else 0.0) + a) * u_hat
    b_v = ((1.0 / vv if vv > 0 else 0.0) + np.bincount(g, a, n_la)) * v_hat + np.bincount(
        g, a * u_hat, n_la)
    prec_u = np.where(var_msoa > 0, 1.0 / np.where(var_msoa > 0, var_msoa, 1.0), 1e12)
    prec_v = np.where(var_la > 0, 1.0 / np.where(var_la > 0, var_la, 1.0), 1e12)
    h_u = prec_u[None, :] + a[:, None]  # MSOAs × D
    ratio = a[:, None] / h_u

    def by_la(x: FloatArray) -> FloatArray:
        out = np.zeros((n_la, D))
        np.add.at(out, g, x)
        return out

    h_vv = prec_v[None, :] + np.bincount(g, a, n_la)[:, None]
    schur = h_vv - by_la(a[:, None] * ratio)
    m_v = (b_v[:, None] - by_la(ratio * b_u[:, None])) / schur
    v_s = m_v + rng.standard_normal((n_la, D)) / np.sqrt(schur)
    m_u = (b_u[:, None] - a[:, None] * m_v[g]) / h_u
    u_s = m_u - ratio * (v_s[g] - m_v[g]) + rng.standard_normal(h_u.shape) / np.sqrt(h_u)

    la_pos = las.get_indexer(la_codes)
    la_sampled = la_pos >= 0
    z = rng.standard_normal((len(la_codes), D))
    v = np.where(la_sampled[:, None], v_s[np.maximum(la_pos, 0)], np.sqrt(var_la)[None, :] * z)
    m_pos = info.index.get_indexer(msoa_codes)
    m_sampled = m_pos >= 0
    z = rng.standard_normal((len(msoa_codes), D))
    u = np.where(m_sampled[:, None], u_s[np.maximum(m_pos, 0)], np.sqrt(var_msoa)[None, :] * z)
    return v, u, la_sampled, m_sampled


__all__ = ["NestedPosterior", "draw_nested_effects", "marginal_variances", "nested_posterior"]
