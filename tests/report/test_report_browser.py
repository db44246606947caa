"""The dashboard in a real headless Chromium (Debian's ``chromium`` driven by Playwright).

Skipped, with the reason, when ``/usr/bin/chromium`` or the ``playwright`` package is absent.
One browser is launched for the module; screenshots go to ``test-artifacts/report/``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import Recorder, browser_fixture, sized_fixture, watch  # noqa: F401
from report_factory import N_LAS, SPECIAL_NAMES, check_legend
from report_fixtures import (  # noqa: F401  (pytest fixtures)
    artifacts_fixture,
    built_site_fixture,
    site_inputs_fixture,
)

from socint.report import SiteInputs, SiteResult
from socint.report.palette import DECILE_COLOURS
from socint.report.serve import make_server, url_of

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser: Any) -> Iterator[tuple[Any, Recorder]]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    yield pg, watch(pg)
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
    # tiny London boroughs are reachable: the inset draws them several times larger
    city = "E09000001"
    inset = pg.locator(f"svg#inset a[data-code='{city}'] path").bounding_box()
    main = pg.locator(f"svg#map a[data-code='{city}'] path").bounding_box()
    assert inset["width"] > 2.5 * main["width"]
    code = inputs.la_index.loc[inputs.la_index["lad_name"] == "Herefordshire, County of",
                               "lad_code"].iloc[0]
    pg.locator(f"a.la-link[data-code='{code}'] path").click()
    pg.wait_for_url(f"**/la/{code}.html")
    assert pg.inner_text("h1") == "Herefordshire, County of"
    assert rec.errors == [] and ready_ms > 0


# --- issue 14: phone and desktop, uncertainty, legend, search, inset, change map, similar ---

PAGE_TYPES = ("index.html", "msoa.html", "change.html", "rankings.html", "figures.html",
              "methodology.html", "la/E07000005.html")
WIDTHS: dict[str, dict[str, int]] = {}


def test_no_horizontal_overflow_on_any_page_type(sized: tuple[Any, Recorder, int],
                                                 built_site: SiteResult,
                                                 artifacts: Path) -> None:
    pg, rec, width = sized
    site = built_site.path.resolve()
    widths = {}
    for rel in PAGE_TYPES:
        pg.goto((site / rel).as_uri())
        pg.wait_for_load_state("load")
        widths[rel] = int(pg.evaluate("document.documentElement.scrollWidth"))
    WIDTHS[str(width)] = widths
    (artifacts / f"page_widths_{width}.json").write_text(json.dumps(widths, indent=1), "utf-8")
    assert all(w <= width for w in widths.values()), widths
    assert rec.errors == []
    assert [u for u in rec.requests if not u.startswith(site.as_uri() + "/")] == []


def test_uncertainty_view_fades_wide_intervals(sized: tuple[Any, Recorder, int],
                                               built_site: SiteResult, site_inputs: SiteInputs,
                                               artifacts: Path) -> None:
    from socint.report.context import prepare_index
    from socint.report.definitions import MEASURES
    from socint.report.mapdata import class_spans

    pg, rec, width = sized
    _open_map(pg, (built_site.path / "index.html").as_uri())
    spans = class_spans(prepare_index(site_inputs.la_index), MEASURES[0])
    want = set(site_inputs.la_index.loc[spans > 2, "lad_code"])
    assert 0 < len(want) < N_LAS
    pg.check("#uncertainty")
    faded = set(pg.eval_on_selector_all("svg#map path.la.faded",
                                        "els => els.map(p => p.parentNode.dataset.code)"))
    assert faded == want
    assert pg.inner_text("#uncertainty-note").startswith(f"{len(want)} of {N_LAS} areas faded")
    pg.screenshot(path=str(artifacts / f"map_uncertainty_{width}.png"), full_page=width < 500)
    pg.select_option("#measure", "edi")  # EDI has no interval: no fading, control hidden
    assert pg.locator("svg#map path.la.faded").count() == 0
    assert not pg.is_visible("#uncertainty-control")
    assert rec.errors == []


def test_legend_values_match_the_data(page: tuple[Any, Recorder], built_site: SiteResult,
                                      site_inputs: SiteInputs) -> None:
    pg, rec = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    for key, col in (("trust", "trust"), ("edi", "edi")):
        pg.select_option("#measure", key)
        items = pg.eval_on_selector_all(
            "#legend-values li[data-class]",
            "els => els.map(li => [li.dataset.class, li.querySelector('.legend-text')"
            ".textContent])")
        la = site_inputs.la_index
        assert len(items) == 10
        check_legend({int(d): t for d, t in items}, la[col], la[f"{col}_decile"],
                     percent=key == "trust")
    assert rec.errors == []


def test_tooltip_follows_the_selected_measure(page: tuple[Any, Recorder],
                                              built_site: SiteResult) -> None:
    pg, rec = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    pg.hover("svg#map a.la-link[data-code='E07000010'] path")
    assert "Predicted neighbourhood trust" in pg.inner_text("#tooltip")
    pg.select_option("#measure", "edi")
    assert "Ethnic Diversity Index" in pg.inner_text("#tooltip")
    assert rec.errors == []


def test_search_on_every_page_by_name_msoa_code_and_postcode(
        page: tuple[Any, Recorder], built_site: SiteResult, site_inputs: SiteInputs) -> None:
    pg, rec = page
    site = built_site.path.resolve()
    pg.goto((site / "la" / "E07000007.html").as_uri())
    pg.fill("#site-search", "Hereford")
    pg.click("#site-search-results a")
    pg.wait_for_url("**/la/E07000001.html")
    pg.goto((site / "methodology.html").as_uri())
    pg.fill("#site-search", "E02000007")  # MSOA 7 lies in LA 3 (E07000003)
    assert "in " in pg.inner_text("#site-search-results")
    pg.click("#site-search-results a")
    pg.wait_for_url("**/la/E07000003.html")
    pg.goto((site / "rankings.html").as_uri())
    pg.fill("#site-search", "sw1a 1aa")
    pg.wait_for_selector("#site-search-results a")
    last = site_inputs.la_index["lad_code"].iloc[-1]
    pg.click("#site-search-results a")
    pg.wait_for_url(f"**/la/{last}.html")
    assert rec.errors == []
    assert [u for u in rec.requests if not u.startswith(site.as_uri() + "/")] == []


def test_london_inset_opens_a_borough(page: tuple[Any, Recorder], built_site: SiteResult,
                                      site_inputs: SiteInputs) -> None:
    pg, rec = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    london = site_inputs.la_index.loc[site_inputs.la_index["region_code"] == "E12000007",
                                      "lad_code"]
    assert pg.locator("svg#inset path.la").count() == len(london)
    _, _, iw, ih = (float(v) for v in pg.get_attribute("svg#inset", "viewBox").split())
    _, _, hw, hh = (float(v) for v in pg.get_attribute("svg#map", "data-viewbox").split())
    assert iw * ih < hw * hh / 2  # the inset shows the London part of the map only
    pg.locator(f"svg#inset a[data-code='{london.iloc[0]}'] path").click()
    pg.wait_for_url(f"**/la/{london.iloc[0]}.html")
    assert rec.errors == []


def test_change_map_uses_the_diverging_palette(sized: tuple[Any, Recorder, int],
                                               built_site: SiteResult, site_inputs: SiteInputs,
                                               artifacts: Path) -> None:
    from socint.report.mapdata import change_class, change_classes
    from socint.report.palette import DIVERGING_COLOURS

    pg, rec, width = sized
    _open_map(pg, (built_site.path / "change.html").as_uri())
    ch = site_inputs.change
    assert ch is not None
    edges, _ = change_classes(ch["trust_change"])
    want = {c: DIVERGING_COLOURS[change_class(v, edges) - 1]  # type: ignore[operator]
            for c, v in zip(ch["lad_code"], ch["trust_change"], strict=True)}
    assert _fills(pg) == want
    pg.screenshot(path=str(artifacts / f"change_map_{width}.png"), full_page=width < 500)
    pg.check("#uncertainty")  # every factory interval (-5, +5 pp) includes no change
    assert pg.locator("svg#map path.la.faded").count() == N_LAS
    assert rec.errors == []


def test_touch_tap_previews_then_opens(sized: tuple[Any, Recorder, int],
                                       built_site: SiteResult) -> None:
    pg, rec, width = sized
    if width > 500:
        pytest.skip("touch is tested at phone size")
    url = (built_site.path / "index.html").as_uri()
    _open_map(pg, url)
    target = pg.locator("svg#map a.la-link[data-code='E07000012'] path")
    target.tap()
    assert pg.url == url and pg.is_visible("#preview")
    assert pg.get_attribute("html", "data-selected") == "E07000012"
    assert "selected" in str(target.get_attribute("class"))
    assert "◀" in pg.inner_text("#legend-values li.current")
    target.tap()
    pg.wait_for_url("**/la/E07000012.html")
    assert rec.errors == []


def test_pinch_and_zoom_to_selected_area(page: tuple[Any, Recorder],
                                         built_site: SiteResult) -> None:
    pg, rec = page
    pg.goto((built_site.path / "index.html").as_uri() + "#E07000020")
    pg.wait_for_selector("html[data-ready='1']")
    home = [float(v) for v in pg.get_attribute("#map", "data-viewbox").split()]
    zoomed = [float(v) for v in pg.get_attribute("#map", "viewBox").split()]
    assert zoomed[2] < home[2]  # zoomed to the area named in the URL
    bb = pg.evaluate("(() => { const b = document.querySelector(\"svg#map a[data-code="
                     "'E07000020'] path\").getBBox(); return [b.x, b.y, b.width, b.height]; })()")
    assert zoomed[0] <= bb[0] and zoomed[0] + zoomed[2] >= bb[0] + bb[2]
    pg.click("#zoom-reset")
    before = float(pg.get_attribute("#map", "viewBox").split()[2])
    pg.evaluate("""(() => {
      const svg = document.getElementById('map'); const r = svg.getBoundingClientRect();
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      const ev = (t, id, x, tgt) => (tgt || window).dispatchEvent(new PointerEvent(t,
        {pointerId: id, clientX: x, clientY: cy, pointerType: 'touch', bubbles: true}));
      ev('pointerdown', 1, cx - 20, svg); ev('pointerdown', 2, cx + 20, svg);
      ev('pointermove', 1, cx - 80); ev('pointermove', 2, cx + 80);
      ev('pointerup', 1, cx - 80); ev('pointerup', 2, cx + 80);
    })()""")
    after = float(pg.get_attribute("#map", "viewBox").split()[2])
    assert after < before  # fingers apart = zoom in
    assert rec.errors == []


def test_skip_link_and_similar_areas(page: tuple[Any, Recorder], built_site: SiteResult,
                                     artifacts: Path) -> None:
    pg, rec = page
    _open_map(pg, (built_site.path / "index.html").as_uri())
    pg.focus("a.skip-map")
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.id") == "after-map"
    pg.goto((built_site.path / "la" / "E07000005.html").as_uri())
    first = pg.locator("#similar-table tbody a").first
    name = first.inner_text()
    first.click()
    assert pg.inner_text("h1") == name
    assert rec.errors == []


def test_screenshots_profile_and_rankings(sized: tuple[Any, Recorder, int],
                                          built_site: SiteResult, artifacts: Path) -> None:
    pg, rec, width = sized
    pg.goto((built_site.path / "la" / "E07000005.html").as_uri())
    pg.screenshot(path=str(artifacts / f"profile_{width}.png"), full_page=True)
    pg.goto((built_site.path / "rankings.html").as_uri())
    pg.screenshot(path=str(artifacts / f"rankings_{width}.png"))
    assert rec.errors == []
