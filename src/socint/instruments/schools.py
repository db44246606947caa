"""School diversity league tables (Bright Blue 2019, recommendation 8).

Input is the DfE "Schools, pupils and their characteristics" school-level underlying data: one
row per school (``urn``, ``school_name``, ``phase_type_grouping``, ``new_la_code``, ``lad_name``,
``headcount_of_pupils``) with ``number_of_pupils_classified_as_<group>_ethnic_origin`` columns
(headers are matched after lower-casing and turning spaces and punctuation into ``_``, so the
published "number of pupils classified as white British ethnic origin" works too), and optional
``religion_<category>`` columns (scheme ``religion_2021``; the school census does not collect
religion, so these come from local data when provided).

The school census's 18 ethnic groups are mapped to 17 groups shared with the 2011 Census
(:data:`GROUPS`: Gypsy/Roma and Irish Traveller merged, Arab folded into "any other"), so that
pupils and the census population are classified alike. When the LA population comes in broad
groups only, every index is computed on the five broad groups instead (``scheme`` column).

Scoring (per school, documented in ``docs/methods/instruments.md``):

* ``edi`` — Simpson's Ethnic Diversity Index of the intake (Bright Blue 2019), from
  :func:`socint.measures.diversity.simpson`;
* ``la_pop_edi`` — the same index for the LA's census population; ``la_pupil_edi`` for the LA's
  pupils of the same phase; differences (school − LA) and ratios (school / LA) against both;
* ``dissimilarity`` — ``½ Σ_g |p_school,g − p_LA pupils,g|``: the share of the school's pupils
  who would have to be of another group for the intake to mirror the LA's pupils of its phase;
* ``score = 100 (1 − dissimilarity)`` (100 = intake mirrors the LA) with ranks nationally and
  within the LA (1 = most representative) among schools with at least 30 classified pupils.

Per LA, the segregation of its secondary schools between one another: multigroup
dissimilarity (Reardon & Firebaugh 2002), White/other two-group dissimilarity (Duncan & Duncan
1955) and isolation of White and of minority-group pupils (Massey & Denton 1988), from
:mod:`socint.measures.segregation`. Schools with fewer than 10 pupils have every figure
suppressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import InputDataError, SchemaError, _preview
from socint.geo.codes import validate_codes
from socint.instruments._common import MIN_COUNT, numeric_column, require_columns
from socint.measures.diversity import simpson
from socint.measures.segregation import dissimilarity, isolation, multigroup_dissimilarity

BROAD: tuple[str, ...] = ("white", "mixed", "asian", "black", "other")

#: Ethnic groups common to the school census and the 2011 Census (``ethnicity_2011_detailed``
#: with Arab merged into ``other``; the school census has no Arab group but separates
#: Gypsy/Roma from Irish Traveller, merged here as the census does).
GROUPS: tuple[str, ...] = (
    "white_british", "white_irish", "white_gypsy_traveller", "white_other",
    "mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
    "mixed_other", "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese",
    "asian_other", "black_african", "black_caribbean", "black_other", "other",
)

#: School census ethnic group (column stem) → common group. Older releases' names included.
DFE_ETHNIC: dict[str, str] = {
    "white_british": "white_british", "irish": "white_irish",
    "traveller_of_irish_heritage": "white_gypsy_traveller", "gypsy_roma": "white_gypsy_traveller",
    "any_other_white_background": "white_other",
    "white_and_black_caribbean": "mixed_white_black_caribbean",
    "white_and_black_african": "mixed_white_black_african",
    "white_and_asian": "mixed_white_asian", "any_other_mixed_background": "mixed_other",
    "indian": "asian_indian", "pakistani": "asian_pakistani", "bangladeshi": "asian_bangladeshi",
    "chinese": "asian_chinese", "any_other_asian_background": "asian_other",
    "caribbean": "black_caribbean", "black_caribbean": "black_caribbean",
    "african": "black_african", "black_african": "black_african",
    "any_other_black_background": "black_other", "any_other_ethnic_group": "other",
}
RELIGIONS: tuple[str, ...] = ("no_religion", "christian", "buddhist", "hindu", "jewish",
                              "muslim", "sikh", "other_religion")
#: Schools with fewer classified pupils than this are not ranked (their indices are unstable).
MIN_RANKED = 30
#: Markers DfE files use for withheld or not-applicable cells.
DFE_MARKERS = ("x", "c", "z", ":", ".", "u")


@dataclass(frozen=True)
class LeagueTables:
    """School-level league table and LA-level school segregation (no pupil counts below 10)."""

    schools: pd.DataFrame
    las: pd.DataFrame


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def read_school_census(df: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """Normalise a school census table to ``urn, school_name, phase, lad_code, lad_name,
    headcount, <GROUPS>, unclassified, religion_<category>, withheld_cells``.

    Raises
    ------
    SchemaError
        No identifier, LA or ethnic-group columns.
    InputDataError
        Non-numeric or negative counts (DfE markers such as ``x``/``c`` count as withheld,
        and the row is flagged), or a URN repeated.
    GeographyError
        LA codes that are not GSS LA district codes.
    """
    d = df.rename(columns={c: _norm(c) for c in df.columns})
    if "lad_code" not in d.columns and "new_la_code" in d.columns:
        d = d.rename(columns={"new_la_code": "lad_code"})
    if "phase" not in d.columns and "phase_type_grouping" in d.columns:
        d = d.rename(columns={"phase_type_grouping": "phase"})
    require_columns(d, ["urn", "school_name", "phase", "lad_code"], what="school census table",
                    file=file)
    eth = {c: DFE_ETHNIC[m.group(1)] for c in d.columns
           if (m := re.fullmatch(r"number_of_pupils_classified_as_(.+)_ethnic_origin", c))
           and m.group(1) in DFE_ETHNIC}
    if len(eth) < 2:
        raise SchemaError(
            "the school census table has fewer than two ethnic-group count columns",
            file=file,
            hint="expected DfE columns 'number of pupils classified as <group> ethnic origin'",
        )
    validate_codes(d["lad_code"].astype(str), level="lad", countries="E",
                   file=str(file) if file else None, column="lad_code")
    dup = d["urn"].astype(str).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputDataError(f"URN {d['urn'].iloc[i]} appears more than once", file=file,
                             row=i + 1, column="urn", hint="keep one row per school and year")
    out = pd.DataFrame({
        "urn": d["urn"].astype(str), "school_name": d["school_name"].astype(str),
        "phase": d["phase"].astype(str), "lad_code": d["lad_code"].astype(str),
        "lad_name": d["lad_name"].astype(str) if "lad_name" in d else "",
    })
    withheld = np.zeros(len(d), dtype=bool)

    def counts(col: str) -> pd.Series:
        nonlocal withheld
        raw = d[col].astype("string").str.strip().str.lower()
        marker = raw.isin(DFE_MARKERS)
        withheld |= marker.to_numpy(dtype=bool)
        return numeric_column(d.assign(**{col: d[col].mask(marker, 0)}), col,
                              what="school census table", file=file, allow_missing=True)

    for b in GROUPS:
        cols = [c for c, g in eth.items() if g == b]
        out[b] = sum((counts(c).fillna(0.0) for c in cols), pd.Series(0.0, index=d.index))
    out["unclassified"] = (counts("number_of_pupils_unclassified").fillna(0.0)
                           if "number_of_pupils_unclassified" in d else 0.0)
    classified = out[list(GROUPS)].sum(axis=1)
    out["headcount"] = (counts("headcount_of_pupils").fillna(classified + out["unclassified"])
                        if "headcount_of_pupils" in d else classified + out["unclassified"])
    for r in RELIGIONS:
        col = f"religion_{r}"
        out[col] = counts(col) if col in d else np.nan
    out["withheld_cells"] = withheld
    return out


def _broad(groups: pd.Series) -> pd.Series:
    """Broad group of canonical category names (``asian_indian`` → ``asian``)."""
    g = groups.astype(str)
    return g.where(g.isin(BROAD), g.str.split("_").str[0])


SCHEMES: tuple[str, ...] = ("auto", "detailed", "broad")


def la_population_counts(
    pop: pd.DataFrame, *, scheme: str = "auto", file: str | Path | None = None
) -> tuple[pd.DataFrame, str]:
    """LA × group census counts from a long table, and the scheme used.

    With ``scheme="auto"``, categories of ``ethnicity_2011_detailed`` give the 17
    :data:`GROUPS` (``other_arab`` and ``other_any`` merged) and scheme ``"detailed"``; any
    other canonical ethnic names (``ethnicity_broad``, 2021 detailed, MLID ``mixed``) collapse
    to :data:`BROAD`, scheme ``"broad"``. ``"broad"`` forces the collapse; ``"detailed"``
    refuses categories outside the 17 groups.
    """
    if scheme not in SCHEMES:
        raise InputDataError(f"scheme was {scheme!r} but is expected to be in {SCHEMES}")
    require_columns(pop, ["lad_code", "category", "count"], what="LA population table", file=file)
    cat = pop["category"].astype(str).replace({"other_arab": "other", "other_any": "other"})
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
            "2011 detailed groups", file=file, column="category",
            hint="use scheme 'broad' or 'auto' for broad or 2021 categories")
    detailed = fits and scheme != "broad"
    groups, scheme = (cat, "detailed") if detailed else (broad, "broad")
    cnt = numeric_column(pop, "count", what="LA population table", file=file)
    wide = (pd.DataFrame({"lad_code": pop["lad_code"].astype(str), "g": groups, "n": cnt})
            .pivot_table(index="lad_code", columns="g", values="n", aggfunc="sum", fill_value=0.0)
            .reindex(columns=list(GROUPS if detailed else BROAD), fill_value=0.0))
    return wide, scheme


def _school_matrix(schools: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """School × group counts in ``scheme`` (detailed GROUPS, or collapsed to BROAD)."""
    m = schools[list(GROUPS)].astype(float)
    if scheme == "detailed":
        return m
    return m.T.groupby(_broad(pd.Series(GROUPS, index=GROUPS))).sum().T[list(BROAD)]


def league_tables(
    schools: pd.DataFrame, la_population: pd.DataFrame, *, scheme: str = "auto",
    file: str | Path | None = None,
) -> LeagueTables:
    """Score every school against its LA and measure each LA's secondary-school segregation.

    Parameters
    ----------
    schools
        Output of :func:`read_school_census`.
    la_population
        Census LA population by ethnic group, long (``lad_code, category, count``).
    scheme
        Ethnic groups of every index: ``"auto"``, ``"detailed"`` or ``"broad"`` (see
        :func:`la_population_counts`).

    Returns
    -------
    LeagueTables
        ``schools``: one row per school with the indices of the module docstring, ranks and
        ``flag`` (every applicable one of ``"no pupils"``, ``"fewer than 10 pupils"``,
        ``"small school"`` (under 30 pupils: not ranked), ``"LA not in census table"``,
        ``"counts withheld in source"``, joined by ``"; "``). ``las``: one row per LA.
    """
    s = schools.copy()
    pop, scheme = la_population_counts(la_population, scheme=scheme, file=file)
    mat = _school_matrix(s, scheme)
    groups = list(mat.columns)
    s[groups] = mat
    m = mat.to_numpy(float)
    s["pupils"] = m.sum(axis=1)
    s["edi"] = simpson(m)
    pop_edi = pd.Series(simpson(pop.to_numpy(float)), index=pop.index)
    s["la_pop_edi"] = s["lad_code"].map(pop_edi)
    key = s["lad_code"] + "|" + s["phase"]
    la_phase = s.groupby(key)[groups].sum()
    la_m = la_phase.loc[key].to_numpy(float)
    s["la_pupil_edi"] = simpson(la_m)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_s = m / m.sum(axis=1, keepdims=True)
        p_la = la_m / la_m.sum(axis=1, keepdims=True)
        s["dissimilarity"] = 0.5 * np.abs(p_s - p_la).sum(axis=1)
        s["edi_diff_pop"] = s["edi"] - s["la_pop_edi"]
        s["edi_ratio_pop"] = s["edi"] / s["la_pop_edi"]
        s["edi_diff_pupils"] = s["edi"] - s["la_pupil_edi"]
        s["edi_ratio_pupils"] = s["edi"] / s["la_pupil_edi"]
    s["score"] = 100.0 * (1.0 - s["dissimilarity"])
    rel = s[[f"religion_{r}" for r in RELIGIONS]].to_numpy(float)
    has_rel = ~np.isnan(rel).all(axis=1)
    s["religious_edi"] = np.where(has_rel, simpson(np.nan_to_num(rel)), np.nan)
    no_pupils = s["pupils"] <= 0
    tiny = ~no_pupils & (np.minimum(s["pupils"], s["headcount"]) < MIN_COUNT)
    small = ~no_pupils & ~tiny & (s["pupils"] < MIN_RANKED)
    no_la = s["la_pop_edi"].isna()
    conditions = {"no pupils": no_pupils, "fewer than 10 pupils": tiny, "small school": small,
                  "LA not in census table": no_la,
                  "counts withheld in source": s["withheld_cells"].astype(bool)}
    s["flag"] = ["; ".join(name for name, cond in conditions.items() if cond.iloc[i])
                 for i in range(len(s))]
    hide = ["pupils", "headcount", "edi", "dissimilarity", "edi_diff_pop",
            "edi_ratio_pop", "edi_diff_pupils", "edi_ratio_pupils", "score", "religious_edi"]
    s.loc[no_pupils | tiny, hide] = np.nan
    rankable = ~(no_pupils | tiny | small)
    s["rank_national"] = s["score"].where(rankable).rank(ascending=False, method="min")
    s["rank_in_la"] = (s["score"].where(rankable).groupby(s["lad_code"])
                       .rank(ascending=False, method="min"))
    cols = ["urn", "school_name", "phase", "lad_code", "lad_name", "pupils", "edi", "la_pop_edi",
            "la_pupil_edi", "edi_diff_pop", "edi_ratio_pop", "edi_diff_pupils",
            "edi_ratio_pupils", "dissimilarity", "score", "rank_national", "rank_in_la",
            "religious_edi", "flag"]
    s["scheme"] = scheme
    return LeagueTables(s[[*cols, "scheme"]].reset_index(drop=True),
                        la_segregation(schools, pop_edi))


def la_segregation(schools: pd.DataFrame, la_pop_edi: pd.Series | None = None) -> pd.DataFrame:
    """Segregation of each LA's secondary schools between one another (NaN with < 2 schools).

    Multigroup D over the 17 :data:`GROUPS`; two-group D and isolation for White (all White
    groups) against every other group.
    """
    sec = schools[schools["phase"].str.contains("secondary", case=False)
                  & (schools[list(GROUPS)].sum(axis=1) > 0)]
    codes, las = pd.factorize(sec["lad_code"], sort=True)
    m = sec[list(GROUPS)].to_numpy(float)
    white = np.array([g.startswith("white") for g in GROUPS])
    two = np.column_stack([m[:, white].sum(axis=1), m[:, ~white].sum(axis=1)])
    k = len(las)
    out = pd.DataFrame({
        "lad_code": las,
        "n_secondary": np.bincount(codes, minlength=k),
        "d_multigroup": multigroup_dissimilarity(m, codes, n_areas=k),
        "d_white_other": dissimilarity(two, codes, group=0, n_areas=k),
        "isolation_white": isolation(two, codes, group=0, n_areas=k),
        "isolation_minority": isolation(two, codes, group=1, n_areas=k),
    })
    names = schools.drop_duplicates("lad_code").set_index("lad_code")["lad_name"]
    out.insert(1, "lad_name", out["lad_code"].map(names))
    if la_pop_edi is not None:
        out["la_pop_edi"] = out["lad_code"].map(la_pop_edi)
    return out
