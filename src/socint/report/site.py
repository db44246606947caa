"""Build the static, self-contained dashboard from a :class:`SiteInputs` bundle.

Layout of the output folder::

    index.html            map (inline SVG choropleth, measure selector, table alternative)
    msoa.html             England-wide MSOA map (when MSOA boundaries are given)
    rankings.html         sortable, searchable table of all LAs + downloads
    figures.html          every figure (PNG embedded, PNG/SVG downloads)
    methodology.html      definitions, sources and licences, model tables, validation, manifest
    la/<lad_code>.html     one profile per LA
    assets/               site.css, map.js, rankings.js (written by socint, no libraries)
    figures/              <stem>.png and <stem>.svg
    downloads/            la_index.csv, la_index.geojson, la_index.xlsx (msoa_index.csv)

Offline by construction: pages reference only files in the folder by relative paths, fonts are
the system's, the map is SVG drawn from projected polygons (no tiles), data are embedded in the
pages (``fetch`` of local files is blocked under ``file://``), and a Content-Security-Policy
forbids loading anything but the site's own scripts, styles and images. The site is built in a
temporary sibling folder and swapped into place, so a failed build leaves the previous one.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from socint import __version__
from socint.errors import SocintError
from socint.report.context import TABLE_SIZE, prepare_index, prepare_msoa
from socint.report.exports import licence_text, write_downloads
from socint.report.figures import FigureInfo, make_figures
from socint.report.geometry import project_collection
from socint.report.inputs import SiteInputs, current_inputs, validate_inputs
from socint.report.mappages import change_map_page
from socint.report.pages import (
    disclosure_threshold,
    map_page,
    methodology_page,
    profile_pages,
    rankings_page,
)
from socint.report.palette import (
    CLASS_COLOURS,
    DECILE_COLOURS,
    DIVERGING_COLOURS,
    MISSING_COLOUR,
    css_variables,
)
from socint.report.search import postcodes_js, search_index_js

#: File marking a folder as a socint site (only such folders are ever replaced).
MARKER = ".socint-site"
#: File in a build's temporary folder holding the builder's process id.
BUILD_PID = ".socint-build"
#: What pages written beside the site (the instruments) need to share its header and footer:
#: title, navigation, attribution, trust source, postcode search (JSON, in ``assets/``).
CHROME = "assets/chrome.json"
#: Folder of the companion instruments beside the site in a run folder (``socint demo``);
#: a site built beside one links to it (see :func:`add_nav_link` for one written later).
INSTRUMENTS_DIR = "instruments"
#: Marker in every page's navigation list before which :func:`add_nav_link` inserts.
NAV_END = "<!-- nav-end -->"
#: The site icon (three bars in the decile colours), written by the builder so that only
#: ``*.js``/``*.css``/``*.jinja`` package data are needed.
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#1d3557"/>'
    '<rect x="3" y="9" width="3" height="4" fill="#fde725"/>'
    '<rect x="7" y="6" width="3" height="7" fill="#35b779"/>'
    '<rect x="11" y="3" width="3" height="10" fill="#31688e"/></svg>\n'
)
NAV: tuple[tuple[str, str, str], ...] = (
    ("map", "Map", "index.html"),
    ("msoa", "MSOA map", "msoa.html"),
    ("change", "Change", "change.html"),
    ("rankings", "Rankings", "rankings.html"),
    ("figures", "Figures", "figures.html"),
    ("methodology", "Methodology", "methodology.html"),
)


@dataclass(frozen=True)
class SiteResult:
    """What :func:`build_site` wrote: the folder, page count, figures, size and build time."""

    path: Path
    pages: int
    figures: tuple[FigureInfo, ...]
    downloads: Mapping[str, Path]
    bytes: int
    seconds: float


def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescaping always on, strict undefined."""
    env = Environment(loader=PackageLoader("socint.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["normpath"] = posixpath.normpath
    return env


def stylesheet() -> str:
    """``site.css``: palette custom properties, the static stylesheet, decile/class fills."""
    static = resources.files("socint.report").joinpath("assets/site.css").read_text("utf-8")
    rules = [f".d{i + 1} {{ fill: {c}; background-color: {c}; }}"
             for i, c in enumerate(DECILE_COLOURS)]
    rules += [f".v{i + 1} {{ fill: {c}; background-color: {c}; }}"
              for i, c in enumerate(DIVERGING_COLOURS)]
    rules.append(f".missing {{ fill: {MISSING_COLOUR}; background-color: {MISSING_COLOUR}; }}")
    rules += [f".c-{k} {{ fill: {c}; background-color: {c}; }}"
              for k, c in CLASS_COLOURS.items()]
    return css_variables() + static + "\n".join(rules) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise SocintError(f"the site folder {out_dir} is a file", file=out_dir,
                          hint="choose a folder path for --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise SocintError(
            f"the folder {out_dir} is not empty and was not written by `socint report`; "
            "refusing to replace it", file=out_dir,
            hint="choose a new or empty folder, or a folder from an earlier `socint report`")


def attribution(inputs: SiteInputs) -> str:
    """The footer's data attribution: the licence statement of the run's sources (OGL v3 only
    when a source is OGL; the synthetic notice for the synthetic England)."""
    return licence_text(inputs.sources)


def _render_all(inputs: SiteInputs, la: pd.DataFrame, tmp: Path,
                figures: tuple[FigureInfo, ...]) -> int:
    """Render every page into ``tmp``; returns the number of pages."""
    env = environment()
    proj, paths = project_collection(inputs.boundaries)
    has_msoa_map = inputs.msoa_index is not None and inputs.msoa_boundaries is not None
    has_change = inputs.change is not None
    nav = tuple(n for n in NAV if (n[0] != "msoa" or has_msoa_map)
                and (n[0] != "change" or has_change))
    if (tmp.parent / INSTRUMENTS_DIR / "index.html").is_file():  # a rebuild beside them
        nav += (("instruments", "Instruments", f"../{INSTRUMENTS_DIR}/index.html"),)
    common: dict[str, Any] = {"site_title": inputs.title, "version": __version__, "nav": nav,
                              "ogl": attribution(inputs),
                              "trust_source": str(inputs.manifest.get("trust_source", "")),
                              "has_postcodes": inputs.postcodes is not None}
    threshold = disclosure_threshold(inputs)
    _write(tmp / CHROME, json.dumps({
        "site_title": inputs.title, "nav": [list(n) for n in nav], "ogl": common["ogl"],
        "trust_source": common["trust_source"], "has_postcodes": common["has_postcodes"]},
        indent=1) + "\n")

    def page(template: str, target: Path, active: str, title: str, root: str,
             **ctx: Any) -> None:
        html = env.get_template(template).render(**common, **ctx, active=active,
                                                 page_title=title, root=root)
        _write(target, html)

    page("map.html.jinja", tmp / "index.html", "map", "Map", "",
         **map_page(la, paths, proj.view_box, threshold=threshold))
    if inputs.change is not None:
        page("map.html.jinja", tmp / "change.html", "change", "Change", "",
             **change_map_page(la, inputs.change, paths, proj.view_box))
    if inputs.msoa_index is not None and inputs.msoa_boundaries is not None:
        msoa, measures = prepare_msoa(inputs.msoa_index)
        mproj, mpaths = project_collection(inputs.msoa_boundaries, "msoa")
        page("map.html.jinja", tmp / "msoa.html", "msoa", "MSOA map", "",
             **map_page(msoa, mpaths, mproj.view_box, measures=measures, level="msoa"))
    page("rankings.html.jinja", tmp / "rankings.html", "rankings", "Rankings", "",
         **rankings_page(la, threshold), has_msoa=inputs.msoa_index is not None)
    page("figures.html.jinja", tmp / "figures.html", "figures", "Figures", "",
         figures=figures)
    page("methodology.html.jinja", tmp / "methodology.html", "methodology", "Methodology", "",
         **methodology_page(inputs, figures, list(inputs.la_index.columns)))
    profiles = profile_pages(la, inputs)
    template = env.get_template("profile.html.jinja")
    for prof in profiles:
        html = template.render(**common, la=prof, n_areas=len(profiles), active="",
                               page_title=prof["name"], root="../",
                               table_size=TABLE_SIZE)
        _write(tmp / "la" / f"{prof['code']}.html", html)
    return 4 + int(has_msoa_map) + int(has_change) + len(profiles)


def build_site(inputs: SiteInputs, out_dir: str | Path, *, figures: bool = True) -> SiteResult:
    """Validate ``inputs`` and write the dashboard to ``out_dir``.

    Parameters
    ----------
    inputs
        The index outputs (see :class:`SiteInputs`).
    out_dir
        Folder of the site; replaced only if empty or written by an earlier build.
    figures
        Draw the matplotlib figures (PNG + SVG); ``False`` builds pages only (faster previews).

    Raises
    ------
    SchemaError, InputDataError
        From :func:`validate_inputs`, before anything is written.
    SocintError
        If ``out_dir`` is a non-empty folder that is not a socint site.
    """
    start = time.perf_counter()
    out_dir = Path(out_dir)
    inputs = current_inputs(inputs)
    validate_inputs(inputs)
    _check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_builds(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)
        (tmp / BUILD_PID).write_text(f"{os.getpid()}\n", encoding="utf-8")
        assets = tmp / "assets"
        assets.mkdir()
        _write(assets / "site.css", stylesheet())
        _write(assets / "favicon.svg", FAVICON_SVG)
        _write(assets / "search-index.js", search_index_js(inputs.la_index, inputs.msoa_index))
        if inputs.postcodes is not None:
            _write(assets / "postcodes.js", postcodes_js(inputs.postcodes))
        for name in ("map.js", "rankings.js", "search.js"):
            src = resources.files("socint.report").joinpath(f"assets/{name}")
            _write(assets / name, src.read_text("utf-8"))
        la_display = prepare_index(inputs.la_index)
        figs = tuple(make_figures(la_display, inputs.boundaries, inputs.margins,
                                  inputs.interaction, inputs.truth, tmp / "figures")
                     ) if figures else ()
        downloads = write_downloads(inputs.la_index, inputs.boundaries, tmp / "downloads",
                                    inputs.sources, inputs.manifest, inputs.msoa_index)
        pages = _render_all(inputs, la_display, tmp, figs)
        (tmp / MARKER).write_text(f"socint {__version__}\n", encoding="utf-8")
        (tmp / BUILD_PID).unlink()
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    return SiteResult(out_dir, pages, figs,
                      {k: out_dir / "downloads" / p.name for k, p in downloads.items()},
                      size, time.perf_counter() - start)


def read_chrome(site_dir: str | Path) -> dict[str, Any] | None:
    """The header/footer settings of the site in ``site_dir`` (``None`` when it is not a
    socint site, or was built before :data:`CHROME` existed)."""
    site = Path(site_dir)
    path = site / CHROME
    if not (site / MARKER).is_file() or not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    return data if isinstance(data, dict) else None


def add_nav_link(site_dir: str | Path, key: str, label: str, href: str) -> int:
    """Add a link to every page's navigation of the built site in ``site_dir``.

    ``href`` is relative to the site folder (e.g. ``../instruments/index.html`` for pages
    written beside it). Idempotent: a key already in the navigation is left alone. Returns the
    number of pages changed.
    """
    from markupsafe import escape

    site = Path(site_dir)
    chrome = read_chrome(site)
    if chrome is None or any(n[0] == key for n in chrome["nav"]):
        return 0
    changed = 0
    for page in sorted(site.rglob("*.html")):
        text = page.read_text("utf-8")
        if NAV_END not in text:
            continue
        root = "../" * (len(page.relative_to(site).parts) - 1)
        link = (f'<li><a href="{escape(posixpath.normpath(root + href))}">{escape(label)}'
                f"</a></li>\n      {NAV_END}")
        _write(page, text.replace(NAV_END, link, 1))
        changed += 1
    chrome["nav"].append([key, label, href])
    _write(site / CHROME, json.dumps(chrome, indent=1) + "\n")
    return changed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_builds(out_dir: Path) -> list[Path]:
    """Remove the hidden temporary folders (``.<site>.XXXX``, ``.<site>.old.XXXX``) that a
    killed ``socint report`` left beside ``out_dir``; returns the folders removed.

    Only folders a build made are touched: each holds ``.socint-build`` with the builder's
    process id (skipped while that process still runs) or, for a swapped-out earlier site,
    the site marker.
    """
    removed: list[Path] = []
    if not out_dir.parent.is_dir():
        return removed
    for cand in sorted(out_dir.parent.glob(f".{out_dir.name}.*")):
        if not cand.is_dir() or cand.is_symlink():
            continue
        pid_file = cand / BUILD_PID
        if pid_file.is_file():
            text = pid_file.read_text("utf-8").strip()
            if text.isdigit() and int(text) != os.getpid() and _alive(int(text)):
                continue
        elif not (cand / MARKER).is_file():
            continue
        shutil.rmtree(cand, ignore_errors=True)
        removed.append(cand)
    return removed


def _swap(tmp: Path, out_dir: Path) -> None:
    """Move the freshly built ``tmp`` to ``out_dir``, removing an earlier build."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
        old.rmdir()
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = ["CHROME", "MARKER", "SiteResult", "add_nav_link", "build_site", "clean_stale_builds",
           "environment", "read_chrome", "stylesheet"]
