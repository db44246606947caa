"""Legend ranges, uncertainty classes, change classes, similar areas, search and the
suppression flag: hand-computed cases and checks of the built pages against the inputs."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_factory import check_legend
from report_fixtures import (  # noqa: F401  (pytest fixtures)
    built_site_fixture,
    site_inputs_fixture,
)

from socint.errors import InputDataError
from socint.report import SiteInputs, SiteResult
from socint.report.definitions import MEASURES
from socint.report.mapdata import (
    change_class,
    change_classes,
    class_spans,
    legend_classes,
    legend_digits,
    rank_deciles,
)
from socint.report.search import read_postcode_lookup, search_index_js
from socint.report.similar import la_covariate_table, nearest_areas

TRUST = next(m for m in MEASURES if m.key == "trust")


def _frame() -> pd.DataFrame:
    # 20 areas, two per decile: trust 0.20, 0.21, ..., 0.39
    trust = np.round(0.20 + 0.01 * np.arange(20), 2)
    return pd.DataFrame({"lad_code": [f"A{i}" for i in range(20)], "trust": trust,
                         "trust_decile": np.repeat(np.arange(1, 11), 2),
                         "trust_lower90": trust - 0.015, "trust_upper90": trust + 0.015})


def test_legend_ranges_are_the_min_and_max_of_each_decile() -> None:
    legend = legend_classes(_frame(), TRUST)
    assert [c["d"] for c in legend] == list(range(10, 0, -1))
    assert legend[0]["text"] == "38%–39%" and legend[-1]["text"] == "20%–21%"


def test_legend_adds_decimals_until_adjacent_classes_differ() -> None:
    # classes 0.2% apart: whole percent would print 30%–30% | 30%–31%; one decimal tells them
    # apart (hand-computed: 30.0%–30.1% then 30.3%–30.4% ...)
    trust = np.round(0.300 + 0.001 * np.arange(20) + 0.001 * np.repeat(np.arange(10), 2), 4)
    f = pd.DataFrame({"trust": trust, "trust_decile": np.repeat(np.arange(1, 11), 2)})
    legend = {c["d"]: c["text"] for c in legend_classes(f, TRUST)}
    assert legend[1] == "30.0%–30.1%" and legend[2] == "30.3%–30.4%"
    check_legend(legend, f["trust"], f["trust_decile"], percent=True)
    assert legend_digits([(0.30, 0.31), (0.32, 0.35)], "pct") == 0
    assert legend_digits([(0.30, 0.3051), (0.3052, 0.35)], "pct") == 2
    assert legend_digits([(0.1, 0.2), (0.2, 0.3)], "num3") == 2  # touching ends stay equal


def test_rank_deciles_are_the_composite_rule() -> None:
    from socint.composite.deciles import deciles

    # hand-computed with decile = ceil(10 a / n), a = ascending rank = n - r + 1: n = 25,
    # ranks 1..3 -> a 25..23 -> 10, 10, 10 (9.2 -> 10); rank 4 -> a 22 -> 8.8 -> 9; rank 25 -> 1
    by_rank = rank_deciles(25)
    assert list(by_rank[:4]) == [10, 10, 10, 9] and by_rank[-1] == 1
    for n in (7, 40, 309):
        want = deciles(np.arange(n, 0, -1)).to_numpy()  # values whose rank r is n - r + 1
        assert list(rank_deciles(n)) == list(want)
    f = pd.DataFrame({"rank": np.arange(1, 26), "rank_lower90": [1] * 25,
                      "rank_upper90": [4] + [25] * 24})
    comp = next(m for m in MEASURES if m.key == "composite")
    spans = class_spans(f, comp)
    assert spans[0] == 2 and spans[1] == 10  # ranks 1-4: deciles 10, 9; ranks 1-25: all


def test_class_spans_by_hand() -> None:
    f = _frame()
    # decile cut points are 0.22, 0.24, ..., 0.38; area 5 (0.25, decile 3): interval
    # [0.235, 0.265] -> classes 2..4 = 3 classes; area 0 (0.20): [0.185, 0.215] -> class 1 only
    spans = class_spans(f, TRUST)
    assert spans[5] == 3 and spans[0] == 1
    f.loc[5, ["trust_lower90", "trust_upper90"]] = [0.245, 0.255]
    assert class_spans(f, TRUST)[5] == 1


def test_change_classes_are_symmetric_and_zero_is_central() -> None:
    edges, legend = change_classes(pd.Series([-0.031, 0.012, 0.02]))
    assert len(edges) == 8 and math.isclose(edges[0], -edges[-1])
    assert change_class(0.0, edges) == 4 and change_class(-0.031, edges) == 1
    assert change_class(0.031, edges) == 7
    assert "about no change" in legend[3]["text"]


def test_nearest_areas_by_hand() -> None:
    cov = pd.DataFrame({"lad_code": ["A", "B", "C", "D"], "x": [0.0, 1.0, 3.0, 10.0],
                        "y": [5.0, 5.0, 5.0, 5.0]})  # constant y is ignored
    near = nearest_areas(cov, k=2)
    sd = np.std([0.0, 1.0, 3.0, 10.0])
    assert [c for c, _ in near["A"]] == ["B", "C"]
    assert near["A"][0][1] == pytest.approx(1.0 / sd)
    assert [c for c, _ in near["D"]] == ["C", "B"]
    table = la_covariate_table(pd.DataFrame({"msoa_code": ["m1", "m2", "m3"],
                                             "lad_code": ["A", "A", "B"],
                                             "rural": [0, 1, 1]}),
                               pd.DataFrame({"lad_code": ["A", "B"], "wb_change": ["low", "high"]}))
    assert table.set_index("lad_code").loc["A", "rural"] == 0.5
    assert {"wb_change_low", "wb_change_high"} <= set(table.columns)


def test_postcode_lookup_reads_onspd_layout(tmp_path: Path) -> None:
    path = tmp_path / "onspd.csv"
    path.write_text("pcd,pcds,doterm,oslaua,msoa21\n"
                    "SW1A1AA,SW1A 1AA,,E09000033,E02000977\n"
                    "SW1A0PW,SW1A 0PW,202001,E09000033,E02000977\n"
                    "B1 1BB,B1 1BB,,E08000025,E02001876\n", "utf-8")
    got = read_postcode_lookup(path, {"E09000033"})
    assert got.to_dict("records") == [{"postcode": "SW1A1AA", "lad_code": "E09000033",
                                       "msoa_code": "E02000977"}]
    bad = tmp_path / "bad.csv"
    bad.write_text("pcds,msoa21\nSW1A 1AA,E02000977\n", "utf-8")
    with pytest.raises(InputDataError, match="oslaua") as err:
        read_postcode_lookup(bad)
    assert err.value.hint is not None and "ONS Postcode Directory" in err.value.hint


def test_search_index_cannot_close_the_script() -> None:
    la = pd.DataFrame({"lad_code": ["E1"], "lad_name": ["</script><b>x"]})
    js = search_index_js(la, None)
    assert "</script>" not in js and "\\u003c/script\\u003e" in js


def _map_data(path: Path) -> dict:
    html = path.read_text("utf-8")
    return json.loads(re.search(r'<script type="application/json" id="map-data">(.*?)</script>',
                                html, re.S).group(1))


def test_suppression_flag_on_map_and_rankings(built_site: SiteResult,
                                              site_inputs: SiteInputs) -> None:
    """Issue 10: LAs with few respondents showed MRP trust on the map and rankings unflagged."""
    la = site_inputs.la_index
    low = la[la["suppressed"]]
    assert len(low) > 0
    data = _map_data(built_site.path / "index.html")
    flagged = {a["c"] for a in data["areas"] if "f" in a}
    assert flagged == set(low["lad_code"])
    code = low["lad_code"].iloc[0]
    area = next(a for a in data["areas"] if a["c"] == code)
    n = int(low["n_respondents"].iloc[0])
    assert f"Only {n} survey respondents (fewer than 10)" in area["f"]
    rank = (built_site.path / "rankings.html").read_text("utf-8")
    rows = re.findall(r'<tr data-search="[^"]*">(.*?)</tr>', rank, re.S)
    for row in rows:
        c = re.search(r'href="la/([^"]+)\.html"', row).group(1)
        assert ('<span class="note">†</span>' in row) == (c in flagged), c
    prof = (built_site.path / "la" / f"{code}.html").read_text("utf-8")
    assert 'id="suppression-flag"' in prof


def test_legend_on_the_page_matches_the_data(built_site: SiteResult,
                                             site_inputs: SiteInputs) -> None:
    html = (built_site.path / "index.html").read_text("utf-8")
    texts = re.findall(r'<li data-class="(\d+)"><span class="swatch d\d+" aria-hidden="true">'
                       r'</span><span class="legend-text">([^<]*)</span>', html)
    la = site_inputs.la_index
    assert len(texts) == 10
    check_legend({int(d): t for d, t in texts}, la["trust"], la["trust_decile"], percent=True)


def test_similar_areas_on_profiles(built_site: SiteResult, site_inputs: SiteInputs) -> None:
    cov = site_inputs.la_covariates
    assert cov is not None
    z = cov.set_index("lad_code")
    z = (z - z.mean()) / z.std(ddof=0)
    code = site_inputs.la_index["lad_code"].iloc[4]
    d = np.sqrt(((z - z.loc[code]) ** 2).mean(axis=1)).drop(code).sort_values(kind="stable")
    html = (built_site.path / "la" / f"{code}.html").read_text("utf-8")
    table = re.search(r'<table class="data" id="similar-table">(.*?)</table>', html, re.S)
    assert table is not None
    got = re.findall(r'<a href="([^"]+)\.html">', table.group(1))
    assert got == list(d.index[:5])
    assert f"<td>{d.iloc[0]:.2f}</td>" in table.group(1)
    assert "percentage points" in html or "about the same as the mean" in html


def test_change_page_and_search_assets(built_site: SiteResult) -> None:
    change = (built_site.path / "change.html").read_text("utf-8")
    assert "Change in predicted trust 2011 → 2021" in change
    assert 'class="swatch v4"' in change and "about no change" in change
    for page in ("index.html", "rankings.html", "methodology.html", "change.html"):
        assert 'id="site-search"' in (built_site.path / page).read_text("utf-8")
    assert (built_site.path / "assets" / "postcodes.js").is_file()
    assert "SW1A1AA" in (built_site.path / "assets" / "postcodes.js").read_text("utf-8")
