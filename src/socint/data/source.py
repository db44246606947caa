"""Opening official files: checksums, empty files, headers and BOM-tolerant CSV reading."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from socint.data.validate import require_columns
from socint.errors import InputDataError


def sha256_of(path: Path) -> str:
    """SHA-256 hex digest of a file (provenance for the store)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_file(path: str | Path) -> Path:
    """Return ``path`` as a Path after checking it exists and is not zero bytes."""
    p = Path(path)
    if not p.is_file():
        raise InputDataError(f"file not found: {p}", file=p,
                             hint="check the path; official files are read, never downloaded")
    if p.stat().st_size == 0:
        raise InputDataError("file is empty (0 bytes)", file=p,
                             hint="download the file again; it holds no header and no data")
    return p


def csv_header(path: str | Path) -> list[str]:
    """The header row of a CSV file (UTF-8 byte-order mark removed)."""
    p = check_file(path)
    with p.open("r", encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    if not first.strip():
        raise InputDataError("file has no header row (first line is blank)", file=p,
                             hint="the first line must hold the column names")
    return next(csv.reader(io.StringIO(first)))


def read_csv(path: str | Path, *, required: Sequence[str], layout: str,
             text_columns: Sequence[str] = (),
             dtype: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read an official CSV, checking it is non-empty and has the required columns.

    Parameters
    ----------
    path
        The file; a UTF-8 byte-order mark is accepted silently (``encoding="utf-8-sig"``).
    required
        Headers that must be present (error lists the expected and the found headers).
    layout
        Human name of the layout, used in messages.
    text_columns
        Columns read as text (area codes and names), never parsed as numbers.
    dtype
        Further explicit dtypes.

    Raises
    ------
    InputDataError
        Zero-byte file, header-only file.
    SchemaError
        Missing columns.
    """
    p = check_file(path)
    header = csv_header(p)
    require_columns(header, required, file=p, layout=layout)
    types: dict[str, str] = {c: "string" for c in text_columns if c in header}
    types.update(dtype or {})
    df = pd.read_csv(p, encoding="utf-8-sig", dtype=types,
                     keep_default_na=False, na_values=[""], low_memory=False)
    if df.empty:
        raise InputDataError(f"{layout}: file has a header but no data rows", file=p,
                             hint="the file looks truncated; download it again")
    return df


def text(df: pd.DataFrame, column: str) -> pd.Series:
    """A text column with surrounding spaces removed (NA kept)."""
    return df[column].astype("string").str.strip()


__all__ = ["check_file", "csv_header", "read_csv", "sha256_of", "text"]
