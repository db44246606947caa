"""Predictions and "means of predicted probability" (marginal predictions) from a fitted GLMM.

The report's figures show, for each value of a covariate (sex, age, ethnicity, class, income),
the mean predicted probability of trust when everyone in the sample is given that value — an
average marginal prediction (Williams 2012, *Stata J.* 12(2):308, "predictive margins").
Two versions: conditional on the random-effect modes, or integrated over the random effects
(``E_u[g⁻¹(xβ + u)]`` with ``u ~ N(0, Σσ²)``, by Gauss-Hermite quadrature; ``g⁻¹`` is
``logit⁻¹`` or, for the probit link, ``Φ``). Intervals use the
delta method with the covariance of ``(β, σ)``, formed on the logit scale of the mean so that they
stay inside (0, 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit, ndtr

from socint.errors import ModelError
from socint.models.frame import FloatArray

if TYPE_CHECKING:
    from socint.models.result import GlmmResult

_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)
_GH_W = _GH_W / _GH_W.sum()


def _design(result: GlmmResult, data: pd.DataFrame, unseen: str = "raise") -> np.ndarray:
    return result.design_matrix(data, unseen=unseen)


def _random_part(result: GlmmResult, data: pd.DataFrame) -> np.ndarray:
    out = np.zeros(len(data))
    for name, cols in result.grouping_factors.items():
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise ModelError(
                f"new data lack grouping column(s) {missing} needed for include_random=True",
                hint="add the grouping columns or pass include_random=False",
            )
        key = data[cols[0]] if len(cols) == 1 else data[list(cols)].astype(str).agg(
            ":".join, axis=1)
        re_tab = result.ranef[name]
        idx = re_tab.index.get_indexer(pd.Index(key))
        seen = idx >= 0
        pos = np.maximum(idx, 0)
        out += np.where(seen, re_tab["mode"].to_numpy()[pos], 0.0)
        for x in result.random_slopes.get(name, ()):
            if x not in data.columns:
                raise ModelError(f"new data lack the random-slope column {x!r}", column=x,
                                 hint="add it or pass include_random=False")
            slope = re_tab[f"mode:{x}"].to_numpy()[pos]
            out += np.where(seen, slope * data[x].to_numpy(dtype=float), 0.0)
    return out


def _random_sd(result: GlmmResult, data: pd.DataFrame, sd: FloatArray,
               cor: FloatArray) -> FloatArray:
    """Per row, the standard deviation of the summed random effects, ``√Σ_k z'Σ_k z``."""
    var = np.zeros(len(data))
    names = list(result.sd.index)
    cnames = list(result.correlations.index)
    for f, slopes in result.random_slopes.items():
        coefs = ["1", *slopes]
        zs = [np.ones(len(data)), *(data[x].to_numpy(dtype=float) for x in slopes)]
        sds = [sd[names.index(f if a == 0 else f"{slopes[a - 1]}|{f}")]
               for a in range(len(coefs))]
        for a in range(len(coefs)):
            var += (sds[a] * zs[a]) ** 2
            for c in range(a + 1, len(coefs)):
                key = f"cor({coefs[a]}, {coefs[c]}|{f})"
                if key in cnames:
                    var += 2 * cor[cnames.index(key)] * sds[a] * sds[c] * zs[a] * zs[c]
    return np.sqrt(np.maximum(var, 0.0))


def _inverse_link(link: str, eta: FloatArray) -> FloatArray:
    """Success probability: ``logit⁻¹`` or the normal CDF ``Φ`` (probit)."""
    return np.asarray(ndtr(eta) if link == "probit" else expit(eta))


