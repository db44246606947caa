"""HTML report pages of the companion instruments, inside the dashboard's chrome.

Every page extends the dashboard's ``base.html.jinja`` (:mod:`socint.report`): the same header,
navigation, area search, footer, stylesheet and Content-Security-Policy (no inline script or
style; offline, nothing fetched). Where the pages sit decides the chrome (:func:`chrome_for`):

* **beside a dashboard** (an instruments folder whose parent holds a socint ``site/``, as
  ``socint demo`` writes ``instruments/`` beside ``site/``): the site's title, navigation,
  search and footer, with an *Instruments* entry; :func:`finish_folder` adds that entry to
  every page of the site, so the two link both ways;
* **on their own** (``socint schools --out DIR``): an *Instruments* navigation over the
  folder's pages and no area search (there is no index to search).

Rendered with jinja2 with autoescaping on, so every school, LA, group and outcome name is
escaped. Suppressed numbers are shown as :data:`~socint.instruments._common.SUPPRESSED_MARKER`.
Numbers: true minus signs, p-values "<0.001", intervals "−0.25 to −0.17", percentages to one
decimal as on the dashboard (:mod:`socint.instruments.labels`).
"""

from __future__ import annotations

import html as _html
import math
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from socint import __version__
from socint.instruments._common import MIN_COUNT, SUPPRESSED_MARKER
from socint.instruments.compare import Comparison
from socint.instruments.labels import interval, label, number, p_value
from socint.instruments.schools import MIN_RANKED, LeagueTables
from socint.instruments.survey.bank import QuestionBank
from socint.instruments.survey.raking import RakingResult

COLOURS = ("#1f5fa8", "#d1495b", "#2e8b57", "#8d6cab", "#e08e0b")
#: Navigation key and label of the instruments' index page.
NAV_KEY, NAV_LABEL = "instruments", "Instruments"
#: Title of the standalone instruments folder.
STANDALONE_TITLE = "socint instruments"
#: The instrument pages of a folder, in index order: file-name pattern, heading.
PAGE_KINDS: tuple[tuple[str, str], ...] = (
    (r"schools\.html", "School diversity and representativeness"),
    (r"scorecard_.+\.html", "Race-equality scorecards"),
    (r"compare\.html", "Adjusted comparison of area groups"),
    (r"survey(_.+)?\.html", "Local survey results"),
    (r"pack_.+\.html", "Local Integration Plan evidence packs"),
)


@dataclass(frozen=True)
class Chrome:
    """The header and footer of an instruments page (see the module docstring).

    ``root`` is the path from the instruments folder to the dashboard (``"../site/"``), or
    ``""`` for a standalone folder; ``nav`` entries are ``(key, label, href)`` with ``href``
    relative to ``root``.
    """

    site_title: str = STANDALONE_TITLE
    root: str = ""
    nav: tuple[tuple[str, str, str], ...] = ((NAV_KEY, NAV_LABEL, "index.html"),)
    ogl: str = ""
    trust_source: str = ""
    has_postcodes: bool = False
    has_search: bool = False
    site: Path | None = field(default=None, compare=False)

    def context(self, title: str) -> dict[str, Any]:
        """What ``base.html.jinja`` needs for a page titled ``title``."""
        return {"site_title": self.site_title, "root": self.root, "asset_root": "",
                "nav": self.nav, "active": NAV_KEY, "page_title": title, "ogl": self.ogl,
                "trust_source": self.trust_source, "has_postcodes": self.has_postcodes,
                "has_search": self.has_search, "version": __version__}


STANDALONE = Chrome()


