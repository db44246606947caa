"""Context of each page template: everything is turned into display strings here, and the
templates (Jinja2 with autoescaping on) only place them, so every area name and value reaches
the browser HTML-escaped (or, in the map's JSON data island, ``<``/``>``/``&`` escaped by
Jinja's ``tojson``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from socint.report.context import (
    TABLE_SIZE,
    change_rows,
    classification_reason,
    comparisons,
    decomposition_rows,
    fmt,
    report_tables,
    short_reason,
    table_places,
)
from socint.report.definitions import MEASURES, REFERENCES
from socint.report.figures import FigureInfo
from socint.report.inputs import SiteInputs
from socint.report.mappages import map_page
from socint.report.palette import CLASS_LABELS
from socint.report.schema import LA_SCHEMA, MSOA_SCHEMA, publication_table
from socint.report.similar import N_SIMILAR, nearest_areas

#: Rankings table columns: (column, header, sort kind).
RANKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("lad_name", "Local authority", "text"),
    ("region_name", "Region", "text"),
    ("rank", "Rank", "num"),
    ("rank_interval", "Rank, 90% interval", "num"),
    ("composite", "Composite score", "num"),
    ("trust", "Predicted trust", "num"),
    ("trust_interval", "Trust, 90% interval", "num"),
    ("trust_decile", "Trust decile", "num"),
    ("edi", "Diversity (EDI)", "num"),
    ("edi_decile", "EDI decile", "num"),
    ("dissimilarity", "Segregation (ID)", "num"),
    ("dissimilarity_decile", "ID decile", "num"),
    ("p_top_decile", "P(top decile) of the composite index", "num"),
    ("most_integrated", "Most integrated?", "text"),
    ("n_respondents", "Survey respondents", "num"),
)
_FORMATS = {"composite": "num3", "trust": "pct", "edi": "num3", "dissimilarity": "num1",
            "p_top_decile": "prob", "n_respondents": "int", "rank": "int",
            "trust_decile": "int", "edi_decile": "int", "dissimilarity_decile": "int"}


def interval_bar(lo: Any, est: Any, hi: Any, scale: tuple[float, float]) -> dict[str, Any] | None:
    """An inline SVG interval bar on ``scale`` (attributes only: the CSP forbids inline
    styles): x/width of the interval and x of the estimate in a 0-100 viewBox."""
    vals = [_num(v) for v in (lo, est, hi)]
    if any(v is None for v in vals) or scale[1] <= scale[0]:
        return None
    a, e, b = ((v - scale[0]) / (scale[1] - scale[0]) * 100 for v in vals)  # type: ignore[operator]
    return {"x": f"{a:.1f}", "w": f"{max(b - a, 0.5):.1f}", "e": f"{e:.1f}"}


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


#: Columns of a model table shown in the report's Tables 3-4 style, with their headers.
SUMMARY_COLUMNS: dict[str, str] = {
    "term": "term", "odds_ratio": "odds ratio", "or_low": "OR 95% CI low",
    "or_high": "OR 95% CI high", "std_error": "SE (log-odds)", "se": "SE", "p_value": "p",
    "p": "p",
}
_P_COLUMNS = ("p", "p_value", "p-value", "pvalue")


def summary_frame(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """A ``GlmmResult.tidy()`` table cut to the report's columns (OR, CI, SE, p) when it has
    ``term`` and ``odds_ratio``; any other table is returned as given."""
    if frame is None or not {"term", "odds_ratio"} <= set(frame.columns):
        return frame
    cols = [c for c in SUMMARY_COLUMNS if c in frame.columns]
    return frame[cols].rename(columns=SUMMARY_COLUMNS)


def _cell(value: Any) -> str:
    """Generic table cell: floats to 4 significant digits."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int) and not isinstance(value, bool):
        v = float(value)
        if not math.isfinite(v):
            return ""
        if isinstance(value, int) or (v.is_integer() and abs(v) >= 1000):
            return f"{v:,.0f}"
        return f"{v:.4g}"
    if hasattr(value, "item"):
        return _cell(value.item())
    return str(value)


