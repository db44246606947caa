"""Model 3's MSOA covariates from official tables, for Census 2011 (MSOA11) and 2021 (MSOA21).

Codings follow the published model (``../shared/published/bright_blue_2019_model3.csv``) and the
column names of ``socint.models.MODEL3_FORMULA``:

* ``div_decile`` — decile over England's MSOAs of the MSOA's Ethnic Diversity Index (Simpson's
  index, :func:`socint.measures.diversity.simpson`); 10 = most diverse.
* ``poor_english`` — 1 if more than 30% of residents whose main language is not English cannot
  speak English well or at all.
* ``family_pct`` — % of households that are married couples with dependent children.
* ``income_decile``, ``crime_decile`` — deciles over England's MSOAs of the IoD Income and Crime
  domain measures, 10 = most deprived / most crime (the *reverse* of the official IoD decile).
* ``pct65`` — % of residents aged 65+.
* ``rural`` — 1 if most residents live in LSOAs of a rural class of the 2011 Rural-Urban
  Classification (D1, D2, E1, E2).

Deciles use the project's one rule, :func:`socint.composite.deciles.deciles`. What each census's
data allow, and the proxies used where a table is missing, are in each term's
:class:`~socint.covariates.results.TermProvenance` and ``docs/methods/covariates.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from socint.composite.deciles import deciles
from socint.covariates.carry import carry_lsoa11_to_lsoa21, weighted_mean_by
from socint.covariates.frame import msoa_age_2011
from socint.covariates.results import TermProvenance
from socint.data import OfficialTable, counts_wide
from socint.errors import GeographyError, _preview
from socint.measures.diversity import simpson

POOR_ENGLISH_THRESHOLD = 0.30
RURAL_MAJORITY = 0.5
#: Value ``family_pct`` is held at when no household-composition table is at hand.
HELD_FAMILY_PCT = 15.0
_NOT_ENGLISH = ("very_well", "well", "not_well", "not_at_all")
_POOR = ("not_well", "not_at_all")


def _decile(values: pd.Series) -> pd.Series:
    return pd.Series(deciles(values.to_numpy(dtype=float)).to_numpy(), index=values.index)


def edi(counts: pd.DataFrame) -> pd.Series:
    """Simpson's Ethnic Diversity Index of each row of an area × group count table."""
    return pd.Series(simpson(counts.to_numpy(dtype=float)), index=counts.index)


def share_not_well(proficiency: pd.DataFrame) -> pd.Series:
    """Share of residents whose main language is not English who cannot speak it well/at all.

    ``proficiency`` is area × ``proficiency_2021`` (or ``_2011``) categories; areas where no
    one's main language is other than English get 0.
    """
    other = proficiency[list(_NOT_ENGLISH)].sum(axis=1).astype(float)
    poor = proficiency[list(_POOR)].sum(axis=1).astype(float)
    return (poor / other.where(other > 0)).fillna(0.0)


def rank_measure(rank: pd.Series) -> pd.Series:
    """IoD rank (1 = most deprived of N LSOAs) as ``(N - rank + 1) / N``: higher = more deprived.

    Used where only ranks are published (IoD2019 LSOA file here): a monotone transform of the
    domain score's order, so the deciles of its population-weighted MSOA mean order MSOAs as
    the score would within each LSOA, and approximately across MSOAs (checked in the tests
    against the score-based MSOA11 aggregates).
    """
    r = rank.astype(float)
    n = float(r.notna().sum())
    return (n - r + 1.0) / n


def _england(index: pd.Index) -> pd.Index:
    return index[index.astype(str).str.startswith("E")]


def _single_parent(child_parent: pd.DataFrame, child: str, parent: str, what: str) -> pd.Series:
    """Map each child to its one parent; refuse a child in two parents."""
    pairs = child_parent[[child, parent]].dropna().drop_duplicates()
    dup = pairs[child].duplicated(keep=False)
    if dup.any():
        bad = pairs.loc[dup, child].unique()
        raise GeographyError(f"{len(bad)} {what}(s) lie in more than one {parent}: "
                             f"{_preview(bad)}", code=str(bad[0]),
                             hint="use a lookup in which small areas nest in their parents")
    return pairs.set_index(child)[parent]


