"""School diversity and representativeness tables (Bright Blue 2019, recommendation 8).

Two different questions, two clearly named scores per school (``docs/methods/instruments.md``):

* **Diversity** — ``diversity_edi``: Simpson's Ethnic Diversity Index of the intake (the
  probability that two pupils drawn at random belong to different groups;
  :func:`socint.measures.diversity.simpson`). Ranked 1 = most diverse.
* **Representativeness of the LA** — ``representativeness_lad = 100 (1 − D)`` where
  ``D = ½ Σ_g |p_school,g − p_LA,g|`` compares the intake with all pupils of the same phase in
  the school's *district* LA (100 = the intake mirrors its district's pupils). Ranked 1 = most
  representative. ``representativeness_utla`` is the same against the *upper-tier* authority
  (county or unitary), and ``d_lad_census`` compares the intake with the district's census
  residents (all ages, so it also reflects age structure).

A school with EDI 0.003 can be perfectly representative of a 99.7% White British district:
the two rankings must never be read as one. Ranks (national, within the district, within the
upper tier) cover schools with at least :data:`MIN_RANKED` classified pupils; schools under 10
pupils have every figure suppressed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import InputDataError, SocintWarning, _preview
from socint.instruments._common import MIN_COUNT, require_columns
from socint.instruments.school_census import (
    CENSUS_MERGE,
    GROUPS,
    RELIGIONS,
    SchoolCensus,
    read_school_census,
    upper_tier_of,
)
from socint.instruments.school_segregation import la_segregation
from socint.measures.diversity import simpson

BROAD: tuple[str, ...] = ("white", "mixed", "asian", "black", "other")
SCHEMES: tuple[str, ...] = ("auto", "detailed", "broad")
#: Schools with fewer classified pupils than this are not ranked (their indices are unstable).
MIN_RANKED = 30

__all__ = ["GROUPS", "MIN_RANKED", "LeagueTables", "la_population_counts", "league_tables",
           "read_school_census"]


@dataclass(frozen=True)
class LeagueTables:
    """School table, LA school segregation by phase, and what the input lost."""

    schools: pd.DataFrame
    las: pd.DataFrame
    dropped: pd.DataFrame


def _broad(groups: pd.Series) -> pd.Series:
    """Broad group of canonical category names (``asian_indian`` → ``asian``)."""
    g = groups.astype(str)
    return g.where(g.isin(BROAD), g.str.split("_").str[0])


def la_population_counts(
    pop: pd.DataFrame, *, scheme: str = "auto", file: str | Path | None = None
) -> tuple[pd.DataFrame, str]:
    """LA × group census counts from a long table (``lad_code|area_code, category, count``).

    With ``scheme="auto"``, 2011 or 2021 detailed categories give the 17 :data:`GROUPS`
    (scheme ``"detailed"``); broad categories collapse to :data:`BROAD` (``"broad"``).
    """
    if scheme not in SCHEMES:
        raise InputDataError(f"scheme was {scheme!r} but is expected to be in {SCHEMES}")
    pop = pop.rename(columns={"area_code": "lad_code"}) if "lad_code" not in pop else pop
    require_columns(pop, ["lad_code", "category", "count"], what="LA population table", file=file)
    cat = pop["category"].astype(str).replace(CENSUS_MERGE)
    broad = _broad(cat)
    bad = ~broad.isin(BROAD)
    if bad.any():
        raise InputDataError(
            f"population categories {_preview(sorted(cat[bad].unique()))} are not ethnic "
            f"groups of a socint scheme", file=file, column="category",
            row=int(np.flatnonzero(bad.to_numpy())[0]) + 1,
            hint=f"use ethnicity_broad ({', '.join(BROAD)}) or detailed canonical names")
    fits = bool(cat.isin(GROUPS).all())
    if scheme == "detailed" and not fits:
        raise InputDataError(
            f"population categories {_preview(sorted(set(cat) - set(GROUPS)))} are not "
            "detailed groups", file=file, column="category",
            hint="use scheme 'broad' or 'auto' for broad categories")
    detailed = fits and scheme != "broad"
    groups, scheme = (cat, "detailed") if detailed else (broad, "broad")
    cnt = pd.to_numeric(pop["count"], errors="coerce").astype(float)
    if cnt.isna().any() or (cnt < 0).any():
        i = int(np.flatnonzero((cnt.isna() | (cnt < 0)).to_numpy())[0])
        raise InputDataError("the LA population table has a non-numeric or negative count",
                             file=file, row=i + 1, column="count", hint="use counts >= 0")
    wide = (pd.DataFrame({"lad_code": pop["lad_code"].astype(str), "g": groups, "n": cnt})
            .pivot_table(index="lad_code", columns="g", values="n", aggfunc="sum",
                         fill_value=0.0, observed=True)
            .reindex(columns=list(GROUPS if detailed else BROAD), fill_value=0.0))
    return wide, scheme


def _school_matrix(schools: pd.DataFrame, scheme: str) -> pd.DataFrame:
    m = schools[list(GROUPS)].astype(float)
    if scheme == "detailed":
        return m
    return m.T.groupby(_broad(pd.Series(GROUPS, index=GROUPS))).sum().T[list(BROAD)]


def _d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise ``½ Σ |a/Σa − b/Σb|`` (NaN when either row is empty)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return 0.5 * np.abs(a / a.sum(axis=1, keepdims=True)
                            - b / b.sum(axis=1, keepdims=True)).sum(axis=1)


def _rank(v: pd.Series, by: pd.Series | None = None) -> pd.Series:
    return (v.rank(ascending=False, method="min") if by is None
            else v.groupby(by).rank(ascending=False, method="min"))


def league_tables(
    schools: SchoolCensus | pd.DataFrame, la_population: pd.DataFrame, *, scheme: str = "auto",
    file: str | Path | None = None, min_schools: int = 5,
) -> LeagueTables:
    """Score every school (diversity; representativeness of its district and upper tier).

    Parameters
    ----------
    schools
        Output of :func:`read_school_census` (or its ``schools`` frame).
    la_population
        Census LA residents by ethnic group, long (``lad_code|area_code, category, count``), at
        district level (e.g. TS021 LTLA or QS201EW LA, as read by ``read_official``).
    scheme
        ``"auto"``, ``"detailed"`` or ``"broad"`` (see :func:`la_population_counts`).
    min_schools
        LAs with fewer schools of a phase get no segregation figures for that phase.
    """
    sc = schools if isinstance(schools, SchoolCensus) else SchoolCensus(schools, pd.DataFrame(
        columns=["reason", "schools", "pupils"]))
    s = sc.schools.copy()
    pop, scheme = la_population_counts(la_population, scheme=scheme, file=file)
    mat = _school_matrix(s, scheme)
    m = mat.to_numpy(float)
    s["pupils"] = m.sum(axis=1)
    s["diversity_edi"] = simpson(m)
    up = upper_tier_of(s)
    utla_pop = pop.groupby(pop.index.map(lambda c: up.get(c, c))).sum()
    s["lad_census_edi"] = s["lad_code"].map(pd.Series(simpson(pop.to_numpy(float)), pop.index))
    s["utla_census_edi"] = s["utla_code"].map(
        pd.Series(simpson(utla_pop.to_numpy(float)), utla_pop.index))
    for tier in ("lad", "utla"):
        key = s[f"{tier}_code"] + "|" + s["phase"]
        la_m = mat.groupby(key).sum().loc[key].to_numpy(float)
        s[f"{tier}_pupil_edi"] = simpson(la_m)
        s[f"d_{tier}_pupils"] = _d(m, la_m)
        s[f"representativeness_{tier}"] = 100.0 * (1.0 - s[f"d_{tier}_pupils"])
    census_rows = pop.reindex(s["lad_code"]).to_numpy(float)
    s["d_lad_census"] = _d(m, census_rows)
    rel = s[[f"religion_{r}" for r in RELIGIONS]].to_numpy(float)
    has_rel = ~np.isnan(rel).all(axis=1)
    s["religious_edi"] = np.where(has_rel, simpson(np.nan_to_num(rel)), np.nan)
    no_pupils = s["pupils"] <= 0
    tiny = ~no_pupils & (np.minimum(s["pupils"], s["headcount"]) < MIN_COUNT)
    small = ~no_pupils & ~tiny & (s["pupils"] < MIN_RANKED)
    missing = s.loc[s["lad_census_edi"].isna()]
    if len(missing):
        names = sorted(set(missing["lad_name"] + " (" + missing["lad_code"] + ")"))
        warnings.warn(
            f"{len(missing)} school(s) in {len(names)} district(s) have no row in the census "
            f"table: {_preview(names)}; they get no census comparison. Use a census table of "
            "the same LA vintage as the school file (e.g. 2021 TS021 for the 2022/23 file).",
            SocintWarning, stacklevel=2)
    conditions = {"no pupils": no_pupils, "fewer than 10 pupils": tiny, "small school": small,
                  "LA not in census table": s["lad_census_edi"].isna(),
                  "counts withheld in source": s["withheld_cells"].astype(bool)}
    s["flag"] = ["; ".join(n for n, c in conditions.items() if c.iloc[i]) for i in range(len(s))]
    hide = ["pupils", "headcount", "diversity_edi", "d_lad_pupils", "d_utla_pupils",
            "representativeness_lad", "representativeness_utla", "d_lad_census",
            "religious_edi"]
    s.loc[no_pupils | tiny, hide] = np.nan
    ok = ~(no_pupils | tiny | small)
    div, rep = s["diversity_edi"].where(ok), s["representativeness_lad"].where(ok)
    s["diversity_rank_national"] = _rank(div)
    s["diversity_rank_in_lad"] = _rank(div, s["lad_code"])
    s["representativeness_rank_national"] = _rank(rep)
    s["representativeness_rank_in_lad"] = _rank(rep, s["lad_code"])
    s["representativeness_rank_in_utla"] = _rank(s["representativeness_utla"].where(ok),
                                                 s["utla_code"])
    s["scheme"] = scheme
    cols = ["urn", "school_name", "phase", "lad_code", "lad_name", "utla_code", "utla_name",
            "region_code", "pupils", "diversity_edi", "diversity_rank_national",
            "diversity_rank_in_lad", "representativeness_lad", "representativeness_rank_national",
            "representativeness_rank_in_lad", "representativeness_utla",
            "representativeness_rank_in_utla", "d_lad_pupils", "d_utla_pupils", "d_lad_census",
            "lad_pupil_edi", "utla_pupil_edi", "lad_census_edi", "utla_census_edi",
            "religious_edi", "flag", "scheme"]
    las = la_segregation(sc.schools, min_schools=min_schools)
    return LeagueTables(s[cols].reset_index(drop=True), las, sc.dropped)
