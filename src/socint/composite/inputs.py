"""The inputs of the index: one frozen bundle, from the synthetic England or from CSV files.

An :class:`IndexInputs` holds everything :func:`socint.composite.run.build_index` needs —
respondents, area covariates, the census population frame, area names and the diversity and
segregation measures — plus optional boundaries, deprivation and (synthetic only) the truth.
Respondent-level rows stay inside the run: no writer outputs them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import InputDataError, SchemaError

#: Required columns of each input table.
REQUIRED: dict[str, tuple[str, ...]] = {
    "survey": ("msoa_code", "lad_code", "trust", "female", "age", "ethnicity"),
    "msoa_covariates": ("msoa_code", "lad_code"),
    "la_covariates": ("lad_code",),
    "population": ("msoa_code", "sex", "age_band", "ethnicity", "count"),
    "las": ("lad_code", "lad_name"),
    "msoas": ("msoa_code", "msoa_name", "lad_code"),
    "la_measures": ("lad_code", "edi", "dissimilarity"),
}


@dataclass(frozen=True)
class IndexInputs:
    """Everything the index is built from.

    Attributes
    ----------
    survey, msoa_covariates, la_covariates, population, las, msoas, la_measures
        See :data:`REQUIRED` for the columns; ``population`` is adults per MSOA × sex × age
        band × ethnicity (the census joint table or its IPF estimate).
    msoa_measures
        Optional ``msoa_code, edi, dissimilarity`` for the MSOA index.
    deprivation
        Optional ``lad_code, deprivation`` (higher = more deprived) for the composite.
    la_boundaries, msoa_boundaries
        Optional GeoJSON FeatureCollections (``area_code`` property).
    truth_la, truth_msoa
        Optional true shares (``lad_code``/``msoa_code``, ``true_trust``): synthetic data only.
    sources
        Name → description of each input (file path or generator and seed) for the manifest.
    vintage
        Census year of the inputs (2011 or 2021).
    lad_vintage
        Year of the LA set the ``lad_code`` values belong to (2013 for the Census 2011 LAs as
        coded since 2013, 2021 for LTLA21, 2023), written in the ``lad_vintage`` column;
        ``None`` when not known (a folder of CSVs).
    """

    survey: pd.DataFrame | None
    msoa_covariates: pd.DataFrame
    la_covariates: pd.DataFrame
    population: pd.DataFrame
    las: pd.DataFrame
    msoas: pd.DataFrame
    la_measures: pd.DataFrame
    msoa_measures: pd.DataFrame | None = None
    deprivation: pd.DataFrame | None = None
    la_boundaries: dict[str, Any] | None = None
    msoa_boundaries: dict[str, Any] | None = None
    truth_la: pd.DataFrame | None = None
    truth_msoa: pd.DataFrame | None = None
    sources: dict[str, str] = field(default_factory=dict)
    vintage: int = 2011
    lad_vintage: int | None = None

    def check(self) -> None:
        """Refuse missing columns and duplicated area rows, naming the table and column."""
        for name, cols in REQUIRED.items():
            tab = getattr(self, name)
            if tab is None and name == "survey":
                continue
            missing = [c for c in cols if c not in tab.columns]
            if missing:
                raise SchemaError(f"input table {name!r} lacks column(s) {missing}",
                                  file=self.sources.get(name), column=missing[0],
                                  hint=f"{name} needs columns {', '.join(cols)}")
        for name, key in (("msoa_covariates", "msoa_code"), ("la_covariates", "lad_code"),
                          ("las", "lad_code"), ("msoas", "msoa_code"), ("la_measures", "lad_code")):
            dup = getattr(self, name)[key].duplicated()
            if dup.any():
                r = int(np.flatnonzero(dup.to_numpy())[0])
                raise InputDataError(f"{name} has a duplicated {key}", file=self.sources.get(name),
                                     row=r + 1, column=key,
                                     code=str(getattr(self, name)[key].iloc[r]),
                                     hint="keep one row per area")

    def checksums(self) -> dict[str, str]:
        """SHA-256 of each input table's canonical CSV bytes (for the run manifest)."""
        out = {}
        for name in (*REQUIRED, "msoa_measures", "deprivation"):
            tab = getattr(self, name)
            if tab is not None and not (name == "survey" and len(tab) == 0):
                data = tab.to_csv(index=False, lineterminator="\n").encode()
                out[name] = hashlib.sha256(data).hexdigest()
        return out


def inputs_from_directory(directory: str | Path) -> IndexInputs:
    """Read index inputs from CSV files named after the tables (``survey.csv``, …).

    Optional files: ``msoa_measures.csv``, ``deprivation.csv``, ``la_boundaries.geojson``,
    ``msoa_boundaries.geojson``.
    """
    import json

    d = Path(directory)
    tables: dict[str, Any] = {}
    sources: dict[str, str] = {}
    codes = {c: str for c in ("msoa_code", "lad_code", "lad_name", "msoa_name")}
    for name in (*REQUIRED, "msoa_measures", "deprivation"):
        path = d / f"{name}.csv"
        if not path.exists():
            if name in REQUIRED:
                raise SchemaError(f"input file {path.name} is missing from {d}", file=path,
                                  hint=f"the index needs {', '.join(REQUIRED)} as CSV files")
            continue
        tables[name] = pd.read_csv(path, dtype=codes)
        sources[name] = f"{path} sha256={hashlib.sha256(path.read_bytes()).hexdigest()}"
    for name in ("la_boundaries", "msoa_boundaries"):
        path = d / f"{name}.geojson"
        if path.exists():
            tables[name] = json.loads(path.read_text(encoding="utf-8"))
            sources[name] = str(path)
    inputs = IndexInputs(**tables, sources=sources)
    inputs.check()
    return inputs


__all__ = ["REQUIRED", "IndexInputs", "inputs_from_directory"]