def frame_table(frame: pd.DataFrame | None) -> dict[str, Any] | None:
    """A DataFrame as ``{"columns", "rows"}`` of display strings (``None`` stays ``None``)."""
    if frame is None:
        return None
    is_p = [str(c).lower() in _P_COLUMNS for c in frame.columns]
    rows = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for p, v in zip(is_p, row, strict=True):
            small = p and isinstance(v, float | int) and not isinstance(v, bool) and 0 <= v < 1e-3
            cells.append("<0.001" if small else _cell(v))
        rows.append(cells)
    return {"columns": [str(c) for c in frame.columns], "rows": rows}


def mapping_table(stats: Mapping[str, Any]) -> dict[str, Any] | None:
    """Scalar statistics as a two-column table (``None`` when empty)."""
    if not stats:
        return None
    return {"columns": ["statistic", "value"], "rows": [[str(k), _cell(v)] for k, v in
                                                      stats.items()]}


def rankings_page(la: pd.DataFrame, threshold: int = 10) -> dict[str, Any]:
    """Context of the rankings page: one row per LA, a display text and a sort value per cell,
    interval bars for trust and rank, the suppression flag and the classification reason."""
    columns = [c for c in RANKING_COLUMNS
               if c[0] in la.columns or c[0] in ("rank_interval", "trust_interval")]
    rows = []
    order = la.assign(_r=pd.to_numeric(la["rank"], errors="coerce")).sort_values(
        ["_r", "lad_code"], na_position="last", kind="mergesort").drop(columns="_r")
    n = len(la)
    t_lo = pd.to_numeric(la["trust_lower90"], errors="coerce").min()
    t_hi = pd.to_numeric(la["trust_upper90"], errors="coerce").max()
    t_scale = (0.0, max(0.1, math.ceil(float(t_hi) * 10) / 10)) if pd.notna(t_hi) else (0.0, 1.0)
    del t_lo
    for row in order.to_dict("records"):
        cells = []
        for key, _label, kind in columns:
            bar = None
            if key == "rank_interval":
                text = f"{fmt(row['rank_lower90'], 'int')}–{fmt(row['rank_upper90'], 'int')}"
                value: Any = row["rank_lower90"]
                bar = interval_bar(row["rank_lower90"], row["rank"], row["rank_upper90"],
                                   (1.0, float(max(n, 2))))
            elif key == "trust_interval":
                text = (f"{fmt(row['trust_lower90'], 'pct')}–"
                        f"{fmt(row['trust_upper90'], 'pct')}")
                value = row["trust_lower90"]
                bar = interval_bar(row["trust_lower90"], row["trust"], row["trust_upper90"],
                                   t_scale)
            elif key == "most_integrated":
                text = value = CLASS_LABELS[row["class_key"]] if "class_key" in row else (
                    "yes" if row[key] else "no")
            elif kind == "num":
                text, value = fmt(row[key], _FORMATS.get(key, "num3")), row[key]
            else:
                text = value = "" if pd.isna(row[key]) else str(row[key])
            if kind == "num":
                value = "" if pd.isna(value) else repr(float(value))
            cell: dict[str, Any] = {"text": text, "value": value, "bar": bar, "note": ""}
            if key == "trust" and row.get("suppressed"):
                cell["note"] = "†"
            if key == "most_integrated":
                cell["note"] = short_reason(row)
            cells.append(cell)
        search = f"{row['lad_name']} {row['lad_code']}".lower()
        rows.append({"code": row["lad_code"], "cells": cells, "search": search})
    return {"columns": columns, "rows": rows, "n_areas": len(rows), "threshold": threshold,
            "trust_scale": [fmt(t_scale[0], "prob"), fmt(t_scale[1], "prob")]}


def _msoa_summary(inputs: SiteInputs) -> dict[str, str]:
    if inputs.msoa_index is None:
        return {}
    out = {}
    trust = pd.to_numeric(inputs.msoa_index["trust"], errors="coerce")
    for code, part in trust.groupby(inputs.msoa_index["lad_code"].astype(str)):
        out[str(code)] = (f"Its {len(part)} MSOAs range from {fmt(part.min(), 'pct')} to "
                          f"{fmt(part.max(), 'pct')} predicted trust.")
    return out


def _direct_text(row: Mapping[Any, Any]) -> str:
    """The direct survey estimate with its interval (90% or 95%, whichever the table has)."""
    if fmt(row.get("direct"), "pct") == "not available":
        return "not available"
    for lo, hi, level in (("direct_lower90", "direct_upper90", "90%"),
                          ("direct_lower95", "direct_upper95", "95%")):
        if lo in row and hi in row:
            return (f"{fmt(row['direct'], 'pct')} ({level} interval {fmt(row[lo], 'pct')}"
                    f"–{fmt(row[hi], 'pct')})")
    return fmt(row["direct"], "pct")


