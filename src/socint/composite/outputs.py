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

#: Column order of ``la_index.csv`` (the published table); extra columns follow.
LA_COLUMNS = (
    "lad_code", "lad_name", "region_code", "region_name", "n_respondents", "suppressed", "sampled",
    "trust", "trust_se", "trust_lower", "trust_upper", "trust_lower95", "trust_upper95",
    "trust_decile", "edi", "edi_decile", "dissimilarity", "dissimilarity_decile", "deprivation",
    "composite", "rank", "rank_lower", "rank_upper", "rank_median", "p_top_decile",
    "p_most_integrated", "rank_volatility", "most_integrated", "fails_segregation_check",
    "classification", "composite_note",
    "mrp", "mrp_se", "mrp_lower90", "mrp_upper90", "mrp_lower95", "mrp_upper95",
    "report_point", "report", "report_se", "report_lower90", "report_upper90",
    "direct", "direct_se", "direct_lower", "direct_upper", "direct_lower90", "direct_upper90",
)
MSOA_COLUMNS = (
    "msoa_code", "msoa_name", "lad_code", "n_respondents", "suppressed", "sampled", "trust",
    "trust_se", "trust_lower", "trust_upper", "trust_lower95", "trust_upper95", "trust_decile",
    "edi", "edi_decile", "dissimilarity", "dissimilarity_decile", "composite", "rank",
    "rank_lower", "rank_upper", "rank_median", "p_top_decile", "p_most_integrated",
    "most_integrated", "fails_segregation_check", "classification",
    "composite_note", "report_point", "direct", "direct_lower90", "direct_upper90",
)
#: The MSOA sheet of the workbook keeps the headline columns (the CSV has them all).
XLSX_MSOA_COLUMNS = ("msoa_code", "msoa_name", "lad_code", "n_respondents", "suppressed", "trust",
                     "trust_lower", "trust_upper", "trust_decile", "edi", "dissimilarity",
                     "composite", "rank")

README_ROWS = (
    ("trust", "Predicted share of adults who say most people in their neighbourhood can be "
     "trusted (MRP: model-based prediction for the area's census population); *_lower/*_upper "
     "is the 90% simulation interval, *_lower95/*_upper95 the 95% one."),
    ("trust_decile, edi_decile, dissimilarity_decile", "Deciles among the areas, 10 = highest "
     "tenth (rule: floor(10 (r-1)/n)+1 with r the ascending rank)."),
    ("edi", "Ethnic Diversity Index: Simpson's index, probability that two random residents "
     "belong to different ethnic groups (Bright Blue 2019)."),
    ("dissimilarity", "Index of Dissimilarity (0-100), White British vs all others across "
     "small areas (Duncan & Duncan 1955)."),
    ("most_integrated", "Top two deciles of EDI and top five of trust, confirmed by the bottom "
     "five deciles of dissimilarity (Bright Blue 2019); fails_segregation_check flags those "
     "that pass the first two tests only."),
    ("composite, rank", "Weighted mean of rank-normalised trust, EDI and (reversed) "
     "dissimilarity, equal weights by default; rank 1 = most integrated."),
    ("rank_lower, rank_upper, p_top_decile, p_most_integrated", "From the simulation draws of "
     "trust: 90% rank interval, probability of the top composite decile and of the "
     "most-integrated class."),
    ("n_respondents, suppressed", "Survey respondents in the area; direct and report-style "
     "estimates of areas with fewer than the threshold (default 10) are withheld."),
    ("direct", "Share of respondents trusting most neighbours; direct_lower/direct_upper = "
     "Wilson 95% interval (direct_lower90/direct_upper90: 90%)."),
    ("report", "Report-style estimate: mean model prediction over the area's respondents, "
     "conditional on its random effects (Bright Blue 2019)."),
    ("Sources", "Census 2011 (ONS, Open Government Licence v3.0) or socint's synthetic England; "
     "trust model: Bright Blue (2019) Model 3."),
)


def _ordered(frame: pd.DataFrame, first: tuple[str, ...]) -> pd.DataFrame:
    cols = [c for c in first if c in frame.columns]
    return frame[cols + [c for c in frame.columns if c not in cols]]


def report_tables(result: IndexResult, n: int = 10) -> dict[str, pd.DataFrame]:
    """The report's tables: top and bottom ``n`` LAs by trust, the most-integrated list."""
    la = result.la[result.la["trust"].notna()]
    cols = ["lad_code", "lad_name", "trust", "trust_lower", "trust_upper", "trust_decile"]
    top = la.sort_values(["trust", "lad_code"], ascending=[False, True]).head(n)[cols]
    bottom = la.sort_values(["trust", "lad_code"], ascending=[True, True]).head(n)[cols]
    mi_cols = ["lad_code", "lad_name", "trust_decile", "edi_decile", "dissimilarity_decile",
               "classification", "p_most_integrated"]
    most = result.la[result.la["most_integrated"] | result.la["fails_segregation_check"]]
    most = most.sort_values(["most_integrated", "edi_decile", "lad_code"],
                            ascending=[False, False, True])[mi_cols]
    return {"top_trust": top.reset_index(drop=True), "bottom_trust": bottom.reset_index(drop=True),
            "most_integrated": most.reset_index(drop=True)}


