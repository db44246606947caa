"""Helpers shared by the companion instruments: disclosure control, input checks, CSV reading.

Disclosure rule (ONS *Statistical disclosure control* guidance for tables, and the Bright Blue
report's own rule of removing LAs with fewer than 10 respondents): any count or respondent base
below :data:`MIN_COUNT` is never shown. Numeric outputs are set to missing and a ``suppressed``
flag is set; pages render the marker :data:`SUPPRESSED_MARKER`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import InputDataError, SchemaError, _preview

#: Smallest count or respondent base that may be shown.
MIN_COUNT = 10

#: What a page shows in place of a suppressed value ("c" = confidential, as in ONS tables).
SUPPRESSED_MARKER = "[c]"

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054


def read_csv(path: str | Path, *, what: str, text: bool = False) -> pd.DataFrame:
    """Read a CSV file, with a clear error when it is missing or cannot be parsed.

    Parameters
    ----------
    path
        File to read.
    what
        What the file should hold, used in the error message (e.g. "school census table").
    text
        Keep every cell as text (no type guessing, empty cells as ``""``).
    """
    p = Path(path)
    if not p.is_file():
        raise InputDataError(
            f"the {what} file was not found",
            file=p,
            hint="check the path; socint reads comma-separated files with a header row",
        )
    try:
        if text:
            return pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        return pd.read_csv(p, encoding="utf-8-sig", low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SchemaError(
            f"the {what} file could not be read as CSV ({exc})",
            file=p,
            hint="save the file as UTF-8 comma-separated values with one header row",
        ) from exc


def require_columns(
    df: pd.DataFrame, columns: Iterable[str], *, what: str, file: str | Path | None = None
) -> None:
    """Raise :class:`SchemaError` listing every required column that is absent."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"the {what} lacks required column(s) {_preview(missing)}; "
            f"it has {_preview(list(map(str, df.columns)))}",
            file=file,
            column=missing[0],
            hint=f"add or rename the column(s) {', '.join(missing)}",
        )


def numeric_column(
    df: pd.DataFrame,
    column: str,
    *,
    what: str,
    file: str | Path | None = None,
    allow_missing: bool = False,
    nonnegative: bool = True,
) -> pd.Series:
    """Return ``df[column]`` as float, raising at the first non-numeric or negative cell.

    Rows in the error are 1-based data rows (header excluded), as everywhere in socint.
    """
    raw = df[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if not allow_missing:
        bad |= values.isna()
    if nonnegative:
        bad |= values < 0
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(
            f"the {what} has {int(bad.sum())} invalid value(s) in column {column!r}; "
            f"first is {raw.iloc[i]!r}",
            file=file,
            row=i + 1,
            column=column,
            hint="use non-negative numbers" + ("" if not allow_missing else " or leave blank"),
        )
    return values
