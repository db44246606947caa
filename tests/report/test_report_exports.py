"""The published exports against their one schema, on a real (synthetic England) index run.

Checked from the files as a reader opens them (pandas, json, openpyxl): every column defined
once, interval levels in the names, no duplicate columns, publication rounding, the same table
in CSV/GeoJSON/XLSX, the workbook's styling, the licence text of the run's sources, and
byte-identical files for identical runs (issue 10: SVG hash salt, XLSX timestamps).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from html import escape as html_escape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from report_factory import make_inputs

from socint.report import build_site
from socint.report.exports import licence_text
from socint.report.inputs import DEFAULT_SOURCES, SYNTHETIC_SOURCES
from socint.report.schema import (
    LA_SCHEMA,
    LEGACY_NAMES,
    MSOA_SCHEMA,
    current_names,
    undocumented,
)
from socint.report.site import MARKER, clean_stale_builds

_CACHE: dict[str, Path] = {}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``write_index`` of a small synthetic England run (real composite outputs)."""
    if "index" not in _CACHE:
        from socint.composite import outputs, run
        from socint.synthetic import generate_england
        from socint.synthetic.source import inputs_from_synthetic

        england = generate_england(2011, scale=0.2, survey_size=4000)
        result = run.build_index(inputs_from_synthetic(england))
        out = tmp_path_factory.mktemp("index") / "index"
        outputs.write_index(result, out)
        _CACHE["index"] = out
    return _CACHE["index"]


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if re.fullmatch(r"-?\d+\.\d+", text) else 0


def test_every_published_column_is_defined_once(index_dir: Path) -> None:
    la = pd.read_csv(index_dir / "la_index.csv")
    msoa = pd.read_csv(index_dir / "msoa_index.csv")
    assert undocumented(la.columns, LA_SCHEMA) == []
    assert undocumented(msoa.columns, MSOA_SCHEMA) == []
    names = [c.name for c in LA_SCHEMA]
    assert len(names) == len(set(names))
    gj = json.loads((index_dir / "la_index.geojson").read_text("utf-8"))
    assert set(gj["features"][0]["properties"]) == set(la.columns)


def test_interval_levels_are_in_the_names(index_dir: Path) -> None:
    la = pd.read_csv(index_dir / "la_index.csv")
    bounds = [c for c in la.columns if re.search(r"_(lower|upper)", c)]
    assert bounds and all(re.search(r"_(lower|upper)(90|95)$", c) for c in bounds), bounds
    by = {c.name: c for c in LA_SCHEMA}
    for c in bounds:
        assert by[c].level == c[-2:] + "%"
    assert not set(LEGACY_NAMES) & set(la.columns)
    # the 95% interval contains the 90% one (checks the names say the true levels)
    assert (la["trust_lower95"] <= la["trust_lower90"]).all()
    assert (la["trust_upper95"] >= la["trust_upper90"]).all()


def test_no_duplicate_columns_and_publication_rounding(index_dir: Path) -> None:
    la = pd.read_csv(index_dir / "la_index.csv", dtype=str)
    num = la.apply(pd.to_numeric, errors="coerce")
    cols = [c for c in num.columns if num[c].notna().any() and c != "lad_code"]
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            same = ((num[a] == num[b]) | (num[a].isna() & num[b].isna())).all()
            assert not (same and num[a].nunique() > 2), f"{a} duplicates {b}"
    assert "mrp" not in la.columns  # trust is the MRP estimate (default method)
    by = {c.name: c for c in LA_SCHEMA}
    for c in la.columns:
        most = max([_decimals(v) for v in la[c].dropna()], default=0)
        assert most <= (by[c].digits or 0), (c, most)
    full = pd.read_csv(index_dir / "la_index_analysis.csv")
    assert full["trust"].astype(str).map(_decimals).max() > 4  # full precision kept there
    assert (full["trust"].round(4) == pd.to_numeric(la["trust"])).all()


