"""Write the synthetic England to a folder: CSV and GeoJSON files plus ``manifest.json``.

The LSOA ethnic counts are written twice: in socint's long counts layout
(``ethnicity_lsoa.csv``) and in the layout of the official MLID file
(``ethnicity_2011_lsoa_ew.csv``, quoted like the original), so that the real reader
(:func:`socint.data.census2011.read_census2011_ethnicity_small_area`) and ``socint ingest`` load
it as they would load the Census file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from socint import __version__
from socint.io import atomic_path, write_csv, write_json, write_text

if TYPE_CHECKING:
    from socint.synthetic.england import SyntheticEngland

MLID_FILENAME = "ethnicity_2011_lsoa_ew.csv"
TRUTH_LA_FILENAME = "synthetic_truth_la.csv"


def _tables(england: SyntheticEngland, include_population: bool) -> dict[str, pd.DataFrame]:
    truth = england.truth
    tables = {
        "regions.csv": england.regions,
        "las.csv": england.las,
        "msoas.csv": england.msoas,
        "lsoas.csv": england.lsoas,
        "lookup.csv": england.lookup,
        "ethnicity_lsoa.csv": england.ethnicity.data,
        "proficiency_msoa.csv": england.proficiency.data,
        "lsoa_attributes.csv": england.lsoa_attributes,
        "msoa_covariates.csv": england.msoa_covariates,
        "la_covariates.csv": england.la_covariates,
        "poststrat.csv": england.poststrat,
        "covariate_distribution.csv": england.covariate_distribution,
        "survey.csv": england.survey,
        TRUTH_LA_FILENAME: truth.true_trust_la[["lad_code", "true_trust"]],
        "synthetic_truth_msoa.csv": truth.true_trust_msoa,
        "ranef_msoa.csv": truth.ranef_msoa,
        "ranef_la.csv": truth.ranef_la,
    }
    if include_population:
        tables["population.csv"] = england.population
    return tables


def write_england(england: SyntheticEngland, directory: Path, *,
                  include_population: bool = False) -> Path:
    """Write every table of ``england`` into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    # Every file is written atomically (socint.io): an interrupted run leaves no torn file.
    for name, frame in _tables(england, include_population).items():
        write_csv(frame, directory / name)
        rows[name] = len(frame)
    with atomic_path(directory / MLID_FILENAME) as tmp:
        england.ethnicity_mlid.to_csv(tmp, index=False, quoting=csv.QUOTE_NONNUMERIC,
                                      lineterminator="\n")
    rows[MLID_FILENAME] = len(england.ethnicity_mlid)
    for name, fc in (("las.geojson", england.la_geojson), ("msoas.geojson", england.msoa_geojson)):
        write_text(json.dumps(fc, separators=(",", ":")), directory / name)
        rows[name] = len(fc["features"])
    truth: dict[str, Any] = {
        "intercept": england.truth.intercept,
        "coefficients": dict(england.truth.coefficients),
        "variances": dict(england.truth.variances),
        "population_mean": england.truth.population_mean,
    }
    write_json(truth, directory / "truth.json")
    manifest = {
        "generator": "socint.synthetic.generate_england",
        "version": __version__,
        "seed": england.seed,
        "scale": england.scale,
        "survey_size": england.survey_size,
        "rows": rows,
        "note": "Synthetic data: invented areas and people, not real statistics.",
    }
    write_json(manifest, directory / "manifest.json")
    return directory


__all__ = ["MLID_FILENAME", "TRUTH_LA_FILENAME", "write_england"]
