"""Report-style small-area estimates: mean predicted probability over an area's respondents.

Bright Blue (2019) published, for each LA, the mean of the model's predicted probability of
trusting most neighbours over the LA's survey respondents, *conditional on the area's random
effects* (the conditional modes of its MSOAs and of the LA), and removed LAs with fewer than 10
respondents. This module reproduces that estimator (point estimate at the fitted values) and adds
an interval from the same simulation draws as MRP (β from its sampling distribution, random
effects from their conditional normals). Note the estimand is the respondents' mean, not the
population's: MRP (:mod:`socint.estimates.mrp`) predicts for the population instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse
from scipy.special import expit

from socint.errors import InputDataError
from socint.estimates.mrp import summarise_draws
from socint.estimates.posterior import NestedPosterior, draw_nested_effects
from socint.estimates.simulate_draws import FittedParts, ParameterDraws, draw_effects


def report_style_estimates(
    parts: FittedParts,
    survey: pd.DataFrame,
    draws: ParameterDraws,
    rng: np.random.Generator,
    *,
    areas: tuple[str, ...] = ("lad_code",),
    min_respondents: int = 10,
    chunk: int = 100,
    posterior: NestedPosterior | None = None,
) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """Mean predicted probability over each area's respondents, with simulation intervals.

    Parameters
    ----------
    parts
        The fitted model.
    survey
        The respondents the model was fitted on (covariates, ``lad_code``, ``msoa_code``).
    draws, rng
        Parameter draws (shared with MRP) and the generator for the random-effect draws.
    areas
        Area columns to aggregate to (``lad_code`` and/or ``msoa_code``), from the same draws.
    min_respondents
        Areas with fewer respondents are ``suppressed``: the estimate is withheld (NA) and the
        flag says why — the report's rule (default 10), also the project's disclosure rule.
    posterior
        Draw the MSOA and LA effects jointly (:mod:`socint.estimates.posterior`).

    Returns
    -------
    dict
        Area column → (table, draws): the table is indexed by area code with
        ``n_respondents``, ``report_point`` (plug-in estimate at the fitted values, as
        published), ``report``/``report_se``/``report_lower90``… (from the draws) and
        ``suppressed``; the draws matrix (areas × draws) keeps suppressed rows for validation.
    """
    if min_respondents < 1:
        raise InputDataError(f"min_respondents was {min_respondents}, must be >= 1")
    for col in ("lad_code", "msoa_code", *areas):
        if col not in survey.columns:
            raise InputDataError(f"survey has no column {col!r}", column=col)
    X = parts.design(survey)
    la = survey["lad_code"].astype(str).to_numpy()
    msoa = survey["msoa_code"].astype(str).to_numpy()
    la_idx = pd.Index(np.unique(la))
    msoa_idx = pd.Index(np.unique(msoa))
    li = la_idx.get_indexer(pd.Index(la))
    mi = msoa_idx.get_indexer(pd.Index(msoa))
    # point estimate at the fitted values, conditional modes (0 for an unseen group)
    v_hat = parts.la.modes.reindex(la_idx).fillna(0.0).to_numpy()
    u_hat = parts.msoa.modes.reindex(msoa_idx).fillna(0.0).to_numpy()
    p_hat = expit(X @ parts.fixef.to_numpy() + v_hat[li] + u_hat[mi])
    mats = []
    for area in areas:
        key = survey[area].astype(str).to_numpy()
        codes = pd.Index(np.unique(key), name=area)
        ki = codes.get_indexer(pd.Index(key))
        n = np.bincount(ki, minlength=len(codes)).astype(float)
        M = scipy.sparse.csr_matrix((1.0 / n[ki], (ki, np.arange(len(ki)))),
                                    shape=(len(codes), len(ki)))
        mats.append((area, codes, n, M))
    if posterior is None:
        v, _ = draw_effects(parts.la, la_idx, draws.var_la, rng)
        u, _ = draw_effects(parts.msoa, msoa_idx, draws.var_msoa, rng)
    else:
        v, u, _, _ = draw_nested_effects(parts, posterior, la_idx, msoa_idx, draws.var_la,
                                         draws.var_msoa, rng)
    D = draws.n_draws
    outs = [np.empty((len(codes), D)) for _, codes, _, _ in mats]
    for d0 in range(0, D, chunk):
        d1 = min(D, d0 + chunk)
        eta = (X @ draws.beta[d0:d1].T + v[li, d0:d1] + u[mi, d0:d1]).astype(np.float32)
        p = expit(eta)
        for out, (_, _, _, M) in zip(outs, mats, strict=True):
            out[:, d0:d1] = np.asarray(M @ p)
    result = {}
    for out, (area, codes, n, M) in zip(outs, mats, strict=True):
        table = summarise_draws(out, "report").set_index(codes)
        table.insert(0, "report_point", np.asarray(M @ p_hat))
        table.insert(0, "n_respondents", n.astype(np.int64))
        table["suppressed"] = n < min_respondents
        value_cols = [c for c in table.columns if c.startswith("report")]
        table.loc[table["suppressed"], value_cols] = np.nan
        result[area] = (table, out)
    return result


__all__ = ["report_style_estimates"]
