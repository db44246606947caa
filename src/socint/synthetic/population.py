"""The adult population: post-stratification cells per MSOA and a finite synthetic microdata.

Two linked products:

* ``poststrat`` — per MSOA, adults (16+) by ``sex`` × ``age_band`` × ``ethnicity`` (survey six
  groups), drawn from the MSOA's ethnic counts: children are removed with a group-specific
  share (minority groups are younger), adults are spread over age bands from the MSOA's % 65+
  (minorities much younger) and over sex (more women at older ages). This is the table an MRP
  estimate post-stratifies over (Park, Gelman & Bafumi 2004, *Political Analysis* 12: 375).
* ``population`` — a finite microdata of ~300-600 adults per MSOA, *stratified* on those cells:
  each non-empty cell gets ``max(1, randomised-round(count * n / adults))`` people and each
  person the weight ``count / n_cell``, so the weights add up to every cell count exactly.
  Individual covariates are drawn given age, sex, ethnicity and the MSOA's deprivation:
  NS-SEC (students and the retired in "Other"), income band 1-15 from NS-SEC, age (inverted U)
  and sex, married by age band, 5+ years at the address by age band, survey year 50/50.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from socint.published import ETHNICITY_SURVEY6, NSSEC_GROUPS
from socint.synthetic.areas import AreaTables
from socint.synthetic.ethnicity import DETAILED, SURVEY6_OF
from socint.synthetic.geography import Geography

AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
AGE_LOW = np.array([16, 25, 35, 45, 55, 65, 75])
AGE_HIGH = np.array([24, 34, 44, 54, 64, 74, 90])
SEXES = ("male", "female")

#: Child share multiplier and 65+ multiplier by survey group (White, Asian, Black, Mixed,
#: Chinese, Other): minority groups have more children and far fewer older people (2011 Census).
_CHILD_FACTOR = np.array([0.92, 1.35, 1.3, 2.2, 0.8, 1.2])
_OLD_FACTOR = np.array([1.1, 0.45, 0.35, 0.2, 0.35, 0.3])
_WORKING_WHITE = np.array([0.14, 0.16, 0.17, 0.18, 0.15])
_WORKING_MINORITY = np.array([0.20, 0.25, 0.22, 0.18, 0.15])
_FEMALE_SHARE = np.array([0.49, 0.50, 0.505, 0.505, 0.51, 0.52, 0.58])
#: P(married) and P(5+ years at the address) by age band (England, approximately).
P_MARRIED = np.array([0.04, 0.35, 0.58, 0.62, 0.66, 0.63, 0.45])
P_YEARS5 = np.array([0.45, 0.30, 0.55, 0.72, 0.80, 0.86, 0.90])


def _group_counts(counts: np.ndarray) -> np.ndarray:
    """MSOA × 18 detailed counts → MSOA × 6 survey groups (ETHNICITY_SURVEY6 order)."""
    out = np.zeros((counts.shape[0], len(ETHNICITY_SURVEY6)), dtype=np.int64)
    for j, g in enumerate(DETAILED):
        out[:, ETHNICITY_SURVEY6.index(SURVEY6_OF[g])] += counts[:, j]
    return out


def build_poststrat(rng: np.random.Generator, geo: Geography, areas: AreaTables) -> pd.DataFrame:
    """Adults per MSOA × sex × age band × ethnicity (long; column ``count``, int64)."""
    groups = _group_counts(areas.msoa_counts)
    n_msoa, n_g = groups.shape
    child = np.clip(areas.msoa_child_share[:, None] * _CHILD_FACTOR[None, :], 0.02, 0.6)
    adults = rng.binomial(groups, 1.0 - child)
    pct65 = areas.msoa_covariates["pct65"].to_numpy() / 100.0
    a65 = np.clip((pct65 / (1.0 - areas.msoa_child_share))[:, None] * _OLD_FACTOR, 0.01, 0.7)
    working = np.where(np.arange(n_g)[None, :, None] == 0, _WORKING_WHITE, _WORKING_MINORITY)
    working = working / working.sum(axis=2, keepdims=True) * (1.0 - a65)[:, :, None]
    bands = np.concatenate([working, (0.58 * a65)[:, :, None], (0.42 * a65)[:, :, None]], axis=2)
    cells = np.stack([bands * (1 - _FEMALE_SHARE), bands * _FEMALE_SHARE], axis=3)
    probs = cells.reshape(n_msoa * n_g, -1)  # order: band, sex
    draw = rng.multinomial(adults.reshape(-1), probs).reshape(n_msoa, n_g, 7, 2)
    m, g, b, s = np.meshgrid(np.arange(n_msoa), np.arange(n_g), np.arange(7), np.arange(2),
                             indexing="ij")
    return pd.DataFrame({
        "msoa_code": geo.msoas["msoa_code"].to_numpy()[m.ravel()],
        "sex": np.array(SEXES, dtype=object)[s.ravel()],
        "age_band": np.array(AGE_BANDS, dtype=object)[b.ravel()],
        "ethnicity": np.array(ETHNICITY_SURVEY6, dtype=object)[g.ravel()],
        "count": draw.ravel().astype(np.int64),
    })


def _nssec(rng: np.random.Generator, band: np.ndarray, female: np.ndarray,
           eth: np.ndarray, dep: np.ndarray) -> np.ndarray:
    """NS-SEC group index (NSSEC_GROUPS order) from a multinomial logit."""
    n = len(band)
    minority = np.array([0.0, 1.0, 1.0, 0.0, 0.0, 1.0])[eth]  # Asian, Black, Other
    # Category weights exp(linear predictor), one 1-D array each (fast, column-wise).
    managerial = np.exp(-0.12 * dep + 0.3 * (eth == 4))
    intermediate = np.exp(-0.35 + 0.4 * female)
    routine = np.exp(-0.15 + 0.12 * dep + 0.2 * minority)
    other = np.exp(-1.4 + np.array([2.0, 0, 0, 0, 0, 0, 0.5])[band] + 0.12 * dep
                   + 0.4 * minority)
    c1 = managerial
    c2 = c1 + intermediate
    c3 = c2 + routine
    u = rng.random(n) * (c3 + other)
    return (u > c1).astype(np.int64) + (u > c2) + (u > c3)


def build_population(rng: np.random.Generator, geo: Geography, areas: AreaTables,
                     poststrat: pd.DataFrame) -> pd.DataFrame:
    """The finite adult microdata (one row per synthetic person, with ``weight``)."""
    n_msoa = len(geo.msoas)
    cells = poststrat["count"].to_numpy().reshape(n_msoa, -1)  # msoa × (group, band, sex)
    adults = cells.sum(axis=1)
    target = rng.integers(300, 601, n_msoa)
    expected = cells * (target / np.maximum(adults, 1))[:, None]
    n_cell = np.floor(expected) + (rng.random(expected.shape) < expected % 1.0)
    n_cell = np.where(cells > 0, np.maximum(n_cell, 1), 0).astype(np.int64).ravel()
    cell_id = np.repeat(np.arange(n_cell.size), n_cell)
    weight = (cells.ravel() / np.maximum(n_cell, 1))[cell_id]
    msoa = cell_id // cells.shape[1]
    rest = cell_id % cells.shape[1]
    eth, band, sex = rest // 14, (rest % 14) // 2, rest % 2
    n = len(cell_id)

    age = rng.integers(AGE_LOW[band], AGE_HIGH[band] + 1)
    old = band == 6
    age[old] = 75 + np.floor(16 * rng.beta(1.0, 2.0, int(old.sum()))).astype(int)
    female = sex.astype(np.int64)
    dep = areas.msoa_covariates["income_decile"].to_numpy()[msoa] - 5.5
    nssec = _nssec(rng, band, female, eth, dep)
    latent = (np.array([1.0, 0.2, -0.5, -1.0])[nssec] - 0.8 * ((age - 45) / 20.0) ** 2
              - 0.2 * female - 0.08 * dep + rng.normal(size=n))
    income = np.clip(np.round(8.0 + 2.6 * latent), 1, 15).astype(np.int64)
    eth_married = np.array([0.0, 0.5, -0.5, -0.4, 0.0, 0.0])[eth]
    married = rng.random(n) < expit(logit(P_MARRIED[band]) + eth_married + 0.05 * (income - 8))
    years5 = rng.random(n) < expit(logit(P_YEARS5[band]) - 0.4 * (eth != 0))
    msoa_codes = geo.msoas["msoa_code"].to_numpy()
    la_codes = geo.msoas["lad_code"].to_numpy()
    return pd.DataFrame({
        "person_id": np.arange(1, n + 1, dtype=np.int64),
        "msoa_code": pd.Categorical.from_codes(msoa, categories=pd.Index(msoa_codes)),
        "lad_code": pd.Categorical(la_codes[msoa], categories=pd.unique(la_codes)),
        "weight": weight,
        "female": female,
        "age": age.astype(np.int64),
        "age_band": pd.Categorical.from_codes(band, categories=pd.Index(list(AGE_BANDS))),
        "income": income,
        "income_sq": income**2,
        "ethnicity": pd.Categorical.from_codes(eth, categories=pd.Index(list(ETHNICITY_SURVEY6))),
        "married": married.astype(np.int64),
        "years5": years5.astype(np.int64),
        "nssec": pd.Categorical.from_codes(nssec.astype(np.int64),
                                           categories=pd.Index(list(NSSEC_GROUPS))),
        "year_2010": (rng.random(n) < 0.5).astype(np.int64),
    })


def covariate_distribution(population: pd.DataFrame) -> pd.DataFrame:
    """Weighted distribution of the other individual covariates per sex × age band × ethnicity.

    One row per cell: ``mean_income``, ``p_married``, ``p_years5``, ``p_year_2010`` and
    ``p_nssec_<group>`` — the distributions people were drawn from, as realised in the
    (weighted) finite population, for post-stratifying over covariates that are not cells.
    """
    df = pd.DataFrame({
        "female": population["female"].to_numpy(),
        "age_band": population["age_band"],
        "ethnicity": population["ethnicity"],
        "w": population["weight"].to_numpy(),
    })
    wcols = {"mean_income": "income", "p_married": "married", "p_years5": "years5",
             "p_year_2010": "year_2010"}
    for name, col in wcols.items():
        df[name] = population[col].to_numpy() * df["w"].to_numpy()
    nssec = population["nssec"]
    for g in NSSEC_GROUPS:
        df[f"p_nssec_{g.lower()}"] = (nssec == g).to_numpy() * df["w"].to_numpy()
    out = df.groupby(["female", "age_band", "ethnicity"], sort=True, observed=True).sum()
    values = out.drop(columns="w").div(out["w"], axis=0)
    values.insert(0, "weight", out["w"])
    values = values.reset_index()
    values.insert(0, "sex", np.where(values.pop("female").to_numpy() == 1, "female", "male"))
    values["age_band"] = values["age_band"].astype(object)
    values["ethnicity"] = values["ethnicity"].astype(object)
    return values


__all__ = ["AGE_BANDS", "SEXES", "build_population", "build_poststrat",
           "covariate_distribution"]
