"""What the dashboard is built from: one explicit, validated, frozen bundle of index outputs.

The site builder never reads the store or re-runs a model itself: ``socint.pipeline`` (or
:func:`socint.report.load.load_site_inputs` for a folder written by ``socint index``) gathers the
outputs of ``socint.composite`` and ``socint.models`` into a :class:`SiteInputs`, and
:func:`validate_inputs` checks them before anything is written, so that a bad input fails with a
message naming the table, 1-based row, column and area code instead of a broken page.

The LA table follows the ``la_index.csv`` contract of ``socint.composite`` (issue 5); the measures
are those of the Social Integration Index (Bright Blue 2019, *Distant neighbours?*).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from socint.errors import InputDataError, SchemaError, _preview
from socint.report.schema import current_names

#: Columns every ``la_index`` table must carry (the ``socint.composite`` contract).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "lad_code", "lad_name", "n_respondents", "trust", "trust_lower90", "trust_upper90",
    "trust_decile", "edi", "edi_decile", "dissimilarity", "dissimilarity_decile", "composite",
    "rank", "rank_lower90", "rank_upper90", "p_top_decile", "most_integrated", "suppressed",
)

#: Columns used when present (profile pages show "not available" otherwise).
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "region_code", "region_name", "direct", "direct_lower95", "direct_upper95", "direct_lower90",
    "direct_upper90", "imd_score", "imd_decile", "deprivation", "p_most_integrated",
    "composite_decile", "fails_segregation_check", "classification", "classification_reason",
)

#: Numeric columns that must lie in [0, 1] when present.
_PROBABILITIES = ("trust", "trust_lower90", "trust_upper90", "edi", "p_top_decile", "direct",
                  "direct_lower95", "direct_upper95", "direct_lower90", "direct_upper90",
                  "p_most_integrated")
_DECILES = ("trust_decile", "edi_decile", "dissimilarity_decile", "imd_decile",
            "composite_decile")
_NUMERIC = ("n_respondents", "trust", "trust_lower90", "trust_upper90", "trust_decile", "edi",
            "edi_decile", "dissimilarity", "dissimilarity_decile", "composite", "rank",
            "rank_lower90", "rank_upper90", "p_top_decile", "direct", "direct_lower95",
            "direct_upper95",
            "direct_lower90", "direct_upper90", "imd_score", "imd_decile", "deprivation",
            "p_most_integrated", "composite_decile")
#: Area codes become file names (``la/<code>.html``): keep them to safe characters.
_SAFE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_MARGIN_COLUMNS = ("value", "estimate", "lower", "upper")
_INTERACTION_COLUMNS = ("div_decile", "poor_english", "estimate", "lower", "upper")
_DECOMPOSITION_COLUMNS = ("lad_code", "composition", "context", "own_effect")
_CHANGE_COLUMNS = ("lad_code", "trust_change", "change_lower", "change_upper")


@dataclass(frozen=True)
class Source:
    """One data source shown on the methodology page (with its licence and attribution)."""

    name: str
    publisher: str
    vintage: str
    licence: str
    attribution: str = ""
    url: str = ""


#: Sources of the real-data pipeline; the demo replaces them with the synthetic England.
DEFAULT_SOURCES: tuple[Source, ...] = (
    Source("Census 2011 ethnic group (QS201EW, KS201EW)", "Office for National Statistics",
           "2011", "Open Government Licence v3.0",
           "Source: Office for National Statistics licensed under the Open Government Licence "
           "v3.0."),
    Source("English Indices of Deprivation", "Ministry of Housing, Communities & Local "
           "Government", "2015, 2019", "Open Government Licence v3.0",
           "Contains public sector information licensed under the Open Government Licence v3.0."),
    Source("Local authority boundaries (super-generalised)", "Office for National Statistics",
           "2014-2025", "Open Government Licence v3.0",
           "Source: Office for National Statistics licensed under the OGL v3.0. Contains OS "
           "data © Crown copyright and database right."),
)


#: Sources of ``socint demo`` (every table is generated; nothing official is shown).
SYNTHETIC_SOURCES: tuple[Source, ...] = (
    Source("socint synthetic England (geography, census-like counts, survey)", "socint",
           "generated", "MIT (generated data, no official statistics)",
           "Synthetic data for demonstration: not real areas or people."),
    Source("Trust model parameters", "Bright Blue (2019), Distant neighbours?, Model 3",
           "2019", "Published figures, cited", "Odds ratios from the report's Tables 3-4."),
)


@dataclass(frozen=True)
class SiteInputs:
    """Everything the dashboard shows, gathered by the pipeline.

    Parameters
    ----------
    la_index
        One row per LA with :data:`REQUIRED_COLUMNS` (and any of :data:`OPTIONAL_COLUMNS`).
    boundaries
        GeoJSON FeatureCollection of the LAs (lon/lat); each feature's properties carry
        ``area_code`` (or ``lad_code``) and optionally ``area_name``.
    msoa_index
        Optional MSOA table (``msoa_code``, ``msoa_name``, ``lad_code``, ``trust``…), exported
        and summarised on profile pages.
    msoa_boundaries
        Optional GeoJSON FeatureCollection of the MSOAs (needs ``msoa_index``): adds the
        England-wide MSOA map page ``msoa.html``.
    model_summary
        Optional model table (``term``, ``odds_ratio``, ``se``, ``p`` …), e.g.
        ``GlmmResult.tidy()``; rendered as given.
    model_stats
        Optional scalar model statistics (variances, ICC, AIC, BIC, log-likelihood, n).
    model_comparison
        Optional comparison table of the model variants (``socint.models`` compare).
    margins
        Predicted probability of trust by covariate: name (``sex``, ``age``, ``ethnicity``,
        ``nssec``, ``income``) -> frame with ``value``, ``estimate``, ``lower``, ``upper``.
    interaction
        Predicted trust by ``div_decile`` × ``poor_english`` with ``estimate``/``lower``/``upper``.
    decomposition
        Per LA: ``lad_code``, ``composition``, ``context``, ``own_effect`` (probability-scale
        contributions to predicted trust, ``socint.estimates`` decomposition).
    change
        Per LA change between vintages: ``lad_code``, ``trust_change``, ``change_lower``,
        ``change_upper`` (and optionally ``vintage_from``/``vintage_to``).
    validation
        Optional validation table (method, correlation, RMSE, coverage…), rendered as given.
    truth
        Optional ``lad_code``, ``true_trust`` (synthetic England only) for the validation figure.
    la_covariates
        Optional per-LA table of the model's area covariates (``lad_code`` + numeric columns,
        e.g. the LA means of the MSOA covariates and ``wb_change``): each profile lists the
        nearest LAs on them (:mod:`socint.report.similar`).
    postcodes
        Optional postcode lookup (``postcode``, ``lad_code``, optionally ``msoa_code``; read
        from an ONS Postcode Directory file by :func:`socint.report.search.read_postcode_lookup`):
        the search box then accepts postcodes, offline.
    area_notes
        Optional ``lad_code`` -> a sentence shown at the top of that LA's profile (e.g. which
        2021 districts a 2023 LA merges and how its figures were combined).
    manifest
        The run manifest (inputs with checksums, versions, seed, settings).
    sources
        Data sources with vintages and licences for the methodology page.
    title
        Site title.
    """

    la_index: pd.DataFrame
    boundaries: Mapping[str, Any]
    msoa_index: pd.DataFrame | None = None
    msoa_boundaries: Mapping[str, Any] | None = None
    model_summary: pd.DataFrame | None = None
    model_stats: Mapping[str, Any] = field(default_factory=dict)
    model_comparison: pd.DataFrame | None = None
    margins: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    interaction: pd.DataFrame | None = None
    decomposition: pd.DataFrame | None = None
    change: pd.DataFrame | None = None
    validation: pd.DataFrame | None = None
    truth: pd.DataFrame | None = None
    la_covariates: pd.DataFrame | None = None
    postcodes: pd.DataFrame | None = None
    area_notes: Mapping[str, str] = field(default_factory=dict)
    manifest: Mapping[str, Any] = field(default_factory=dict)
    sources: Sequence[Source] = DEFAULT_SOURCES
    title: str = "Social Integration Index"


def _need_columns(frame: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{table} is missing column(s) {_preview(missing)}; it has {_preview(frame.columns)}",
            file=table, column=missing[0],
            hint=f"{table} needs the columns {', '.join(columns)}")


def _check_numeric(frame: pd.DataFrame, column: str, table: str, code_col: str | None) -> None:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(
            f"{table}: {column} is {frame[column].iloc[i]!r}, not a number", file=table,
            row=i + 1, column=column,
            code=str(frame[code_col].iloc[i]) if code_col else None,
            hint=f"give {column} as a number (leave it empty when unknown)")


def _check_range(frame: pd.DataFrame, column: str, lo: float, hi: float, table: str) -> None:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.notna() & ((values < lo) | (values > hi))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(
            f"{table}: {column} is {float(values.iloc[i])!r}, outside [{lo:g}, {hi:g}]", file=table,
            row=i + 1, column=column, code=str(frame["lad_code"].iloc[i]),
            hint=f"{column} must lie between {lo:g} and {hi:g}")


def _check_la_index(la: pd.DataFrame) -> None:
    table = "la_index"
    _need_columns(la, REQUIRED_COLUMNS, table)
    if la.empty:
        raise InputDataError("la_index has no rows", file=table,
                             hint="run `socint index` (or the demo) to produce the index first")
    for i, code in enumerate(la["lad_code"]):
        if not isinstance(code, str) or not _SAFE_CODE.match(code):
            raise InputDataError(
                f"la_index: lad_code {code!r} is not a usable area code", file=table, row=i + 1,
                column="lad_code", hint="area codes are letters, digits, '-' or '_' (e.g. "
                                       "E06000019)")
    dup = la["lad_code"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputDataError(f"la_index: lad_code {la['lad_code'].iloc[i]} appears twice",
                             file=table, row=i + 1, column="lad_code",
                             code=str(la["lad_code"].iloc[i]),
                             hint="keep one row per local authority")
    for i, name in enumerate(la["lad_name"]):
        if not isinstance(name, str) or not name.strip():
            raise InputDataError(f"la_index: lad_name is {name!r}", file=table, row=i + 1,
                                 column="lad_name", code=str(la["lad_code"].iloc[i]),
                                 hint="give every LA its name")
    for col in _NUMERIC:
        if col in la.columns:
            _check_numeric(la, col, table, "lad_code")
    for col in _PROBABILITIES:
        if col in la.columns:
            _check_range(la, col, 0.0, 1.0, table)
    for col in _DECILES:
        if col in la.columns:
            _check_range(la, col, 1.0, 10.0, table)
    lo, est, hi = (pd.to_numeric(la[c], errors="coerce")
                   for c in ("trust_lower90", "trust", "trust_upper90"))
    bad = (lo > est + 1e-12) | (est > hi + 1e-12)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(
            f"la_index: interval [{lo.iloc[i]}, {hi.iloc[i]}] does not contain trust "
            f"{est.iloc[i]}", file=table, row=i + 1, column="trust",
            code=str(la["lad_code"].iloc[i]), hint="check trust_lower90 <= trust <= trust_upper90")
    for col in ("most_integrated", "suppressed", "fails_segregation_check"):
        if col not in la.columns:
            continue
        ok = la[col].map(lambda v: isinstance(v, bool) or v in (0, 1, "True", "False"))
        if not ok.all():
            i = int((~ok).to_numpy().nonzero()[0][0])
            raise InputDataError(f"la_index: {col} is {la[col].iloc[i]!r}, not true/false",
                                 file=table, row=i + 1, column=col,
                                 code=str(la["lad_code"].iloc[i]), hint="use True or False")


#: Property names of an area code, by level, tried in order; then ONS-style names
#: (``LAD19CD``, ``ltla19_code``, ``MSOA11CD``, ``msoa11_code``).
_CODE_KEYS = {"lad": ("area_code", "lad_code", "lad_code", "areacd"),
              "msoa": ("msoa_code", "area_code", "areacd")}
_ONS_CODE_KEY = {"lad": re.compile(r"^(lad|ltla)\d{0,2}_?(cd|code)$", re.IGNORECASE),
                 "msoa": re.compile(r"^msoa\d{0,2}_?(cd|code)$", re.IGNORECASE)}


def feature_code(feature: Mapping[str, Any], level: str = "lad") -> str | None:
    """The area code of a GeoJSON feature of ``level`` (``lad`` or ``msoa``): ``area_code``,
    ``lad_code``/``msoa_code``, ``areacd``, or an ONS property such as ``LAD19CD``."""
    props = feature.get("properties") or {}
    for key in _CODE_KEYS[level]:
        if props.get(key):
            return str(props[key])
    for key, value in props.items():
        if value and _ONS_CODE_KEY[level].match(str(key)):
            return str(value)
    return None


def _check_ring(ring: Any) -> bool:
    if not isinstance(ring, list) or len(ring) < 4:
        return False
    for pt in ring:
        if not (isinstance(pt, list | tuple) and len(pt) >= 2):
            return False
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in pt[:2]):
            return False
    return True


def _check_geometry(geom: Any) -> bool:
    if not isinstance(geom, Mapping):
        return False
    polys: Any
    if geom.get("type") == "Polygon":
        polys = [geom.get("coordinates")]
    elif geom.get("type") == "MultiPolygon":
        polys = geom.get("coordinates")
    else:
        return False
    if not isinstance(polys, list) or not polys:
        return False
    return all(isinstance(p, list) and p and all(_check_ring(r) for r in p) for p in polys)


def _check_boundaries(boundaries: Mapping[str, Any], codes: pd.Series,
                      table: str = "boundaries", index: str = "la_index",
                      level: str = "lad") -> None:
    feats = boundaries.get("features") if isinstance(boundaries, Mapping) else None
    if boundaries.get("type") != "FeatureCollection" or not isinstance(feats, list):
        raise SchemaError(f"{table} is not a GeoJSON FeatureCollection", file=table,
                          hint="pass the LA polygons as {'type': 'FeatureCollection', "
                               "'features': [...]}")
    seen: set[str] = set()
    for i, feat in enumerate(feats):
        code = feature_code(feat, level)
        if code is None:
            raise SchemaError(f"{table}: a feature has no area_code property", file=table,
                              row=i + 1, column="area_code",
                              hint="each feature needs properties.area_code")
        if code in seen:
            raise InputDataError(f"{table}: area {code} has two features", file=table,
                                 row=i + 1, code=code, hint="dissolve to one feature per area")
        seen.add(code)
        if not _check_geometry(feat.get("geometry")):
            kind = (feat.get("geometry") or {}).get("type")
            raise InputDataError(
                f"{table}: the geometry of {code} is not a valid Polygon/MultiPolygon "
                f"(type {kind!r})", file=table, row=i + 1, code=code,
                hint="rings need at least 4 [lon, lat] positions with finite numbers")
    wanted = set(codes)
    missing = sorted(wanted - seen)
    if missing:
        raise InputDataError(
            f"{table}: no polygon for {len(missing)} area(s) of {index}: {_preview(missing)}",
            file=table, code=missing[0],
            hint="use boundaries of the same vintage as the index (recode old area codes)")
    extra = sorted(seen - wanted)
    if extra:
        raise InputDataError(
            f"{table}: {len(extra)} polygon(s) for area(s) not in {index}: {_preview(extra)}",
            file=table, code=extra[0],
            hint="use boundaries of the same vintage as the index, or drop the other areas")


def _check_frame(frame: pd.DataFrame | None, columns: Sequence[str], table: str,
                 codes: pd.Series | None = None) -> None:
    if frame is None:
        return
    _need_columns(frame, columns, table)
    for col in columns:
        if col not in ("lad_code", "value", "poor_english"):
            _check_numeric(frame, col, table, "lad_code" if "lad_code" in frame else None)
    if codes is not None and "lad_code" in frame.columns:
        unknown = sorted(set(frame["lad_code"].astype(str)) - set(codes))
        if unknown:
            i = int((frame["lad_code"].astype(str) == unknown[0]).to_numpy().nonzero()[0][0])
            raise InputDataError(f"{table}: lad_code {unknown[0]} is not in la_index",
                                 file=table, row=i + 1, column="lad_code", code=unknown[0],
                                 hint="build every table from the same LA set")


def current_inputs(inputs: SiteInputs) -> SiteInputs:
    """``inputs`` with the LA and MSOA tables under the schema's column names (legacy names
    such as ``trust_lower`` -> ``trust_lower90``, :data:`socint.report.schema.LEGACY_NAMES`)."""
    msoa = None if inputs.msoa_index is None else current_names(inputs.msoa_index)
    return replace(inputs, la_index=current_names(inputs.la_index), msoa_index=msoa)


def validate_inputs(inputs: SiteInputs) -> None:
    """Check a :class:`SiteInputs` bundle; raise a located, fixable error at the first fault.

    Raises
    ------
    SchemaError
        A table lacks required columns, or the boundaries are not a FeatureCollection.
    InputDataError
        Values are out of range, duplicated, not numbers, or the LA sets do not match.
    """
    inputs = current_inputs(inputs)
    la = inputs.la_index
    _check_la_index(la)
    codes = la["lad_code"].astype(str)
    _check_boundaries(inputs.boundaries, codes)
    for name, frame in inputs.margins.items():
        _check_frame(frame, _MARGIN_COLUMNS, f"margins[{name}]")
    _check_frame(inputs.interaction, _INTERACTION_COLUMNS, "interaction")
    _check_frame(inputs.decomposition, _DECOMPOSITION_COLUMNS, "decomposition", codes)
    _check_frame(inputs.change, _CHANGE_COLUMNS, "change", codes)
    _check_frame(inputs.truth, ("lad_code", "true_trust"), "truth", codes)
    if inputs.la_covariates is not None:
        _check_frame(inputs.la_covariates, ("lad_code",), "la_covariates", codes)
    if inputs.postcodes is not None:
        _need_columns(inputs.postcodes, ("postcode", "lad_code"), "postcodes")
    if inputs.msoa_index is not None:
        msoa = inputs.msoa_index
        _need_columns(msoa, ("msoa_code", "lad_code", "trust"), "msoa_index")
        _check_frame(msoa[["lad_code"]], (), "msoa_index", codes)
        _check_numeric(msoa, "trust", "msoa_index", None)
        if inputs.msoa_boundaries is not None:
            for i, code in enumerate(msoa["msoa_code"]):
                if not isinstance(code, str) or not _SAFE_CODE.match(code):
                    raise InputDataError(f"msoa_index: msoa_code {code!r} is not a usable code",
                                         file="msoa_index", row=i + 1, column="msoa_code",
                                         hint="area codes are letters, digits, '-' or '_'")
            _check_boundaries(inputs.msoa_boundaries, msoa["msoa_code"].astype(str),
                              "msoa_boundaries", "msoa_index", "msoa")
    elif inputs.msoa_boundaries is not None:
        raise InputDataError("msoa_boundaries were given without msoa_index",
                             file="msoa_boundaries",
                             hint="pass the MSOA index table too, or drop the MSOA boundaries")


__all__ = [
    "DEFAULT_SOURCES",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SYNTHETIC_SOURCES",
    "SiteInputs",
    "Source",
    "current_inputs",
    "feature_code",
    "validate_inputs",
]
