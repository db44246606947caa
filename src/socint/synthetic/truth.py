"""The true trust model of the synthetic England, and the truth later stages are checked against.

Trust follows the published Model 3 of Bright Blue (2019), a three-level random-intercept
logistic regression (respondent i in MSOA j in LA k)::

    logit p_ijk = β0 + β'x_ijk + u_j + v_k,   u_j ~ N(0, 0.24),   v_k ~ N(0, 0.06)

with β = ``socint.published.MODEL3_COEFFICIENTS`` (log odds ratios; ``div_decile:poor_english``
is the product of the two, the ``wb_change`` dummies are against "<-5%"). The intercept β0 is
not published; it is chosen by root-finding (Brent 1973) so that the weighted population mean
of p equals the published mean trust, 0.39.

*True trust of an area* is the share of its adult population trusting most neighbours in
expectation: the weighted mean of p over the finite synthetic population living there,
Σ w_i p_i / Σ w_i. It is the estimand of MRP and of the published small-area estimates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from socint.published import (
    ETHNICITY_SURVEY6,
    MODEL3_COEFFICIENTS,
    MODEL3_MEAN_TRUST,
    MODEL3_VARIANCES,
    NSSEC_GROUPS,
    WB_CHANGE_BANDS,
)

_INDIVIDUAL = ("female", "year_2010", "age", "income", "income_sq", "married", "years5")
_AREA = ("div_decile", "poor_english", "family_pct", "income_decile", "crime_decile", "pct65",
         "rural")


@dataclass(frozen=True)
class SyntheticTruth:
    """Parameters actually used and the true area shares (see module docstring)."""

    intercept: float
    coefficients: Mapping[str, float]
    variances: Mapping[str, float]
    ranef_msoa: pd.DataFrame  # msoa_code, ranef
    ranef_la: pd.DataFrame  # lad_code, ranef
    true_trust_msoa: pd.DataFrame  # msoa_code, lad_code, true_trust
    true_trust_la: pd.DataFrame  # lad_code, true_trust
    population_mean: float


def fixed_predictor(frame: pd.DataFrame, coefficients: Mapping[str, float]) -> np.ndarray:
    """β'x (without intercept) for rows holding individual, MSOA and LA covariates."""
    eta = np.zeros(len(frame))
    for name in _INDIVIDUAL + _AREA:
        eta += coefficients[name] * frame[name].to_numpy(dtype=float)
    eta += coefficients["div_decile:poor_english"] * (
        frame["div_decile"].to_numpy(dtype=float) * frame["poor_english"].to_numpy(dtype=float))
    for column, levels in (("ethnicity", ETHNICITY_SURVEY6), ("nssec", NSSEC_GROUPS),
                           ("wb_change", WB_CHANGE_BANDS)):
        for level in levels[1:]:
            eta += coefficients[f"{column}[{level}]"] * _equals(frame[column], level)
    return eta


def _equals(values: pd.Series, level: str) -> np.ndarray:
    """``values == level`` as a bool array, fast for categoricals."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = list(values.cat.categories)
        if level not in categories:
            return np.zeros(len(values), dtype=bool)
        return np.asarray(values.cat.codes.to_numpy() == categories.index(level))
    return np.asarray(values.astype(str).to_numpy() == level)


def calibrate_intercept(offset: np.ndarray, weight: np.ndarray,
                        target: float = MODEL3_MEAN_TRUST) -> float:
    """β0 such that Σ w expit(β0 + offset) / Σ w = target (Brent's method)."""
    w = weight / weight.sum()

    def gap(b0: float) -> float:
        return float(np.dot(w, expit(b0 + offset)) - target)

    return float(brentq(gap, -30.0, 30.0, xtol=1e-10))


def build_truth(rng: np.random.Generator, population: pd.DataFrame, msoa_covariates: pd.DataFrame,
                la_covariates: pd.DataFrame) -> tuple[SyntheticTruth, np.ndarray]:
    """Draw the random effects, calibrate β0 and return the truth and p for every person."""
    msoa_codes = msoa_covariates["msoa_code"].to_numpy()
    la_codes = la_covariates["lad_code"].to_numpy()
    u = rng.normal(0.0, np.sqrt(MODEL3_VARIANCES["msoa"]), len(msoa_codes))
    v = rng.normal(0.0, np.sqrt(MODEL3_VARIANCES["la"]), len(la_codes))
    msoa_i = population["msoa_code"].cat.codes.to_numpy()
    msoa_la = pd.Index(la_codes).get_indexer(msoa_covariates["lad_code"])
    la_i = msoa_la[msoa_i]
    area = msoa_covariates.merge(la_covariates, on="lad_code", how="left")
    columns: dict[str, Any] = {c: population[c] for c in (*_INDIVIDUAL, "ethnicity", "nssec")}
    columns.update({c: area[c].to_numpy()[msoa_i] for c in _AREA})
    columns["wb_change"] = pd.Categorical(area["wb_change"], categories=list(WB_CHANGE_BANDS))[
        msoa_i]
    frame = pd.DataFrame(columns)
    offset = fixed_predictor(frame, MODEL3_COEFFICIENTS) + u[msoa_i] + v[la_i]
    weight = population["weight"].to_numpy()
    b0 = calibrate_intercept(offset, weight)
    p = expit(b0 + offset)
    wp = weight * p
    t_msoa = np.bincount(msoa_i, wp, len(msoa_codes)) / np.bincount(msoa_i, weight, len(msoa_codes))
    t_la = np.bincount(la_i, wp, len(la_codes)) / np.bincount(la_i, weight, len(la_codes))
    truth = SyntheticTruth(
        intercept=b0,
        coefficients=MappingProxyType(dict(MODEL3_COEFFICIENTS)),
        variances=MappingProxyType(dict(MODEL3_VARIANCES)),
        ranef_msoa=pd.DataFrame({"msoa_code": msoa_codes, "ranef": u}),
        ranef_la=pd.DataFrame({"lad_code": la_codes, "ranef": v}),
        true_trust_msoa=pd.DataFrame({"msoa_code": msoa_codes,
                                      "lad_code": msoa_covariates["lad_code"].to_numpy(),
                                      "true_trust": t_msoa}),
        true_trust_la=pd.DataFrame({"lad_code": la_codes, "true_trust": t_la}),
        population_mean=float(wp.sum() / weight.sum()),
    )
    return truth, p


__all__ = ["SyntheticTruth", "build_truth", "calibrate_intercept", "fixed_predictor"]
