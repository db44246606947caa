"""Turn the validated index tables into what the pages show: formatted values, comparisons,
classification reasons and each LA's place in the report-style tables.

Nothing is estimated here. The composite decile, when ``socint.composite`` did not supply one, is
the decile rule of :func:`socint.measures.compute.rank_and_decile` (10 = highest tenth); region and
England comparisons are unweighted means over LAs (stated on the page); the classification
*reason* restates the published rule (Bright Blue 2019: top two deciles of diversity, top five
of trust, bottom five of dissimilarity) against the LA's deciles, while the classification itself
is taken from the ``most_integrated`` column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from socint.measures.compute import rank_and_decile
from socint.report.definitions import MEASURES, Measure
from socint.report.inputs import SiteInputs

#: How many LAs the report-style top/bottom tables list.
TABLE_SIZE = 10


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def fmt(value: Any, kind: str) -> str:
    """Format a value for display: ``pct`` (0.391 -> 39.1%), ``num3``, ``num1``, ``int``, ``pp``
    (signed percentage points), ``prob`` (0.12 -> 12%). Missing values show as "not available"."""
    v = _num(value)
    if v is None:
        return "not available"
    if kind == "pct":
        return f"{100 * v:.1f}%"
    if kind == "prob":
        return f"{100 * v:.0f}%"
    if kind == "pp":
        return f"{100 * v:+.1f} pp"
    if kind in ("num3", "num1"):
        text = f"{v:.{3 if kind == 'num3' else 1}f}"
        return text[1:] if text.startswith("-") and float(text) == 0.0 else text
    if kind == "int":
        return f"{v:,.0f}"
    raise ValueError(f"unknown format {kind!r}")


def _bool(value: Any) -> bool:
    return value is True or value in (1, "True", "true")


def classify_key(row: Mapping[Any, Any]) -> str:
    """Classification category of an LA: ``most_integrated``, ``fails_segregation`` or
    ``other`` (the second: passes the diversity and trust tests but not the segregation one)."""
    if _bool(row["most_integrated"]):
        return "most_integrated"
    if "fails_segregation_check" in row:
        return "fails_segregation" if _bool(row["fails_segregation_check"]) else "other"
    edi_d, trust_d = _num(row["edi_decile"]), _num(row["trust_decile"])
    if edi_d is not None and trust_d is not None and edi_d >= 9 and trust_d >= 6:
        return "fails_segregation"
    return "other"


def classification_reason(row: Mapping[Any, Any]) -> str:
    """Plain-language reason for the LA's classification, test by test."""
    given = row.get("classification_reason")
    if isinstance(given, str) and given.strip():
        return given
    edi_d, trust_d, id_d = (_num(row[c]) for c in
                            ("edi_decile", "trust_decile", "dissimilarity_decile"))

    def test(d: float | None, ok: bool, what: str) -> str:
        if d is None:
            return f"{what}: decile not available"
        return f"{what}: decile {d:.0f} ({'passes' if ok else 'fails'})"

    parts = [
        test(edi_d, edi_d is not None and edi_d >= 9, "diversity in the top two deciles"),
        test(trust_d, trust_d is not None and trust_d >= 6, "trust in the top five deciles"),
        test(id_d, id_d is not None and id_d <= 5, "dissimilarity in the bottom five deciles"),
    ]
    verdict = {"most_integrated": "Most socially integrated",
               "fails_segregation": "Not most integrated: diverse and trusting but too "
                                    "segregated",
               "other": "Not most integrated"}[classify_key(row)]
    return verdict + " — " + "; ".join(parts) + "."


def prepare_index(la: pd.DataFrame) -> pd.DataFrame:
    """A display copy of ``la_index``: booleans parsed, composite decile and classification key
    added, rows in index order."""
    out = la.copy().reset_index(drop=True)
    for col in ("most_integrated", "suppressed", "fails_segregation_check"):
        if col in out.columns:
            out[col] = out[col].map(_bool)
    if "composite_decile" not in out.columns:
        _, dec = rank_and_decile(pd.to_numeric(out["composite"], errors="coerce"))
        out["composite_decile"] = dec.to_numpy()
    out["class_key"] = [classify_key(r) for r in out.to_dict("records")]
    return out


