"""Writers of the index: CSVs, GeoJSON, an Excel workbook with a README sheet, and a manifest.

Everything goes through :mod:`socint.io`'s atomic writers (a failed run never leaves a half
written file). CSVs have a fixed column order, sort order and float format, so the same inputs
and seed give byte-identical files. Only area aggregates are written: no respondent-level row
ever reaches an output (the project's disclosure rule), and direct/report-style estimates of
areas under the respondent threshold are withheld (``suppressed`` = True).
"""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socint import io
from socint.composite.run import IndexResult
from socint.report.exports import write_exports
from socint.report.inputs import SYNTHETIC_SOURCES, Source
from socint.report.schema import (
    DECOMPOSITION_SCHEMA,
    LA_SCHEMA,
    LEGACY_NAMES,
    MSOA_SCHEMA,
    publication_table,
)

#: Old column names of ``composite.run`` -> published names. The published column names come
#: from :data:`socint.report.schema.LA_SCHEMA`; until ``composite.run`` produces them itself the
#: mapping below (the schema's :data:`~socint.report.schema.LEGACY_NAMES`) renames
#: ``trust_lower``/``trust_upper`` (90%) to ``trust_lower90``/``trust_upper90``,
#: ``rank_lower``/``rank_upper`` (90%) to ``rank_lower90``/``rank_upper90``, and drops the short
#: ``direct_lower``/``direct_upper`` (copies of ``direct_lower95``/``direct_upper95``).
OLD_NAMES: dict[str, str] = dict(LEGACY_NAMES)
#: Column order of ``la_index.csv`` / ``msoa_index.csv`` (from the schema).
LA_COLUMNS = tuple(c.name for c in LA_SCHEMA)
MSOA_COLUMNS = tuple(c.name for c in MSOA_SCHEMA)


def sources_of(result: IndexResult) -> tuple[Source, ...]:
    """The sources of a run, for the licence text: the synthetic England's when the inputs were
    generated, else each input file (its licence is the supplier's, not asserted here)."""
    srcs = result.inputs.sources
    if result.inputs.truth_la is not None or any("socint.synthetic" in str(v)
                                                  for v in srcs.values()):
        return SYNTHETIC_SOURCES
    return tuple(Source(name, str(v), str(result.inputs.vintage),
                        "as published by the supplier of the file")
                 for name, v in sorted(srcs.items()))


def report_tables(result: IndexResult, n: int = 10) -> dict[str, pd.DataFrame]:
    """The report's tables: top and bottom ``n`` LAs by trust, the most-integrated list."""
    full = publication_table(result.la, LA_SCHEMA)
    la = full[full["trust"].notna()]
    cols = ["lad_code", "lad_name", "trust", "trust_lower90", "trust_upper90", "trust_decile"]
    top = la.sort_values(["trust", "lad_code"], ascending=[False, True]).head(n)[cols]
    bottom = la.sort_values(["trust", "lad_code"], ascending=[True, True]).head(n)[cols]
    mi_cols = ["lad_code", "lad_name", "trust_decile", "edi_decile", "dissimilarity_decile",
               "classification", "p_most_integrated"]
    most = full[full["most_integrated"] | full["fails_segregation_check"]]
    most = most.sort_values(["most_integrated", "edi_decile", "lad_code"],
                            ascending=[False, False, True])[mi_cols]
    return {"top_trust": top.reset_index(drop=True), "bottom_trust": bottom.reset_index(drop=True),
            "most_integrated": most.reset_index(drop=True)}


def manifest(result: IndexResult, files: dict[str, Path]) -> dict[str, Any]:
    """Run manifest: inputs with checksums, versions, seed, settings, outputs with checksums."""
    import scipy

    import socint

    return {
        "socint_version": socint.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__,
        "seed": result.config.seed,
        "settings": result.config.as_dict(),
        "vintage": result.inputs.vintage,
        "inputs": {k: {"source": result.inputs.sources.get(k, "in memory"), "sha256": v}
                   for k, v in result.inputs.checksums().items()},
        "model": result.model_info,
        "outputs": {name: hashlib.sha256(p.read_bytes()).hexdigest()
                    for name, p in sorted(files.items()) if p.suffix in (".csv", ".geojson")},
    }


def write_index(result: IndexResult, out_dir: str | Path) -> dict[str, Path]:
    """Write every output of an index run into ``out_dir``; returns name -> path.

    ``la_index.csv``/``.geojson``/``.xlsx`` and ``msoa_index.csv``/``.geojson`` come from the one
    writer :func:`socint.report.exports.write_exports` (same publication table, schema order,
    rounded; ``la_index_analysis.csv`` keeps full precision).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = report_tables(result)
    decomposition = publication_table(result.decomposition, DECOMPOSITION_SCHEMA)
    settings = pd.DataFrame(
        [("vintage", str(result.inputs.vintage)), ("seed", str(result.config.seed)),
         ("draws", str(result.config.n_draws)), ("trust method", result.config.trust_method),
         ("normalisation", result.config.normalisation),
         ("weights", str(dict(result.config.weights))),
         *[(f"source: {k}", v) for k, v in sorted(result.inputs.sources.items())]],
        columns=["setting", "value"])
    written = write_exports(
        out, result.la, boundaries=result.inputs.la_boundaries, sources=sources_of(result),
        manifest={"socint_version": _version(), "seed": result.config.seed},
        msoa_index=result.msoa, msoa_boundaries=result.inputs.msoa_boundaries,
        extra_sheets={**tables, "decomposition": decomposition, "settings": settings})
    names = {"csv": "la_index", "analysis_csv": "la_index_analysis", "geojson": "la_geojson",
             "xlsx": "xlsx", "msoa_csv": "msoa_index", "msoa_geojson": "msoa_geojson"}
    files: dict[str, Path] = {names[k]: p for k, p in written.items()}
    files["la_decomposition"] = io.write_csv(decomposition, out / "la_decomposition.csv")
    files["la_sensitivity"] = io.write_csv(result.sensitivity_ranks, out / "la_sensitivity.csv")
    for name, tab in tables.items():
        files[name] = io.write_csv(tab, out / f"{name}.csv")
    if result.validation is not None:
        files["validation"] = io.write_csv(result.validation, out / "validation.csv")
    if result.inputs.truth_la is not None:
        truth = result.inputs.truth_la[["lad_code", "true_trust"]].sort_values("lad_code")
        files["synthetic_truth_la"] = io.write_csv(truth, out / "synthetic_truth_la.csv")
    if not result.model_table.empty:
        files["model"] = io.write_csv(result.model_table, out / "model.csv", index=True)
    files["manifest"] = io.write_json(manifest(result, files), out / "manifest.json")
    return files


def _version() -> str:
    import socint

    return str(socint.__version__)


__all__ = ["LA_COLUMNS", "MSOA_COLUMNS", "OLD_NAMES", "manifest", "report_tables", "sources_of",
           "write_index"]