def _decomposition(d: Mapping[str, float | None]) -> list[tuple[str, str]]:
    """Rows of the decomposition table (baseline and total when the table carries them)."""
    rows = []
    if d.get("baseline") is not None:
        rows.append(("England baseline (typical area, average population)",
                     fmt(d["baseline"], "pct")))
    rows += [("Population composition", fmt(d["composition"], "pp")),
             ("Area context", fmt(d["context"], "pp")),
             ("The LA's own effect", fmt(d["own_effect"], "pp"))]
    if d.get("predicted") is not None:
        rows.append(("Prediction at the fitted values", fmt(d["predicted"], "pct")))
    if d.get("uncertainty_adjustment") is not None and d.get("trust") is not None:
        rows.append(("Averaging over estimation uncertainty (simulation draws)",
                     fmt(d["uncertainty_adjustment"], "pp")))
        rows.append(("Published predicted trust", fmt(d["trust"], "pct")))
    return rows


def profile_pages(la: pd.DataFrame, inputs: SiteInputs) -> list[dict[str, Any]]:
    """Context of every LA profile page, in index order."""
    comp = comparisons(la)
    places = table_places(report_tables(la))
    decomp = decomposition_rows(inputs)
    change = change_rows(inputs)
    msoa = _msoa_summary(inputs)
    similar = similar_rows(la, inputs)

    def get(row: Mapping[Any, Any], key: str, kind: str) -> str:
        return fmt(row.get(key), kind)

    out = []
    for row in la.to_dict("records"):
        code = str(row["lad_code"])
        region = row.get("region_name")
        region = None if region is None or pd.isna(region) else str(region)
        areas = ([(row["lad_name"], row)] + ([(region, comp[region])] if region in comp else [])
                 + [("England", comp["England"])])
        comparison = [[name, fmt(v["trust"], "pct"), fmt(v["edi"], "num3"),
                       fmt(v["dissimilarity"], "num1"), fmt(v["composite"], "num3")]
                      for name, v in areas]
        n_resp = fmt(row["n_respondents"], "int")
        if row["suppressed"]:
            direct = "suppressed (too few respondents to publish)"
        else:
            direct = _direct_text(row)
        if "imd_score" in row:
            imd = (f"Index of Multiple Deprivation score {get(row, 'imd_score', 'num1')} "
                   f"(decile {get(row, 'imd_decile', 'int')}, 10 = most deprived)")
        elif "deprivation" in row:
            imd = (f"mean income-deprivation decile of its MSOAs: "
                   f"{get(row, 'deprivation', 'num1')} (1 = least, 10 = most deprived tenth)")
        else:
            imd = "not available"
        d = decomp.get(code)
        out.append({
            "code": code, "name": row["lad_name"], "region": region,
            "area_note": inputs.area_notes.get(code, ""),
            "trust": get(row, "trust", "pct"),
            "trust_interval": (f"{get(row, 'trust_lower90', 'pct')}–"
                               f"{get(row, 'trust_upper90', 'pct')}"),
            "trust_decile": get(row, "trust_decile", "int"),
            "direct": direct, "respondents": n_resp,
            "edi": get(row, "edi", "num3"), "edi_decile": get(row, "edi_decile", "int"),
            "dissimilarity": get(row, "dissimilarity", "num1"),
            "dissimilarity_decile": get(row, "dissimilarity_decile", "int"),
            "deprivation": imd,
            "composite": get(row, "composite", "num3"),
            "composite_decile": get(row, "composite_decile", "int"),
            "rank": get(row, "rank", "int"),
            "rank_interval": f"{get(row, 'rank_lower90', 'int')}–{get(row, 'rank_upper90', 'int')}",
            "p_top_decile": get(row, "p_top_decile", "prob"),
            "p_most_integrated": get(row, "p_most_integrated", "prob"),
            "classification": CLASS_LABELS[row["class_key"]],
            "reason": classification_reason(row),
            "decomposition": None if d is None else _decomposition(d),
            "comparison": comparison, "change": change.get(code),
            "places": places.get(code, []), "msoa": msoa.get(code),
            "similar": similar.get(code),
            "flag": (f"Only {n_resp} survey respondents (fewer than "
                     f"{disclosure_threshold(inputs)}): the survey estimate is suppressed and "
                     "predicted trust is the model's prediction only.")
            if row["suppressed"] else "",
        })
    return out