def _family(census: int) -> TermProvenance:
    return TermProvenance(
        "family_pct", census, (), "held",
        f"held at {HELD_FAMILY_PCT:g}% for every MSOA",
        "no household-composition table (Census KS105EW / TS003) is in the data at hand. "
        "Being the same in every MSOA, the value only shifts the intercept, which the "
        "published-model transport calibrates to a stated mean trust; it changes no area's "
        "predicted rank")


def msoa_covariates_2011(t: Mapping[str, OfficialTable]
                         ) -> tuple[pd.DataFrame, list[TermProvenance], pd.DataFrame]:
    """Model 3's MSOA covariates for England's 6,791 MSOA11s (Census 2011).

    Tables (dataset ids): ``census2011_ethnicity_lsoa`` (diversity, population weights, LSOA ->
    MSOA), ``iod2015_lsoa`` (LSOA -> LA 2013 codes), ``iod2019_msoa`` (income, crime),
    ``ruc2011_lsoa``, ``population_mid2019_msoa`` and ``census2011_ethnicity_sex_age_lad``
    (% 65+), ``census2021_proficiency_msoa`` and
    ``lookup_msoa11_msoa21_ltla22`` (poor English, carried back).

    Returns
    -------
    (DataFrame, list of TermProvenance, DataFrame)
        The covariates (one row per MSOA), the provenance of each term and the MSOAs excluded.
    """
    mlid = t["census2011_ethnicity_lsoa"]
    lsoa_counts = counts_wide(mlid)
    lsoa_counts = lsoa_counts.loc[_england(lsoa_counts.index)]
    assert mlid.areas is not None
    lsoa_msoa = _single_parent(mlid.areas.rename(columns={"area_code": "lsoa_code"}),
                               "lsoa_code", "msoa_code", "LSOA")
    pop11 = lsoa_counts.sum(axis=1).astype(float)
    msoa_counts = lsoa_counts.groupby(lsoa_msoa.reindex(lsoa_counts.index).to_numpy()).sum()
    codes = pd.Index(sorted(msoa_counts.index), name="msoa_code")
    iod15 = t["iod2015_lsoa"].areas
    assert iod15 is not None
    lsoa_lad = iod15.set_index("area_code")["lad_code"]
    msoa_lad = _single_parent(pd.DataFrame({"msoa_code": lsoa_msoa.reindex(lsoa_lad.index),
                                            "lad_code": lsoa_lad}), "msoa_code", "lad_code",
                              "MSOA")
    out = pd.DataFrame(index=codes)
    out["lad_code"] = msoa_lad.reindex(codes)
    out["edi"] = edi(msoa_counts.loc[codes])
    out["div_decile"] = _decile(out["edi"])
    prof = counts_wide(t["census2021_proficiency_msoa"])
    best_fit = t["lookup_msoa11_msoa21_ltla22"].data.set_index("msoa_code_2011")["msoa_code_2021"]
    out["share_not_well"] = share_not_well(prof).reindex(best_fit.reindex(codes)).to_numpy()
    out["poor_english"] = (out["share_not_well"] > POOR_ENGLISH_THRESHOLD).astype("Int64")
    out["family_pct"] = HELD_FAMILY_PCT
    iod = t["iod2019_msoa"].data.set_index("area_code")
    for term, col in (("income", "income_score"), ("crime", "crime_score")):
        out[f"{term}_measure"] = iod[col].reindex(codes)
        out[f"{term}_decile"] = _decile(out[f"{term}_measure"])
    ages = msoa_age_2011(t, out["lad_code"].dropna())
    out["pct65"] = (100.0 * ages[["65-74", "75+"]].sum(axis=1) / ages.sum(axis=1)
                    ).reindex(codes)
    ruc = t["ruc2011_lsoa"].data.set_index("area_code")["rural"].astype(float)
    out["rural_share"] = weighted_mean_by(ruc.reindex(lsoa_counts.index), pop11, lsoa_msoa)
    out["rural"] = (out["rural_share"] > RURAL_MAJORITY).astype("Int64")
    prov = [
        TermProvenance("div_decile", 2011, ("census2011_ethnicity_lsoa",), "measured",
                       "Simpson's index of each MSOA's 2011 Census ethnic counts (LSOAs summed), "
                       "in deciles over England's MSOAs; 10 = most diverse",
                       "15 groups: the LSOA file merges the four Mixed groups (the report's "
                       "18-group EDI differs slightly in Mixed areas)"),
        TermProvenance("poor_english", 2011, ("census2021_proficiency_msoa",
                                              "lookup_msoa11_msoa21_ltla22"), "proxy",
                       "1 if more than 30% of residents whose main language is not English "
                       "cannot speak English well or at all, from Census 2021 TS029 of the "
                       "MSOA21 each MSOA11 best fits (ONS best-fit lookup)",
                       "no 2011 proficiency table (QS205EW) is at hand: the 2021 shares stand in "
                       "for 2011"),
        _family(2011),
        TermProvenance("income_decile", 2011, ("iod2019_msoa",), "proxy",
                       "deciles over England's MSOAs of the IoD Income domain score (population-"
                       "weighted mean of LSOA scores); 10 = most income-deprived",
                       "the IoD2015 domain scores are not at hand; IoD2019 (same LSOA11 "
                       "geography, 4 years later) stands in"),
        TermProvenance("crime_decile", 2011, ("iod2019_msoa",), "proxy",
                       "deciles over England's MSOAs of the IoD Crime domain score (population-"
                       "weighted mean of LSOA scores); 10 = most crime",
                       "IoD2019 stands in for the IoD2015 Crime domain"),
        TermProvenance("pct65", 2011, ("population_mid2019_msoa",
                                       "census2011_ethnicity_sex_age_lad",
                                       "census2011_ethnicity_lsoa"), "proxy",
                       "% of residents aged 65+: the ONS mid-2019 MSOA11 age profile fitted "
                       "(IPF) to each MSOA's 2011 Census population and its LA's Census 2011 "
                       "(DC2101EW) age counts",
                       "the Census 2011 MSOA age table (KS102EW) is not at hand; within an LA "
                       "the MSOAs' relative age profiles are those of mid-2019"),
        TermProvenance("rural", 2011, ("ruc2011_lsoa", "census2011_ethnicity_lsoa"), "measured",
                       "1 if more than half of the MSOA's 2011 residents live in LSOAs of a "
                       "rural class (D1, D2, E1, E2) of the 2011 Rural-Urban Classification"),
    ]
    out["vintage"] = 2011
    return _finish(out, prov)


