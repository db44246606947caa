"""HTML report pages of the companion instruments (offline: inline CSS, inline SVG, no CDN).

Rendered with jinja2 with autoescaping on, so every school, LA, group and outcome name is
escaped. Suppressed numbers are shown as :data:`~socint.instruments._common.SUPPRESSED_MARKER`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from socint import __version__
from socint.instruments._common import MIN_COUNT, SUPPRESSED_MARKER
from socint.instruments.compare import Comparison
from socint.instruments.labels import interval, label, p_value
from socint.instruments.schools import MIN_RANKED, LeagueTables
from socint.instruments.survey.bank import QuestionBank
from socint.instruments.survey.raking import RakingResult

COLOURS = ("#1f5fa8", "#d1495b", "#2e8b57", "#8d6cab", "#e08e0b")


def _num(value: Any, digits: int = 3) -> str:
    """Format a number; blank for missing values."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value) if value is not None else ""
    if math.isnan(v):
        return ""
    return f"{v:,.{digits}f}" if digits else f"{v:,.0f}"


def _pct(value: Any, digits: int = 1) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else f"{100 * v:.{digits}f}%"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment of the instrument templates (autoescape always on)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("socint.instruments", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["label"] = label
    env.filters["pval"] = p_value
    env.globals["interval"] = interval
    env.globals.update(min_count=MIN_COUNT, marker=SUPPRESSED_MARKER, version=__version__)
    return env


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = [str(c) for c in df.columns]
    values = [df[c].tolist() for c in df.columns]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def render_schools(tables: LeagueTables, *, title: str = "School diversity and "
                   "representativeness", min_schools: int = 5,
                   residential_groups: str = "") -> str:
    """The school page: two named rankings, filters, and the LA segregation table."""
    s = tables.schools.sort_values(["diversity_rank_national", "school_name"],
                                   na_position="last")
    rows = _records(s)
    for r in rows:
        r["hidden"] = ("fewer than 10 pupils" in r["flag"]) or ("no pupils" in r["flag"])
    las = sorted(set(zip(s["lad_code"], s["lad_name"], strict=True)), key=lambda t: str(t[1]))
    scheme = str(s["scheme"].iloc[0]) if len(s) else ""
    scheme_label = ("17 groups shared by the school census and the Census" if scheme ==
                    "detailed" else "5 broad groups")
    la = tables.las.reindex(columns=[*tables.las.columns, *(
        c for c in ("residential_d_multigroup", "residential_d_white")
        if c not in tables.las.columns)])
    la_rows = _records(la[la["enough_schools"]] if "enough_schools" in la else la)
    dropped = _records(tables.dropped.assign(cells=tables.dropped.get("cells", np.nan)))
    return environment().get_template("schools.html").render(
        title=title, schools=rows, las=las, phases=sorted(s["phase"].unique()),
        la_rows=la_rows, scheme_label=scheme_label, min_ranked=MIN_RANKED,
        n_scored=int(s["diversity_rank_national"].notna().sum()), dropped=dropped,
        min_schools=min_schools, residential_groups=residential_groups)


def render_scorecard(card: pd.DataFrame, changes: pd.DataFrame, *, lad_code: str, lad_name: str,
                     reference: str) -> str:
    """One LA's scorecard page: a table per domain with rates, ratios and change."""
    from socint.instruments.scorecard import DOMAINS

    here = card[card["lad_code"] == lad_code].sort_values(["domain", "indicator", "group", "year"])
    ch = changes[changes["lad_code"] == lad_code]
    last = {(d, i, g, int(y)): str(c) for d, i, g, y, c in zip(
        ch["domain"], ch["indicator"], ch["group"], ch["year_to"], ch["change"], strict=True)}
    domains = []
    for d in DOMAINS:
        rows = _records(here[here["domain"] == d])
        for r in rows:
            r["hidden"] = r["flag"] in ("suppressed", "zero denominator")
            r["change"] = last.get((d, r["indicator"], r["group"], int(r["year"])), "")
        if rows:
            domains.append((label(d), rows))
    return environment().get_template("scorecard.html").render(
        title=f"Race-equality scorecard: {lad_name}", lad_code=lad_code, lad_name=lad_name,
        reference=reference, domains=domains)


def _chart(means: pd.DataFrame, outcome: str) -> dict[str, Any]:
    """Coordinates of a means-with-intervals chart of one outcome by group and wave."""
    d = means[(means["outcome"] == outcome) & ~means["suppressed"].astype(bool)]
    width, height, left, right, top, bottom = 340, 230, 48, 330, 12, 190
    waves = list(dict.fromkeys(d["wave"].tolist())) or [None]
    groups = list(dict.fromkeys(d["group"].tolist()))
    lo = float(np.nanmin(d["lower"])) if len(d) else 0.0
    hi = float(np.nanmax(d["upper"])) if len(d) else 1.0
    pad = (hi - lo) * 0.1 or 0.5
    lo, hi = lo - pad, hi + pad

    def y(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    step = (right - left) / max(len(waves), 1)
    points = []
    for _, r in d.iterrows():
        i, j = waves.index(r["wave"]), groups.index(r["group"])
        x = left + step * (i + 0.5) + (j - (len(groups) - 1) / 2) * 14
        points.append({"x": round(x, 1), "y": round(y(r["emm"]), 1),
                       "y_lo": round(y(r["lower"]), 1), "y_hi": round(y(r["upper"]), 1),
                       "colour": COLOURS[j % len(COLOURS)],
                       "label": f"{label(r['group'])}, {r['wave']}: {r['emm']:.3g} "
                                f"({interval(r['lower'], r['upper'], 3)})"})
    ticks = np.linspace(lo, hi, 5)
    return {
        "title": f"{label(outcome)} ({d['kind'].iloc[0] if len(d) else ''})", "width": width,
        "height": height + 20, "left": left, "right": right, "top": top, "bottom": bottom,
        "yticks": [{"y": round(y(t), 1), "label": f"{t:.3g}"} for t in ticks],
        "xticks": [{"x": round(left + step * (i + 0.5), 1), "label": "" if w is None else str(w)}
                   for i, w in enumerate(waves)],
        "points": points,
        "legend": [{"x": left + 120 * j, "label": label(g), "colour": COLOURS[j % len(COLOURS)]}
                   for j, g in enumerate(groups)],
    }


def render_compare(result: Comparison, *, covariates: list[str], reference: str,
                   ratios: pd.DataFrame | None = None,
                   title: str = "Adjusted comparison of area groups") -> str:
    """The comparison page: a chart per outcome, the means, the contrasts, trust/distrust."""
    charts = [_chart(result.means, o) for o in dict.fromkeys(result.means["outcome"])]
    return environment().get_template("compare.html").render(
        title=title, charts=charts, means=_records(result.means),
        contrasts=_records(result.contrasts), reference=reference,
        covariates=", ".join(covariates) or "nothing",
        ratios=_records(ratios) if ratios is not None else [])


def render_survey(estimates: pd.DataFrame, raking: RakingResult, bank: QuestionBank, *,
                  lad_code: str, n: int, model: Mapping[str, float] | None = None,
                  lad_name: str | None = None) -> str:
    """The local-survey page: weighting diagnostics, estimates, model comparison."""
    rows = _records(estimates[estimates["group"] == "all"])
    for r in rows:
        r["text"] = bank.items[r["item"]].text
    sub = estimates[~estimates["group"].isin(["all", "local minus model"])]
    return environment().get_template("survey.html").render(
        title=f"Local survey results: {lad_name or lad_code}", lad_code=lad_code,
        n=n if n >= MIN_COUNT else SUPPRESSED_MARKER, bank_version=bank.version,
        margins=", ".join(raking.margins), raking=raking, estimates=rows,
        model=dict(model) if model else None, subgroups=_records(sub))
