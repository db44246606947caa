"""Ethnic diversity of local authorities in 2011 and 2021 on one LA set, and its change.

The 2011 Census LA table (QS201EW, 18 detailed groups, LA codes of 2013) and the 2021 Census
LTLA table (TS021, 19 detailed groups, LA codes of 2021) differ in two ways that must be
removed before they can be compared (ONS, *Ethnic group, England and Wales: Census 2021*,
section "Comparability with 2011"):

* **LA boundaries** — 2019-2021 reorganisations merged 26 English districts into unitaries
  (Dorset, Bournemouth-Christchurch-Poole, Somerset West and Taunton, East and West Suffolk,
  Buckinghamshire, North and West Northamptonshire). The 2011 counts are moved onto the LA set
  of ``to_year`` with :func:`socint.geo.vintages.convert_la_vintage`: merges add whole LAs, so
  the counts are exact and every total is conserved. (When ``to_year`` is later than 2021 the
  2021 table is converted the same way.)
* **Categories** — 2021 added a tick-box "Roma" inside the White group. In 2011 Roma people
  wrote it in under "Any other White background", so the common 18-group scheme puts 2021's
  ``white_roma`` into ``white_other`` (the ONS's own 2011-comparable presentation). The five
  broad groups (White, Mixed, Asian, Black, Other) are unchanged between censuses and are
  offered as a second, coarser common scheme.

The Ethnic Diversity Index (EDI) is Simpson's index ``1 - sum_g p_g^2``, the probability that
two residents drawn at random belong to different groups (Simpson 1949; Bright Blue 2019). The
White British share uses the ``white_british`` category, identical in both censuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from socint.data.table import OfficialTable, counts_wide
from socint.errors import InputDataError
from socint.geo.vintages import LaChanges, convert_la_vintage
from socint.measures.analysis import change
from socint.measures.diversity import simpson
from socint.measures.schemes import SCHEMES

#: Common schemes of the 2011 and 2021 LA tables (the 18 detailed 2011 groups; 5 broad ones).
COMMON_SCHEMES: tuple[str, ...] = ("ethnicity_2011_detailed", "ethnicity_broad")


def _detailed_2021_to_2011() -> dict[str, str]:
    """2021 detailed group -> 2011 detailed group (Roma into "Any other White background")."""
    out = {c: c for c in SCHEMES["ethnicity_2021_detailed"]}
    out["white_roma"] = "white_other"
    return out


#: Harmonisation of each census's detailed groups onto each common scheme.
HARMONISATION: Mapping[tuple[str, str], Mapping[str, str]] = MappingProxyType({
    ("ethnicity_2011_detailed", "ethnicity_2011_detailed"):
        MappingProxyType({c: c for c in SCHEMES["ethnicity_2011_detailed"]}),
    ("ethnicity_2021_detailed", "ethnicity_2011_detailed"):
        MappingProxyType(_detailed_2021_to_2011()),
    ("ethnicity_2011_detailed", "ethnicity_broad"):
        MappingProxyType({c: c.split("_", 1)[0] for c in SCHEMES["ethnicity_2011_detailed"]}),
    ("ethnicity_2021_detailed", "ethnicity_broad"):
        MappingProxyType({c: c.split("_", 1)[0] for c in SCHEMES["ethnicity_2021_detailed"]}),
})


def _check_table(table: OfficialTable, which: str, scheme: str) -> None:
    name = str(table.path)
    if table.kind != "counts" or table.topic != "ethnicity":
        raise InputDataError(
            f"table_{which} is a {table.kind!r} table of topic {table.topic!r} "
            f"({table.dataset}); expected ethnic-group counts", file=name,
            hint=f"read the {which} LA ethnicity table with "
            + ("socint.data.read_census2011_nomis (QS201EW)" if which == "2011"
               else "socint.data.read_census2021_ethnicity (TS021 LTLA)"))
    if table.level != "lad":
        raise InputDataError(f"table_{which} is at level {table.level!r}; the change is computed "
                             "on local authorities ('lad')", file=name,
                             hint="aggregate the small areas to LAs first, or use the LA table")
    if table.scheme != scheme:
        raise InputDataError(f"table_{which} has scheme {table.scheme!r}; expected {scheme!r}",
                             file=name, hint="use the detailed LA table (QS201EW 18 groups, "
                             "TS021 19 groups)")


def harmonised_counts(table: OfficialTable, scheme: str = "ethnicity_2011_detailed"
                      ) -> pd.DataFrame:
    """LA × category counts of a 2011 or 2021 detailed table in a common scheme.

    Parameters
    ----------
    table
        Counts in ``ethnicity_2011_detailed`` or ``ethnicity_2021_detailed``.
    scheme
        One of :data:`COMMON_SCHEMES`.

    Returns
    -------
    pandas.DataFrame
        Index ``area_code``; int64 columns in ``scheme`` order (sums preserved per row).
    """
    if scheme not in COMMON_SCHEMES:
        raise InputDataError(f"`scheme` was {scheme!r} but is expected to be in "
                             f"{list(COMMON_SCHEMES)}",
                             hint="the 2011 and 2021 tables share only these schemes")
    key = (str(table.scheme), scheme)
    if key not in HARMONISATION:
        raise InputDataError(f"no harmonisation from scheme {table.scheme!r} to {scheme!r}",
                             file=str(table.path), hint="pass a detailed 2011 or 2021 table")
    mapping = HARMONISATION[key]
    wide = counts_wide(table)
    out = pd.DataFrame(0, index=wide.index, columns=list(SCHEMES[scheme]), dtype="int64")
    for col in wide.columns:
        out[mapping[str(col)]] += wide[col].to_numpy(dtype=np.int64)
    out.index.name = "area_code"
    return out


def _measures(counts: pd.DataFrame, wb: pd.Series) -> pd.DataFrame:
    total = counts.sum(axis=1).to_numpy(dtype=float)
    return pd.DataFrame({
        "area_code": counts.index.to_numpy(),
        "population": counts.sum(axis=1).to_numpy(dtype=np.int64),
        "edi": simpson(counts.to_numpy()),
        "white_british_share": wb.reindex(counts.index).to_numpy(dtype=float) / total,
    })


def _on_la_set(counts: pd.DataFrame, wb: pd.Series, changes: LaChanges, to_year: int,
               ) -> tuple[pd.DataFrame, pd.Series]:
    frame = counts.assign(__wb=wb.reindex(counts.index).to_numpy()).reset_index()
    cols = [*counts.columns, "__wb"]
    conv = convert_la_vintage(frame, value_cols=cols, to_year=to_year,
                              changes=changes).set_index("area_code")
    return conv[list(counts.columns)], conv["__wb"]


def la_measures_change(table_2011: OfficialTable, table_2021: OfficialTable, *,
                       changes: LaChanges, to_year: int = 2021,
                       scheme: str = "ethnicity_2011_detailed") -> pd.DataFrame:
    """EDI and White British share per LA in 2011 and 2021 on one LA set, and their change.

    Parameters
    ----------
    table_2011
        QS201EW LA counts (:func:`socint.data.read_census2011_nomis`; 2011 or 2013 codes).
    table_2021
        TS021 LTLA counts (:func:`socint.data.read_census2021_ethnicity`).
    changes
        LA change history (:class:`socint.geo.vintages.LaChanges`, e.g. from
        ``ltla_changes_2014_2025.csv`` via :func:`socint.data.read_la_changes`).
    to_year
        LA set both censuses are expressed on (2021 by default; a later year merges further).
    scheme
        Common category scheme of the EDI: ``"ethnicity_2011_detailed"`` (18 groups, 2021
        Roma counted as White Other) or ``"ethnicity_broad"`` (5 groups).

    Returns
    -------
    pandas.DataFrame
        One row per LA of ``to_year`` (sorted by code): ``lad_code``, ``lad_name`` (2021 name),
        ``population_2011/2021/change``, ``edi_2011/2021/change`` and
        ``white_british_share_2011/2021/change`` (shares 0-1; change = 2021 minus 2011).

    Raises
    ------
    InputDataError
        A table is not LA ethnic-group counts in the expected scheme, or ``scheme`` is unknown.
    GeographyError
        The converted 2011 LAs and the 2021 LAs differ (names the unmatched codes), or a
        2011 LA was split (its counts cannot be moved whole).
    """
    _check_table(table_2011, "2011", "ethnicity_2011_detailed")
    _check_table(table_2021, "2021", "ethnicity_2021_detailed")
    parts = []
    for table in (table_2011, table_2021):
        counts = harmonised_counts(table, scheme)
        wb = counts_wide(table)["white_british"]
        counts, wb = _on_la_set(counts, wb, changes, to_year)
        parts.append(_measures(counts, wb))
    out = change(parts[0], parts[1], ["population", "edi", "white_british_share"],
                 labels=("2011", "2021"))
    out = out.rename(columns={"area_code": "lad_code"})
    names = pd.Series(dtype=object)
    if table_2021.areas is not None and "area_name" in table_2021.areas.columns:
        names = table_2021.areas.set_index("area_code")["area_name"]
    out.insert(1, "lad_name", out["lad_code"].map(names).astype(object))
    return out.sort_values("lad_code", ignore_index=True)


__all__ = ["COMMON_SCHEMES", "HARMONISATION", "harmonised_counts", "la_measures_change"]
