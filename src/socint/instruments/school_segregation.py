"""Segregation between each LA's schools, by phase, beside the LA's residential segregation.

School segregation treats the LA's schools of one phase as the units and its pupils as the
population (as in Burgess, Wilson & Lupton 2005, *Urban Studies* 42:1027):

* ``d_multigroup`` — multigroup Index of Dissimilarity over the 17 ethnic groups (Reardon &
  Firebaugh 2002);
* ``d_white_british`` — two-group D of White British pupils against all others (Duncan &
  Duncan 1955);
* ``isolation_white_british`` / ``isolation_others`` — share of White British (of other) pupils
  in the school of the typical White British (other) pupil (Massey & Denton 1988).

All from :mod:`socint.measures.segregation`. Figures are given for the district (``tier`` =
``lad``) and for the upper-tier authority (``utla``: the county or unitary), because a county's
pupils cross district lines. An area needs :data:`MIN_SCHOOLS` schools of the phase.

Residential segregation comes from census small areas (LSOAs) grouped by district and upper
tier. The census LSOA table at hand has 5 broad groups, so the residential figures are the
multigroup D over those groups and White against all others: comparable in kind, not in groups.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import SchemaError
from socint.instruments.school_census import GROUPS, upper_tier_of
from socint.measures.segregation import dissimilarity, isolation, multigroup_dissimilarity

#: Fewest schools of a phase an area needs for segregation figures.
MIN_SCHOOLS = 5
#: Phases measured (case-insensitive substrings of the DfE phase).
PHASES: tuple[str, ...] = ("primary", "secondary")


def _measures(m: np.ndarray, codes: np.ndarray, k: int, white: int) -> dict[str, np.ndarray]:
    two = np.column_stack([m[:, white], m.sum(axis=1) - m[:, white]])
    return {
        "d_multigroup": multigroup_dissimilarity(m, codes, n_areas=k),
        "d_white_british": dissimilarity(two, codes, group=0, n_areas=k),
        "isolation_white_british": isolation(two, codes, group=0, n_areas=k),
        "isolation_others": isolation(two, codes, group=1, n_areas=k),
    }


def la_segregation(schools: pd.DataFrame, *, min_schools: int = MIN_SCHOOLS) -> pd.DataFrame:
    """School segregation per area, tier (``lad``, ``utla``) and phase.

    Returns ``tier, area_code, area_name, phase, n_schools, pupils, d_multigroup,
    d_white_british, isolation_white_british, isolation_others, enough_schools``; areas below
    ``min_schools`` keep their counts but no figures.
    """
    rows = []
    for phase in PHASES:
        sub = schools[schools["phase"].str.contains(phase, case=False)
                      & (schools[list(GROUPS)].sum(axis=1) > 0)]
        for tier in ("lad", "utla"):
            codes, areas = pd.factorize(sub[f"{tier}_code"], sort=True)
            k = len(areas)
            m = sub[list(GROUPS)].to_numpy(float)
            res = pd.DataFrame({"tier": tier, "area_code": areas, "phase": phase,
                                "n_schools": np.bincount(codes, minlength=k),
                                "pupils": np.bincount(codes, weights=m.sum(axis=1),
                                                      minlength=k),
                                **_measures(m, codes, k, GROUPS.index("white_british"))})
            names = sub.drop_duplicates(f"{tier}_code").set_index(f"{tier}_code")[
                f"{tier}_name"]
            res.insert(2, "area_name", res["area_code"].map(names))
            rows.append(res)
    out = pd.concat(rows, ignore_index=True)
    out["enough_schools"] = out["n_schools"] >= min_schools
    figs = ["d_multigroup", "d_white_british", "isolation_white_british", "isolation_others"]
    out.loc[~out["enough_schools"], figs] = np.nan
    return out


def _lookup_columns(lookup: pd.DataFrame, file: str | Path | None) -> tuple[str, str]:
    cols = [str(c) for c in lookup.columns]
    unit = next((c for c in cols if c.lower().startswith(("lsoa", "msoa", "oa"))
                 and c.lower().endswith(("_code", "cd"))), None)
    lad = next((c for c in cols if c.lower().startswith(("ltla", "lad"))
                and c.lower().endswith(("_code", "cd"))), None)
    if unit is None or lad is None:
        raise SchemaError(
            f"the small-area lookup needs a unit code column (lsoa21_code…) and an LA column "
            f"(ltla22_code, lad_code…); it has {', '.join(cols)}", file=file,
            hint="use e.g. geographr's lookup_lsoa21_msoa21_ltla22.csv")
    return unit, lad


def residential_segregation(units: pd.DataFrame, lookup: pd.DataFrame,
                            upper_tier: pd.Series | None = None, *,
                            file: str | Path | None = None) -> pd.DataFrame:
    """Residential D per district and upper tier from census small-area counts.

    Parameters
    ----------
    units
        Long small-area counts (``area_code, category, count``, as ``read_official`` returns
        for e.g. TS021 LSOA).
    lookup
        Small area → LAD lookup (columns detected: ``lsoa21_code``/``ltla22_code`` etc.).
    upper_tier
        District → upper-tier code (e.g. :func:`upper_tier_of` on the school table); without
        it only districts are measured.

    Returns ``tier, area_code, residential_d_multigroup, residential_d_white``.
    """
    u_col, l_col = _lookup_columns(lookup, file)
    lad_of = lookup.drop_duplicates(u_col).set_index(u_col)[l_col].astype(str)
    wide = units.pivot_table(index="area_code", columns="category", values="count",
                             aggfunc="sum", fill_value=0, observed=True)
    wide = wide[wide.index.isin(lad_of.index)]
    cats = [str(c) for c in wide.columns]
    white = [i for i, c in enumerate(cats) if c in ("white", "white_british")]
    if not white:
        raise SchemaError("the small-area table has no White group column", file=file)
    m = wide.to_numpy(float)
    two = np.column_stack([m[:, white[0]], m.sum(axis=1) - m[:, white[0]]])
    lad = lad_of.reindex(wide.index).to_numpy()
    out = []
    tiers = {"lad": lad}
    if upper_tier is not None:
        tiers["utla"] = np.array([upper_tier.get(c, c) for c in lad], dtype=object)
    for tier, area in tiers.items():
        codes, areas = pd.factorize(area, sort=True)
        k = len(areas)
        out.append(pd.DataFrame({
            "tier": tier, "area_code": areas,
            "residential_d_multigroup": multigroup_dissimilarity(m, codes, n_areas=k),
            "residential_d_white": dissimilarity(two, codes, group=0, n_areas=k)}))
    return pd.concat(out, ignore_index=True)


__all__ = ["MIN_SCHOOLS", "PHASES", "la_segregation", "residential_segregation",
           "upper_tier_of"]
