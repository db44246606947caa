"""Context of the map pages: ``index.html`` (LAs), ``msoa.html`` (MSOAs) and ``change.html``
(change in predicted trust between vintages, diverging palette). Display strings only; the
legend ranges, uncertainty and inset come from :mod:`socint.report.mapdata`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from socint.report.context import fmt, map_records
from socint.report.definitions import MEASURES, Measure
from socint.report.mapdata import (
    change_class,
    change_classes,
    legend_classes,
    london_codes,
    path_bbox,
)
from socint.report.palette import CLASS_COLOURS, CLASS_LABELS


def _map_areas(frame: pd.DataFrame, paths: Mapping[str, str], measures: Sequence[Measure],
               code_col: str, name_col: str, first_cls: Sequence[str]) -> list[dict[str, Any]]:
    areas = []
    for row, cls in zip(frame.to_dict("records"), first_cls, strict=True):
        cells = []
        for m in measures:
            if m.key == "classification":
                cells.append(CLASS_LABELS[row["class_key"]])
                continue
            dec = row[m.decile_column] if m.decile_column else None
            text = fmt(row[m.column], m.fmt)
            cells.append(text if dec is None or pd.isna(dec) else f"{text} ({int(dec)})")
        if row.get("suppressed") is True and cells:
            cells[0] += " †"
        areas.append({"code": row[code_col], "name": row[name_col],
                      "href": f"la/{row['lad_code']}.html", "d": paths[row[code_col]],
                      "cells": cells, "cls": cls})
    return areas


def map_page(frame: pd.DataFrame, paths: Mapping[str, str], view_box: str, *,
             measures: Sequence[Measure] = MEASURES, level: str = "lad",
             threshold: int = 10) -> dict[str, Any]:
    """Context of a map page: ``index.html`` (LAs) or ``msoa.html`` (MSOAs, each linking to
    its LA's profile)."""
    code_col, name_col = ("lad_code", "lad_name") if level == "lad" else ("msoa_code",
                                                                        "msoa_name")
    m0 = measures[0]
    first = ["missing" if not m0.decile_column or pd.isna(r[m0.decile_column])
             else f"d{int(r[m0.decile_column])}" for r in frame.to_dict("records")]
    areas = _map_areas(frame, paths, measures, code_col, name_col, first)
    legends = {m.key: legend_classes(frame, m) for m in measures}
    data = {
        "areas": map_records(frame, measures, code_col, name_col, threshold),
        "measures": {m.key: {"label": m.label, "description": m.description,
                             "legend": legends[m.key], "prefix": "d",
                             "uncertain": m.key in ("trust", "composite")}
                     for m in measures},
        "classLabels": CLASS_LABELS,
        "classColours": CLASS_COLOURS,
    }
    london = london_codes(frame, code_col) if level == "lad" else []
    inset_box = path_bbox(paths, london) if len(london) >= 3 else None
    inset = [a for a in areas if a["code"] in set(london)] if inset_box else []
    what = "local authorities" if level == "lad" else "MSOAs"
    return {"areas": areas, "n_areas": len(areas), "measures": measures, "view_box": view_box,
            "map_data": data, "class_labels": CLASS_LABELS, "area_word": what,
            "level": level, "legend": legends[m0.key], "prefix": "d", "inset": inset,
            "inset_box": inset_box, "threshold": threshold, "page_kind": "map",
            "uncertain_measures": [m.key for m in measures if m.key in ("trust", "composite")]}


CHANGE_MEASURE = Measure(
    "change", "trust_change", None, "Change in predicted trust", "pp",
    "Change in predicted trust between the two census vintages, in percentage points "
    "(diverging colours: orange = fell, purple = rose). With the uncertainty view on, areas "
    "whose 90% interval of change includes no change are faded.")


def change_map_page(la: pd.DataFrame, change: pd.DataFrame, paths: Mapping[str, str],
                    view_box: str) -> dict[str, Any]:
    """Context of ``change.html``: change in predicted trust on a diverging palette."""
    ch = change.drop_duplicates("lad_code").set_index("lad_code")
    frame = la[["lad_code", "lad_name"] + [c for c in ("region_code", "suppressed",
                                                       "n_respondents") if c in la]].copy()
    for col in ("trust_change", "change_lower", "change_upper"):
        frame[col] = pd.to_numeric(ch[col].reindex(frame["lad_code"]), errors="coerce"
                                   ).to_numpy()
    edges, legend = change_classes(frame["trust_change"])
    span = ""
    if {"vintage_from", "vintage_to"} <= set(ch.columns) and len(ch):
        span = f"{ch['vintage_from'].iloc[0]} → {ch['vintage_to'].iloc[0]}"
    label = f"Change in predicted trust {span}".strip()
    m = Measure(CHANGE_MEASURE.key, CHANGE_MEASURE.column, None, label, "pp",
                CHANGE_MEASURE.description)
    classes = [change_class(float(v), edges) for v in frame["trust_change"]]
    cls = ["missing" if k is None else f"v{k}" for k in classes]
    areas = _map_areas(frame.assign(class_key="other"), paths, (m,), "lad_code", "lad_name",
                       cls)
    for a, row in zip(areas, frame.to_dict("records"), strict=True):
        a["cells"] = [f"{fmt(row['trust_change'], 'pp')} (90% interval "
                      f"{fmt(row['change_lower'], 'pp')} to {fmt(row['change_upper'], 'pp')})"]
    recs = []
    for row, k in zip(frame.to_dict("records"), classes, strict=True):
        lo, hi = row["change_lower"], row["change_upper"]
        unc = bool(np.isfinite(lo) and np.isfinite(hi) and lo <= 0 <= hi)
        recs.append({"c": row["lad_code"], "n": row["lad_name"], "v": {"change": {
            "t": f"{fmt(row['trust_change'], 'pp')} (90% interval {fmt(lo, 'pp')} to "
                 f"{fmt(hi, 'pp')})", "d": k, "s": None, "u": unc}}})
    data = {"areas": recs, "measures": {"change": {
        "label": label, "description": m.description, "legend": legend, "prefix": "v",
        "uncertain": True}}, "classLabels": CLASS_LABELS, "classColours": CLASS_COLOURS}
    london = london_codes(frame)
    inset_box = path_bbox(paths, london) if len(london) >= 3 else None
    return {"areas": areas, "n_areas": len(areas), "measures": (m,), "view_box": view_box,
            "map_data": data, "class_labels": CLASS_LABELS, "area_word": "local authorities",
            "level": "lad", "legend": legend, "prefix": "v",
            "inset": [a for a in areas if a["code"] in set(london)] if inset_box else [],
            "inset_box": inset_box, "threshold": 10, "page_kind": "change",
            "uncertain_measures": ["change"], "change_label": label}


__all__ = ["CHANGE_MEASURE", "change_map_page", "map_page"]
