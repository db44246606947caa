"""The dashboard in a real headless Chromium (Debian's ``chromium`` driven by Playwright).

Skipped, with the reason, when ``/usr/bin/chromium`` or the ``playwright`` package is absent.
One browser is launched for the module; screenshots go to ``test-artifacts/report/``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from report_factory import N_LAS, SPECIAL_NAMES
from report_fixtures import (  # noqa: F401  (pytest fixtures)
    artifacts_fixture,
    built_site_fixture,
    site_inputs_fixture,
)

from socint.report import SiteInputs, SiteResult
from socint.report.palette import DECILE_COLOURS
from socint.report.serve import make_server, url_of

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

pytestmark = pytest.mark.browser
if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} "
                "(apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need the playwright package (pip install "
                                  "playwright; never `playwright install`)")


@dataclass
class Recorder:
    """Console errors, page errors, dialogs and every request URL of one page."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[tuple[Any, Recorder]]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    rec = Recorder()
    pg.on("console", lambda m: rec.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: rec.errors.append(str(e)))
    pg.on("request", lambda r: rec.requests.append(r.url))

    def on_dialog(d: Any) -> None:
        rec.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    yield pg, rec
    ctx.close()


def _open_map(pg: Any, url: str) -> int:
    pg.goto(url)
    pg.wait_for_selector("html[data-ready='1']", timeout=10_000)
    return int(pg.get_attribute("html", "data-ready-ms"))


def _hex(rgb: str) -> str:
    parts = rgb[rgb.index("(") + 1:rgb.index(")")].split(",")
    return "#" + "".join(f"{int(float(v)):02x}" for v in parts[:3])


def _fills(pg: Any) -> dict[str, str]:
    pairs = pg.eval_on_selector_all(
        "a.la-link", "els => els.map(a => [a.dataset.code, "
                     "getComputedStyle(a.firstElementChild).fill])")
    return {code: _hex(fill) for code, fill in pairs}


def test_map_loads_offline_and_clean(page: tuple[Any, Recorder], built_site: SiteResult,
                                     artifacts: Path) -> None:
    """Load time is measured by ``benchmarks/bench_report.py``, not asserted here."""
    pg, rec = page
    site = built_site.path.resolve()
    ready_ms = _open_map(pg, (site / "index.html").as_uri())
    pg.screenshot(path=str(artifacts / "map.png"))
    assert rec.errors == []
    outside = [u for u in rec.requests if not u.startswith(site.as_uri() + "/")]
    assert outside == []
    assert pg.locator("svg#map path.la").count() == N_LAS
    assert ready_ms > 0  # the page reports when its map became interactive


def test_initial_colours_are_the_trust_deciles(page: tuple[Any, Recorder],
                                               built_site: SiteResult,
                                               site_inputs: SiteInputs) -> None:
    pg, _ = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    want = {c: DECILE_COLOURS[int(d) - 1] for c, d in
            zip(site_inputs.la_index["lad_code"], site_inputs.la_index["trust_decile"],
                strict=True)}
    assert _fills(pg) == want


def test_switching_measure_recolours_the_map(page: tuple[Any, Recorder],
                                             built_site: SiteResult, site_inputs: SiteInputs,
                                             artifacts: Path) -> None:
    pg, rec = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    before = _fills(pg)
    pg.select_option("#measure", "edi")
    after = _fills(pg)
    want = {c: DECILE_COLOURS[int(d) - 1] for c, d in
            zip(site_inputs.la_index["lad_code"], site_inputs.la_index["edi_decile"],
                strict=True)}
    assert after == want and after != before
    pg.select_option("#measure", "classification")
    pg.screenshot(path=str(artifacts / "map_classification.png"))
    assert pg.is_visible("ul[data-legend='class']") and not pg.is_visible(
        "ul[data-legend='decile']")
    assert rec.errors == []


def test_hover_tooltip_and_click_opens_profile(page: tuple[Any, Recorder],
                                               built_site: SiteResult, site_inputs: SiteInputs,
                                               artifacts: Path) -> None:
    pg, rec = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    row = site_inputs.la_index.iloc[0]
    shape = pg.locator(f"a.la-link[data-code='{row['lad_code']}'] path")
    shape.hover()
    tip = pg.locator("#tooltip")
    assert tip.is_visible()
    text = tip.inner_text()
    assert row["lad_name"] in text and f"{100 * row['trust']:.1f}%" in text
    assert f"Decile {row['trust_decile']} of 10" in text
    pg.screenshot(path=str(artifacts / "map_tooltip.png"))
    shape.click()
    pg.wait_for_url(f"**/la/{row['lad_code']}.html")
    assert pg.inner_text("h1") == row["lad_name"]
    pg.screenshot(path=str(artifacts / "profile.png"), full_page=True)
    assert rec.errors == []


def test_keyboard_opens_a_profile(page: tuple[Any, Recorder], built_site: SiteResult,
                                  site_inputs: SiteInputs) -> None:
    pg, _ = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    code = site_inputs.la_index["lad_code"].iloc[5]
    link = pg.locator(f"a.la-link[data-code='{code}']")
    link.focus()
    assert pg.locator("#tooltip").is_visible()
    assert "Open profile" in (link.get_attribute("aria-label") or "")
    pg.keyboard.press("Enter")
    pg.wait_for_url(f"**/la/{code}.html")


