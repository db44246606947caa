"""Atomic, deterministic output writers.

Every output socint writes goes to a temporary file in the destination folder and is moved into
place with :func:`os.replace`, so a failed run never leaves a half-written file and never
corrupts an earlier good output. CSVs are written with a fixed float format and line ending so
that the same inputs and seed give byte-identical files.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

FLOAT_FORMAT = "%.10g"


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _atomic_open(path: str | Path, writer: Callable[[IO[str]], object]) -> Path:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        writer(handle)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write a CSV atomically with a fixed float format (byte-identical for identical data)."""
    return _atomic_open(
        path, lambda h: frame.to_csv(h, index=index, float_format=FLOAT_FORMAT, lineterminator="\n")
    )


def write_json(obj: Any, path: str | Path) -> Path:
    """Write JSON atomically, keys sorted, indented, UTF-8."""
    return _atomic_open(
        path, lambda h: h.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False,
                                           default=str) + "\n")
    )


def write_text(text: str, path: str | Path) -> Path:
    """Write a text file atomically."""
    return _atomic_open(path, lambda h: h.write(text))


__all__ = ["FLOAT_FORMAT", "atomic_path", "write_csv", "write_json", "write_text"]
