"""Write the synthetic England to a folder: CSV and GeoJSON files plus ``manifest.json``.

The LSOA ethnic counts are written twice: in socint's long counts layout
(``ethnicity_lsoa.csv``) and in the layout of the official MLID file
(``ethnicity_2011_lsoa_ew.csv``, quoted like the original), so that the real reader
(:func:`socint.data.census2011.read_census2011_ethnicity_small_area`) and ``socint ingest`` load
it as they would load the Census file.

Disclosure rule: respondent-level rows never leave memory by default. The survey microdata
(``survey.csv``, one row per respondent) and the finite population (``population.csv``) are
written only when asked for explicitly (``include_survey=True`` / ``include_population=True``;
the CLI's ``--write-inputs``). They are synthetic, but the demo's outputs must follow the rule
real survey data would: see ``docs/synthetic.md``.
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


SURVEY_FILENAME = "survey.csv"


def _tables(england: SyntheticEngland, include_population: bool,
            include_survey: bool) -> dict[str, pd.DataFrame]:
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
        TRUTH_LA_FILENAME: truth.true_trust_la[["lad_code", "true_trust"]],
        "synthetic_truth_msoa.csv": truth.true_trust_msoa,
        "ranef_msoa.csv": truth.ranef_msoa,
        "ranef_la.csv": truth.ranef_la,
    }
    if include_survey:
        tables[SURVEY_FILENAME] = england.survey
    if include_population:
        tables["population.csv"] = england.population
    return tables


def write_england(england: SyntheticEngland, directory: Path, *,
                  include_population: bool = False, include_survey: bool = False) -> Path:
    """Write the tables of ``england`` into ``directory`` (created if needed).

    Respondent-level files (``survey.csv``, ``population.csv``) are written only when
    ``include_survey`` / ``include_population`` ask for them (the disclosure rule above).
    """
    directory.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    # Every file is written atomically (socint.io): an interrupted run leaves no torn file.
    for name, frame in _tables(england, include_population, include_survey).items():
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
        "respondent_level_files": sorted(n for n in rows
                                         if n in (SURVEY_FILENAME, "population.csv")),
        "note": "Synthetic data: invented areas and people, not real statistics. Respondent-"
                "level rows (survey.csv, population.csv) are written only when explicitly "
                "asked for (--write-inputs).",
    }
    write_json(manifest, directory / "manifest.json")
    return directory


__all__ = ["MLID_FILENAME", "SURVEY_FILENAME", "TRUTH_LA_FILENAME", "write_england"]