def _inverse_link_d(link: str, eta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Probability and its derivative ``dμ/dη`` (``μ(1 − μ)`` or ``φ(η)``)."""
    if link == "probit":
        return np.asarray(ndtr(eta)), np.asarray(np.exp(-0.5 * eta * eta) / np.sqrt(2 * np.pi))
    mu = expit(eta)
    return mu, mu * (1 - mu)


def predict_frame(result: GlmmResult, new_data: pd.DataFrame | None, *, include_random: bool,
                  type: str, unseen: str = "raise") -> pd.Series:
    """Predictions for :meth:`GlmmResult.predict`."""
    if type not in ("response", "link"):
        raise ModelError(f'`type` was "{type}" but is expected to be in ["response", "link"]')
    data = result._data if new_data is None else new_data
    if data is None:
        raise ModelError("no data to predict on", hint="pass new_data")
    eta = _design(result, data, unseen) @ result.fixef.to_numpy()
    if include_random:
        eta = eta + _random_part(result, data)
    out = _inverse_link(result.link, eta) if type == "response" else eta
    return pd.Series(out, index=data.index, name="prediction")


def margins(result: GlmmResult, variable: str, values: list[Any] | None, *,
            data: pd.DataFrame | None, integrate: bool, level: float) -> pd.DataFrame:
    """Average predicted probability with ``variable`` set to each value, with CIs."""
    base = result._data if data is None else data
    if base is None:
        raise ModelError("no data for the margins", hint="pass data")
    if variable not in base.columns:
        raise ModelError(
            f"variable {variable!r} is not a column of the data",
            column=variable, hint=f"columns available: {', '.join(map(str, base.columns[:20]))}",
        )
    if values is None:
        values = sorted(pd.unique(base[variable].dropna()).tolist())
    beta = result.fixef.to_numpy()
    sd = result.sd.to_numpy()
    p = beta.size
    cov = result.cov_full
    re = _random_part(result, base) if not integrate else np.zeros(len(base))
    s_tot = float(np.sqrt(np.sum(sd**2)))
    has_slopes = any(result.random_slopes.values())
    cor = result.correlations.to_numpy()
    q = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for v in values:
        d = base.copy()
        d[variable] = v
        X = _design(result, d)
        eta = X @ beta + re
        grad = np.zeros(p + sd.size)
        if integrate and has_slopes:
            # the random part's SD varies by row (z'Σz); its derivatives by differences
            def integ(sd_: FloatArray, cor_: FloatArray, d: pd.DataFrame = d,
                      eta: FloatArray = eta) -> tuple[float, FloatArray]:
                s_row = _random_sd(result, d, sd_, cor_)
                pr, dp = _inverse_link_d(result.link, eta[:, None]
                                         + s_row[:, None] * _GH_X[None, :])
                return float((pr @ _GH_W).mean()), dp @ _GH_W

            mean, dmean = integ(sd, cor)
            grad = np.zeros(cov.shape[0])
            grad[:p] = dmean @ X / len(d)
            theta = np.concatenate([sd, cor])
            for j in range(theta.size):
                h = 1e-6 * max(1.0, abs(theta[j]))
                tp = theta.copy()
                tp[j] += h
                grad[p + j] = (integ(tp[:sd.size], tp[sd.size:])[0] - mean) / h
        elif integrate:
            pr, dp = _inverse_link_d(result.link, eta[:, None] + s_tot * _GH_X[None, :])
            mean = float((pr @ _GH_W).mean())
            grad[:p] = (dp @ _GH_W) @ X / len(d)
            if s_tot > 0:
                d_s = float(((dp * _GH_X[None, :]) @ _GH_W).mean())
                grad[p:] = d_s * sd / s_tot
        else:
            pr1, dp1 = _inverse_link_d(result.link, eta)
            mean = float(pr1.mean())
            grad[:p] = dp1 @ X / len(d)
        if grad.size < cov.shape[0]:
            grad = np.concatenate([grad, np.zeros(cov.shape[0] - grad.size)])
        ok = np.isfinite(np.diag(cov))
        var = float(grad[ok] @ cov[np.ix_(ok, ok)] @ grad[ok])
        se = float(np.sqrt(max(var, 0.0)))
        se_logit = se / (mean * (1 - mean))
        rows.append({
            variable: v, "probability": mean, "std_error": se,
            "lower": float(expit(logit(mean) - q * se_logit)),
            "upper": float(expit(logit(mean) + q * se_logit)),
        })
    return pd.DataFrame(rows)


__all__ = ["margins", "predict_frame"]
