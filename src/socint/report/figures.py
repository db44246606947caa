"""Publication figures (PNG and SVG, matplotlib Agg) of the report's kinds, with intervals.

* predicted probability of trust by sex, age (curve with band), ethnicity, socio-economic
  class and income band — the report's "means of predicted probability" (Bright Blue 2019,
  Figures 2–6), from ``GlmmResult.margins`` with delta-method intervals;
* the diversity × poor-English interaction (Bright Blue 2019, Figure 7);
* the decile map of predicted trust;
* the index scatter: diversity (EDI) against predicted trust with 90% intervals, coloured by
  segregation (Index of Dissimilarity);
* on the synthetic England, estimated against true trust (validation).

Figures are built with the object-oriented API on an Agg canvas (no pyplot state, safe in
threads and without a display) and fonts are embedded as paths in the SVGs, so nothing is
fetched when the site is opened offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from socint.report.geometry import fit_projection
from socint.report.inputs import feature_code
from socint.report.palette import DECILE_COLOURS, MISSING_COLOUR

#: Titles of the margin figures by covariate name (in display order).
MARGIN_TITLES: dict[str, str] = {
    "sex": "sex",
    "age": "age",
    "ethnicity": "ethnic group",
    "nssec": "socio-economic class (NS-SEC)",
    "income": "household income band",
}
_CURVES = {"age"}
_INK = "#1a1a1a"
_BAND = "#31688e"


@dataclass(frozen=True)
class FigureInfo:
    """A saved figure: file stem (``<stem>.png``/``.svg``), title and alt text."""

    stem: str
    title: str
    alt: str


def percent_axis(ax: Any, axis: str = "y", top: float | None = None) -> None:
    """Show a 0-1 share as percent on ``axis``, starting at 0% (honest axis), up to ``top``
    rounded up to the next 10% (100% when ``top`` is ``None``)."""
    from matplotlib.ticker import PercentFormatter

    hi = 1.0 if top is None else min(1.0, float(np.ceil(top * 10 + 1e-9)) / 10)
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    (ax.set_ylim if axis == "y" else ax.set_xlim)(0.0, hi)


def _new(width: float = 6.4, height: float = 4.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def margin_figure(name: str, frame: pd.DataFrame) -> Figure:
    """Predicted probability of trust by one covariate with its interval.

    Age is drawn as a curve with a shaded band; categorical covariates as points with error
    bars, in the order of ``frame``.
    """
    fig = _new()
    ax = fig.add_subplot()
    est = pd.to_numeric(frame["estimate"]).to_numpy(float)
    lo = pd.to_numeric(frame["lower"]).to_numpy(float)
    hi = pd.to_numeric(frame["upper"]).to_numpy(float)
    if name in _CURVES:
        x = pd.to_numeric(frame["value"]).to_numpy(float)
        ax.fill_between(x, lo, hi, color=_BAND, alpha=0.25, linewidth=0, label="95% interval")
        ax.plot(x, est, color=_BAND, linewidth=2, label="predicted probability")
        ax.set_xlabel(MARGIN_TITLES.get(name, name).capitalize())
        ax.legend(frameon=False)
    else:
        x = np.arange(len(frame), dtype=float)
        ax.errorbar(x, est, yerr=np.vstack([est - lo, hi - est]), fmt="o", color=_BAND,
                    ecolor=_INK, capsize=4, label="estimate with 95% interval")
        ax.set_xticks(x, [str(v) for v in frame["value"]],
                      rotation=30 if len(frame) > 5 else 0, ha="right" if len(frame) > 5
                      else "center")
        ax.set_xlim(-0.5, len(frame) - 0.5)
        ax.set_xlabel(MARGIN_TITLES.get(name, name).capitalize())
    ax.set_ylabel("Predicted trust: % trusting most\npeople in the neighbourhood")
    percent_axis(ax, top=float(np.nanmax(hi)))
    ax.set_title(f"Predicted trust by {MARGIN_TITLES.get(name, name)}")
    ax.grid(axis="y", color="#dddddd")
    fig.subplots_adjust(left=0.15, right=0.97, top=0.91,
                        bottom=0.24 if name not in _CURVES and len(frame) > 5 else 0.14)
    return fig


def interaction_figure(frame: pd.DataFrame) -> Figure:
    """Predicted trust by diversity decile, separately for MSOAs with and without >30% of
    residents who cannot speak English well (the report's interaction term)."""
    fig = _new()
    ax = fig.add_subplot()
    styles = {0: ("#0072B2", "-", "No"), 1: ("#D55E00", "--", "Yes")}
    for flag, part in frame.groupby(frame["poor_english"].astype(int)):
        part = part.sort_values("div_decile")
        colour, dash, label = styles.get(int(flag), ("#555555", ":", str(flag)))
        x = pd.to_numeric(part["div_decile"]).to_numpy(float)
        ax.fill_between(x, part["lower"].to_numpy(float), part["upper"].to_numpy(float),
                        color=colour, alpha=0.2, linewidth=0)
        ax.plot(x, part["estimate"].to_numpy(float), color=colour, linestyle=dash, linewidth=2,
                label=f"Poor English over 30%: {label}")
    ax.set_xlabel("Ethnic diversity decile of the MSOA (10 = most diverse)")
    ax.set_ylabel("Predicted trust (% trusting most neighbours)")
    percent_axis(ax, top=float(pd.to_numeric(frame["upper"]).max()))
    ax.set_title("Diversity × poor English proficiency (95% intervals)")
    ax.legend(frameon=False)
    ax.grid(axis="y", color="#dddddd")
    fig.subplots_adjust(left=0.12, right=0.97, top=0.91, bottom=0.13)
    return fig


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _la_path(geometry: Mapping[str, Any], proj: Any) -> MplPath:
    """One compound path per LA: exterior rings counter-clockwise, holes clockwise (so the
    non-zero fill rule leaves holes empty), in projected map units."""
    coords = geometry["coordinates"]
    polys = [coords] if geometry["type"] == "Polygon" else coords
    paths = []
    for poly in polys:
        for i, ring in enumerate(poly):
            pts = np.array([proj(float(p[0]), float(p[1])) for p in ring])
            pts[:, 1] = -pts[:, 1]
            ccw = _signed_area(pts) > 0
            if ccw != (i == 0):
                pts = pts[::-1]
            paths.append(MplPath(pts, closed=True))
    return MplPath.make_compound_path(*paths)


def decile_map_figure(boundaries: Mapping[str, Any], la: pd.DataFrame,
                      column: str = "trust_decile", title: str = "Predicted trust by decile"
                      ) -> Figure:
    """Choropleth of ``column`` (deciles 1-10, viridis) with a legend; patches in ``la`` order."""
    proj = fit_projection(boundaries)
    geoms = {feature_code(f): f["geometry"] for f in boundaries["features"]}
    fig = _new(7.0, 6.6)
    ax = fig.add_subplot()
    patches, colours = [], []
    for code, dec in zip(la["lad_code"], la[column], strict=True):
        patches.append(PathPatch(_la_path(geoms[code], proj)))
        colours.append(MISSING_COLOUR if pd.isna(dec) else DECILE_COLOURS[int(dec) - 1])
    coll = PatchCollection(patches, facecolors=colours, edgecolors="#ffffff", linewidths=0.3)
    ax.add_collection(coll)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in DECILE_COLOURS]
    ax.legend(handles, [f"{d}" + (" (lowest)" if d == 1 else " (highest)" if d == 10 else "")
                        for d in range(1, 11)], title="Decile", loc="center left",
              bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    ax.set_title(title)
    fig.subplots_adjust(left=0.02, right=0.76, top=0.94, bottom=0.02)
    return fig


def scatter_figure(la: pd.DataFrame) -> Figure:
    """Index scatter: EDI (x) against predicted trust (y) with 90% intervals, coloured by the
    Index of Dissimilarity; points in ``la`` order (rows with a missing value are left out)."""
    data = la[["edi", "trust", "trust_lower90", "trust_upper90", "dissimilarity"]].apply(
        pd.to_numeric, errors="coerce").dropna()
    fig = _new(6.4, 4.6)
    ax = fig.add_subplot()
    ax.errorbar(data["edi"], data["trust"],
                yerr=np.vstack([data["trust"] - data["trust_lower90"],
                                data["trust_upper90"] - data["trust"]]),
                fmt="none", ecolor="#bbbbbb", elinewidth=0.6, zorder=1)
    pts = ax.scatter(data["edi"], data["trust"], c=data["dissimilarity"], cmap="cividis",
                     s=18, edgecolors=_INK, linewidths=0.3, zorder=2)
    fig.colorbar(pts, ax=ax, label="Index of Dissimilarity (segregation)")
    ax.set_xlabel("Ethnic Diversity Index (Simpson)")
    ax.set_ylabel("Predicted trust (% trusting most neighbours)")
    percent_axis(ax, top=float(data["trust_upper90"].max()) if len(data) else None)
    ax.set_title("Diversity and trust by local authority (90% intervals)")
    ax.grid(color="#eeeeee")
    fig.subplots_adjust(left=0.12, right=0.99, top=0.92, bottom=0.12)
    return fig


def validation_figure(la: pd.DataFrame, truth: pd.DataFrame) -> Figure:
    """Estimated against true LA trust (synthetic England) with 90% intervals and the 45° line."""
    merged = la[["lad_code", "trust", "trust_lower90", "trust_upper90"]].merge(truth, on="lad_code")
    fig = _new(5.0, 5.0)
    ax = fig.add_subplot()
    t = merged["true_trust"].to_numpy(float)
    e = merged["trust"].to_numpy(float)
    ax.errorbar(t, e, yerr=np.vstack([e - merged["trust_lower90"], merged["trust_upper90"] - e]),
                fmt="o", ms=3, color=_BAND, ecolor="#bbbbbb", elinewidth=0.6)
    top = float(max(t.max(), merged["trust_upper90"].max()))
    ax.plot([0, 1], [0, 1], color=_INK, linewidth=1, linestyle="--", label="estimate = truth")
    ax.set_xlabel("True trust, % (synthetic England)")
    ax.set_ylabel("Estimated trust, % (90% intervals)")
    percent_axis(ax, "x", top)
    percent_axis(ax, "y", top)
    ax.set_title("Validation: estimates against the known truth")
    ax.legend(frameon=False)
    fig.subplots_adjust(left=0.15, right=0.96, top=0.92, bottom=0.11)
    return fig


def save_figure(fig: Figure, folder: Path, stem: str) -> None:
    """Write ``<stem>.png`` (150 dpi) and ``<stem>.svg`` (fonts as paths, no date stamp)."""
    folder.mkdir(parents=True, exist_ok=True)
    import matplotlib

    fig.savefig(folder / f"{stem}.png", dpi=150, metadata={"Software": None})
    # matplotlib salts the SVG's clip-path/glyph ids with a random hash unless svg.hashsalt is
    # set: a fixed salt (and no date) makes the SVG byte-identical between runs
    with matplotlib.rc_context({"svg.hashsalt": "socint"}):
        fig.savefig(folder / f"{stem}.svg", metadata={"Date": None})


def make_figures(la: pd.DataFrame, boundaries: Mapping[str, Any],
                 margins: Mapping[str, pd.DataFrame], interaction: pd.DataFrame | None,
                 truth: pd.DataFrame | None, folder: Path) -> list[FigureInfo]:
    """Draw and save every figure the inputs allow; returns them in page order."""
    done: list[FigureInfo] = []

    def keep(fig: Figure, stem: str, title: str, alt: str) -> None:
        save_figure(fig, folder, stem)
        done.append(FigureInfo(stem, title, alt))

    order = [n for n in MARGIN_TITLES if n in margins] + [n for n in margins
                                                           if n not in MARGIN_TITLES]
    for name in order:
        what = MARGIN_TITLES.get(name, name)
        keep(margin_figure(name, margins[name]), f"margins_{name}",
             f"Predicted trust by {what}",
             f"Predicted probability of trusting most neighbours by {what}, with 95% "
             "intervals; the same numbers are in the table below.")
    if interaction is not None:
        keep(interaction_figure(interaction), "interaction_diversity_english",
             "Diversity × poor English", "Predicted trust by diversity decile for MSOAs with "
             "and without over 30% poor English proficiency, with 95% bands.")
    keep(decile_map_figure(boundaries, la), "decile_map_trust", "Decile map of predicted trust",
         "Map of local authorities coloured by decile of predicted trust.")
    keep(scatter_figure(la), "scatter_diversity_trust", "Diversity and trust",
         "Scatter of ethnic diversity against predicted trust, one point per local authority, "
         "coloured by the Index of Dissimilarity.")
    if truth is not None:
        keep(validation_figure(la, truth), "validation_trust", "Validation against the truth",
             "Estimated against true trust for each local authority of the synthetic England.")
    return done


__all__ = [
    "MARGIN_TITLES",
    "FigureInfo",
    "decile_map_figure",
    "interaction_figure",
    "make_figures",
    "margin_figure",
    "percent_axis",
    "save_figure",
    "scatter_figure",
    "validation_figure",
]