def msoa_covariates_2021(t: Mapping[str, OfficialTable]
                         ) -> tuple[pd.DataFrame, list[TermProvenance], pd.DataFrame]:
    """Model 3's MSOA covariates for England's 6,856 MSOA21s (Census 2021).

    Tables: ``census2021_ethnicity_msoa``, ``census2021_proficiency_msoa``,
    ``census2021_age_msoa``, ``census2021_age_lsoa`` (LSOA21 weights), ``iod2019_lsoa``,
    ``ruc2011_lsoa``, ``census2011_ethnicity_lsoa`` (LSOA11 weights),
    ``lookup_lsoa11_lsoa21_ltla22`` and ``lookup_lsoa21_msoa21_ltla22``.
    """
    lk21 = t["lookup_lsoa21_msoa21_ltla22"].data
    lsoa_msoa = _single_parent(lk21, "lsoa_code", "msoa_code", "LSOA21")
    msoa_lad = _single_parent(lk21, "msoa_code", "lad_code", "MSOA21")
    eth = counts_wide(t["census2021_ethnicity_msoa"])
    codes = pd.Index(sorted(_england(eth.index)), name="msoa_code")
    out = pd.DataFrame(index=codes)
    out["lad_code"] = msoa_lad.reindex(codes)
    out["edi"] = edi(eth.loc[codes])
    out["div_decile"] = _decile(out["edi"])
    out["share_not_well"] = share_not_well(counts_wide(t["census2021_proficiency_msoa"])
                                           ).reindex(codes)
    out["poor_english"] = (out["share_not_well"] > POOR_ENGLISH_THRESHOLD).astype("Int64")
    out["family_pct"] = HELD_FAMILY_PCT
    age = counts_wide(t["census2021_age_msoa"])
    out["pct65"] = (100.0 * age["65+"] / age.sum(axis=1)).reindex(codes)
    pop11 = counts_wide(t["census2011_ethnicity_lsoa"]).sum(axis=1).astype(float)
    pop21 = counts_wide(t["census2021_age_lsoa"]).sum(axis=1).astype(float)
    iod = t["iod2019_lsoa"].data.set_index("area_code")
    lsoa11 = pd.DataFrame({"income_measure": rank_measure(iod["income_rank"]),
                           "crime_measure": rank_measure(iod["crime_rank"])})
    lsoa11["rural_share"] = (t["ruc2011_lsoa"].data.set_index("area_code")["rural"]
                             .astype(float).reindex(lsoa11.index))
    lk1121 = t["lookup_lsoa11_lsoa21_ltla22"].data
    on21 = carry_lsoa11_to_lsoa21(lsoa11, pop11, lk1121)
    for col in on21.columns:
        out[col] = weighted_mean_by(on21[col], pop21, lsoa_msoa).reindex(codes)
    out["income_decile"] = _decile(out["income_measure"])
    out["crime_decile"] = _decile(out["crime_measure"])
    out["rural"] = (out["rural_share"] > RURAL_MAJORITY).astype("Int64")
    carried = ("lookup_lsoa11_lsoa21_ltla22", "census2011_ethnicity_lsoa",
               "census2021_age_lsoa", "lookup_lsoa21_msoa21_ltla22")
    prov = [
        TermProvenance("div_decile", 2021, ("census2021_ethnicity_msoa",), "measured",
                       "Simpson's index of each MSOA21's Census 2021 TS021 ethnic counts, in "
                       "deciles over England's MSOA21s; 10 = most diverse",
                       "6 groups (Asian, Black African, Black Caribbean, Mixed, White, Other): "
                       "the finest MSOA table at hand; coarser than the report's 18 groups"),
        TermProvenance("poor_english", 2021, ("census2021_proficiency_msoa",), "measured",
                       "1 if more than 30% of residents (aged 3+) whose main language is not "
                       "English cannot speak English well or at all (Census 2021 TS029)"),
        _family(2021),
        TermProvenance("income_decile", 2021, ("iod2019_lsoa", *carried), "measured",
                       "IoD2019 Income domain rank of each LSOA11 as (N - rank + 1)/N, carried "
                       "to LSOA21s (2011 population weights; splits inherit, merges average) "
                       "and to MSOA21s (2021 population-weighted mean); deciles over England's "
                       "MSOA21s, 10 = most income-deprived",
                       "the LSOA file at hand has ranks, not scores: the MSOA value is the mean "
                       "rank-based measure, not the mean score"),
        TermProvenance("crime_decile", 2021, ("iod2019_lsoa", *carried), "measured",
                       "as income_decile, from the IoD2019 Crime domain rank; 10 = most crime",
                       "ranks, not scores (as income_decile)"),
        TermProvenance("pct65", 2021, ("census2021_age_msoa",), "measured",
                       "% of usual residents aged 65+ (Census 2021, age in 6 categories)"),
        TermProvenance("rural", 2021, ("ruc2011_lsoa", *carried), "proxy",
                       "1 if more than half of the MSOA21's residents live in LSOAs of a rural "
                       "RUC2011 class, LSOA11 classes carried to LSOA21s as population shares",
                       "the 2011 classification on 2021 areas (no RUC2021 at hand)"),
    ]
    out["vintage"] = 2021
    return _finish(out, prov)