def test_xlsx_is_the_csv_table_styled(index_dir: Path) -> None:
    la = pd.read_csv(index_dir / "la_index.csv", dtype={"lad_code": str})
    wb = openpyxl.load_workbook(index_dir / "la_index.xlsx")
    ws = wb["la_index"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(la.columns)
    col = list(la.columns).index("trust")
    assert [r[col] for r in rows[1:]] == list(la["trust"])
    head = ws.cell(row=1, column=1)
    assert head.font.bold and head.fill.fgColor.rgb.endswith("1D3557")
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws.cell(row=2, column=col + 1).number_format == "0.0%"
    assert ws.column_dimensions["B"].width > 10
    readme = [r for r in wb["README"].iter_rows(values_only=True)]
    documented = {r[0] for r in readme}
    assert set(la.columns) <= documented
    trust_row = next(r for r in readme if r[0] == "trust_lower90")
    assert trust_row[2:] == ("share", "90%")


def test_licence_follows_the_sources(index_dir: Path) -> None:
    wb = openpyxl.load_workbook(index_dir / "la_index.xlsx", read_only=True)
    flat = " ".join(str(c) for r in wb["README"].iter_rows(values_only=True) for c in r if c)
    assert "Synthetic demonstration data" in flat
    assert "licensed under the Open Government Licence" not in flat
    assert "licensed under the Open Government Licence" in licence_text(DEFAULT_SOURCES)
    assert "Synthetic" in licence_text(SYNTHETIC_SOURCES)


def test_index_outputs_are_byte_identical_between_runs(index_dir: Path, tmp_path: Path) -> None:
    from socint.composite import outputs, run
    from socint.synthetic import generate_england
    from socint.synthetic.source import inputs_from_synthetic

    england = generate_england(2011, scale=0.2, survey_size=4000)
    time.sleep(1.1)  # a different second: zip timestamps would differ
    outputs.write_index(run.build_index(inputs_from_synthetic(england)), tmp_path / "b")
    for name in ("la_index.csv", "la_index.geojson", "la_index.xlsx", "msoa_index.csv",
                 "la_index_analysis.csv"):
        assert (index_dir / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_site_downloads_and_figures_are_byte_identical(tmp_path: Path) -> None:
    inputs = make_inputs(12)
    a = build_site(inputs, tmp_path / "a")
    time.sleep(1.1)
    b = build_site(inputs, tmp_path / "b")
    files = sorted(p.relative_to(a.path) for p in a.path.rglob("*")
                   if p.is_file() and p.parent.name in ("downloads", "figures"))
    assert any(p.suffix == ".svg" for p in files) and any(p.suffix == ".xlsx" for p in files)
    for rel in files:
        assert (a.path / rel).read_bytes() == (b.path / rel).read_bytes(), rel


def test_legacy_column_names_still_build(tmp_path: Path) -> None:
    inputs = make_inputs(8, extras=False)
    old = inputs.la_index.rename(columns={v: k for k, v in LEGACY_NAMES.items()})
    assert "trust_lower" in old.columns
    from dataclasses import replace

    site = build_site(replace(inputs, la_index=old), tmp_path / "site")
    got = pd.read_csv(site.path / "downloads" / "la_index.csv")
    assert "trust_lower90" in got.columns and "trust_lower" not in got.columns
    assert list(current_names(old).columns) == list(inputs.la_index.columns)


def test_methodology_page_renders_the_schema(tmp_path: Path) -> None:
    site = build_site(make_inputs(8), tmp_path / "site", figures=False)
    html = (site.path / "methodology.html").read_text("utf-8")
    la = pd.read_csv(site.path / "downloads" / "la_index.csv")
    by = {c.name: c for c in LA_SCHEMA}
    for name in la.columns:
        c = by[name]
        meaning = html_escape(c.meaning).replace("&#x27;", "&#39;")
        assert f"<code>{name}</code></th><td>{meaning}" in html, name
    assert "<td>90%</td>" in html and "<td>95%</td>" in html


_KILLED_BUILD = """
import os, sys, signal
from report_factory import make_inputs
import socint.report.site as site
real = site._render_all
def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
site._render_all = die
site.build_site(make_inputs(6), sys.argv[1], figures=False)
"""


def test_killed_report_leaves_no_temp_folders_after_next_run(tmp_path: Path) -> None:
    target = tmp_path / "site"
    build_site(make_inputs(6), target, figures=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parent), *sys.path])}
    proc = subprocess.run([sys.executable, "-c", _KILLED_BUILD, str(target)], env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert left, "the killed build should have left its temporary folder"
    before = (target / "index.html").read_bytes()
    assert (target / MARKER).is_file() and before  # the earlier site is intact
    build_site(make_inputs(6), target, figures=False)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


def test_stale_cleanup_spares_foreign_and_live_folders(tmp_path: Path) -> None:
    target = tmp_path / "site"
    foreign = tmp_path / ".site.mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("user data")
    live = tmp_path / ".site.live"
    live.mkdir()
    (live / ".socint-build").write_text(f"{os.getppid()}\n")
    dead = tmp_path / ".site.dead"
    dead.mkdir()
    (dead / ".socint-build").write_text("999999999\n")
    removed = clean_stale_builds(target)
    assert removed == [dead]
    assert foreign.is_dir() and live.is_dir()
