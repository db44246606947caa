"""Compare fitted GLMMs: log-likelihood, AIC, BIC and likelihood-ratio tests (lme4's ``anova``).

Models are ordered by number of parameters. Each model is tested against the previous one
with ``χ² = 2(ℓ₁ − ℓ₀)`` on ``Δk`` degrees of freedom when the pair is nested (same rows,
fixed-effect columns and grouping factors of the smaller model contained in the larger one);
otherwise the test is left empty and ``nested`` says so — AIC/BIC still compare them.
Likelihood-ratio tests of a variance at zero are conservative (the null is on the boundary;
Self & Liang 1987, *JASA* 82:605), as in lme4.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from socint.errors import ModelError
from socint.models.result import GlmmResult


def _nested(small: GlmmResult, big: GlmmResult) -> bool:
    return (
        small.nobs == big.nobs
        and small.link == big.link  # a logit and a probit fit are never nested
        and set(small.fixef.index) <= set(big.fixef.index)
        and set(small.sd.index) <= set(big.sd.index)
        and small.n_params < big.n_params
    )


def compare_models(models: Mapping[str, GlmmResult] | Sequence[GlmmResult]) -> pd.DataFrame:
    """Comparison table of several fits of the same outcome.

    Parameters
    ----------
    models
        Named fits (``{"Model 1": r1, ...}``) or a sequence (named "model 1", ...).

    Returns
    -------
    DataFrame
        Index: model name; columns ``npar, nobs, loglik, aic, bic, deviance, nested, chisq,
        df, p_value`` (the test compares each row with the row above).
    """
    named = dict(models) if isinstance(models, Mapping) else {
        f"model {i + 1}": m for i, m in enumerate(models)}
    if len(named) < 2:
        raise ModelError(
            f"compare_models needs at least two fitted models, received {len(named)}",
            hint="pass e.g. {'Model 1': fit1, 'Model 2': fit2}",
        )
    nobs = {m.nobs for m in named.values()}
    if len(nobs) > 1:
        raise ModelError(
            f"models were fitted to different numbers of rows {sorted(nobs)}: likelihoods are "
            "not comparable",
            hint="fit all models to the same complete cases (drop rows missing any covariate)",
        )
    order = sorted(named, key=lambda k: named[k].n_params)
    rows = []
    prev: GlmmResult | None = None
    for name in order:
        m = named[name]
        row: dict[str, object] = {
            "model": name, "npar": m.n_params, "nobs": m.nobs, "loglik": m.loglik,
            "aic": m.aic, "bic": m.bic, "deviance": m.deviance, "nested": np.nan,
            "chisq": np.nan, "df": np.nan, "p_value": np.nan,
        }
        if prev is not None:
            nested = _nested(prev, m)
            row["nested"] = nested
            if nested:
                chisq = max(2.0 * (m.loglik - prev.loglik), 0.0)
                df = m.n_params - prev.n_params
                row.update(chisq=chisq, df=df, p_value=float(stats.chi2.sf(chisq, df)))
        rows.append(row)
        prev = m
    return pd.DataFrame(rows).set_index("model")


__all__ = ["compare_models"]
