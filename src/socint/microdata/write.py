"""Write an import's canonical table (CSV or Parquet) and its report beside it (JSON + text)."""

from __future__ import annotations

from pathlib import Path

from socint.errors import InputDataError
from socint.io import atomic_path, write_csv, write_json, write_text
from socint.microdata.apply import ImportResult

OUT_FORMATS = (".csv", ".parquet")


def report_paths(out: str | Path) -> tuple[Path, Path]:
    """Where the report of a table written to ``out`` goes: ``OUT.report.json``/``.txt``."""
    p = Path(out)
    base = p.with_suffix("")
    return base.with_name(base.name + ".report.json"), base.with_name(base.name + ".report.txt")


def write_import(result: ImportResult, out: str | Path) -> list[Path]:
    """Write the table to ``out`` (``.csv`` or ``.parquet``) and the report beside it.

    Every file is written atomically; the report goes first, so a table on disk always has its
    report.
    """
    p = Path(out)
    if p.suffix.lower() not in OUT_FORMATS:
        raise InputDataError(f"unknown output type {p.suffix!r}", file=p,
                             hint=f"name the output {p.stem}.csv or {p.stem}.parquet")
    js, txt = report_paths(p)
    write_json(result.report.to_dict(), js)
    write_text(result.report.to_text(), txt)
    if p.suffix.lower() == ".csv":
        write_csv(result.table, p)
    else:
        with atomic_path(p) as tmp:
            result.table.to_parquet(tmp, index=False)
    return [p, js, txt]


__all__ = ["OUT_FORMATS", "report_paths", "write_import"]
