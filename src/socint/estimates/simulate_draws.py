"""Simulation draws of the fitted trust model's parameters and random effects.

Small-area uncertainty by simulation from the approximate sampling distribution of the fitted
model (Gelman & Hill 2007, *Data Analysis Using Regression and Multilevel/Hierarchical Models*,
section 7.2 "sim"; King, Tomz & Wittenberg 2000, AJPS 44:347-361):

* fixed effects ``β ~ N(β̂, V̂)`` (``V̂`` the inverse-Hessian covariance of the fit);
* each log-variance ``log σ² ~ N(log σ̂², se(σ̂²)² / σ̂²)`` (delta method; a variance on the
  boundary, σ̂² = 0, stays 0);
* random effects of *sampled* areas from their conditional normals ``N(mode, conditional
  variance)`` (the Laplace approximation's posterior of each effect), of *unsampled* areas from
  ``N(0, σ²_d)`` with the draw's own variance — which integrates the prediction over the
  random-effect distribution when the draws are averaged.

The conditional modes are not recomputed for each β draw and the (small) posterior correlation
between an MSOA effect and its LA effect is ignored — both documented in
``docs/methods/estimates.md``. Everything is vectorised over draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import ModelError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Design = Callable[[pd.DataFrame], FloatArray]


@dataclass(frozen=True)
class RandomEffects:
    """Conditional modes and conditional variances of one grouping factor, by area code."""

    modes: pd.Series
    cond_var: pd.Series
    variance: float
    variance_se: float


@dataclass(frozen=True)
class FittedParts:
    """What the estimators need from a fitted trust model, independent of the engine.

    Attributes
    ----------
    fixef
        Fixed effects on the original scale, by design column.
    vcov
        Their covariance matrix (same order).
    design
        Maps a data frame (covariate columns as in the survey) to the fixed-effects design
        matrix, columns in ``fixef`` order (the fit's own formula encoding).
    la, msoa
        Random effects of the LA and MSOA grouping factors.
    converged
        The fit's convergence flag (estimates from a non-converged fit are refused).
    """

    fixef: pd.Series
    vcov: FloatArray
    design: Design
    la: RandomEffects
    msoa: RandomEffects
    converged: bool = True


def _factor_key(name: str) -> str:
    return name.split(":")[-1]


def _ranef_table(obj: Any) -> tuple[pd.Series, pd.Series]:
    """Modes and conditional variances from a ranef table of the GLMM result."""
    if isinstance(obj, pd.DataFrame):
        mode_col = next((c for c in ("mode", "condval", "estimate", "ranef") if c in obj), None)
        var_col = next((c for c in ("cond_var", "condvar", "variance", "var") if c in obj), None)
        sd_col = next((c for c in ("cond_sd", "condsd", "sd", "se") if c in obj), None)
        if mode_col is None or (var_col is None and sd_col is None):
            raise ModelError(f"cannot read conditional modes/variances from columns "
                             f"{list(obj.columns)}", hint="socint.models ranef layout changed")
        modes = obj[mode_col].astype(float)
        cv = obj[var_col].astype(float) if var_col is not None else obj[sd_col].astype(float) ** 2
        idx = pd.Index([_factor_key(str(i)) for i in obj.index])
        return pd.Series(modes.to_numpy(), index=idx), pd.Series(cv.to_numpy(), index=idx)
    raise ModelError(f"unsupported ranef layout {type(obj).__name__}")


def parts_from_result(result: Any, *, la_factor: str = "lad_code",
                      msoa_factor: str = "msoa_code") -> FittedParts:
    """Extract :class:`FittedParts` from a :class:`socint.models.GlmmResult`.

    The LA factor is the grouping factor named ``la_factor`` and the MSOA factor the one whose
    name ends in ``msoa_factor`` (``msoa_code`` or ``lad_code:msoa_code`` for ``(1 | la/msoa)``);
    the short names ``la`` and ``msoa`` (``socint.models.MODEL3_FORMULA``) are accepted too.
    The design of new data uses the fit's own formulaic model spec, so categories are coded
    exactly as in the fit.
    """
    fixef = pd.Series(result.fixef, dtype=float)
    vcov = np.asarray(getattr(result.vcov, "to_numpy", lambda: result.vcov)(), dtype=float)
    ranef = result.ranef
    names = list(ranef.keys())
    lad_name = next((n for n in names if n in (la_factor, "la")), None)
    msoa_name = next((n for n in names if _factor_key(n) in (msoa_factor, "msoa")), None)
    if lad_name is None or msoa_name is None:
        raise ModelError(f"the model's grouping factors are {names}; expected {la_factor!r} and "
                         f"{msoa_factor!r}", hint="fit with (1 | lad_code) + (1 | msoa_code)")
    var_se = getattr(result, "variances_se", None)

    def effects(name: str) -> RandomEffects:
        modes, cv = _ranef_table(ranef[name])
        var = float(result.variances[name])
        se = float(var_se[name]) if var_se is not None else 0.0
        return RandomEffects(modes, cv, var, se if np.isfinite(se) else 0.0)

    if any(getattr(result, "random_slopes", {}).values()):
        raise ModelError("MRP here supports random intercepts only; the model has random "
                         f"slopes {result.random_slopes}",
                         hint="fit (1 | lad_code) + (1 | msoa_code) for small-area estimates")

    def design(df: pd.DataFrame) -> FloatArray:
        # the fit's public design API: categories coded exactly as in the fit
        return np.asarray(result.design_matrix(df), dtype=float)

    return FittedParts(fixef, vcov, design, effects(lad_name), effects(msoa_name),
                       bool(getattr(result, "converged", True)))


@dataclass(frozen=True)
class ParameterDraws:
    """``beta`` (draws × p), variances ``var_la``/``var_msoa`` (draws)."""

    beta: FloatArray
    var_la: FloatArray
    var_msoa: FloatArray

    @property
    def n_draws(self) -> int:
        """Number of draws."""
        return int(self.beta.shape[0])


def _log_var_draws(eff: RandomEffects, z: FloatArray) -> FloatArray:
    if eff.variance <= 0:
        return np.zeros_like(z)
    sd_log = eff.variance_se / eff.variance
    return np.asarray(eff.variance * np.exp(sd_log * z))


def draw_parameters(parts: FittedParts, n_draws: int, rng: np.random.Generator) -> ParameterDraws:
    """Draw β from N(β̂, V̂) and the variances on the log scale (see the module docstring)."""
    if n_draws < 1:
        raise ModelError(f"number of simulation draws must be >= 1, received {n_draws}")
    p = len(parts.fixef)
    V = 0.5 * (parts.vcov + parts.vcov.T)
    w, Q = np.linalg.eigh(V)
    if w.min() < -1e-8 * max(1.0, float(np.abs(w).max())):
        raise ModelError("the fixed-effects covariance matrix is not positive semi-definite "
                         f"(smallest eigenvalue {w.min():.3g})",
                         hint="the fit did not converge to a proper optimum; check the model")
    root = Q * np.sqrt(np.clip(w, 0.0, None))
    z = rng.standard_normal((n_draws, p))
    beta = parts.fixef.to_numpy()[None, :] + z @ root.T
    zv = rng.standard_normal((n_draws, 2))
    return ParameterDraws(beta, _log_var_draws(parts.la, zv[:, 0]),
                          _log_var_draws(parts.msoa, zv[:, 1]))


def draw_effects(eff: RandomEffects, codes: pd.Index, variance_draws: FloatArray,
                 rng: np.random.Generator) -> tuple[FloatArray, np.ndarray]:
    """Random-effect draws (areas × draws) for ``codes``: conditional for sampled areas.

    Returns the draws and a boolean array saying which areas had a conditional mode (sampled).
    """
    pos = eff.modes.index.get_indexer(codes)
    sampled = pos >= 0
    z = rng.standard_normal((len(codes), variance_draws.size))
    mode = np.where(sampled, eff.modes.to_numpy()[np.maximum(pos, 0)], 0.0)
    cv = np.where(sampled, eff.cond_var.to_numpy()[np.maximum(pos, 0)], 0.0)
    out = np.where(sampled[:, None], mode[:, None] + np.sqrt(np.maximum(cv, 0.0))[:, None] * z,
                   np.sqrt(variance_draws)[None, :] * z)
    return out, sampled


__all__ = ["Design", "FittedParts", "ParameterDraws", "RandomEffects", "draw_effects",
           "draw_parameters", "parts_from_result"]
