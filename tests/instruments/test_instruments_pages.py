"""Instrument pages inside the dashboard's chrome (issue 14): navigation both ways, one
stylesheet and Content-Security-Policy, human labels, number formats, the survey page's LA
name, the school table's two named rankings. Browser checks (overflow at 390 px, console
errors, outside requests) are in ``tests/report/test_report_instruments_browser.py``."""

from __future__ import annotations

import html as _html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import socint.cli.survey  # noqa: F401  (registers the commands)
from socint.cli import app
from socint.instruments.pages import STANDALONE_TITLE, chrome_for, finish_folder
from socint.instruments.run import run_all, run_schools
from socint.report.site import CHROME, MARKER, add_nav_link
from socint.synthetic.instruments import InstrumentInputs, generate_instruments

runner = CliRunner()
CSP = "default-src 'none'; script-src 'self'; style-src 'self'"


@pytest.fixture(scope="module")
def inputs() -> InstrumentInputs:
    return generate_instruments(3)


def _fake_site(site: Path) -> None:
    """A minimal built site: marker, chrome file, and two pages with the nav marker (the
    layout :func:`socint.report.site.build_site` writes; built for real in the browser test)."""
    (site / "la").mkdir(parents=True)
    (site / MARKER).write_text("socint\n")
    (site / CHROME).parent.mkdir(parents=True, exist_ok=True)
    (site / CHROME).write_text(json.dumps({
        "site_title": "Test index", "nav": [["map", "Map", "index.html"],
                                            ["rankings", "Rankings", "rankings.html"]],
        "ogl": "Attribution text.", "trust_source": "a published model", "has_postcodes": False}))
    page = "<nav><ul>\n<li>x</li>\n      <!-- nav-end -->\n</ul></nav>"
    (site / "index.html").write_text(page)
    (site / "la" / "E1.html").write_text(page)