def comparisons(la: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Unweighted LA means of trust, EDI, ID and composite by region name and for England."""
    cols = ["trust", "edi", "dissimilarity", "composite"]
    num = la[cols].apply(pd.to_numeric, errors="coerce")
    out: dict[str, dict[str, float | None]] = {
        "England": {c: _num(num[c].mean()) for c in cols}}
    if "region_name" in la.columns:
        for region, part in num.groupby(la["region_name"].astype(str)):
            out[str(region)] = {c: _num(part[c].mean()) for c in cols}
    return out


def report_tables(la: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The report's tables: top and bottom ``TABLE_SIZE`` LAs by predicted trust, and the
    most-integrated LAs (by trust)."""
    trust = pd.to_numeric(la["trust"], errors="coerce")
    ranked = la.assign(_t=trust).dropna(subset=["_t"]).sort_values(
        ["_t", "lad_code"], ascending=[False, True], kind="mergesort")
    bottom = la.assign(_t=trust).dropna(subset=["_t"]).sort_values(
        ["_t", "lad_code"], ascending=[True, True], kind="mergesort")
    return {
        "top_trust": ranked.head(TABLE_SIZE).drop(columns="_t"),
        "bottom_trust": bottom.head(TABLE_SIZE).drop(columns="_t"),
        "most_integrated": ranked[ranked["most_integrated"]].drop(columns="_t"),
    }


def table_places(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """``lad_code`` -> sentences saying where the LA appears in the report tables."""
    titles = {"top_trust": f"top {TABLE_SIZE} LAs by predicted trust",
              "bottom_trust": f"bottom {TABLE_SIZE} LAs by predicted trust",
              "most_integrated": "most socially integrated LAs"}
    places: dict[str, list[str]] = {}
    for key, frame in tables.items():
        for pos, code in enumerate(frame["lad_code"], start=1):
            places.setdefault(str(code), []).append(
                f"Position {pos} of {len(frame)} in the {titles[key]}.")
    return places


def map_records(frame: pd.DataFrame, measures: Sequence[Measure] = MEASURES,
                code_col: str = "lad_code", name_col: str = "lad_name") -> list[dict[str, Any]]:
    """Per-area data embedded in a map page: code, name, and per measure a display text and
    decile (or classification key). All text is set with ``textContent`` by the script."""
    out = []
    for row in frame.to_dict("records"):
        vals: dict[str, dict[str, Any]] = {}
        for m in measures:
            if m.key == "classification":
                vals[m.key] = {"k": row["class_key"], "t": m.label}
                continue
            text = fmt(row[m.column], m.fmt)
            if m.key == "trust" and _num(row["trust"]) is not None and "trust_lower90" in row:
                text += (f" (90% interval {fmt(row['trust_lower90'], 'pct')}"
                         f"–{fmt(row['trust_upper90'], 'pct')})")
            dec = _num(row[m.decile_column]) if m.decile_column else None
            vals[m.key] = {"t": text, "d": None if dec is None else int(dec)}
        out.append({"c": str(row[code_col]), "n": str(row[name_col]), "v": vals})
    return out


def prepare_msoa(msoa: pd.DataFrame) -> tuple[pd.DataFrame, tuple[Measure, ...]]:
    """A display copy of the MSOA table (name defaulting to the code, deciles added where
    missing, by the rule of :func:`rank_and_decile`) and the measures it can show."""
    out = msoa.copy().reset_index(drop=True)
    if "msoa_name" not in out.columns:
        out["msoa_name"] = out["msoa_code"]
    out["msoa_name"] = out["msoa_name"].fillna(out["msoa_code"]).astype(str)
    shown = []
    for m in MEASURES:
        if m.key == "classification" or m.column not in out.columns:
            continue
        if m.decile_column and m.decile_column not in out.columns:
            _, dec = rank_and_decile(pd.to_numeric(out[m.column], errors="coerce"))
            out[m.decile_column] = dec.to_numpy()
        shown.append(m)
    return out, tuple(shown)


def decomposition_rows(inputs: SiteInputs) -> dict[str, dict[str, float | None]]:
    """``lad_code`` -> composition / context / own effect (probability scale)."""
    if inputs.decomposition is None:
        return {}
    keys = ("baseline", "composition", "context", "own_effect", "predicted",
            "uncertainty_adjustment", "trust")
    return {str(r["lad_code"]): {k: _num(r.get(k)) for k in keys}
            for r in inputs.decomposition.to_dict("records")}


def change_rows(inputs: SiteInputs) -> dict[str, dict[str, Any]]:
    """``lad_code`` -> change in predicted trust between vintages with its interval."""
    if inputs.change is None:
        return {}
    out = {}
    for r in inputs.change.to_dict("records"):
        span = ""
        if r.get("vintage_from") is not None and r.get("vintage_to") is not None:
            span = f"{r['vintage_from']} to {r['vintage_to']}"
        out[str(r["lad_code"])] = {
            "change": fmt(r["trust_change"], "pp"),
            "interval": f"{fmt(r['change_lower'], 'pp')} to {fmt(r['change_upper'], 'pp')}",
            "span": span}
    return out


__all__ = [
    "TABLE_SIZE",
    "change_rows",
    "classification_reason",
    "classify_key",
    "comparisons",
    "decomposition_rows",
    "fmt",
    "map_records",
    "prepare_index",
    "prepare_msoa",
    "report_tables",
    "table_places",
]
