"""The true model: recomputed independently from the published odds ratios."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _synthetic_shared import default_england

from socint.published import MODEL3_COEFFICIENTS
from socint.synthetic.truth import calibrate_intercept

# Published Model 3 odds ratios, typed in again from the report summary (CONVENTIONS.md).
ODDS = {"female": 0.82, "year_2010": 0.94, "age": 1.02, "income": 0.95, "income_sq": 1.01,
        "married": 1.21, "years5": 1.15, "div_decile": 0.98, "poor_english": 0.77,
        "family_pct": 1.01, "income_decile": 0.88, "crime_decile": 0.96, "pct65": 1.03,
        "rural": 1.51}
ETH = {"Asian": 0.82, "Black": 0.70, "Mixed": 0.84, "Chinese": 0.88, "Other": 0.58}
NSSEC = {"Intermediate": 0.80, "Routine": 0.63, "Other": 0.78}
WB = {"-5-0%": 1.42, ">0%": 1.49}
INTERACTION = 1.11


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def test_calibrate_intercept_hand_case() -> None:
    # With a zero offset the mean is expit(b0): b0 = logit(0.39).
    b0 = calibrate_intercept(np.zeros(5), np.ones(5), 0.39)
    assert b0 == pytest.approx(math.log(0.39 / 0.61), abs=1e-8)


def test_truth_holds_the_published_parameters() -> None:
    t = default_england().truth
    assert dict(t.coefficients) == dict(MODEL3_COEFFICIENTS)
    assert t.coefficients["female"] == pytest.approx(math.log(0.82))
    assert dict(t.variances) == {"la": 0.06, "msoa": 0.24}


def test_random_effects_have_the_published_variances() -> None:
    t = default_england().truth
    u, v = t.ranef_msoa["ranef"], t.ranef_la["ranef"]
    # sample variance of n normals: sd = var * sqrt(2 / (n - 1)); allow 4 sd
    assert u.var() == pytest.approx(0.24, abs=4 * 0.24 * math.sqrt(2 / len(u)))
    assert v.var() == pytest.approx(0.06, abs=4 * 0.06 * math.sqrt(2 / len(v)))
    assert abs(u.mean()) < 4 * math.sqrt(0.24 / len(u))


def test_probabilities_recomputed_from_the_odds_ratios() -> None:
    e = default_england()
    t = e.truth
    pop = e.population
    area = (e.msoa_covariates.merge(e.la_covariates, on="lad_code")
            .merge(t.ranef_msoa, on="msoa_code")
            .merge(t.ranef_la.rename(columns={"ranef": "v"}), on="lad_code")
            .set_index("msoa_code"))
    a = area.loc[pop["msoa_code"].cat.categories].iloc[pop["msoa_code"].cat.codes.to_numpy()]
    eta = np.full(len(pop), t.intercept)
    for k, orat in ODDS.items():
        x = pop[k] if k in pop.columns else a[k]
        eta += math.log(orat) * np.asarray(x, dtype=float)
    eta += math.log(INTERACTION) * (a["div_decile"] * a["poor_english"]).to_numpy()
    for g, orat in ETH.items():
        eta += math.log(orat) * (pop["ethnicity"] == g).to_numpy()
    for g, orat in NSSEC.items():
        eta += math.log(orat) * (pop["nssec"] == g).to_numpy()
    for g, orat in WB.items():
        eta += math.log(orat) * (a["wb_change"] == g).to_numpy()
    eta += a["ranef"].to_numpy() + a["v"].to_numpy()
    p = _expit(eta)
    assert np.max(np.abs(p - pop["p_trust"].to_numpy())) < 1e-9
    w = pop["weight"].to_numpy()
    assert np.dot(w, p) / w.sum() == pytest.approx(0.39, abs=1e-6)
    assert t.population_mean == pytest.approx(0.39, abs=1e-6)


def test_true_area_shares_are_weighted_means_of_p() -> None:
    e = default_england()
    pop = e.population
    wp = pd.Series(pop["weight"] * pop["p_trust"])
    la = pop["lad_code"]
    share = wp.groupby(la, observed=True).sum() / pop["weight"].groupby(la, observed=True).sum()
    t = e.truth.true_trust_la.set_index("lad_code")["true_trust"]
    assert list(e.truth.true_trust_la.columns) == ["lad_code", "true_trust"]
    assert np.allclose(t[share.index], share, atol=1e-12)
    assert t.std() > 0.03
    assert t.between(0.03, 0.97).all()
    m = e.truth.true_trust_msoa.set_index("msoa_code")["true_trust"]
    msoa = pop["msoa_code"]
    share_m = (wp.groupby(msoa, observed=True).sum()
               / pop["weight"].groupby(msoa, observed=True).sum())
    assert np.allclose(m[share_m.index], share_m, atol=1e-12)
