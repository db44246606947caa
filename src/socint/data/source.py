"""Opening official files: checksums, empty files, encodings, compression, delimiters, headers.

Official tables reach users in more shapes than the publisher's: re-saved by Excel in Windows-1252
("Ynys Môn" as ``Ynys M\\xf4n``), gzipped by a download tool (``.csv.gz``, or gzip bytes still
named ``.csv``), saved as a workbook (``.xlsx``), re-exported with ``;`` as the delimiter, or cut
short by a failed download. Every reader goes through :func:`csv_header` and :func:`read_csv`,
which accept all of these or say exactly what is wrong:

* **encoding** - UTF-8 (with or without a byte-order mark) first, then Windows-1252 (cp1252, a
  superset of Latin-1 for printable text); a file that is neither is refused naming the
  encodings tried. Reading as cp1252 emits an :class:`~socint.errors.InputDataWarning`;
* **compression** - gzip is recognised by its magic bytes, whatever the file is called;
* **workbooks** - ``.xlsx`` (zip magic) is read from its first sheet via openpyxl, with a
  warning; legacy ``.xls`` is refused with "export it as CSV";
* **delimiter** - ``,`` unless the header row holds a single field and splits on ``;`` or a tab;
* **truncation** - an unterminated quote or a ragged row is an :class:`InputDataError` naming the
  file and the row.
"""

from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import re
import warnings
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from socint.data.validate import require_columns
from socint.errors import InputDataError, InputDataWarning

_GZIP = b"\x1f\x8b"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls (OLE2 compound file)
#: Encodings tried, in order (utf-8-sig also reads plain UTF-8).
ENCODINGS = ("utf-8-sig", "cp1252")


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


def _magic(p: Path) -> bytes:
    with p.open("rb") as fh:
        return fh.read(4)


def head_bytes(path: str | Path, n: int = 1 << 16) -> bytes:
    """The first ``n`` bytes of a file's content, gunzipped when the file is gzip."""
    p = check_file(path)
    if _magic(p).startswith(_GZIP):
        try:
            with gzip.open(p, "rb") as fh:
                return fh.read(n)
        except (OSError, EOFError, zlib.error) as exc:
            raise _bad_gzip(p, exc) from exc
    with p.open("rb") as fh:
        return fh.read(n)


def _bad_gzip(p: Path, exc: Exception) -> InputDataError:
    return InputDataError(f"gzip-compressed file cannot be decompressed ({exc})", file=p,
                          hint="the download looks truncated; download the file again")


