"""Read survey microdata files: SPSS ``.sav``, Stata ``.dta`` (via pyreadstat) and delimited text.

Value labels and variable labels are kept, so the mapping template and error messages can show
what each code means. Before parsing, the file's first bytes are checked against its extension,
so a renamed file gets a clear error instead of a parser traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import InputDataError

FORMATS = {".sav": "spss", ".zsav": "spss", ".dta": "stata", ".csv": "csv", ".tsv": "tsv",
           ".tab": "tsv"}
_STATA_OLD_VERSIONS = {104, 105, 108, 110, 111, 113, 114, 115}


@dataclass(frozen=True)
class Microdata:
    """One survey file as read: the data and its labels.

    Parameters
    ----------
    frame
        One row per respondent, the file's own column names; numeric codes as floats.
    path, format
        The file and its format (``spss``, ``stata``, ``csv``, ``tsv``).
    value_labels
        ``{column: {code: label}}`` as stored in the file (empty for text files).
    column_labels
        ``{column: label}`` (empty for text files).
    """

    frame: pd.DataFrame
    path: Path
    format: str
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)


def _looks_like(head: bytes) -> str:
    """Name what the first bytes of a file look like (for a wrong-extension error)."""
    if head[:4] in (b"$FL2", b"$FL3"):
        return "an SPSS .sav file"
    if head.startswith(b"<stata_dta>") or (
            len(head) > 1 and head[0] in _STATA_OLD_VERSIONS and head[1] in (1, 2)):
        return "a Stata .dta file"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive or an Excel .xlsx workbook"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel .xls (or other Microsoft Office) file"
    if head.startswith(b"PAR1"):
        return "a Parquet file"
    if b"\x00" in head:
        return "a binary file"
    return "a text file"


def _check_content(path: Path, fmt: str) -> None:
    if not path.exists():
        raise InputDataError("survey file not found", file=path,
                             hint="check the path and its spelling")
    if path.stat().st_size == 0:
        raise InputDataError("the survey file is empty (0 bytes)", file=path,
                             hint="re-export the survey from the archive's download")
    with open(path, "rb") as handle:
        head = handle.read(8192)
    seen = _looks_like(head)
    expected = {"spss": "an SPSS .sav file", "stata": "a Stata .dta file"}.get(fmt, "a text file")
    if seen != expected:
        ext = {"an SPSS .sav file": ".sav", "a Stata .dta file": ".dta",
               "a text file": ".csv (comma) or .tsv (tab)"}.get(seen)
        fix = (f"rename it to {ext}" if ext else "export it from its program as .sav, .dta, "
               ".csv or .tsv")
        raise InputDataError(
            f"the file's extension {path.suffix!r} says {expected}, but its content looks "
            f"like {seen}", file=path, hint=fix)


def _read_pyreadstat(path: Path, fmt: str) -> Microdata:
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "spss" else pyreadstat.read_dta
    try:
        frame, meta = reader(str(path))
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        raise InputDataError(f"cannot read the {fmt.upper()} file: {exc}", file=path,
                             hint="the file is damaged or not a real "
                                  f"{'SPSS' if fmt == 'spss' else 'Stata'} file; download it "
                                  "again from the archive") from None
    labels = {col: {(float(k) if isinstance(k, int | float) else k): str(v)
                    for k, v in vals.items()}
              for col, vals in (meta.variable_value_labels or {}).items()}
    column_labels = {c: str(lab) for c, lab in zip(meta.column_names, meta.column_labels or [],
                                                   strict=False) if lab}
    return Microdata(frame, path, fmt, labels, column_labels)


def _read_text(path: Path, fmt: str) -> Microdata:
    sep = "," if fmt == "csv" else "\t"
    try:
        frame = pd.read_csv(path, sep=sep, keep_default_na=False, na_values=[""],
                            encoding="utf-8-sig", low_memory=False)
    except pd.errors.EmptyDataError:
        raise InputDataError("the survey file has no header row", file=path,
                             hint="the first line must hold the variable names") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputDataError(f"cannot parse the file as {fmt.upper()}: {exc}", file=path,
                             hint=("check the delimiter (.csv = comma, .tsv/.tab = tab) and "
                                   "that the file is UTF-8 text")) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return Microdata(frame, path, fmt)


def read_microdata(path: str | Path) -> Microdata:
    """Read a ``.sav``, ``.dta``, ``.csv``, ``.tsv`` or ``.tab`` survey file.

    Raises
    ------
    InputDataError
        Unknown extension, empty file, no data rows, or content that does not match the
        extension (e.g. a CSV renamed ``.sav``).
    """
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise InputDataError(f"unknown survey file type {p.suffix!r}", file=p,
                             hint=f"give one of {', '.join(FORMATS)}")
    _check_content(p, fmt)
    data = _read_pyreadstat(p, fmt) if fmt in ("spss", "stata") else _read_text(p, fmt)
    if data.frame.empty:
        raise InputDataError(f"the survey file has no data rows ({data.frame.shape[1]} "
                             "variable(s), 0 respondents)", file=p,
                             hint="check you exported the respondent records, not only the "
                                  "variable definitions")
    return data


__all__ = ["FORMATS", "Microdata", "read_microdata"]
