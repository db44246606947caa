"""Input checks for LA vintage conversion (used by ``socint.geo.vintages``).

A table to convert must have one numeric row per known lower-tier LA code. When one LA is
split into several, a count of the old LA can only be carried to the new ones with an
apportionment key ``old_code, new_code, share`` (e.g. each new LA's share of the old LA's
population, from the lookups of smaller units). The key must give one share in [0, 1] for each
new LA the change table names, summing to 1 per old LA, and only for LAs that are split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socint.errors import GeographyError, _preview

_SHARE_TOL = 1e-9

#: GSS entity prefixes of lower-tier local authorities in the UK (E06 unitary, E07 district,
#: E08 metropolitan district, E09 London borough, W06 Welsh unitary, S12 Scottish council area,
#: N09 Northern Irish district). Rows of a change table between other entities (counties E10,
#: combined authorities E47, …) do not change the LA set and are ignored.
LTLA_ENTITIES: frozenset[str] = frozenset({"E06", "E07", "E08", "E09", "W06", "S12", "N09"})


def is_ltla(codes: pd.Series) -> pd.Series:
    """True where a value is a GSS code of a lower-tier LA entity."""
    s = codes.astype("object")
    return s.map(lambda c: isinstance(c, str) and len(c) == 9 and c[:3] in LTLA_ENTITIES).astype(
        bool
    )


def check_la_table(
    frame: pd.DataFrame, code_col: str, value_cols: list[str], universe: frozenset[str]
) -> pd.Series:
    """Check a table keyed on LA codes; return its codes (0-based index, object dtype).

    Refuses absent or non-numeric columns, repeated codes, and codes that are not lower-tier LA
    codes (or not in ``universe`` when it is not empty), each error listing every offender.
    """
    absent = [c for c in [code_col, *value_cols] if c not in frame.columns]
    if absent:
        raise GeographyError(
            f"column(s) {', '.join(map(repr, absent))} not in the table; it has "
            f"{', '.join(map(str, frame.columns))}",
            hint="pass code_col= and value_cols= naming existing columns",
        )
    non_num = [c for c in value_cols if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_num:
        raise GeographyError(
            f"value column(s) {', '.join(non_num)} are not numeric",
            column=non_num[0], hint="only counts can be carried to another LA set",
        )
    codes = frame[code_col].astype("object").reset_index(drop=True)
    dup = codes.duplicated(keep=False)
    if dup.any():
        items = [f"{codes[i]} (row {i + 1})" for i in np.flatnonzero(dup.to_numpy())]
        raise GeographyError(
            f"table has repeated LA codes: {_preview(items)}", column=code_col,
            code=str(codes[dup].iloc[0]), hint="aggregate to one row per LA first",
        )
    ok = is_ltla(codes)
    if universe:
        ok &= codes.isin(list(universe))
    if not ok.all():
        items = [f"{codes[i]!r} (row {i + 1})" for i in np.flatnonzero(~ok.to_numpy())]
        raise GeographyError(
            f"{len(items)} code(s) are not known lower-tier LA codes: {_preview(items, 50)}",
            column=code_col, code=str(codes[~ok].iloc[0]),
            hint="check the column holds LA codes (E06/E07/E08/E09/W06…); recode or drop others",
        )
    return codes


def validate_apportion(apportion: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """Check an apportionment key against the splits it is meant to resolve.

    Parameters
    ----------
    apportion
        ``old_code, new_code, share``.
    steps
        The change rows (canonical ``changes`` layout) between the two years converted.

    Returns
    -------
    pandas.DataFrame
        The key with float shares.
    """
    need = ["old_code", "new_code", "share"]
    missing = [c for c in need if c not in apportion.columns]
    if missing:
        raise GeographyError(
            f"apportion lacks column(s) {', '.join(missing)}; it has "
            f"{', '.join(map(str, apportion.columns))}",
            hint="apportion must have columns old_code, new_code, share",
        )
    key = apportion.loc[:, need].reset_index(drop=True)
    share = pd.to_numeric(key["share"], errors="coerce")
    bad = share.isna() | ~np.isfinite(share) | (share < 0) | (share > 1)
    if bad.any():
        rows = [f"row {i + 1} ({key['old_code'][i]}->{key['new_code'][i]}: "
                f"{key['share'][i]!r})" for i in np.flatnonzero(bad.to_numpy())]
        raise GeographyError(
            f"apportion has shares outside [0, 1] or not numbers: {_preview(rows)}",
            column="share", row=int(np.flatnonzero(bad.to_numpy())[0]) + 1,
            hint="each share is the fraction of the old LA that went to the new LA",
        )
    key["share"] = share.astype("float64")
    dup = key.duplicated(["old_code", "new_code"], keep=False)
    if dup.any():
        pairs = sorted({f"{o}->{n}" for o, n in key.loc[dup, ["old_code", "new_code"]].values})
        raise GeographyError(
            f"apportion repeats pair(s) {_preview(pairs)}",
            hint="give one share per (old_code, new_code) pair",
        )
    sums = key.groupby("old_code")["share"].sum()
    off = sums[(sums - 1.0).abs() > _SHARE_TOL]
    if len(off):
        raise GeographyError(
            "apportion shares must sum to 1 for each old LA; they do not for "
            + _preview([f"{c} (sum {v:.6g})" for c, v in off.items()]),
            code=str(off.index[0]), hint="rescale the shares of each old_code to sum to 1",
        )
    n_new = steps.groupby("old_code")["new_code"].nunique()
    splits = set(n_new[n_new > 1].index)
    unused = sorted(set(key["old_code"]) - splits)
    if unused:
        raise GeographyError(
            f"apportion gives shares for {_preview(unused)}, which are not split between the "
            "two years",
            code=unused[0], hint="drop those rows: only split LAs need an apportionment key",
        )
    for old in sorted(set(key["old_code"])):
        want = set(steps.loc[steps["old_code"] == old, "new_code"])
        got = set(key.loc[key["old_code"] == old, "new_code"])
        if want != got:
            raise GeographyError(
                f"apportion for {old} names new LA(s) {sorted(got)} but the change table splits "
                f"it into {sorted(want)}",
                code=old, hint="give one share for each new LA the old LA was split into",
            )
    return key


__all__ = ["LTLA_ENTITIES", "check_la_table", "is_ltla", "validate_apportion"]
