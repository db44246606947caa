"""The bundled real-England extract: compact derived tables from the official open files.

A fresh install runs the main job offline from these tables. They are *derived* (selected
columns, England only, codes renamed to socint's area keys) from the official files in
``../shared/data`` by ``scripts/build_extract.py`` (logic in :mod:`socint.extract.build`), and
each is listed in ``data/MANIFEST.json`` with its rows, sha256, source file(s) and their sha256,
publisher, licence (Open Government Licence v3.0) and attribution.

``load(name)`` verifies the file's checksum against the manifest before returning it: a table
(``.parquet``) as a :class:`pandas.DataFrame`, a boundary set (``.geojson.gz``) as a GeoJSON
``FeatureCollection`` dict. ``available()`` lists the names with what each holds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import InputDataError, _preview

MANIFEST_NAME = "MANIFEST.json"


def data_dir() -> Path:
    """Folder of the bundled extract (package data ``socint/extract/data``)."""
    return Path(str(resources.files("socint.extract") / "data"))


@cache
def manifest(folder: str | None = None) -> dict[str, Any]:
    """The extract's manifest (``{"files": {name: entry}, ...}``)."""
    p = Path(folder) if folder else data_dir()
    path = p / MANIFEST_NAME
    if not path.is_file():
        raise InputDataError(
            "the bundled real-England extract is missing (no MANIFEST.json)", file=path,
            hint="rebuild it: python scripts/build_extract.py --data ../shared/data, or "
            "reinstall socint")
    obj: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return obj


def available(folder: str | Path | None = None) -> dict[str, str]:
    """Name -> one-line description of every table and boundary set in the extract."""
    files = manifest(str(folder) if folder else None)["files"]
    return {name: str(entry["description"]) for name, entry in sorted(files.items())}


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def load(name: str, folder: str | Path | None = None) -> pd.DataFrame | dict[str, Any]:
    """Load one table or boundary set of the extract, after checking its sha256.

    Parameters
    ----------
    name
        A name of :func:`available` (e.g. ``"ethnicity2021_msoa21"``, ``"boundaries_lad2021"``).
    folder
        Another extract folder (e.g. a rebuild); default: the bundled one.

    Raises
    ------
    InputDataError
        Unknown name (the known names are listed), missing file, or a checksum mismatch (the
        file was altered or truncated).
    """
    base = Path(folder) if folder else data_dir()
    files = manifest(str(folder) if folder else None)["files"]
    if name not in files:
        raise InputDataError(f"the extract has no table {name!r}; it has {_preview(files, 60)}",
                             hint="see socint.extract.available()")
    entry = files[name]
    path = base / entry["file"]
    if not path.is_file():
        raise InputDataError(f"extract file of {name!r} is missing", file=path,
                             hint="reinstall socint or rebuild the extract")
    raw = path.read_bytes()
    if sha256_bytes(raw) != entry["sha256"]:
        raise InputDataError(
            f"extract file of {name!r} does not match its checksum in {MANIFEST_NAME}",
            file=path, hint="the file was altered or truncated: reinstall socint or rebuild "
            "the extract with scripts/build_extract.py")
    return _decode(path, raw)


def _decode(path: Path, raw: bytes) -> pd.DataFrame | dict[str, Any]:
    if path.name.endswith(".geojson.gz"):
        obj: dict[str, Any] = json.loads(gzip.decompress(raw).decode("utf-8"))
        return obj
    if path.suffix == ".parquet":
        import io

        return pd.read_parquet(io.BytesIO(raw))
    raise InputDataError(f"unknown extract file type {path.name}", file=path)


__all__ = ["MANIFEST_NAME", "available", "data_dir", "load", "manifest"]
