"""Area tables of the synthetic England and the trust model's area covariates.

Everything here is drawn conditionally on the geography and the ethnic counts, so that the
associations the trust model relies on are present (diverse areas are younger, more deprived
and more urban; English proficiency follows the ethnic mix):

* English proficiency per MSOA (scheme ``proficiency_2021``): main language not English with a
  group-specific probability (ONS 2011 Census table QS204/CT0558 give the real figures), and a
  share cannot speak English well around 20% of those (2011: 0.86 of 4.2 million);
* % aged 65+ and % under 16 per MSOA; % households married couples with dependent children;
* LSOA income and crime deprivation scores with IoD-style deciles (1 = most deprived, the
  convention of the English Indices of Deprivation) and the 2011 Rural-Urban Classification;
* ``msoa_covariates`` (deciles 10 = most deprived / most diverse, as the model uses) and
  ``la_covariates`` (White British change 2001-11 band), per Bright Blue (2019) Model 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from socint.measures.diversity import simpson
from socint.synthetic.ethnicity import DETAILED, EthnicityDraw
from socint.synthetic.geography import LONDON, REGIONS, RURAL, SIGNIFICANT_RURAL, URBAN, Geography

#: Probability that a resident's main language is not English, by detailed group (rough 2011).
NON_ENGLISH_MAIN: dict[str, float] = {
    "white_british": 0.002, "white_irish": 0.02, "white_gypsy_traveller": 0.05,
    "white_other": 0.65, "mixed_white_black_caribbean": 0.03, "mixed_white_black_african": 0.08,
    "mixed_white_asian": 0.06, "mixed_other": 0.08, "asian_indian": 0.45,
    "asian_pakistani": 0.45, "asian_bangladeshi": 0.55, "asian_chinese": 0.6,
    "asian_other": 0.55, "black_african": 0.35, "black_caribbean": 0.02, "black_other": 0.1,
    "other_arab": 0.6, "other_any": 0.5,
}

RUC_LABELS: dict[str, str] = {
    "A1": "Urban major conurbation", "B1": "Urban minor conurbation",
    "C1": "Urban city and town", "C2": "Urban city and town in a sparse setting",
    "D1": "Rural town and fringe", "D2": "Rural town and fringe in a sparse setting",
    "E1": "Rural village and dispersed",
    "E2": "Rural village and dispersed in a sparse setting",
}

#: Band edges of the LA White British population change 2001-11 (percent).
WB_BANDS = ("<-5%", "-5-0%", ">0%")


def decile(values: np.ndarray, *, descending: bool = False) -> np.ndarray:
    """Decile 1-10 of each value by the project's one rule (``socint.composite.deciles``).

    With ``descending=True`` the largest values get decile 1 (the IoD convention, 1 = most
    deprived); otherwise the largest values get decile 10.
    """
    from socint.composite.deciles import deciles

    x = -np.asarray(values, dtype=float) if descending else np.asarray(values, dtype=float)
    return deciles(x).to_numpy(dtype=np.int64)


@dataclass(frozen=True)
class AreaTables:
    """Area tables (see module docstring) plus MSOA arrays the population is drawn from."""

    proficiency: np.ndarray  # MSOA × 5, scheme proficiency_2021
    lsoa_attributes: pd.DataFrame
    msoa_covariates: pd.DataFrame
    la_covariates: pd.DataFrame
    msoa_counts: np.ndarray  # MSOA × 18 ethnic counts
    msoa_child_share: np.ndarray
    msoa_income_score: np.ndarray
    la_wb_change_pct: np.ndarray


def _msoa_rural(rng: np.random.Generator, geo: Geography, msoa_la: np.ndarray) -> np.ndarray:
    """Rural flag: the outermost MSOAs of each LA, a share set by the LA's character."""
    by_character = {URBAN: 0.03, SIGNIFICANT_RURAL: 0.3, RURAL: 0.6}
    share = geo.las["urban_rural"].map(by_character).to_numpy(dtype=float, copy=True)
    share[(geo.las["region_code"] == LONDON).to_numpy()] = 0.0
    d = np.sqrt(((geo.msoa_xy - geo.la_xy[msoa_la]) ** 2).sum(axis=1))
    d = d * rng.lognormal(0.0, 0.3, len(d))
    pos = pd.Series(d).groupby(msoa_la).rank(pct=True).to_numpy()
    return (pos > 1.0 - share[msoa_la]).astype(np.int64)


def _ruc(rng: np.random.Generator, geo: Geography, lsoa_rural: np.ndarray,
         lsoa_la: np.ndarray) -> np.ndarray:
    n = len(lsoa_rural)
    la_type = geo.las["la_type"].to_numpy()[lsoa_la]
    sparse = (geo.las["urban_rural"].to_numpy() == RURAL)[lsoa_la] & (rng.random(n) < 0.08)
    urban = np.where(np.isin(la_type, ["E08", "E09"]), "A1",
                     np.where(rng.random(n) < 0.1, "B1", "C1"))
    urban = np.where(sparse, "C2", urban)
    rural = np.where(rng.random(n) < 0.55, "D", "E")
    rural = np.char.add(rural, np.where(sparse, "2", "1"))
    return np.where(lsoa_rural == 1, rural, urban).astype(object)