def _decode(data: bytes, p: Path) -> tuple[str, str]:
    """Decode ``data`` trying :data:`ENCODINGS` in order; return (text, encoding)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise InputDataError("file is binary, not a text CSV (it holds NUL bytes)", file=p,
                             hint="export the table as CSV (UTF-8) and read that file")
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            first_error = exc
    raise InputDataError(
        f"file is neither UTF-8 nor Windows-1252 text (byte 0x{data[first_error.start]:02x} at "
        f"offset {first_error.start}); encodings tried: {', '.join(ENCODINGS)}", file=p,
        hint="re-save the file as 'CSV UTF-8', or convert it: iconv -f ENCODING -t UTF-8")


@dataclass(frozen=True)
class _Text:
    text: str
    encoding: str
    container: str  # "plain", "gzip" or "xlsx"


def _xlsx_text(p: Path) -> str:
    try:
        sheets = pd.read_excel(p, sheet_name=None, dtype=str, header=None, engine="openpyxl")
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise InputDataError("file is an Excel workbook (.xlsx), not a CSV", file=p,
                             hint="export the sheet as CSV (UTF-8) and read that file") from exc
    except Exception as exc:
        raise InputDataError(f"file is an Excel workbook (.xlsx) that cannot be read ({exc})",
                             file=p, hint="export the sheet as CSV (UTF-8) and read that "
                                          "file") from exc
    name, first = next(iter(sheets.items()))
    warnings.warn(InputDataWarning(
        f"{p}: an Excel workbook, not a CSV; read its first sheet {name!r}"
        + (f" (of {len(sheets)}: {', '.join(map(str, sheets))})" if len(sheets) > 1 else "")
        + ". Export the table as CSV (UTF-8) to silence this."), stacklevel=4)
    out = io.StringIO()
    first.dropna(how="all").to_csv(out, header=False, index=False)
    return out.getvalue()


@functools.lru_cache(maxsize=2)
def _full_text(path: str, mtime_ns: int, size: int, ino: int, ctime_ns: int) -> _Text:
    """Decode a file once per version (keyed by path, size, inode and times)."""
    p = Path(path)
    magic = _magic(p)
    if magic.startswith(_ZIP):
        return _Text(_xlsx_text(p), "xlsx", "xlsx")
    if magic.startswith(_OLE):
        raise InputDataError("file is a legacy Excel workbook (.xls), not a CSV", file=p,
                             hint="open it in a spreadsheet and save it as CSV (UTF-8)")
    if magic.startswith(_GZIP):
        try:
            data = gzip.decompress(p.read_bytes())
        except (OSError, EOFError, zlib.error) as exc:
            raise _bad_gzip(p, exc) from exc
        text, enc = _decode(data, p)
        container = "gzip"
    else:
        text, enc = _decode(p.read_bytes(), p)
        container = "plain"
    if enc == "cp1252":  # said once per file version (this function is cached)
        warnings.warn(InputDataWarning(
            f"{p}: not UTF-8; read as Windows-1252 (cp1252), as Excel saves CSV on Windows. "
            "Check place names such as 'Ynys Môn' look right; re-save as 'CSV UTF-8' to silence "
            "this."), stacklevel=5)
    return _Text(text, enc, container)


def _text_of(p: Path) -> _Text:
    st = p.stat()
    return _full_text(str(p.resolve()), st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def _first_line(text: str) -> str:
    return text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")


def _delimiter(line: str) -> str:
    """``,`` unless the header row is one field that splits on ``;`` or a tab."""
    if len(next(csv.reader([line]), [])) > 1:
        return ","
    for sep in (";", "\t"):
        if len(next(csv.reader([line], delimiter=sep), [])) > 1:
            return sep
    return ","


def csv_header(path: str | Path) -> list[str]:
    """The header row of a CSV file (any accepted encoding, compression or delimiter)."""
    p = check_file(path)
    first = _first_line(_text_of(p).text)
    if not first.strip():
        raise InputDataError("file has no header row (first line is blank)", file=p,
                             hint="the first line must hold the column names")
    return next(csv.reader([first], delimiter=_delimiter(first)))


_ROW_IN = re.compile(r"(?:row|line) (\d+)")


def _parser_error(p: Path, exc: Exception, text: str, sep: str) -> InputDataError:
    msg = str(exc)
    if "EOF inside string" in msg:
        # Find the data row where the unterminated quote opens (csv counts physical lines).
        reader = csv.reader(io.StringIO(text), delimiter=sep, strict=True)
        row = None
        try:
            for i, _ in enumerate(reader):
                row = i  # header is i=0 → data row i
        except csv.Error:
            row = (row or 0) + 1
        return InputDataError(
            "unterminated quoted field: a '\"' opens and the file ends before it closes",
            file=p, row=row, hint="the file looks truncated (an interrupted download); download "
                                  "it again, or close the quote on that row")
    m = _ROW_IN.search(msg)
    row = int(m.group(1)) - 1 if m else None  # pandas counts physical lines, header = line 1
    return InputDataError(f"the file cannot be parsed as CSV: {msg}", file=p, row=row,
                          hint="each row must have as many fields as the header; check the file "
                               "is complete and comma-separated")


def read_csv(path: str | Path, *, required: Sequence[str], layout: str,
             text_columns: Sequence[str] = (),
             dtype: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read an official CSV, checking it is non-empty and has the required columns.

    Parameters
    ----------
    path
        The file: UTF-8 (a byte-order mark is accepted) or Windows-1252 text, optionally gzip
        compressed, or an ``.xlsx`` workbook (first sheet); ``,``, ``;`` or tab delimited.
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
        Zero-byte file, header-only file, undecodable text, unterminated quote, ragged row.
    SchemaError
        Missing columns.
    """
    p = check_file(path)
    header = csv_header(p)
    require_columns(header, required, file=p, layout=layout)
    types: dict[str, str] = {c: "string" for c in text_columns if c in header}
    types.update(dtype or {})
    t = _text_of(p)
    sep = _delimiter(_first_line(t.text))
    try:
        df = pd.read_csv(io.StringIO(t.text.lstrip("\ufeff")), sep=sep, dtype=types,
                         keep_default_na=False, na_values=[""], low_memory=False)
    except pd.errors.ParserError as exc:
        raise _parser_error(p, exc, t.text.lstrip("\ufeff"), sep) from exc
    if df.empty:
        raise InputDataError(f"{layout}: file has a header but no data rows", file=p,
                             hint="the file looks truncated; download it again")
    return df


def text(df: pd.DataFrame, column: str) -> pd.Series:
    """A text column with surrounding spaces removed (NA kept)."""
    return df[column].astype("string").str.strip()


__all__ = ["ENCODINGS", "check_file", "csv_header", "head_bytes", "read_csv", "sha256_of",
           "text"]
