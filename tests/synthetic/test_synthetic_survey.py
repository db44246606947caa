"""The survey: clustered like the real study, plausible raw shares, the true model recovered."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _synthetic_shared import default_england

from socint.errors import SocintError
from socint.published import MODEL3_COEFFICIENTS
from socint.synthetic import generate_england
from socint.synthetic.survey import SURVEY_COLUMNS


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logistic regression by Newton-Raphson: (coef, standard errors)."""
    beta = np.zeros(x.shape[1])
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-x @ beta))
        info = x.T @ (x * (p * (1 - p))[:, None])
        step = np.linalg.solve(info, x.T @ (y - p))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta, np.sqrt(np.diag(np.linalg.inv(info)))


def test_layout_and_size() -> None:
    s = default_england().survey
    assert list(s.columns) == list(SURVEY_COLUMNS)
    assert len(s) == 30_000
    assert s["respondent_id"].is_unique
    assert set(s["trust"]) == {0, 1}
    assert not s.isna().any().any()


def test_clustering_like_the_real_study() -> None:
    e = default_england()
    s = e.survey
    frac_msoa = s["msoa_code"].nunique() / len(e.msoas)
    frac_la = s["lad_code"].nunique() / len(e.las)
    assert 0.40 <= frac_msoa <= 0.50
    assert 0.88 <= frac_la <= 0.97 and frac_la < 1.0
    per_msoa = s.groupby("msoa_code").size()
    assert per_msoa.min() >= 1
    assert per_msoa.mean() == pytest.approx(len(s) / s["msoa_code"].nunique())
    msoa_la = e.msoas.set_index("msoa_code")["lad_code"]
    assert (s["lad_code"].to_numpy() == msoa_la[s["msoa_code"]].to_numpy()).all()


def test_area_covariates_are_those_of_the_respondents_msoa() -> None:
    e = default_england()
    s = e.survey
    cov = e.msoa_covariates.set_index("msoa_code")
    for col in ("div_decile", "poor_english", "family_pct", "income_decile", "crime_decile",
                "pct65", "rural"):
        assert (s[col].to_numpy() == cov.loc[s["msoa_code"], col].to_numpy()).all()
    wb = e.la_covariates.set_index("lad_code")["wb_change"]
    assert (s["wb_change"].to_numpy() == wb[s["lad_code"]].to_numpy()).all()


def test_respondents_are_people_of_the_population() -> None:
    e = default_england()
    keys = ["msoa_code", "female", "age", "income", "ethnicity", "married", "years5", "nssec",
            "year_2010"]
    pop = e.population[keys].astype({"msoa_code": object, "ethnicity": object, "nssec": object})
    sample = e.survey[keys].iloc[::50]
    found = sample.merge(pop.drop_duplicates(), on=keys, how="left", indicator=True)
    assert (found["_merge"] == "both").all()


def test_raw_shares_are_plausible() -> None:
    s = default_england().survey
    assert 0.36 <= s["trust"].mean() <= 0.42
    by_sex = s.groupby("female")["trust"].mean()
    assert by_sex[1] < by_sex[0]
    by_eth = s.groupby("ethnicity")["trust"].mean()
    assert by_eth["Black"] < by_eth["White"] and by_eth["Other"] < by_eth["White"]
    x = np.column_stack([np.ones(len(s)), s["age"].to_numpy(dtype=float)])
    beta, _ = _logistic(x, s["trust"].to_numpy(dtype=float))
    assert beta[1] > 0


def test_marginal_logistic_fit_recovers_the_model() -> None:
    """A single-level logistic fit of Model 3 recovers β attenuated by the random effects.

    Ignoring random intercepts of total variance σ² = 0.30 shrinks coefficients by about
    1 / sqrt(1 + 0.346 σ²) (Zeger, Liang & Albert 1988, Biometrics 44: 1049).
    """
    s = default_england().survey
    terms = ["female", "year_2010", "age", "income", "income_sq", "married", "years5",
             "div_decile", "poor_english", "family_pct", "income_decile", "crime_decile",
             "pct65", "rural"]
    cols = [s[t].to_numpy(dtype=float) for t in terms]
    names = list(terms)
    cols.append((s["div_decile"] * s["poor_english"]).to_numpy(dtype=float))
    names.append("div_decile:poor_english")
    for var, levels in (("ethnicity", ["Asian", "Black", "Mixed", "Chinese", "Other"]),
                        ("nssec", ["Intermediate", "Routine", "Other"]),
                        ("wb_change", ["-5-0%", ">0%"])):
        for lev in levels:
            cols.append((s[var] == lev).to_numpy(dtype=float))
            names.append(f"{var}[{lev}]")
    x = np.column_stack([np.ones(len(s)), *cols])
    beta, se = _logistic(x, s["trust"].to_numpy(dtype=float))
    shrink = 1.0 / math.sqrt(1.0 + 0.346 * 0.30)
    est = pd.Series(beta[1:], index=names)
    err = pd.Series(se[1:], index=names)
    z = (est - shrink * pd.Series(dict(MODEL3_COEFFICIENTS))[names]) / err
    # every term within 4.5 standard errors, and most within 2.5
    assert (z.abs() < 4.5).all(), z[z.abs() >= 4.5]
    assert (z.abs() < 2.5).mean() >= 0.85


@pytest.mark.parametrize("size", [10, 10_000_000])
def test_impossible_survey_size_is_refused(size: int) -> None:
    with pytest.raises(SocintError, match=rf"survey_size was {size} but"):
        generate_england(3, scale=0.1, survey_size=size)
