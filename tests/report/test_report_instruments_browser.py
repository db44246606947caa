"""The instrument pages beside a dashboard, in Debian's headless Chromium (issue 14).

A run folder is laid out as ``socint demo`` writes it: ``site/`` (the 40-LA test dashboard)
and ``instruments/`` (the four instruments on synthetic inputs for the same LAs, and an
evidence pack). At 1280 and 390 px: no horizontal overflow on any instrument page type, no
console errors, no request outside the run folder; navigation works both ways; the school
table switches between its two named rankings; the area search works from an instrument page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import Recorder, browser_fixture, sized_fixture  # noqa: F401
from report_factory import make_inputs
from report_fixtures import artifacts_fixture  # noqa: F401  (pytest fixture)

from socint.report import build_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from socint.instruments.pack import write_pack
    from socint.instruments.run import run_all
    from socint.synthetic.instruments import generate_instruments

    root = tmp_path_factory.mktemp("run")
    inputs = make_inputs(40)
    build_site(inputs, root / "site", figures=False)
    la = inputs.la_index
    run_all(generate_instruments(5, la[["lad_code", "lad_name"]]), root / "instruments")
    la.to_csv(root / "la_index.csv", index=False)
    (root / "manifest.json").write_text(json.dumps({"source": {"kind": "synthetic"}}))
    write_pack(str(la["lad_code"].iloc[3]), root, root / "instruments")
    return root.resolve()


def _page_types(inst: Path) -> list[str]:
    return ["index.html", "schools.html", sorted(p.name for p in inst.glob("scorecard_*"))[0],
            "compare.html", "survey.html", next(inst.glob("pack_*.html")).name]


def test_no_overflow_errors_or_outside_requests(sized: tuple[Any, Recorder, int],
                                                run_folder: Path, artifacts: Path) -> None:
    pg, rec, width = sized
    inst = run_folder / "instruments"
    widths = {}
    for name in _page_types(inst):
        pg.goto((inst / name).as_uri())
        pg.wait_for_load_state("load")
        widths[name] = int(pg.evaluate("document.documentElement.scrollWidth"))
        assert pg.locator("header.site-header nav a[aria-current='page']").inner_text() == (
            "Instruments")
    (artifacts / f"instrument_widths_{width}.json").write_text(json.dumps(widths, indent=1))
    assert all(w <= width for w in widths.values()), widths
    assert rec.errors == []
    assert [u for u in rec.requests if not u.startswith(run_folder.as_uri() + "/")] == []
    # the stylesheet applied (the CSP would block an inline one): the dashboard's header
    pg.goto((inst / "schools.html").as_uri())
    bg = pg.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
    pg.screenshot(path=str(artifacts / f"instruments_schools_{width}.png"), full_page=False)


def test_navigation_both_ways_and_search(browser: Any, run_folder: Path) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto((run_folder / "site" / "rankings.html").as_uri())
    pg.click("header nav >> text=Instruments")
    assert pg.url == (run_folder / "instruments" / "index.html").as_uri()
    pg.click("a[href='compare.html']")
    pg.click("header nav >> text=Rankings")
    assert pg.url == (run_folder / "site" / "rankings.html").as_uri()
    pg.goto((run_folder / "site" / "la" / "E07000005.html").as_uri())
    pg.click("header nav >> text=Instruments")
    assert pg.url == (run_folder / "instruments" / "index.html").as_uri()
    pg.fill("#site-search", "Herefordshire")  # the area search of the site, from here
    link = pg.locator("#site-search-results a").first
    link.click()
    assert pg.url == (run_folder / "site" / "la" / "E07000001.html").as_uri()
    assert errors == []
    ctx.close()


def test_school_table_switches_between_its_two_rankings(browser: Any,
                                                        run_folder: Path) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.goto((run_folder / "instruments" / "schools.html").as_uri())

    def first_visible(attr: str) -> list[float]:
        vals = pg.eval_on_selector_all(
            "#league tbody tr:not([hidden])", f"els => els.map(e => e.dataset.{attr})")
        return [float(v.replace(",", "")) for v in vals if v]

    div = first_visible("div")
    assert div == sorted(div) and div[0] == 1
    assert pg.inner_text("#league-caption").startswith("Ranking 1 — Diversity")
    pg.check("input[name='ranking'][value='rep']")
    rep = first_visible("rep")
    assert rep == sorted(rep) and rep[0] == 1
    assert pg.inner_text("#league-caption").startswith(
        "Ranking 2 — Representativeness of the district")
    la = pg.eval_on_selector("#f-la option:nth-child(2)", "o => o.value")
    pg.select_option("#f-la", la)
    shown = pg.eval_on_selector_all("#league tbody tr:not([hidden])",
                                    "els => els.map(e => e.dataset.la)")
    assert shown and set(shown) == {la}
    ctx.close()