def _visible(text: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    return _html.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.fixture(scope="module")
def run_folder(inputs: InstrumentInputs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run")
    _fake_site(root / "site")
    run_all(inputs, root / "instruments")
    return root


def test_pages_beside_a_site_share_its_navigation_both_ways(run_folder: Path) -> None:
    inst, site = run_folder / "instruments", run_folder / "site"
    page = (inst / "schools.html").read_text("utf-8")
    assert '<a href="../site/rankings.html">Rankings</a>' in page
    assert '<a href="../instruments/index.html" aria-current="page">Instruments</a>' in page
    assert 'data-root="../site/"' in page  # area search over the site's index
    assert '<script src="../site/assets/search-index.js"></script>' in page
    assert "<title>School diversity and representativeness — Test index</title>" in page
    assert "Attribution text." in page and "a published model" in page  # the site's footer
    # the site links to the instruments, from every depth, once (idempotent)
    assert '<li><a href="../instruments/index.html">Instruments</a></li>' in (
        site / "index.html").read_text()
    assert '<li><a href="../../instruments/index.html">Instruments</a></li>' in (
        site / "la" / "E1.html").read_text()
    assert add_nav_link(site, "instruments", "Instruments", "../instruments/index.html") == 0
    assert (site / "index.html").read_text().count("Instruments") == 1
    nav = json.loads((site / CHROME).read_text())["nav"]
    assert nav[-1] == ["instruments", "Instruments", "../instruments/index.html"]


def test_every_page_has_the_policy_and_no_inline_script_or_style(run_folder: Path) -> None:
    inst = run_folder / "instruments"
    pages = sorted(inst.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "schools.html", "compare.html",
                                       "survey.html"}
    for p in pages:
        text = p.read_text("utf-8")
        assert CSP in text, p.name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), p.name
        assert "<style" not in text and " style=" not in text, p.name
        assert "http://" not in text and "https://" not in text, p.name
    for asset in ("site.css", "favicon.svg", "instruments.js"):
        assert (inst / "assets" / asset).is_file()
    css = (inst / "assets" / "site.css").read_text()
    assert ".site-header" in css and ".inst table" in css  # dashboard's + instruments' rules
    index = (inst / "index.html").read_text("utf-8")
    for name in ("schools.html", "compare.html", "survey.html"):
        assert f'href="{name}"' in index
    assert len(re.findall(r'href="scorecard_[^"]+\.html"', index)) == len(
        list(inst.glob("scorecard_*.html")))


def test_human_labels_and_number_formats(run_folder: Path) -> None:
    inst = run_folder / "instruments"
    for p in [inst / "schools.html", inst / "compare.html", inst / "survey.html",
              next(inst.glob("scorecard_*.html"))]:
        text = _visible(p.read_text("utf-8"))
        raw = set(re.findall(r"\b[a-z]+_[a-z_]+\b", text))
        # the only underscore words allowed are CLI arguments quoted in the coverage table
        raw -= {"social_renting", "social_rented", "bad_health", "very_bad"}
        assert raw == set(), (p.name, raw)
        assert not re.search(r"(?<![\w.])-\d", text), p.name  # true minus signs only
        assert not re.search(r"\d–[−-]", text), p.name  # no "a–-b" intervals
    compare = _visible((inst / "compare.html").read_text("utf-8"))
    assert "0.000" not in compare
    assert re.search(r"<0\.001|\b0\.\d{2,3}\b", compare)
    assert re.search(r"−?\d+\.\d\d to −?\d+\.\d\d", compare)  # "−0.25 to −0.17"
    assert "Difference-in-differences" in compare
    # a chart title names the outcome's kind once, not twice
    assert "Feeling thermometer (0 to 100): feeling thermometer" not in compare
    assert "Civic actions: count" in compare
    survey = _visible((inst / "survey.html").read_text("utf-8"))
    assert re.search(r"\d+\.\d% to \d+\.\d%", survey)  # percentages as on the dashboard


def test_schools_page_names_two_rankings(run_folder: Path) -> None:
    page = (run_folder / "instruments" / "schools.html").read_text("utf-8")
    assert "Ranking 1 — Diversity" in page
    assert "Ranking 2 — Representativeness of the district" in page
    assert 'name="ranking" value="div" checked' in page
    table = pd.read_csv(run_folder / "instruments" / "schools.csv")
    ranks = [int(v.replace(",", "")) for v in re.findall(r'data-div="([\d,]+)"', page)]
    assert ranks == sorted(ranks)  # shown in diversity order by default
    first = table.loc[table["diversity_rank_national"] == 1].iloc[0]
    assert first["diversity_edi"] == table["diversity_edi"].max()  # rank 1 = most diverse


def test_standalone_folder_has_its_own_navigation(inputs: InstrumentInputs,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "schools"
    assert chrome_for(out).site is None
    run_schools(inputs.schools, inputs.la_population, out)
    page = (out / "schools.html").read_text("utf-8")
    assert f"— {STANDALONE_TITLE}</title>" in page
    assert 'id="site-search"' not in page  # no index to search
    assert '<a href="index.html" aria-current="page">Instruments</a>' in page
    assert "School diversity and representativeness" in (out / "index.html").read_text()
    assert finish_folder(out)[-1] == out / "index.html"


def test_survey_page_is_titled_with_the_la_name(inputs: InstrumentInputs,
                                                 tmp_path: Path) -> None:
    r, m = tmp_path / "resp.csv", tmp_path / "margins.csv"
    inputs.local_survey.to_csv(r, index=False)
    inputs.margins.to_csv(m, index=False)
    la = str(inputs.local_survey["lad_code"].iloc[0])
    assert la == "E06000008"  # the synthetic inputs' first real LA code
    res = runner.invoke(app, ["survey", "estimate", str(r), "--margins", str(m), "--la", la,
                              "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "s" / "survey.html").read_text("utf-8")
    # the ONS name of E06000008, from the bundled lookup
    assert "<h1>Local survey results: Blackburn with Darwen</h1>" in page

