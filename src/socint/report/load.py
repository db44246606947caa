"""Gather :class:`SiteInputs` from a folder of index outputs and the store.

``socint index`` (``socint.composite``) writes its outputs to one folder; ``socint report``
reads them back with :func:`load_site_inputs`. Only ``la_index.csv`` is required; every other
file is optional and its page section says "not available" when it is absent:

=========================== ===========================================================
file                        content
=========================== ===========================================================
``la_index.csv``            the LA index (``socint.composite`` contract)
``la_boundaries.geojson``   LA polygons (else ``la_index.geojson``, else the store)
``msoa_index.csv``          the MSOA index
``msoa_boundaries.geojson`` MSOA polygons (else ``msoa_index.geojson``): the MSOA map
``model_summary.csv``       ``GlmmResult.tidy()`` / summary table (or ``model.csv``)
``model_stats.json``        scalar model statistics (else ``manifest.json``'s ``model``)
``model_comparison.csv``    comparison of the model variants
``margins_<name>.csv``      margins by ``sex``, ``age``, ``ethnicity``, ``nssec``, ``income``
``interaction.csv``         predicted trust by ``div_decile`` × ``poor_english``
``la_decomposition.csv``    trust decomposition per LA (or ``decomposition.csv``)
``change.csv``              change between vintages per LA
``validation.csv``          validation table
``synthetic_truth_la.csv``  ``lad_code``, ``true_trust`` (synthetic England)
``manifest.json``           run manifest
=========================== ===========================================================
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import InputDataError, SchemaError
from socint.report.adapters import margins_from_glmm
from socint.report.figures import MARGIN_TITLES
from socint.report.inputs import SiteInputs

#: Where the LA boundaries are looked for in an index folder, in order.
BOUNDARY_FILES = ("la_boundaries.geojson", "la_index.geojson")
#: Where the (optional) MSOA boundaries are looked for, in order.
MSOA_BOUNDARY_FILES = ("msoa_boundaries.geojson", "msoa_index.geojson")


def _csv(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path, dtype={"lad_code": str, "msoa_code": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SchemaError(f"{name} cannot be read as CSV: {exc}", file=path,
                          hint="re-run `socint index` to rewrite the outputs") from exc


def _first_csv(folder: Path, *names: str) -> pd.DataFrame | None:
    """The first of ``names`` present in ``folder``, without a written-out pandas index."""
    for name in names:
        frame = _csv(folder, name)
        if frame is not None:
            unnamed = [c for c in frame.columns if str(c).startswith("Unnamed: ")]
            return frame.drop(columns=unnamed)
    return None


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts of scalars as ``{"a.b": value}`` (model statistics for the table)."""
    if not isinstance(obj, dict):
        return {prefix: obj}
    out: dict[str, Any] = {}
    for key, value in obj.items():
        out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def read_geojson(path: Path) -> dict[str, Any]:
    """Read a GeoJSON file, with a located error when it is not JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path.name} is not valid JSON: {exc}", file=path,
                          hint="pass a GeoJSON FeatureCollection of the LAs") from exc
    if not isinstance(data, dict):
        raise SchemaError(f"{path.name} is not a GeoJSON object", file=path,
                          hint="pass a GeoJSON FeatureCollection of the LAs")
    return data


def boundaries_from_store(store: str | Path | None, dataset: str | None = None
                          ) -> dict[str, Any]:
    """LA polygons from a boundaries dataset in the store, as a FeatureCollection.

    With ``dataset=None`` the store must hold exactly one boundaries dataset at level ``lad``.
    """
    from socint.store import Store

    st = Store(store)
    status = st.status()
    if dataset is None:
        hits = status[(status["kind"] == "boundaries") & (status["level"] == "lad")]
        if len(hits) != 1:
            raise InputDataError(
                f"the store {st.path} holds {len(hits)} LA boundaries datasets "
                f"({', '.join(hits['dataset']) or 'none'})",
                hint="pass --boundaries FILE.geojson, or --boundaries-dataset NAME to choose "
                     "one; ingest ONS LA boundaries with `socint ingest`")
        dataset = str(hits["dataset"].iloc[0])
    frame = st.read(dataset)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature",
         "properties": {"area_code": str(r["area_code"]), "area_name": r.get("area_name")},
         "geometry": r["geometry"]} for r in frame.to_dict("records")]}


def require_index(index_dir: str | Path) -> Path:
    """Check that ``index_dir`` holds ``la_index.csv`` (before looking for boundaries)."""
    folder = Path(index_dir)
    if not (folder / "la_index.csv").is_file():
        raise InputDataError(
            f"{folder} has no la_index.csv, so it is not a folder written by `socint index`",
            file=folder / "la_index.csv",
            hint="make it with `socint index --out FOLDER` (or `socint demo --out FOLDER`) and "
                 "pass that FOLDER to `socint report --index`")
    return folder / "la_index.csv"


def _area_covariates(folder: Path) -> pd.DataFrame | None:
    """``area_covariates.csv`` (per LA), else the LA means of ``inputs/msoa_covariates.csv``
    joined with ``inputs/la_covariates.csv`` (the demo's inputs), else ``None``."""
    direct = _csv(folder, "area_covariates.csv")
    if direct is not None:
        return direct
    msoa = _csv(folder / "inputs", "msoa_covariates.csv")
    if msoa is None or "lad_code" not in msoa.columns:
        return None
    from socint.report.similar import la_covariate_table

    return la_covariate_table(msoa, _csv(folder / "inputs", "la_covariates.csv"))


def load_site_inputs(index_dir: str | Path, *, boundaries: dict[str, Any] | None = None,
                     title: str = "Social Integration Index") -> SiteInputs:
    """Read the outputs of ``socint index`` in ``index_dir`` into :class:`SiteInputs`.

    ``boundaries`` overrides the polygons found in the folder. Raises :class:`InputDataError`
    when ``la_index.csv`` or the boundaries are missing.
    """
    folder = Path(index_dir)
    la = _csv(folder, "la_index_analysis.csv")  # full precision when the index wrote it
    if la is None:
        la = _csv(folder, "la_index.csv")
    if la is None:
        require_index(folder)
        raise AssertionError("unreachable")  # require_index raised
    if boundaries is None:
        for name in BOUNDARY_FILES:
            if (folder / name).is_file():
                boundaries = read_geojson(folder / name)
                break
    if boundaries is None:
        raise InputDataError(
            f"no LA boundaries: none of {', '.join(BOUNDARY_FILES)} in {folder}",
            file=folder, hint="pass --boundaries FILE.geojson or ingest boundaries into the "
                              "store")
    msoa_bounds = None
    msoa = _csv(folder, "msoa_index.csv")
    if msoa is not None:
        for name in MSOA_BOUNDARY_FILES:
            if (folder / name).is_file():
                msoa_bounds = read_geojson(folder / name)
                break
    margins = {}
    for name in MARGIN_TITLES:
        frame = _csv(folder, f"margins_{name}.csv")
        if frame is not None:
            margins[name] = margins_from_glmm(frame, name)
    stats_path = folder / "model_stats.json"
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else {}
    if stats_path.is_file():
        stats = json.loads(stats_path.read_text("utf-8"))
    else:
        stats = _flatten(manifest.get("model", {}))
    return SiteInputs(
        la_index=la, boundaries=boundaries, msoa_index=msoa, msoa_boundaries=msoa_bounds,
        model_summary=_first_csv(folder, "model_summary.csv", "model.csv"),
        model_stats=stats,
        model_comparison=_first_csv(folder, "model_comparison.csv"), margins=margins,
        interaction=_csv(folder, "interaction.csv"),
        decomposition=_first_csv(folder, "la_decomposition.csv", "decomposition.csv"),
        change=_csv(folder, "change.csv"), validation=_csv(folder, "validation.csv"),
        truth=_csv(folder, "synthetic_truth_la.csv"), la_covariates=_area_covariates(folder),
        manifest=manifest, title=title)


__all__ = ["BOUNDARY_FILES", "MSOA_BOUNDARY_FILES", "boundaries_from_store", "load_site_inputs",
           "read_geojson", "require_index"]
