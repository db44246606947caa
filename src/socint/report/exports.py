"""The dashboard's downloads: the LA index as CSV, GeoJSON and an Excel workbook.

All three are written with the atomic writers of :mod:`socint.io`, so a failed build never
leaves a half-written download. The workbook carries a README sheet (column definitions, data
sources with vintages and licences, OGL v3 attribution) because a spreadsheet travels without the
site around it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from socint.io import atomic_path, write_csv, write_text
from socint.report.definitions import COLUMN_DEFINITIONS, OGL_ATTRIBUTION
from socint.report.inputs import Source, feature_code


def _json_value(value: Any) -> Any:
    """A JSON-safe scalar: NaN/NA -> None, numpy scalars -> Python."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-safe dicts (missing values become ``None``)."""
    cols = list(frame.columns)
    return [{c: _json_value(v) for c, v in zip(cols, row, strict=True)}
            for row in frame.itertuples(index=False, name=None)]


def index_geojson(la_index: pd.DataFrame, boundaries: Mapping[str, Any]) -> dict[str, Any]:
    """The LA polygons with every ``la_index`` column as feature properties (index order)."""
    geoms = {feature_code(f): f["geometry"] for f in boundaries["features"]}
    feats = [{"type": "Feature", "properties": rec, "geometry": geoms[rec["lad_code"]]}
             for rec in records(la_index)]
    return {"type": "FeatureCollection", "features": feats}


def readme_frame(columns: Sequence[str], sources: Sequence[Source],
                 manifest: Mapping[str, Any]) -> pd.DataFrame:
    """The workbook's README sheet: definitions, sources, licences, run information."""
    rows: list[tuple[str, str]] = [("Social Integration Index", "Local authority table"), ("", "")]
    rows.append(("Column", "Definition"))
    rows += [(c, COLUMN_DEFINITIONS.get(c, "")) for c in columns]
    rows += [("", ""), ("Source", "Publisher; vintage; licence")]
    rows += [(s.name, f"{s.publisher}; {s.vintage}; {s.licence}") for s in sources]
    rows += [("", ""), ("Licence", OGL_ATTRIBUTION)]
    for s in sources:
        if s.attribution:
            rows.append(("Attribution", s.attribution))
    for key in ("socint_version", "seed", "created"):
        if key in manifest:
            rows.append((key, str(manifest[key])))
    return pd.DataFrame(rows, columns=["item", "text"])


def write_xlsx(la_index: pd.DataFrame, path: Path, sources: Sequence[Source],
               manifest: Mapping[str, Any]) -> Path:
    """Write the workbook (sheets ``README`` and ``la_index``) atomically."""
    readme = readme_frame(list(la_index.columns), sources, manifest)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        readme.to_excel(xl, sheet_name="README", index=False)
        la_index.to_excel(xl, sheet_name="la_index", index=False)
    return path


def write_downloads(la_index: pd.DataFrame, boundaries: Mapping[str, Any], folder: Path,
                    sources: Sequence[Source], manifest: Mapping[str, Any],
                    msoa_index: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write ``la_index.csv``, ``la_index.geojson``, ``la_index.xlsx`` (and ``msoa_index.csv``).

    Returns
    -------
    dict
        Download kind (``csv``, ``geojson``, ``xlsx``, ``msoa_csv``) -> path written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "csv": write_csv(la_index, folder / "la_index.csv"),
        "geojson": write_text(json.dumps(index_geojson(la_index, boundaries),
                                         separators=(",", ":"), ensure_ascii=False),
                              folder / "la_index.geojson"),
        "xlsx": write_xlsx(la_index, folder / "la_index.xlsx", sources, manifest),
    }
    if msoa_index is not None:
        out["msoa_csv"] = write_csv(msoa_index, folder / "msoa_index.csv")
    return out


__all__ = ["index_geojson", "readme_frame", "records", "write_downloads", "write_xlsx"]