def build_areas(rng: np.random.Generator, geo: Geography, eth: EthnicityDraw) -> AreaTables:
    """Draw every area table from the geography and the ethnic counts."""
    msoa_index = pd.Index(geo.msoas["msoa_code"])
    la_index = pd.Index(geo.las["lad_code"])
    lsoa_msoa = msoa_index.get_indexer(geo.lsoas["msoa_code"])
    msoa_la = la_index.get_indexer(geo.msoas["lad_code"])
    lsoa_la = msoa_la[lsoa_msoa]
    n_msoa, n_la, n_lsoa = len(msoa_index), len(la_index), len(lsoa_msoa)
    region = geo.las["region_code"].to_numpy()
    reg_dep = {r.code: r.deprivation for r in REGIONS}
    la_dep = np.array([reg_dep[r] for r in region]) + rng.normal(0.0, 0.3, n_la)
    la_urban = (geo.las["urban_rural"] == URBAN).to_numpy()

    counts = np.zeros((n_msoa, len(DETAILED)), dtype=np.int64)
    np.add.at(counts, lsoa_msoa, eth.counts)
    persons = counts.sum(axis=1)
    minority = 1.0 - counts[:, 0] / persons

    # English proficiency.
    p_non = np.array([NON_ENGLISH_MAIN[g] for g in DETAILED])
    non_english = rng.binomial(counts, p_non).sum(axis=1)
    south_asian = counts[:, 9:11].sum(axis=1) / np.maximum(persons - counts[:, 0], 1)
    p_poor = expit(logit(0.13) + 0.5 * rng.normal(size=n_msoa) + 2.0 * (south_asian - 0.1)
                   + 2.5 * (minority - 0.15))
    p4 = np.column_stack([0.6 * (1 - p_poor), 0.4 * (1 - p_poor), 0.83 * p_poor, 0.17 * p_poor])
    split = rng.multinomial(non_english, p4)
    proficiency = np.column_stack([persons - non_english, split]).astype(np.int64)
    poor_share = np.divide(split[:, 2:].sum(axis=1), non_english,
                           out=np.zeros(n_msoa), where=non_english > 0)
    poor_english = (poor_share > 0.30).astype(np.int64)

    # Rurality, age, families.
    rural = _msoa_rural(rng, geo, msoa_la)
    ruc = _ruc(rng, geo, rural[lsoa_msoa], lsoa_la)
    reg_age = np.where(region == LONDON, -3.0,
                       np.where(region == "E12000009", 2.5, 0.0))[msoa_la]
    pct65 = np.clip(16.5 + 4.0 * rural - 14.0 * (minority - 0.15) + reg_age
                    + 3.5 * rng.normal(size=n_msoa), 3.0, 40.0)
    child = np.clip(0.19 + 0.08 * (minority - 0.15) - 0.003 * (pct65 - 16.5)
                    + 0.02 * rng.normal(size=n_msoa), 0.10, 0.32)

    # Deprivation: LSOA scores, IoD deciles, then MSOA deciles for the model.
    d_centre = np.sqrt(((geo.lsoa_xy - geo.la_xy[lsoa_la]) ** 2).sum(axis=1))
    d_rank = pd.Series(d_centre).groupby(lsoa_la).rank(pct=True).to_numpy()
    dep = (la_dep[lsoa_la] + 0.35 * la_urban[lsoa_la] + 1.5 * (eth.lsoa_minority_share - 0.15)
           - 0.5 * (d_rank - 0.5) - 0.3 * rural[lsoa_msoa] + 0.55 * rng.normal(size=n_lsoa))
    income_score = expit(-1.9 + 0.8 * dep)
    crime_score = 0.6 * dep + 0.7 * rng.normal(size=n_lsoa)
    lsoa_pop = eth.counts.sum(axis=1)
    lsoa_attributes = pd.DataFrame({
        "area_code": geo.lsoas["lsoa_code"].to_numpy(),
        "income_score": np.round(income_score, 4),
        "income_decile": decile(income_score, descending=True),
        "crime_score": np.round(crime_score, 3),
        "crime_decile": decile(crime_score, descending=True),
        "ruc_code": ruc, "ruc_label": [RUC_LABELS[c] for c in ruc],
    })
    w = np.bincount(lsoa_msoa, lsoa_pop, n_msoa)
    msoa_income = np.bincount(lsoa_msoa, lsoa_pop * income_score, n_msoa) / w
    msoa_crime = np.bincount(lsoa_msoa, lsoa_pop * crime_score, n_msoa) / w

    asian_share = counts[:, 8:13].sum(axis=1) / persons
    family = np.clip(15.0 + 3.0 * rng.normal(size=n_msoa) - 0.25 * (pct65 - 16.5)
                     - 15.0 * (msoa_income - 0.13) + 8.0 * asian_share, 2.0, 40.0)

    msoa_covariates = pd.DataFrame({
        "msoa_code": geo.msoas["msoa_code"].to_numpy(),
        "lad_code": geo.msoas["lad_code"].to_numpy(),
        "div_decile": decile(simpson(counts)),
        "poor_english": poor_english,
        "family_pct": np.round(family, 2),
        "income_decile": decile(msoa_income),
        "crime_decile": decile(msoa_crime),
        "pct65": np.round(pct65, 2),
        "rural": rural,
    })
    wb_pct = 0.5 - 28.0 * (eth.la_minority_share - 0.05) + 3.0 * rng.normal(size=n_la)
    band = np.where(wb_pct < -5.0, WB_BANDS[0], np.where(wb_pct < 0.0, WB_BANDS[1], WB_BANDS[2]))
    la_covariates = pd.DataFrame({"lad_code": la_index.to_numpy(), "wb_change": band})
    return AreaTables(proficiency=proficiency, lsoa_attributes=lsoa_attributes,
                      msoa_covariates=msoa_covariates, la_covariates=la_covariates,
                      msoa_counts=counts, msoa_child_share=child,
                      msoa_income_score=msoa_income, la_wb_change_pct=np.round(wb_pct, 2))


__all__ = ["NON_ENGLISH_MAIN", "RUC_LABELS", "WB_BANDS", "AreaTables", "build_areas", "decile"]
