"""The built site: pages, escaping, offline-ness, exports and the values shown.

Expected values are recomputed here from the factory tables (pandas group means, sorting,
formatting by hand), never read back from the builder's own intermediate output.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from report_factory import N_LAS, SPECIAL_NAMES, make_inputs, ons_england_inputs
from report_fixtures import (  # noqa: F401  (pytest fixtures)
    built_site_fixture,
    site_inputs_fixture,
)

from socint.composite.outputs import LA_COLUMNS
from socint.errors import SocintError
from socint.report import SiteInputs, SiteResult, build_site
from socint.report.schema import LA_SCHEMA, publication_table
from socint.report.site import CHROME, MARKER, add_nav_link


class _Tags(HTMLParser):
    """Collect (tag, attrs) of every start tag and the text of one element by id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self._open.append(str(a["id"]))
            self.text.setdefault(str(a["id"]), "")

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag in ("h1", "dd", "script", "pre"):
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text[self._open[-1]] = self.text.get(self._open[-1], "") + data


def parse(path: Path) -> _Tags:
    p = _Tags()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_is_written(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    site = built_site.path
    for name in ("index.html", "msoa.html", "rankings.html", "figures.html",
                 "methodology.html", MARKER):
        assert (site / name).is_file(), name
    profiles = sorted(p.stem for p in (site / "la").glob("*.html"))
    assert profiles == sorted(site_inputs.la_index["lad_code"])
    assert built_site.pages == 6 + N_LAS  # map, MSOA map, change, rankings, figures, method.


def test_map_has_one_shape_per_la_linking_to_its_profile(built_site: SiteResult,
                                                         site_inputs: SiteInputs) -> None:
    tags = parse(built_site.path / "index.html").tags
    links = [a for t, a in tags if t == "a" and "la-link" in str(a.get("class"))
             and "inset-link" not in str(a.get("class"))]
    inset = [a for t, a in tags if t == "a" and "inset-link" in str(a.get("class"))]
    london = site_inputs.la_index.loc[site_inputs.la_index["region_code"] == "E12000007",
                                      "lad_code"]
    paths = [t for t, a in tags if t == "path" and "la" in str(a.get("class"))]
    assert len(paths) == N_LAS + len(london)
    assert sorted(str(a["data-code"]) for a in links) == sorted(site_inputs.la_index["lad_code"])
    assert sorted(str(a["data-code"]) for a in inset) == sorted(london)
    assert all(a.get("tabindex") == "-1" for a in inset)  # one tab stop per LA
    for a in links:
        assert (built_site.path / str(a["href"])).is_file()


def test_msoa_map_links_each_msoa_to_its_la(built_site: SiteResult,
                                            site_inputs: SiteInputs) -> None:
    msoa = site_inputs.msoa_index
    assert msoa is not None
    tags = parse(built_site.path / "msoa.html").tags
    links = {str(a["data-code"]): str(a["href"]) for t, a in tags
             if t == "a" and "la-link" in str(a.get("class"))}
    assert links == {m: f"la/{la}.html" for m, la in zip(msoa["msoa_code"], msoa["lad_code"],
                                                          strict=True)}
    assert 'href="msoa.html"' in (built_site.path / "index.html").read_text("utf-8")


def test_hostile_and_punctuated_names_are_escaped(built_site: SiteResult,
                                                  site_inputs: SiteInputs) -> None:
    site = built_site.path
    code = site_inputs.la_index["lad_code"].iloc[2]
    raw = (site / "la" / f"{code}.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)" not in raw
    assert parse(site / "la" / f"{code}.html").text["la-name"] == SPECIAL_NAMES[2]
    kl = (site / "la" / f"{site_inputs.la_index['lad_code'].iloc[1]}.html").read_text("utf-8")
    assert "King&#39;s Lynn &amp; West Norfolk" in kl
    for page in pages(site):
        text = page.read_text("utf-8")
        assert "alert(1)</script>" not in text and "<script>alert" not in text, page
        assert "<script>alert(2)" not in text, page  # hostile text in the manifest
        for tag, attrs in parse(page).tags:
            if tag == "script":  # only the site's own files or inert JSON data
                assert attrs.get("type") == "application/json" or str(
                    attrs.get("src", "")).endswith(("map.js", "rankings.js", "search.js",
                                                     "search-index.js")), (page, attrs)


def test_map_data_island_round_trips_names(built_site: SiteResult,
                                           site_inputs: SiteInputs) -> None:
    text = (built_site.path / "index.html").read_text("utf-8")
    m = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', text, re.S)
    assert m is not None
    data = json.loads(m.group(1))
    assert [a["n"] for a in data["areas"]] == list(site_inputs.la_index["lad_name"])
    assert "<" not in m.group(1)  # escaped as \u003c, so it cannot close the script element


def test_nothing_is_fetched_from_outside_the_site(built_site: SiteResult) -> None:
    site = built_site.path
    for page in pages(site):
        for tag, attrs in parse(page).tags:
            for key in ("src", "href"):
                value = attrs.get(key)
                if value is None or (tag == "a" and key == "href" and value.startswith("#")):
                    continue
                assert "://" not in value and not value.startswith("//"), (page, tag, value)
                target = (page.parent / value.split("#")[0]).resolve()
                assert target.is_file() and site.resolve() in target.parents, (page, value)
    css = (site / "assets" / "site.css").read_text("utf-8")
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    for js in (site / "assets").glob("*.js"):
        code = js.read_text("utf-8")
        for word in ("http", "fetch(", "XMLHttpRequest", "innerHTML", "eval(", "import("):
            assert word not in code, (js.name, word)


def test_profile_values_match_the_index(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    la = site_inputs.la_index
    row = la.iloc[7]
    t = parse(built_site.path / "la" / f"{row['lad_code']}.html").text
    assert t["trust-value"] == f"{100 * row['trust']:.1f}%"
    if row["suppressed"]:
        assert t["direct-value"].startswith("suppressed")
    else:
        assert t["direct-value"].startswith(f"{100 * row['direct']:.1f}%")
    suppressed = la[la["suppressed"]]
    assert not suppressed.empty
    s = parse(built_site.path / "la" / f"{suppressed['lad_code'].iloc[0]}.html").text
    assert s["direct-value"].startswith("suppressed")


def test_region_and_england_comparison(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    la = site_inputs.la_index
    row = la.iloc[0]
    region_mean = la.loc[la["region_name"] == row["region_name"], "trust"].mean()
    text = (built_site.path / "la" / f"{row['lad_code']}.html").read_text("utf-8")
    assert re.search(rf"{row['region_name']}</th><td>{100 * region_mean:.1f}%</td>", text)
    assert re.search(rf"England</th><td>{100 * la['trust'].mean():.1f}%</td>", text)


def test_place_in_the_report_tables(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    la = site_inputs.la_index
    by_trust = sorted(zip(la["trust"], la["lad_code"], strict=True), reverse=True)
    top, lowest = by_trust[0][1], by_trust[-1][1]
    assert "Position 1 of 10 in the top 10 LAs by predicted trust" in (
        built_site.path / "la" / f"{top}.html").read_text("utf-8")
    assert "Position 1 of 10 in the bottom 10 LAs by predicted trust" in (
        built_site.path / "la" / f"{lowest}.html").read_text("utf-8")


def test_classification_reason(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    la = site_inputs.la_index
    for _, row in la.iterrows():
        text = (built_site.path / "la" / f"{row['lad_code']}.html").read_text("utf-8")
        reason = re.search(r'<dd id="classification-reason">([^<]*)</dd>', text)
        assert reason is not None
        sentence = reason.group(1).replace("&#39;", "'")
        assert sentence.count(".") == 1 and sentence.endswith(".")  # one sentence
        assert (f"its diversity is in decile {row['edi_decile']}" in sentence
                or f"the diversity test (decile {row['edi_decile']})" in sentence)
        if row["most_integrated"]:
            assert '<dd id="classification">Most socially integrated</dd>' in text
            assert sentence.startswith("Classed as most socially integrated because")
        else:
            assert sentence.startswith("Not classed as most socially integrated because")
            # every failed test is named with what the rule needs
            if row["edi_decile"] < 9:
                assert f"decile {row['edi_decile']} (needs decile 9 or 10)" in sentence
            if row["trust_decile"] < 6:
                assert f"decile {row['trust_decile']} (needs decile 6 or above)" in sentence
            if row["dissimilarity_decile"] > 5:
                assert (f"decile {row['dissimilarity_decile']} (needs decile 5 or below)"
                        in sentence)
        if row["edi_decile"] >= 9 and row["trust_decile"] >= 6 and not row["most_integrated"]:
            assert "fails the segregation check" in text


def test_rankings_rows_in_rank_order(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    text = (built_site.path / "rankings.html").read_text("utf-8")
    codes = re.findall(r'<a href="la/(E07\d{6})\.html">', text)
    expected = site_inputs.la_index.sort_values("rank")["lad_code"].tolist()
    assert codes == expected
    for name in ("la_index.csv", "la_index.geojson", "la_index.xlsx", "msoa_index.csv"):
        assert f'href="downloads/{name}"' in text


def test_csv_and_geojson_downloads(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    dl = built_site.path / "downloads"
    got = pd.read_csv(dl / "la_index.csv", dtype={"lad_code": str})
    published = publication_table(site_inputs.la_index, LA_SCHEMA)
    pd.testing.assert_frame_equal(got, published, check_dtype=False, rtol=1e-9)
    assert list(got.columns) == [c for c in LA_COLUMNS if c in site_inputs.la_index.columns]
    # trust published to 4 decimals (0.1 percentage point), not 10 significant digits
    assert (got["trust"] - site_inputs.la_index["trust"]).abs().max() <= 5e-5 + 1e-12
    gj = json.loads((dl / "la_index.geojson").read_text("utf-8"))
    assert len(gj["features"]) == N_LAS
    for feat, src, (_, row) in zip(gj["features"], site_inputs.boundaries["features"],
                                   site_inputs.la_index.iterrows(), strict=True):
        assert feat["properties"]["lad_code"] == row["lad_code"]
        assert feat["properties"]["trust"] == round(row["trust"], 4)
        assert feat["properties"]["lad_name"] == row["lad_name"]
        assert feat["geometry"] == src["geometry"]


def test_xlsx_download_has_readme_and_table(built_site: SiteResult,
                                            site_inputs: SiteInputs) -> None:
    wb = openpyxl.load_workbook(built_site.path / "downloads" / "la_index.xlsx", read_only=True)
    assert wb.sheetnames == ["README", "la_index", "msoa_index"]
    readme = [r for r in wb["README"].iter_rows(values_only=True)]
    flat = " ".join(str(c) for r in readme for c in r if c)
    assert "Open Government Licence v3.0" in flat and "Office for National Statistics" in flat
    assert ("trust_upper90", "Upper end of the 90% interval of predicted trust (simulation "
            "draws).", "share", "90%") in readme
    published = publication_table(site_inputs.la_index, LA_SCHEMA)
    rows = list(wb["la_index"].iter_rows(values_only=True))
    assert list(rows[0]) == list(published.columns)
    assert [r[1] for r in rows[1:]] == list(site_inputs.la_index["lad_name"])
    col = list(published.columns).index("trust")
    assert [r[col] for r in rows[1:]] == list(published["trust"])


def test_figures_are_saved_and_embedded(built_site: SiteResult) -> None:
    stems = {f.stem for f in built_site.figures}
    assert {"margins_sex", "margins_age", "margins_ethnicity", "margins_nssec",
            "margins_income", "interaction_diversity_english", "decile_map_trust",
            "scatter_diversity_trust", "validation_trust"} <= stems
    figs = (built_site.path / "figures.html").read_text("utf-8")
    for stem in stems:
        png = built_site.path / "figures" / f"{stem}.png"
        svg = built_site.path / "figures" / f"{stem}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "<svg" in svg.read_text("utf-8")[:2000]
        assert f'src="figures/{stem}.png"' in figs


def test_methodology_lists_sources_model_and_manifest(built_site: SiteResult,
                                                      site_inputs: SiteInputs) -> None:
    text = (built_site.path / "methodology.html").read_text("utf-8")
    assert "Open Government Licence v3.0" in text
    assert "div_decile:poor_english" in text and "1.11" in text   # a Model 3 odds ratio
    assert "Simpson" in text and "Massey" in text
    assert "&lt;/pre&gt;&lt;script&gt;alert(2)" in text           # manifest shown as text
    assert "AIC" in text or "aic" in text


def test_rebuild_replaces_only_a_socint_site(tmp_path: Path, site_inputs: SiteInputs) -> None:
    out = tmp_path / "site"
    build_site(site_inputs, out, figures=False)
    (out / "stale.txt").write_text("old", "utf-8")
    build_site(site_inputs, out, figures=False)
    assert not (out / "stale.txt").exists() and (out / "index.html").is_file()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious", "utf-8")
    with pytest.raises(SocintError, match="not written by `socint report`"):
        build_site(site_inputs, foreign, figures=False)
    assert (foreign / "thesis.docx").read_text("utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "site"]


def test_site_is_small(built_site: SiteResult) -> None:
    total = sum(p.stat().st_size for p in built_site.path.rglob("*") if p.is_file())
    assert total == built_site.bytes
    assert total < 15e6


def test_real_ons_boundaries_draw_one_shape_per_la(tmp_path: Path, shared_data: Path) -> None:
    inputs = ons_england_inputs(shared_data)
    assert len(inputs.la_index) == 317  # README of the shared folder: 317 English LADs in 2019
    result = build_site(inputs, tmp_path / "site", figures=False)
    html = (result.path / "index.html").read_text("utf-8")
    assert html.split('<svg id="inset"')[0].count('<path class="la ') == 317
    assert html.split('<svg id="inset"')[1].count('<path class="la ') == 33  # London
    # aspect of the drawn map = lat span / (lon span * cos(mid latitude)), from the raw data
    lons = [p[0] for f in inputs.boundaries["features"]
            for poly in f["geometry"]["coordinates"] for ring in poly for p in ring]
    lats = [p[1] for f in inputs.boundaries["features"]
            for poly in f["geometry"]["coordinates"] for ring in poly for p in ring]

    want = (max(lats) - min(lats)) / ((max(lons) - min(lons))
                                       * math.cos(math.radians((max(lats) + min(lats)) / 2)))
    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', html)
    assert m is not None
    w, h = float(m.group(1)) - 20, float(m.group(2)) - 20
    assert h / w == pytest.approx(want, rel=1e-3)
    assert "Herefordshire, County of" in html and "King&#39;s Lynn and West Norfolk" in html


def test_model_table_in_report_style() -> None:
    from socint.report.pages import frame_table, summary_frame

    tidy = pd.DataFrame({"term": ["female", "age"], "estimate": [-0.19, 0.02],
                         "std_error": [0.03, 0.001], "z": [-6.3, 20.0],
                         "p_value": [2.5e-10, 0.0213], "odds_ratio": [0.8270, 1.0202],
                         "or_low": [0.78, 1.018], "or_high": [0.88, 1.022]})
    table = frame_table(summary_frame(tidy))
    assert table is not None
    assert table["columns"] == ["term", "odds ratio", "OR 95% CI low", "OR 95% CI high",
                                "SE (log-odds)", "p"]
    assert table["rows"][0] == ["female", "0.827", "0.78", "0.88", "0.03", "<0.001"]
    assert table["rows"][1][-1] == "0.0213"


def test_footer_attribution_follows_the_sources() -> None:
    from types import SimpleNamespace

    from socint.report.definitions import OGL_ATTRIBUTION
    from socint.report.inputs import DEFAULT_SOURCES, SYNTHETIC_SOURCES
    from socint.report.site import attribution

    assert attribution(SimpleNamespace(sources=DEFAULT_SOURCES)) == OGL_ATTRIBUTION  # type: ignore[arg-type]
    synthetic = attribution(SimpleNamespace(sources=SYNTHETIC_SOURCES))  # type: ignore[arg-type]
    assert "Open Government" not in synthetic and "Synthetic" in synthetic


def test_nav_link_to_instruments_written_later_or_beside(tmp_path: Path) -> None:
    """Instruments written after the site get a link on every page (add_nav_link, once);
    a site rebuilt beside an instruments folder links to it from the start."""
    inputs = make_inputs(8, extras=False)
    site = build_site(inputs, tmp_path / "a" / "site", figures=False).path
    chrome = json.loads((site / CHROME).read_text())
    assert chrome["site_title"] == inputs.title and "instruments" not in [
        n[0] for n in chrome["nav"]]
    pages = sorted(site.rglob("*.html"))
    assert add_nav_link(site, "instruments", "Instruments", "../instruments/index.html") == len(
        pages)
    assert add_nav_link(site, "instruments", "Instruments", "../instruments/index.html") == 0
    for p in pages:
        depth = len(p.relative_to(site).parts) - 1
        text = p.read_text("utf-8")
        assert text.count(">Instruments</a>") == 1, p
        assert f'<a href="{"../" * depth}../instruments/index.html">' in text, p
    (tmp_path / "b" / "instruments").mkdir(parents=True)
    (tmp_path / "b" / "instruments" / "index.html").write_text("<h1>Instruments</h1>")
    rebuilt = build_site(inputs, tmp_path / "b" / "site", figures=False).path
    assert '<li><a href="../instruments/index.html">Instruments</a></li>' in (
        rebuilt / "rankings.html").read_text("utf-8")
    assert add_nav_link(rebuilt, "instruments", "Instruments", "../instruments/index.html") == 0
