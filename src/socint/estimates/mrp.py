"""Multilevel regression and post-stratification (MRP) for every LA and MSOA, with draws.

For MSOA ``j`` with cells ``c`` (census shares ``s_jc``) and covariate profiles ``k`` of each
cell (weights ``w_ck``, :mod:`socint.estimates.poststrat`), the population share trusting most
neighbours in simulation draw ``d`` is

    p_dj = Σ_c s_jc Σ_k w_ck expit(x_ck'β_d + a_dj),    a_dj = z_j'β_d + u_dj + v_dk(j),

where ``x_ck'β`` is the individual part of the linear predictor, ``z_j'β`` the area part
(MSOA and LA covariates) and ``u``, ``v`` the random effects drawn as in
:mod:`socint.estimates.simulate_draws` (conditional for sampled areas, from N(0, σ²) for
unsampled ones, so averaging over draws integrates over the random-effect distribution). The LA
share is the adult-population-weighted mean of its MSOAs' shares, draw by draw. Point estimate
= mean of the draws; SE = their sd; 90%/95% intervals = their central quantiles (Park, Gelman &
Bafumi 2004; Gelman & Hill 2007, ch. 14).

Speed: the expensive sum over cells × profiles is a smooth function ``g_dc(a)`` of the scalar
area offset. It is evaluated, with its derivative, on a small grid of ``a`` per draw and
interpolated by cubic Hermite polynomials (error ~h⁴, well below 1e-6 here), which turns a
draws × MSOAs × cells × profiles computation into two matrix products. The additive split of
the linear predictor into individual and area parts is checked on the fitted formula: a formula
with an individual × area interaction is refused with a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse
from scipy.special import expit

from socint.errors import GeographyError, ModelError, _preview
from socint.estimates.posterior import NestedPosterior, draw_nested_effects
from socint.estimates.poststrat import PoststratFrame
from socint.estimates.simulate_draws import (
    FittedParts,
    ParameterDraws,
    draw_effects,
    draw_parameters,
)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class AreaEstimates:
    """Draws and summary of one level (``msoa`` or ``la``)."""

    level: str
    codes: pd.Index
    draws: FloatArray
    sampled: np.ndarray
    adults: FloatArray
    table: pd.DataFrame


@dataclass(frozen=True)
class MrpResult:
    """MRP estimates for all MSOAs and LAs, with the draws they summarise."""

    msoa: AreaEstimates
    la: AreaEstimates
    n_draws: int
    seed: int
    split: tuple[FloatArray, FloatArray] | None = None


def summarise_draws(draws: FloatArray, prefix: str = "mrp") -> pd.DataFrame:
    """Mean, sd and 90%/95% central intervals of each row of an areas × draws matrix."""
    q = np.quantile(draws, [0.025, 0.05, 0.95, 0.975], axis=1)
    return pd.DataFrame({
        prefix: draws.mean(axis=1), f"{prefix}_se": draws.std(axis=1, ddof=1)
        if draws.shape[1] > 1 else np.zeros(draws.shape[0]),
        f"{prefix}_lower90": q[1], f"{prefix}_upper90": q[2],
        f"{prefix}_lower95": q[0], f"{prefix}_upper95": q[3],
    })


def split_design(parts: FittedParts, frame: PoststratFrame,
                 check_pairs: int = 12) -> tuple[FloatArray, FloatArray]:
    """Individual design rows of the profiles and area design rows of the MSOAs.

    Returns ``X_prof`` (profiles × p) and ``Z_area`` (MSOAs × p) such that the design row of
    profile ``k`` living in MSOA ``j`` is ``X_prof[k] + Z_area[j]``.

    Raises
    ------
    ModelError
        If the formula interacts an individual covariate with an area covariate.
    """
    prof = frame.profiles.drop(columns=["cell", "weight"]).reset_index(drop=True)
    area = frame.area.reset_index(drop=True)
    shared = set(prof.columns) & set(area.columns)
    prof = prof.drop(columns=list(shared))
    ref_area = area.iloc[0]
    ref_prof = prof.iloc[0]
    X_prof = parts.design(prof.assign(**{c: ref_area[c] for c in area.columns}))
    X_area = parts.design(area.assign(**{c: ref_prof[c] for c in prof.columns}))
    X_ref = parts.design(prof.iloc[[0]].assign(**{c: ref_area[c] for c in area.columns}))
    Z = X_area - X_ref
    rng = np.random.default_rng(12345)
    k = rng.integers(0, len(prof), check_pairs)
    j = rng.integers(0, len(area), check_pairs)
    combo = pd.concat([prof.iloc[k].reset_index(drop=True),
                       area.iloc[j].reset_index(drop=True)], axis=1)
    gap = np.abs(parts.design(combo) - (X_prof[k] + Z[j]))
    if gap.max() > 1e-8:
        col = int(np.unravel_index(np.argmax(gap), gap.shape)[1])
        raise ModelError(
            f"design column {parts.fixef.index[col]!r} mixes individual and area covariates; "
            "MRP here needs the linear predictor to split into an individual and an area part",
            column=str(parts.fixef.index[col]),
            hint="drop individual × area interactions from the formula for MRP")
    return X_prof, Z


def population_probabilities(eta_prof: FloatArray, cell: np.ndarray, weight: FloatArray,
                             shares: FloatArray, offset: FloatArray, *, grid_size: int = 10,
                             chunk: int = 100) -> FloatArray:
    """``p[j, d] = Σ_c shares[j, c] Σ_{k in c} weight[k] expit(eta_prof[k, d] + offset[j, d])``.

    ``cell`` must be sorted and cover every column of ``shares``. Computed by cubic Hermite
    interpolation on a grid of the offset per draw (see the module docstring).
    """
    P, D = eta_prof.shape
    J, C = shares.shape
    sorted_ok = bool(np.all(np.diff(cell) >= 0)) and set(np.unique(cell)) == set(range(C))
    if len(cell) != P or not sorted_ok:
        raise ModelError("post-stratification profiles must cover every cell, sorted by cell")
    # the heavy part runs in float32 (probabilities need ~1e-7, not 1e-16)
    W = scipy.sparse.csr_matrix((weight.astype(np.float32), (cell, np.arange(P))), shape=(C, P))
    S = shares.astype(np.float32)
    eta32 = eta_prof.astype(np.float32)
    out = np.empty((J, D))
    G = max(int(grid_size), 4)
    for d0 in range(0, D, chunk):
        d1 = min(D, d0 + chunk)
        a = offset[:, d0:d1]
        lo = a.min(axis=0) - 1e-6
        hi = a.max(axis=0) + 1e-6
        h = (hi - lo) / (G - 1)
        grid = (lo[:, None] + h[:, None] * np.arange(G)[None, :]).astype(np.float32)
        E = expit(eta32[:, d0:d1, None] + grid[None, :, :]).reshape(P, -1)
        g = W @ E
        dg = g - W @ (E * E)
        y = (S @ g).astype(np.float64).reshape(J, d1 - d0, G)
        m = (S @ dg).astype(np.float64).reshape(J, d1 - d0, G)
        t = (a - lo[None, :]) / h[None, :]
        i = np.clip(np.floor(t).astype(np.int64), 0, G - 2)
        s = t - i
        ii = i[..., None]
        y0 = np.take_along_axis(y, ii, axis=2)[..., 0]
        y1 = np.take_along_axis(y, ii + 1, axis=2)[..., 0]
        m0 = np.take_along_axis(m, ii, axis=2)[..., 0] * h[None, :]
        m1 = np.take_along_axis(m, ii + 1, axis=2)[..., 0] * h[None, :]
        s2, s3 = s * s, s * s * s
        out[:, d0:d1] = ((2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * m0
                         + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * m1)
    return out


def la_weights(frame: PoststratFrame) -> tuple[pd.Index, scipy.sparse.csr_matrix]:
    """LA codes (sorted) and the LA × MSOA matrix of adult-population weights (rows sum 1)."""
    la_codes = pd.Index(np.unique(frame.la_codes), name="lad_code")
    rows = la_codes.get_indexer(pd.Index(frame.la_codes))
    la_adults = np.bincount(rows, frame.adults, len(la_codes))
    M = scipy.sparse.csr_matrix((frame.adults / la_adults[rows], (rows, np.arange(len(rows)))),
                                shape=(len(la_codes), len(rows)))
    return la_codes, M


def simulate_offsets(parts: FittedParts, frame: PoststratFrame, Z: FloatArray,
                     draws: ParameterDraws, rng: np.random.Generator,
                     posterior: NestedPosterior | None = None
                     ) -> tuple[FloatArray, np.ndarray, np.ndarray, pd.Index]:
    """Area offsets a_dj (MSOAs × draws) and which MSOAs / LAs were sampled.

    With ``posterior`` the MSOA and LA effects of sampled areas are drawn jointly
    (:mod:`socint.estimates.posterior`); without it, independently from their marginal
    conditional normals (which overstates the uncertainty of LA shares).
    """
    la_codes = pd.Index(np.unique(frame.la_codes))
    unknown = parts.la.modes.index.difference(la_codes)
    if len(unknown):
        raise GeographyError(f"{len(unknown)} LA(s) of the fitted model are missing from the "
                             f"population frame: {_preview(unknown)}", code=str(unknown[0]),
                             hint="the survey and the census frame must use the same LAs")
    unknown_m = parts.msoa.modes.index.difference(frame.msoa_codes)
    if len(unknown_m):
        raise GeographyError(f"{len(unknown_m)} MSOA(s) of the fitted model are missing from "
                             f"the population frame: {_preview(unknown_m)}",
                             code=str(unknown_m[0]),
                             hint="the survey and the census frame must use the same MSOAs")
    if posterior is None:
        v, la_sampled = draw_effects(parts.la, la_codes, draws.var_la, rng)
        u, msoa_sampled = draw_effects(parts.msoa, frame.msoa_codes, draws.var_msoa, rng)
    else:
        v, u, la_sampled, msoa_sampled = draw_nested_effects(
            parts, posterior, la_codes, frame.msoa_codes, draws.var_la, draws.var_msoa, rng)
    offset = Z @ draws.beta.T + u + v[la_codes.get_indexer(pd.Index(frame.la_codes))]
    return offset, msoa_sampled, la_sampled, la_codes


def mrp(parts: FittedParts, frame: PoststratFrame, *, n_draws: int = 1000, seed: int = 2011,
        grid_size: int = 10, posterior: NestedPosterior | None = None) -> MrpResult:
    """MRP estimates with simulation uncertainty for every MSOA and LA of the frame.

    Parameters
    ----------
    parts
        The fitted model (:func:`socint.estimates.simulate_draws.parts_from_result`).
    frame
        The post-stratification frame.
    n_draws, seed
        Simulation draws and the seed of their generator (same seed → identical draws).
    grid_size
        Grid points of the Hermite interpolation.
    posterior
        Joint conditional distribution of the nested random effects
        (:func:`socint.estimates.posterior.nested_posterior`); recommended — without it the
        effects are drawn independently and LA intervals are too wide.

    Raises
    ------
    ModelError
        For a fit that did not converge, or an individual × area interaction.
    GeographyError
        For fitted areas absent from the frame.
    """
    if not parts.converged:
        raise ModelError("the trust model did not converge; MRP estimates from it would be "
                         "unreliable", hint="inspect the fit's diagnostics and refit")
    rng = np.random.default_rng(seed)
    draws = draw_parameters(parts, n_draws, rng)
    X_prof, Z = split_design(parts, frame)
    offset, msoa_sampled, la_sampled, _ = simulate_offsets(parts, frame, Z, draws, rng,
                                                           posterior)
    eta_prof = X_prof @ draws.beta.T
    p_msoa = population_probabilities(eta_prof, frame.profiles["cell"].to_numpy(),
                                      frame.profiles["weight"].to_numpy(dtype=float),
                                      frame.shares, offset, grid_size=grid_size)
    codes, M = la_weights(frame)
    p_la = np.asarray(M @ p_msoa)
    la_adults = np.bincount(codes.get_indexer(pd.Index(frame.la_codes)), frame.adults,
                            len(codes)).astype(np.float64)
    msoa_tab = summarise_draws(p_msoa).set_index(frame.msoa_codes)
    msoa_tab.insert(0, "lad_code", frame.la_codes)
    msoa_tab["sampled"] = msoa_sampled
    la_tab = summarise_draws(p_la).set_index(codes)
    la_tab["sampled"] = la_sampled
    return MrpResult(
        AreaEstimates("msoa", frame.msoa_codes, p_msoa, msoa_sampled, frame.adults, msoa_tab),
        AreaEstimates("la", codes, p_la, la_sampled, la_adults, la_tab), n_draws, seed,
        (X_prof, Z))


__all__ = ["AreaEstimates", "MrpResult", "la_weights", "mrp", "population_probabilities",
           "simulate_offsets", "split_design", "summarise_draws"]