def chrome_for(out: str | Path) -> Chrome:
    """The chrome of pages written to ``out``: the dashboard's when ``out``'s parent holds a
    socint site in ``site/`` (the layout of a run folder), else the standalone one."""
    from socint.report.site import read_chrome

    site = Path(out).parent / "site"
    data = read_chrome(site)
    if data is None:
        return STANDALONE
    here = Path(out).name
    back = f"../{here}/index.html"
    nav = tuple((str(k), str(lbl), str(h)) for k, lbl, h in data["nav"] if k != NAV_KEY)
    return Chrome(site_title=str(data["site_title"]), root="../site/",
                  nav=(*nav, (NAV_KEY, NAV_LABEL, back)), ogl=str(data.get("ogl", "")),
                  trust_source=str(data.get("trust_source", "")),
                  has_postcodes=bool(data.get("has_postcodes")), has_search=True, site=site)


def _num(value: Any, digits: int = 3) -> str:
    """Format a number with thousands separators and a true minus; blank when missing."""
    try:
        float(value)
    except (TypeError, ValueError):
        return str(value) if value is not None else ""
    return number(value, digits)


def _pct(value: Any, digits: int = 1) -> str:
    """A share as percent to one decimal, as on the dashboard ("39.1%"); blank when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else f"{100 * v:.{digits}f}%".replace("-", "\u2212")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment of the instrument templates (autoescape always on); the
    dashboard's templates are found after the instruments' own (``base.html.jinja``)."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("socint.instruments", "templates"),
                                    jinja2.PackageLoader("socint.report", "templates")]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["label"] = label
    env.filters["pval"] = p_value
    env.filters["normpath"] = posixpath.normpath
    env.globals["interval"] = interval
    env.globals.update(min_count=MIN_COUNT, marker=SUPPRESSED_MARKER, version=__version__)
    return env


def _render(template: str, chrome: Chrome | None, title: str, **ctx: Any) -> str:
    return environment().get_template(template).render(
        **(chrome or STANDALONE).context(title), title=title, **ctx)


def instruments_css() -> str:
    """The instruments' stylesheet (tables, charts, tags, cards; print rules)."""
    ref = resources.files("socint.instruments").joinpath("templates", "instruments.css")
    return ref.read_text("utf-8")


def write_assets(out: Path) -> list[Path]:
    """Write ``assets/`` of an instruments folder: the dashboard's stylesheet and icon, the
    instruments' stylesheet and script (the CSP forbids inline ones)."""
    from socint.io import write_text
    from socint.report.site import FAVICON_SVG, stylesheet

    js = resources.files("socint.instruments").joinpath("templates", "instruments.js")
    a = out / "assets"
    a.mkdir(parents=True, exist_ok=True)
    return [write_text(stylesheet() + instruments_css(), a / "site.css"),
            write_text(FAVICON_SVG, a / "favicon.svg"),
            write_text(js.read_text("utf-8"), a / "instruments.js")]


_TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def index_entries(out: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """The folder's instrument pages grouped by kind: ``[(heading, [(file, title)])]``."""
    groups = []
    files = sorted(p.name for p in out.glob("*.html") if p.name != "index.html")
    for pattern, heading in PAGE_KINDS:
        items = []
        for name in files:
            if re.fullmatch(pattern, name):
                m = _TITLE.search((out / name).read_text("utf-8"))
                title = _html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else name
                items.append((name, title))
        if items:
            groups.append((heading, items))
    return groups


def finish_folder(out: str | Path) -> list[Path]:
    """Write the assets and ``index.html`` of an instruments folder and, beside a dashboard,
    add the *Instruments* entry to every page of the site. Returns the files written."""
    from socint.io import write_text
    from socint.report.site import add_nav_link

    out = Path(out)
    chrome = chrome_for(out)
    paths = write_assets(out)
    html = _render("index.html", chrome, "Companion instruments", groups=index_entries(out),
                   beside_site=chrome.site is not None)
    paths.append(write_text(html, out / "index.html"))
    if chrome.site is not None:
        add_nav_link(chrome.site, NAV_KEY, NAV_LABEL, f"../{out.name}/index.html")
    return paths


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    cols = [str(c) for c in df.columns]
    values = [df[c].tolist() for c in df.columns]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def render_schools(tables: LeagueTables, *, title: str = "School diversity and "
                   "representativeness", min_schools: int = 5,
                   residential_groups: str = "", chrome: Chrome | None = None) -> str:
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
    return _render(
        "schools.html", chrome, title, schools=rows, las=las, phases=sorted(s["phase"].unique()),
        la_rows=la_rows, scheme_label=scheme_label, min_ranked=MIN_RANKED,
        n_scored=int(s["diversity_rank_national"].notna().sum()), dropped=dropped,
        min_schools=min_schools, residential_groups=residential_groups)


def render_scorecard(card: pd.DataFrame, changes: pd.DataFrame, *, lad_code: str, lad_name: str,
                     reference: str, coverage: pd.DataFrame | None = None,
                     chrome: Chrome | None = None) -> str:
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
    return _render(
        "scorecard.html", chrome, f"Race-equality scorecard: {lad_name}", lad_code=lad_code,
        lad_name=lad_name,
        reference=reference, domains=domains,
        coverage=_records(coverage) if coverage is not None else [])


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
                       "label": f"{label(r['group'])}, {r['wave']}: {number(r['emm'], 2)} "
                                f"({interval(r['lower'], r['upper'], 2)})"})
    ticks = np.linspace(lo, hi, 5)
    kind = str(d["kind"].iloc[0]) if len(d) else ""

    def tick(t: float) -> str:  # a yes/no outcome's mean is a share: percent, as on the site
        return _pct(t, 0) if kind == "binary" else f"{t:.3g}".replace("-", "\u2212")

    return {
        # the kind is added only when the outcome's own label does not already say it
        "title": (f"{label(outcome)}: {label(kind).lower()}"
                  if kind and label(kind).lower() not in label(outcome).lower()
                  else label(outcome)),
        "width": width,
        "height": height + 20, "left": left, "right": right, "top": top, "bottom": bottom,
        "yticks": [{"y": round(y(t), 1), "label": tick(t)} for t in ticks],
        "xticks": [{"x": round(left + step * (i + 0.5), 1), "label": "" if w is None else str(w)}
                   for i, w in enumerate(waves)],
        "points": points,
        "legend": [{"x": left + 120 * j, "label": label(g), "colour": COLOURS[j % len(COLOURS)]}
                   for j, g in enumerate(groups)],
    }


def render_compare(result: Comparison, *, covariates: list[str], reference: str,
                   ratios: pd.DataFrame | None = None,
                   title: str = "Adjusted comparison of area groups",
                   chrome: Chrome | None = None) -> str:
    """The comparison page: a chart per outcome, the means, the contrasts, trust/distrust."""
    charts = [_chart(result.means, o) for o in dict.fromkeys(result.means["outcome"])]
    return _render(
        "compare.html", chrome, title, charts=charts, means=_records(result.means),
        contrasts=_records(result.contrasts), reference=reference,
        covariates=", ".join(label(c).lower() for c in covariates) or "nothing",
        ratios=_records(ratios) if ratios is not None else [])


def render_survey(estimates: pd.DataFrame, raking: RakingResult, bank: QuestionBank, *,
                  lad_code: str, n: int, model: Mapping[str, float] | None = None,
                  lad_name: str | None = None, chrome: Chrome | None = None) -> str:
    """The local-survey page: weighting diagnostics, estimates, model comparison."""
    rows = _records(estimates[estimates["group"] == "all"])
    for r in rows:
        r["text"] = bank.items[r["item"]].text
    sub = estimates[~estimates["group"].isin(["all", "local minus model"])]
    return _render(
        "survey.html", chrome, f"Local survey results: {lad_name or lad_code}",
        lad_code=lad_code, lad_name=lad_name or lad_code,
        n=n if n >= MIN_COUNT else SUPPRESSED_MARKER, bank_version=bank.version,
        margins=", ".join("×".join(label(v) for v in m.split("×")) for m in raking.margins),
        raking=raking, estimates=rows,
        model=dict(model) if model else None, subgroups=_records(sub))