def _finish(out: pd.DataFrame, prov: list[TermProvenance]
            ) -> tuple[pd.DataFrame, list[TermProvenance], pd.DataFrame]:
    """Drop MSOAs with a missing term, naming the terms; order and type the columns."""
    need = ["lad_code", "div_decile", "poor_english", "family_pct", "income_decile",
            "crime_decile", "pct65", "rural"]
    na = out[need].isna()
    bad = na.any(axis=1).to_numpy()
    reasons = [f"no value for {', '.join(np.array(need)[row])}" for row in na.to_numpy()[bad]]
    excluded = pd.DataFrame({"area_code": out.index[bad], "level": "msoa", "reason": reasons})
    res = out.loc[~bad].reset_index()
    for col in ("div_decile", "poor_english", "income_decile", "crime_decile", "rural"):
        res[col] = res[col].astype(np.int64)
    res["lad_code"] = res["lad_code"].astype(str)
    front = ["msoa_code", *need]
    return res[front + [c for c in res.columns if c not in front]], prov, excluded


__all__ = ["HELD_FAMILY_PCT", "POOR_ENGLISH_THRESHOLD", "RURAL_MAJORITY", "edi",
           "msoa_covariates_2011", "msoa_covariates_2021", "rank_measure", "share_not_well"]
