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


def _tests(row: Mapping[Any, Any]) -> list[tuple[str, float | None, bool, str]]:
    """The rule's three tests: (what, decile, passes, what it needs)."""
    edi_d, trust_d, id_d = (_num(row[c]) for c in
                            ("edi_decile", "trust_decile", "dissimilarity_decile"))
    return [("diversity", edi_d, edi_d is not None and edi_d >= 9, "decile 9 or 10"),
            ("trust", trust_d, trust_d is not None and trust_d >= 6, "decile 6 or above"),
            ("segregation", id_d, id_d is not None and id_d <= 5, "decile 5 or below")]


def classification_reason(row: Mapping[Any, Any]) -> str:
    """One plain sentence saying why the LA is or is not classed most socially integrated
    (the Bright Blue 2019 rule: diversity in the top two deciles, trust in the top five,
    confirmed by segregation in the bottom five)."""
    given = row.get("classification_reason")
    if isinstance(given, str) and given.strip():
        return given
    tests = _tests(row)

    def part(t: tuple[str, float | None, bool, str]) -> str:
        what, d, _ok, need = t
        return (f"{what} decile not available" if d is None
                else f"its {what} is in decile {d:.0f}" + ("" if _ok else f" (needs {need})"))

    fails = [t for t in tests if not t[2]]
    passes = [t for t in tests if t[2]]
    key = classify_key(row)
    if key == "most_integrated":
        return ("Classed as most socially integrated because " + ", ".join(
            part(t) for t in tests[:2]) + f" and {part(tests[2])}.")
    text = "Not classed as most socially integrated because " + " and ".join(
        part(t) for t in fails) if fails else "Not classed as most socially integrated"
    if passes and fails:
        tests_ok = [f"the {what} test (decile {d:.0f})" for what, d, _ok, _n in passes
                    if d is not None]
        text += ", although " + " and ".join(tests_ok) + (
            " passes" if len(tests_ok) == 1 else " pass")
    return text + "."


def short_reason(row: Mapping[Any, Any]) -> str:
    """The reason in a few words for the rankings table ("fails: diversity decile 7")."""
    if classify_key(row) == "most_integrated":
        return "passes all three tests"
    fails = [f"{what} decile {d:.0f}" if d is not None else f"{what} n/a"
             for what, d, ok, _ in _tests(row) if not ok]
    return "fails: " + ", ".join(fails) if fails else ""


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
                code_col: str = "lad_code", name_col: str = "lad_name",
                threshold: int = 10) -> list[dict[str, Any]]:
    """Per-area data embedded in a map page: code, name, the suppression flag (``f``: fewer
    respondents than ``threshold``, so only the model-based value is shown) and per measure a
    display text, decile (or classification key) and the classes its 90% interval spans
    (``s``; ``u`` = spans more than two). All text is set with ``textContent`` by the script."""
    from socint.report.mapdata import class_spans

    spans = {m.key: class_spans(frame, m) for m in measures}
    out = []
    for i, row in zip(frame.index, frame.to_dict("records"), strict=True):
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
            span = _num(spans[m.key][i])
            vals[m.key] = {"t": text, "d": None if dec is None else int(dec),
                           "s": None if span is None else int(span),
                           "u": span is not None and span > 2}
        rec: dict[str, Any] = {"c": str(row[code_col]), "n": str(row[name_col]), "v": vals}
        if "suppressed" in row and _bool(row["suppressed"]):
            n = fmt(row.get("n_respondents"), "int")
            rec["f"] = (f"Only {n} survey respondents (fewer than {threshold}): the survey "
                        "estimate is suppressed; the value shown is the model's prediction.")
        out.append(rec)
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
    "short_reason",
    "table_places",
]