def test_zoom_buttons_change_and_reset_the_view(page: tuple[Any, Recorder],
                                                built_site: SiteResult) -> None:
    pg, _ = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    home = pg.get_attribute("#map", "viewBox")
    pg.click("#zoom-in")
    zoomed = pg.get_attribute("#map", "viewBox")
    assert float(zoomed.split()[2]) < float(home.split()[2])
    pg.click("#zoom-reset")
    assert [float(v) for v in pg.get_attribute("#map", "viewBox").split()] == [
        float(v) for v in home.split()]


def test_msoa_map_opens_the_la_profile(page: tuple[Any, Recorder], built_site: SiteResult,
                                       site_inputs: SiteInputs, artifacts: Path) -> None:
    pg, rec = page
    msoa = site_inputs.msoa_index
    assert msoa is not None
    _open_map(pg, (built_site.path / "msoa.html").as_uri())
    assert pg.locator("svg#map path.la").count() == len(msoa) == 3 * N_LAS
    code, la = msoa["msoa_code"].iloc[7], msoa["lad_code"].iloc[7]
    shape = pg.locator(f"a.la-link[data-code='{code}'] path")
    shape.hover()
    assert msoa["msoa_name"].iloc[7] in pg.inner_text("#tooltip")
    pg.screenshot(path=str(artifacts / "msoa_map.png"))
    shape.click()
    pg.wait_for_url(f"**/la/{la}.html")
    assert rec.errors == []


def test_rankings_search_finds_herefordshire(page: tuple[Any, Recorder],
                                             built_site: SiteResult, artifacts: Path) -> None:
    pg, rec = page
    pg.goto((built_site.path / "rankings.html").as_uri())
    pg.wait_for_selector("html[data-ready='1']")
    pg.fill("#search", "Herefordshire, County of")
    rows = pg.locator("#rankings tbody tr:visible")
    assert rows.count() == 1
    assert rows.first.locator("th a").inner_text() == "Herefordshire, County of"
    assert pg.inner_text("#search-count") == f"1 of {N_LAS} shown"
    pg.screenshot(path=str(artifacts / "rankings_search.png"))
    assert rec.errors == []


def test_rankings_sort_by_trust(page: tuple[Any, Recorder], built_site: SiteResult,
                                site_inputs: SiteInputs) -> None:
    pg, _ = page
    pg.goto((built_site.path / "rankings.html").as_uri())
    pg.wait_for_selector("html[data-ready='1']")
    pg.click("button[data-key='trust']")
    shown = pg.eval_on_selector_all("#rankings tbody tr th a",
                                    "els => els.map(a => a.getAttribute('href'))")
    want = site_inputs.la_index.sort_values("trust")["lad_code"]
    assert shown == [f"la/{c}.html" for c in want]
    assert pg.get_attribute("button[data-key='trust'] >> xpath=..", "aria-sort") == "ascending"


def test_hostile_name_shows_as_text(page: tuple[Any, Recorder], built_site: SiteResult,
                                    site_inputs: SiteInputs, artifacts: Path) -> None:
    pg, rec = page
    code = site_inputs.la_index["lad_code"].iloc[2]
    pg.goto((built_site.path / "la" / f"{code}.html").as_uri())
    assert pg.inner_text("h1") == SPECIAL_NAMES[2]
    pg.screenshot(path=str(artifacts / "profile_hostile_name.png"))
    _open_map(pg, (built_site.path / "index.html").as_uri())
    pg.locator(f"a.la-link[data-code='{code}'] path").hover()
    assert SPECIAL_NAMES[2] in pg.inner_text("#tooltip")
    pg.goto((built_site.path / "rankings.html").as_uri())
    pg.fill("#search", "<script>")
    assert pg.locator("#rankings tbody tr:visible th a").inner_text() == SPECIAL_NAMES[2]
    pg.goto((built_site.path / "methodology.html").as_uri())
    assert "</pre><script>alert(2)</script>" in pg.inner_text("pre.manifest")
    assert rec.dialogs == [] and rec.errors == []


def test_served_over_loopback_http(page: tuple[Any, Recorder], built_site: SiteResult,
                                   artifacts: Path) -> None:
    pg, rec = page
    server = make_server(built_site.path, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = url_of(server)
        _open_map(pg, base + "index.html")
        assert pg.locator("svg#map path.la").count() == N_LAS
        pg.goto(base + "figures.html", wait_until="load")
        imgs = pg.eval_on_selector_all("img", "els => els.map(i => i.naturalWidth)")
        assert imgs and all(w > 0 for w in imgs), rec.errors
        pg.screenshot(path=str(artifacts / "figures_http.png"))
    finally:
        server.shutdown()
        server.server_close()
    assert [u for u in rec.requests if not u.startswith(base)] == []
    assert rec.errors == []


def test_real_ons_boundaries_in_the_browser(page: tuple[Any, Recorder], shared_data: Path,
                                            tmp_path: Path, artifacts: Path) -> None:
    from report_factory import ons_england_inputs

    from socint.report import build_site

    inputs = ons_england_inputs(shared_data)
    site = build_site(inputs, tmp_path / "ons", figures=False).path
    pg, rec = page
    ready_ms = _open_map(pg, (site / "index.html").as_uri())
    assert pg.locator("svg#map path.la").count() == len(inputs.la_index) == 317
    pg.screenshot(path=str(artifacts / "map_ons_lad2019.png"))
    code = inputs.la_index.loc[inputs.la_index["lad_name"] == "Herefordshire, County of",
                               "lad_code"].iloc[0]
    pg.locator(f"a.la-link[data-code='{code}'] path").click()
    pg.wait_for_url(f"**/la/{code}.html")
    assert pg.inner_text("h1") == "Herefordshire, County of"
    assert rec.errors == [] and ready_ms > 0