def _geojson(collection: dict[str, Any], table: pd.DataFrame, key: str) -> dict[str, Any]:
    rows = table.set_index(key)
    feats = []
    for f in collection.get("features", []):
        code = f.get("properties", {}).get("area_code")
        if code not in rows.index:
            continue
        props: dict[str, Any] = {**f.get("properties", {}), key: code}
        for c, v in rows.loc[code].items():
            if isinstance(v, (float, np.floating)):
                props[str(c)] = None if not np.isfinite(v) else float(v)
            elif isinstance(v, (np.integer, int)) and not isinstance(v, bool):
                props[str(c)] = int(v)
            elif v is pd.NA or v is None:
                props[str(c)] = None
            elif isinstance(v, (np.bool_, bool)):
                props[str(c)] = bool(v)
            else:
                props[str(c)] = str(v)
        feats.append({"type": "Feature", "properties": props, "geometry": f.get("geometry")})
    return {"type": "FeatureCollection", "features": feats}


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
    """Write every output of an index run into ``out_dir``; returns name → path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    la = _ordered(result.la.sort_values("lad_code"), LA_COLUMNS).reset_index(drop=True)
    msoa = _ordered(result.msoa.sort_values("msoa_code"), MSOA_COLUMNS).reset_index(drop=True)
    files: dict[str, Path] = {
        "la_index": io.write_csv(la, out / "la_index.csv"),
        "msoa_index": io.write_csv(msoa, out / "msoa_index.csv"),
        "la_decomposition": io.write_csv(result.decomposition, out / "la_decomposition.csv"),
        "la_sensitivity": io.write_csv(result.sensitivity_ranks, out / "la_sensitivity.csv"),
    }
    tables = report_tables(result)
    for name, tab in tables.items():
        files[name] = io.write_csv(tab, out / f"{name}.csv")
    if result.validation is not None:
        files["validation"] = io.write_csv(result.validation, out / "validation.csv")
    if result.inputs.truth_la is not None:
        truth = result.inputs.truth_la[["lad_code", "true_trust"]].sort_values("lad_code")
        files["synthetic_truth_la"] = io.write_csv(truth, out / "synthetic_truth_la.csv")
    if not result.model_table.empty:
        files["model"] = io.write_csv(result.model_table, out / "model.csv", index=True)
    if result.inputs.la_boundaries is not None:
        files["la_geojson"] = io.write_json(_geojson(result.inputs.la_boundaries, la, "lad_code"),
                                            out / "la_index.geojson")
    if result.inputs.msoa_boundaries is not None:
        files["msoa_geojson"] = io.write_json(
            _geojson(result.inputs.msoa_boundaries, msoa, "msoa_code"), out / "msoa_index.geojson")
    files["xlsx"] = _write_xlsx(result, la, msoa, tables, out / "la_index.xlsx")
    files["manifest"] = io.write_json(manifest(result, files), out / "manifest.json")
    return files


def _write_xlsx(result: IndexResult, la: pd.DataFrame, msoa: pd.DataFrame,
                tables: dict[str, pd.DataFrame], path: Path) -> Path:
    readme = pd.DataFrame(README_ROWS, columns=["column", "definition"])
    settings = pd.DataFrame(
        [("vintage", str(result.inputs.vintage)), ("seed", str(result.config.seed)),
         ("draws", str(result.config.n_draws)), ("trust method", result.config.trust_method),
         ("normalisation", result.config.normalisation),
         ("weights", str(dict(result.config.weights))),
         *[(f"source: {k}", v) for k, v in sorted(result.inputs.sources.items())]],
        columns=["column", "definition"])
    readme = pd.concat([readme, settings], ignore_index=True)
    with io.atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        readme.to_excel(xl, sheet_name="README", index=False)
        la.to_excel(xl, sheet_name="la_index", index=False)
        msoa[[c for c in XLSX_MSOA_COLUMNS if c in msoa.columns]].to_excel(
            xl, sheet_name="msoa_index", index=False)
        for name, tab in tables.items():
            tab.to_excel(xl, sheet_name=name, index=False)
        result.decomposition.to_excel(xl, sheet_name="decomposition", index=False)
        if result.validation is not None:
            result.validation.to_excel(xl, sheet_name="validation", index=False)
    return path


__all__ = ["LA_COLUMNS", "MSOA_COLUMNS", "manifest", "report_tables", "write_index"]
