"""Read the DfE school census and the Census LA population into the same 17 ethnic groups.

Input is the DfE *Schools, pupils and their characteristics* school-level underlying data, as
published (one row per school; headers such as "number of pupils classified as white British
ethnic origin" are matched after lower-casing and turning spaces and punctuation into ``_``).

**Two tiers of local authority.** In the real file ``new_la_code`` is the *education*
authority (upper tier: a county ``E10…`` in two-tier areas, else the unitary/metropolitan/London
borough ``E06/E08/E09``) and ``district_administrative_code`` the local authority district (LAD)
where the school stands. socint keeps both: ``lad_code`` is the district, ``utla_code`` the
upper-tier authority. A file without ``district_administrative_code`` (older extracts, the
synthetic England) has its ``new_la_code`` taken as the district and as its own upper tier.

**DfE symbols.** ``z`` (not applicable: independent schools have no ethnicity data), ``x``
(not available), ``c`` (suppressed) and other markers are never read as numbers. A school whose
ethnic counts are all symbols is dropped from the scores; every drop is counted by reason in
:attr:`SchoolCensus.dropped`.

**Ethnic groups.** :data:`GROUPS` are the 17 groups both sources can be mapped to without
splitting a group (see ``docs/methods/instruments.md`` for the table): the school census's
"traveller of Irish heritage" and "Gypsy/Roma" are merged into ``white_gypsy_traveller`` (the
Census 2021 "Gypsy or Irish Traveller" and "Roma" likewise); the Census "Arab" and "any other
ethnic group" are merged into ``other`` (the school census has no Arab group, and its "any other
ethnic group" holds Arab pupils).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import InputDataError, SchemaError, _preview
from socint.geo.codes import validate_codes
from socint.instruments._common import numeric_column, require_columns

#: The 17 ethnic groups shared by the school census and the 2011/2021 Census.
GROUPS: tuple[str, ...] = (
    "white_british", "white_irish", "white_gypsy_traveller", "white_other",
    "mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
    "mixed_other", "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese",
    "asian_other", "black_african", "black_caribbean", "black_other", "other",
)

#: School census ethnic group (normalised column stem) → common group. Older names included.
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

#: Census category (2011 and 2021 detailed canonical names) → common group, where it differs.
CENSUS_MERGE: dict[str, str] = {"white_roma": "white_gypsy_traveller", "other_arab": "other",
                                "other_any": "other"}

#: Optional ``religion_<category>`` columns (local data; the school census has no religion).
RELIGIONS: tuple[str, ...] = ("no_religion", "christian", "buddhist", "hindu", "jewish",
                              "muslim", "sikh", "other_religion")

#: Markers DfE files use for withheld or not-applicable cells.
DFE_MARKERS = ("x", "c", "z", ":", ".", "u", "low")

#: Phases counted as state-funded schools (DfE ``phase_type_grouping``).
STATE_FUNDED_PREFIX = "state-funded"

_ETH = re.compile(r"number_of_pupils_classified_as_(.+)_ethnic_origin")


@dataclass(frozen=True)
class SchoolCensus:
    """The school census normalised, and what was dropped.

    ``schools``: one row per state-funded school with ethnic data: ``urn, school_name, phase,
    lad_code, lad_name, utla_code, utla_name, region_code, headcount, <GROUPS>, unclassified,
    fsm_eligible, religion_<category>, withheld_cells``. ``dropped``: ``reason, schools,
    pupils`` (headcount where known), one row per reason, and symbol counts (``reason``
    "cells marked 'x'"…, with ``cells``).
    """

    schools: pd.DataFrame
    dropped: pd.DataFrame


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _counts(d: pd.DataFrame, col: str, file: str | Path | None) -> tuple[pd.Series, pd.Series]:
    """Numbers of a count column and the DfE symbol (lower-cased, '' if none) of each cell."""
    raw = d[col].astype("string").str.strip().str.lower()
    marker = raw.isin(DFE_MARKERS)
    vals = numeric_column(d.assign(**{col: d[col].mask(marker, np.nan)}), col,
                          what="school census table", file=file, allow_missing=True)
    return vals, raw.where(marker, "").fillna("")


def read_school_census(df: pd.DataFrame, *, file: str | Path | None = None,
                       state_funded_only: bool = True) -> SchoolCensus:
    """Normalise a DfE school census table (see the module docstring).

    Parameters
    ----------
    df
        The file as read (text cells kept: symbols are recognised here).
    state_funded_only
        Keep only ``State-funded …`` phases when the phase says so (independent and
        non-maintained special schools are dropped and counted).

    Raises
    ------
    SchemaError
        No identifier, LA or ethnic-group columns.
    InputDataError
        Non-numeric cells other than DfE symbols, negative counts, or a URN repeated.
    GeographyError
        District codes that are not GSS LAD codes of England.
    """
    d = df.rename(columns={c: _norm(c) for c in df.columns})
    if "phase" not in d.columns and "phase_type_grouping" in d.columns:
        d = d.rename(columns={"phase_type_grouping": "phase"})
    la_col = "lad_code" if "lad_code" in d.columns else "new_la_code"
    require_columns(d, ["urn", "school_name", "phase", la_col], what="school census table",
                    file=file)
    eth = {c: DFE_ETHNIC[m.group(1)] for c in d.columns
           if (m := _ETH.fullmatch(c)) and m.group(1) in DFE_ETHNIC}
    if len(eth) < 2:
        raise SchemaError(
            "the school census table has fewer than two ethnic-group count columns",
            file=file, hint="expected DfE columns 'number of pupils classified as <group> "
                            "ethnic origin'")
    dup = d["urn"].astype(str).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputDataError(f"URN {d['urn'].iloc[i]} appears more than once", file=file,
                             row=i + 1, column="urn", hint="keep one row per school and year")
    two_tier = "district_administrative_code" in d.columns
    lad = (d["district_administrative_code"] if two_tier else d[la_col]).astype(str).str.strip()
    lad_name = (d["district_administrative_name"] if two_tier
                else d.get("lad_name", d.get("la_name", pd.Series("", index=d.index))))
    utla = d[la_col].astype(str).str.strip() if two_tier else lad
    utla_name = d["la_name"] if two_tier and "la_name" in d.columns else lad_name
    out = pd.DataFrame({
        "urn": d["urn"].astype(str), "school_name": d["school_name"].astype(str),
        "phase": d["phase"].astype(str), "lad_code": lad, "lad_name": lad_name.astype(str),
        "utla_code": utla, "utla_name": utla_name.astype(str),
        "region_code": d["region_code"].astype(str) if "region_code" in d else "",
    })
    symbols = pd.DataFrame(index=d.index)
    for b in GROUPS:
        parts = [_counts(d, c, file) for c, g in eth.items() if g == b]
        out[b] = sum((v.fillna(0.0) for v, _ in parts), pd.Series(0.0, index=d.index))
        for j, (_, s) in enumerate(parts):
            symbols[f"{b}{j}"] = s
    all_symbol = np.column_stack([symbols[c] != "" for c in symbols.columns]).all(axis=1)
    extra = {"unclassified": "number_of_pupils_unclassified",
             "headcount": "headcount_of_pupils",
             "fsm_eligible": "number_of_pupils_known_to_be_eligible_for_free_school_meals"}
    for name, col in extra.items():
        if col in d.columns:
            v, s = _counts(d, col, file)
            out[name] = v
            symbols[name] = s
        else:
            out[name] = np.nan
    for r in RELIGIONS:
        col = f"religion_{r}"
        out[col] = _counts(d, col, file)[0] if col in d.columns else np.nan
    classified = out[list(GROUPS)].sum(axis=1)
    out["unclassified"] = out["unclassified"].fillna(0.0)
    out["headcount"] = out["headcount"].fillna(classified + out["unclassified"])
    partial = (symbols != "").any(axis=1).to_numpy() & ~all_symbol
    out["withheld_cells"] = partial

    reasons: list[tuple[str, pd.Series]] = []
    state = out["phase"].str.lower().str.startswith(STATE_FUNDED_PREFIX)
    if state_funded_only and state.any():
        reasons.append(("not state-funded (independent or non-maintained special)", ~state))
    reasons.append(("ethnicity not collected or withheld (all ethnic cells are symbols)",
                    pd.Series(all_symbol, index=d.index)))
    unknown = ~lad.str.match(r"^E0[6-9]\d{6}$")
    if two_tier:
        reasons.append(("district (LAD) code missing or 'Unknown'", unknown))
    keep = pd.Series(True, index=d.index)
    rows = []
    for reason, mask in reasons:
        hit = keep & mask
        rows.append({"reason": reason, "schools": int(hit.sum()),
                     "pupils": float(out.loc[hit, "headcount"].sum())})
        keep &= ~mask
    sym = symbols.to_numpy()
    for mark in DFE_MARKERS:
        n = int((sym == mark).sum())
        if n:
            rows.append({"reason": f"cells marked {mark!r} (read as not available)",
                         "schools": int((sym == mark).any(axis=1).sum()), "pupils": np.nan,
                         "cells": n})
    kept = out[keep.to_numpy()].reset_index(drop=True)
    validate_codes(kept["lad_code"], level="lad", countries="E",
                   file=str(file) if file else None, column="lad_code")
    return SchoolCensus(kept, pd.DataFrame(rows))


def census_la_counts(pop: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """LA × :data:`GROUPS` resident counts from a long census table.

    ``pop`` is ``lad_code`` (or ``area_code``, as :func:`socint.data.read_official` returns)
    ``, category, count`` with 2011 or 2021 detailed canonical categories (QS201EW, TS021).
    """
    p = pop.rename(columns={"area_code": "lad_code"}) if "lad_code" not in pop else pop
    require_columns(p, ["lad_code", "category", "count"], what="census LA population table",
                    file=file)
    cat = p["category"].astype(str).replace(CENSUS_MERGE)
    bad = ~cat.isin(GROUPS)
    if bad.any():
        raise InputDataError(
            f"census categories {_preview(sorted(cat[bad].unique()))} are not detailed ethnic "
            "groups (2011 QS201EW or 2021 TS021)", file=file, column="category",
            row=int(np.flatnonzero(bad.to_numpy())[0]) + 1,
            hint="pass the LA ethnic-group table with the 18 (2011) or 19 (2021) detailed groups")
    cnt = numeric_column(p, "count", what="census LA population table", file=file)
    return (pd.DataFrame({"lad_code": p["lad_code"].astype(str), "g": cat, "n": cnt})
            .pivot_table(index="lad_code", columns="g", values="n", aggfunc="sum",
                         fill_value=0.0, observed=True)
            .reindex(columns=list(GROUPS), fill_value=0.0))


def upper_tier_of(schools: pd.DataFrame) -> pd.Series:
    """District → upper-tier authority, as the school file states it (the modal one)."""
    pairs = schools.groupby(["lad_code", "utla_code"]).size().reset_index(name="n")
    pairs = pairs.sort_values(["lad_code", "n"], ascending=[True, False])
    return pairs.drop_duplicates("lad_code").set_index("lad_code")["utla_code"]
