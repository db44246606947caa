"""Post-stratification frame and finite population: consistent with counts and each other."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _synthetic_shared import default_england

from socint.published import ETHNICITY_SURVEY6, NSSEC_GROUPS
from socint.synthetic.population import AGE_BANDS

SURVEY6 = {  # detailed 2011 group -> survey group, written out by hand
    "white_british": "White", "white_irish": "White", "white_gypsy_traveller": "White",
    "white_other": "White", "mixed_white_black_caribbean": "Mixed",
    "mixed_white_black_african": "Mixed", "mixed_white_asian": "Mixed", "mixed_other": "Mixed",
    "asian_indian": "Asian", "asian_pakistani": "Asian", "asian_bangladeshi": "Asian",
    "asian_chinese": "Chinese", "asian_other": "Asian", "black_african": "Black",
    "black_caribbean": "Black", "black_other": "Black", "other_arab": "Other",
    "other_any": "Other",
}


def test_poststrat_layout() -> None:
    ps = default_england().poststrat
    assert list(ps.columns) == ["msoa_code", "sex", "age_band", "ethnicity", "count"]
    assert set(ps["sex"]) == {"female", "male"}
    assert set(ps["age_band"]) == set(AGE_BANDS)
    assert set(ps["ethnicity"]) == set(ETHNICITY_SURVEY6)
    assert len(ps) == len(default_england().msoas) * 2 * 7 * 6
    assert (ps["count"] >= 0).all()


def test_adults_consistent_with_ethnic_counts() -> None:
    e = default_england()
    d = e.ethnicity.data.merge(e.lsoas[["lsoa_code", "msoa_code"]], left_on="area_code",
                               right_on="lsoa_code")
    d["ethnicity"] = d["category"].astype(str).map(SURVEY6)
    persons = d.groupby(["msoa_code", "ethnicity"])["count"].sum()
    adults = e.poststrat.groupby(["msoa_code", "ethnicity"])["count"].sum()
    persons = persons.reindex(adults.index, fill_value=0)
    assert (adults <= persons).all()
    share = adults.groupby(level=0).sum() / persons.groupby(level=0).sum()
    assert share.between(0.55, 0.95).all()
    assert 0.75 <= share.mean() <= 0.85  # England 2011: 81% of residents are 16+
    # minorities are younger: smaller 65+ share among adults
    old = e.poststrat[e.poststrat["age_band"].isin(["65-74", "75+"])]
    old_share = (old.groupby("ethnicity")["count"].sum()
                 / e.poststrat.groupby("ethnicity")["count"].sum())
    assert old_share["White"] > 2 * old_share[["Asian", "Black", "Mixed"]].max()


def test_population_weights_add_up_to_the_cells() -> None:
    e = default_england()
    pop = e.population
    sex = np.where(pop["female"] == 1, "female", "male")
    w = pd.DataFrame({"msoa_code": pop["msoa_code"], "sex": sex, "age_band": pop["age_band"],
                      "ethnicity": pop["ethnicity"], "w": pop["weight"]})
    got = w.groupby(["msoa_code", "sex", "age_band", "ethnicity"], observed=True)["w"].sum()
    got.index = pd.MultiIndex.from_arrays(
        [got.index.get_level_values(i).astype(object) for i in range(4)], names=got.index.names)
    cells = e.poststrat.set_index(["msoa_code", "sex", "age_band", "ethnicity"])["count"]
    cells = cells[cells > 0]
    assert np.allclose(got.reindex(cells.index).to_numpy(), cells.to_numpy(), rtol=1e-9)
    assert len(got) == len(cells)  # no person in an empty cell
    per_msoa = pop.groupby("msoa_code", observed=True).size()
    assert per_msoa.min() >= 300 and per_msoa.max() <= 600 + 84


def test_individual_covariates_are_in_range() -> None:
    pop = default_england().population
    assert pop["age"].between(16, 90).all()
    low = np.array([int(b[:2]) for b in pop["age_band"].cat.categories])
    high = np.array([int(b[3:]) if "-" in b else 90 for b in pop["age_band"].cat.categories])
    band = pop["age_band"].cat.codes.to_numpy()
    assert (pop["age"].to_numpy() >= low[band]).all()
    assert (pop["age"].to_numpy() <= high[band]).all()
    assert pop["income"].between(1, 15).all()
    assert (pop["income_sq"] == pop["income"] ** 2).all()
    for col in ("female", "married", "years5", "year_2010"):
        assert set(pop[col]) == {0, 1}
    assert set(pop["nssec"].cat.categories) == set(NSSEC_GROUPS)
    assert pop["person_id"].is_unique


def _wmean(df: pd.DataFrame, col: str, by: str) -> pd.Series:
    w = df["weight"]
    return (df[col] * w).groupby(df[by], observed=True).sum() / w.groupby(
        df[by], observed=True).sum()


def test_covariates_are_drawn_realistically() -> None:
    pop = default_england().population
    married = _wmean(pop, "married", "age_band")
    assert married["16-24"] < 0.15 and married["45-54"] > 0.5
    years5 = _wmean(pop, "years5", "age_band")
    assert years5["75+"] > years5["25-34"] + 0.3
    income = _wmean(pop, "income", "nssec")
    assert income["Managerial"] > income["Intermediate"] > income["Routine"]
    other = pop["nssec"] == "Other"
    young = pop["age_band"] == "16-24"
    assert other[young].mean() > 2 * other[~young].mean()
    # the ethnic mix of the population follows the counts: more minorities in diverse MSOAs
    cov = default_england().msoa_covariates.set_index("msoa_code")["div_decile"]
    decile = cov[pop["msoa_code"].cat.categories].to_numpy()[pop["msoa_code"].cat.codes]
    df = pd.DataFrame({"white": (pop["ethnicity"] == "White").astype(float),
                       "weight": pop["weight"], "decile": decile})
    white = _wmean(df, "white", "decile")
    assert white[1] > 0.95 and white[10] < white[1] - 0.3


def test_covariate_distribution_table() -> None:
    cd = default_england().covariate_distribution
    assert {"sex", "age_band", "ethnicity", "weight", "mean_income", "p_married", "p_years5",
            "p_year_2010"} <= set(cd.columns)
    nssec = cd[[f"p_nssec_{g.lower()}" for g in NSSEC_GROUPS]]
    assert np.allclose(nssec.sum(axis=1), 1.0)
    probs = cd[["p_married", "p_years5", "p_year_2010"]]
    assert ((probs >= 0) & (probs <= 1)).all().all()
    total = default_england().poststrat["count"].sum()
    assert cd["weight"].sum() == np.float64(total) or np.isclose(cd["weight"].sum(), total)