def schema_tables(inputs: SiteInputs) -> list[dict[str, Any]]:
    """The schema of each download, restricted to the columns the run publishes."""
    la = publication_table(inputs.la_index, LA_SCHEMA).columns
    out = [{"name": "la_index", "file": "la_index.csv, la_index.geojson and the la_index sheet",
            "columns": [c for c in LA_SCHEMA if c.name in la]}]
    if inputs.msoa_index is not None:
        ms = publication_table(inputs.msoa_index, MSOA_SCHEMA).columns
        out.append({"name": "msoa_index", "file": "msoa_index.csv and the msoa_index sheet",
                    "columns": [c for c in MSOA_SCHEMA if c.name in ms]})
    return out


def disclosure_threshold(inputs: SiteInputs) -> int:
    """The respondent threshold of the run (manifest settings), default 10."""
    settings = inputs.manifest.get("settings", {})
    value = settings.get("min_respondents", 10) if isinstance(settings, Mapping) else 10
    try:
        return int(value)
    except (TypeError, ValueError):
        return 10


def similar_rows(la: pd.DataFrame, inputs: SiteInputs) -> dict[str, dict[str, Any]]:
    """``lad_code`` -> its nearest LAs on the area covariates and a comparison sentence."""
    if inputs.la_covariates is None:
        return {}
    near = nearest_areas(inputs.la_covariates)
    by = la.set_index("lad_code")
    out = {}
    for code, hits in near.items():
        if code not in by.index:
            continue
        hits = [(c, d) for c, d in hits if c in by.index]
        rows = [{"code": c, "name": str(by.at[c, "lad_name"]), "distance": f"{d:.2f}",
                 "trust": fmt(by.at[c, "trust"], "pct"), "rank": fmt(by.at[c, "rank"], "int"),
                 "composite": fmt(by.at[c, "composite"], "num3")} for c, d in hits]
        mean = pd.to_numeric(by.loc[[c for c, _ in hits], "trust"], errors="coerce").mean()
        own = pd.to_numeric(pd.Series([by.at[code, "trust"]]), errors="coerce").iloc[0]
        sentence = ""
        if hits and pd.notna(mean) and pd.notna(own):
            diff = 100 * (own - mean)
            word = "above" if diff > 0.05 else "below" if diff < -0.05 else "about the same as"
            sentence = (f"Predicted trust here is {abs(diff):.1f} percentage points {word} the "
                        f"mean of these {len(hits)} similar areas ({fmt(mean, 'pct')})."
                        if word != "about the same as" else
                        f"Predicted trust here is about the same as the mean of these "
                        f"{len(hits)} similar areas ({fmt(mean, 'pct')}).")
        out[code] = {"rows": rows, "sentence": sentence}
    return out


def methodology_page(inputs: SiteInputs, figures: Sequence[FigureInfo],
                     la_columns: Sequence[str]) -> dict[str, Any]:
    """Context of the methodology page."""
    margin_figs = []
    for fig in figures:
        if fig.stem.startswith("margins_"):
            margin_figs.append((fig, frame_table(inputs.margins.get(fig.stem[len("margins_"):]))))
        elif fig.stem.startswith("interaction"):
            margin_figs.append((fig, frame_table(inputs.interaction)))
    return {
        "measures": MEASURES,
        "schema_tables": schema_tables(inputs),
        "sources": list(inputs.sources),
        "model_summary": frame_table(summary_frame(inputs.model_summary)),
        "model_stats": mapping_table(inputs.model_stats),
        "model_comparison": frame_table(inputs.model_comparison),
        "margin_figures": margin_figs,
        "validation": frame_table(inputs.validation),
        "validation_figures": [f for f in figures if f.stem.startswith("validation")],
        "references": REFERENCES,
        "manifest": json.dumps(dict(inputs.manifest), indent=2, sort_keys=True, default=str,
                               ensure_ascii=False),
        "table_size": TABLE_SIZE,
        "n_similar": N_SIMILAR,
    }


__all__ = ["RANKING_COLUMNS", "SUMMARY_COLUMNS", "frame_table", "map_page", "mapping_table",
           "methodology_page", "profile_pages", "rankings_page", "summary_frame"]
