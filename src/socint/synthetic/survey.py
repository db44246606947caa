"""A clustered survey drawn from the synthetic population, like the Citizenship Survey.

Design (three stages, as in the real study's clustered address sample):

1. LAs: each is in the survey with probability 0.93, so a few LAs have no respondent at all
   (the real study covered 319 of 326 LAs, and small-area methods must handle the rest);
2. MSOAs: within surveyed LAs each MSOA is sampled with probability 0.45 / 0.93 (at least one
   per surveyed LA), i.e. about 45% of MSOAs overall (3,134 of 6,791 in the real study);
3. respondents: ``survey_size`` people are allocated to the sampled MSOAs (one each, the rest
   multinomially in proportion to adults × a Gamma(3) design effect) and drawn within each MSOA
   without replacement with probability proportional to their population weight
   (Efraimidis & Spirakis 2006, *Information Processing Letters* 97: 181).

Trust is then drawn once per respondent: ``trust ~ Bernoulli(p)`` with p from the true model.
Because the synthetic England has about 3,100 MSOAs (the real one 6,791), the default 30,000
respondents give ~22 per sampled MSOA; ``survey_size=12_000`` gives the real study's ~9.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socint.errors import SocintError

P_LA_SURVEYED = 0.93
P_MSOA_SAMPLED = 0.45

SURVEY_COLUMNS = (
    "respondent_id", "msoa_code", "lad_code", "trust", "female", "age", "income", "income_sq",
    "ethnicity", "married", "years5", "nssec", "year_2010", "div_decile", "poor_english",
    "family_pct", "income_decile", "crime_decile", "pct65", "rural", "wb_change",
)


def _sampled_msoas(rng: np.random.Generator, msoa_la: np.ndarray, n_la: int) -> np.ndarray:
    """Boolean mask of sampled MSOAs (stages 1 and 2)."""
    la_in = rng.random(n_la) < P_LA_SURVEYED
    sampled = la_in[msoa_la] & (rng.random(len(msoa_la)) < P_MSOA_SAMPLED / P_LA_SURVEYED)
    for la in np.flatnonzero(la_in & (np.bincount(msoa_la, sampled, n_la) == 0)):
        sampled[rng.choice(np.flatnonzero(msoa_la == la))] = True
    return sampled


def _allocate(rng: np.random.Generator, size: int, adults: np.ndarray,
              capacity: np.ndarray) -> np.ndarray:
    """Respondents per sampled MSOA: 1 each + multinomial, never above ``capacity``."""
    n = np.ones(len(adults), dtype=np.int64)
    share = adults * rng.gamma(3.0, 1.0, len(adults))
    left = size - len(adults)
    while left > 0:
        room = capacity - n
        prob = np.where(room > 0, share, 0.0)
        n += np.minimum(rng.multinomial(left, prob / prob.sum()), room)
        left = size - int(n.sum())
    return n


def draw_survey(rng: np.random.Generator, population: pd.DataFrame, p: np.ndarray,
                msoa_covariates: pd.DataFrame, la_covariates: pd.DataFrame,
                survey_size: int) -> pd.DataFrame:
    """Draw the survey frame (columns :data:`SURVEY_COLUMNS`)."""
    msoa_codes = msoa_covariates["msoa_code"].to_numpy()
    msoa_la = pd.Index(la_covariates["lad_code"]).get_indexer(msoa_covariates["lad_code"])
    sampled = _sampled_msoas(rng, msoa_la, len(la_covariates))
    msoa_i = population["msoa_code"].cat.codes.to_numpy()
    weight = population["weight"].to_numpy()
    adults = np.bincount(msoa_i, weight, len(msoa_codes))
    people = np.bincount(msoa_i, minlength=len(msoa_codes))
    chosen = np.flatnonzero(sampled)
    capacity = people[chosen] // 2
    if survey_size < len(chosen) or survey_size > capacity.sum():
        raise SocintError(
            f"survey_size was {survey_size} but this synthetic England can only give between "
            f"{len(chosen)} (one per sampled MSOA) and {int(capacity.sum())} respondents "
            "(half of the synthetic population of the sampled MSOAs)",
            hint="choose a survey_size in that range, or a larger scale",
        )
    n_take = np.zeros(len(msoa_codes), dtype=np.int64)
    n_take[chosen] = _allocate(rng, survey_size, adults[chosen], capacity)

    # Weighted sampling without replacement: keep the n_j largest keys log(U)/w per MSOA.
    key = np.log(rng.random(len(weight))) / weight
    order = np.lexsort((-key, msoa_i))
    start = np.concatenate([[0], np.cumsum(people)[:-1]])
    rank = np.arange(len(order)) - start[msoa_i[order]]
    pick = np.sort(order[rank < n_take[msoa_i[order]]])

    resp = population.iloc[pick]
    frame = pd.DataFrame({
        "respondent_id": np.arange(1, len(pick) + 1, dtype=np.int64),
        "msoa_code": resp["msoa_code"].astype(str).to_numpy(dtype=object),
        "lad_code": resp["lad_code"].astype(str).to_numpy(dtype=object),
        "trust": (rng.random(len(pick)) < p[pick]).astype(np.int64),
    })
    for col in ("female", "age", "income", "income_sq"):
        frame[col] = resp[col].to_numpy()
    frame["ethnicity"] = resp["ethnicity"].astype(str).to_numpy(dtype=object)
    frame["married"] = resp["married"].to_numpy()
    frame["years5"] = resp["years5"].to_numpy()
    frame["nssec"] = resp["nssec"].astype(str).to_numpy(dtype=object)
    frame["year_2010"] = resp["year_2010"].to_numpy()
    area = msoa_covariates.drop(columns="lad_code").merge(
        msoa_covariates[["msoa_code", "lad_code"]].merge(la_covariates, on="lad_code"),
        on="msoa_code")
    frame = frame.merge(area.drop(columns="lad_code"), on="msoa_code", how="left",
                        validate="many_to_one")
    return frame[list(SURVEY_COLUMNS)]


__all__ = ["P_LA_SURVEYED", "P_MSOA_SAMPLED", "SURVEY_COLUMNS", "draw_survey"]
