"""A Census 2021 run on the 296 LAs of 2023 (``socint run --lad-vintage 2023``).

References: the ONS LAD22 -> LAD23 lookup (17 districts merged into 4 LAs; 309 -> 296),
hand-computed adult-weighted means, and the Index of Dissimilarity recomputed here from the
unit counts with its textbook formula D = 50 Σ|w_i/W - o_i/O|.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from socint.cli import _register, app
from socint.errors import InputDataError
from socint.estimates.trust import TrustEstimates
from socint.pipeline import RunConfig, area_measures, estimate_trust, on_output_las, open_source
from socint.sources import SourceData
from socint.vintage import lad21_to_lad23_lookup, trust_on_lad_vintage

SOMERSET = "E06000066"
SOMERSET_2021 = ("E07000187", "E07000188", "E07000189", "E07000246")


def _empty_source(**extra: object) -> SourceData:
    empty = pd.DataFrame()
    return SourceData(name="t", kind="official", census=2021, lad_vintage=2023, measures=(),
                      las=empty, msoas=empty, msoa_covariates=empty, la_covariates=empty,
                      population=empty, extra=dict(extra))


def test_merged_trust_is_the_adult_weighted_mean_draw_by_draw() -> None:
    # two Somerset districts (adults 100 and 300) merge; Hartlepool is unchanged
    codes = ["E06000001", "E07000187", "E07000188"]
    draws = np.array([[0.30, 0.40, 0.50, 0.60],
                      [0.20, 0.20, 0.40, 0.40],
                      [0.60, 0.40, 0.60, 0.80]])
    la = pd.DataFrame({"lad_code": codes, "trust": draws.mean(axis=1),
                       "n_respondents": pd.array([12, 6, 5], dtype="Int64"),
                       "suppressed": [False, True, True], "direct": [0.31, 0.2, 0.7]})
    trust = TrustEstimates("survey", "survey", la, None, draws, None,
                           adults_la=np.array([50.0, 100.0, 300.0]))
    target = _empty_source(lad_mapping_2021_2023={"E07000187": SOMERSET,
                                                  "E07000188": SOMERSET})
    out = trust_on_lad_vintage(trust, _empty_source(), target, min_respondents=10)
    tab = out.la.set_index("lad_code")
    assert list(tab.index) == ["E06000001", SOMERSET]
    # hand: per draw (100 * d1 + 300 * d2) / 400
    want = (100 * draws[1] + 300 * draws[2]) / 400
    assert out.la_draws is not None
    np.testing.assert_allclose(out.la_draws[1], want)
    np.testing.assert_allclose(out.la_draws[0], draws[0])
    assert tab.loc[SOMERSET, "trust"] == pytest.approx((100 * 0.3 + 300 * 0.6) / 400)
    assert tab.loc[SOMERSET, "trust_lower90"] == pytest.approx(np.quantile(want, 0.05))
    # respondents sum (6 + 5 = 11 >= 10): the merged LA is no longer suppressed
    assert tab.loc[SOMERSET, "n_respondents"] == 11 and not tab.loc[SOMERSET, "suppressed"]
    # a direct estimate cannot be combined from district summaries: empty, with a note
    assert np.isnan(tab.loc[SOMERSET, "direct"]) and tab.loc["E06000001", "direct"] == 0.31
    assert any("not combined" in n for n in out.notes)
    np.testing.assert_allclose(out.adults_la, [50.0, 400.0])


def test_the_lookup_merges_17_districts_into_4_las() -> None:
    t = lad21_to_lad23_lookup()
    assert t["lad_code"].nunique() == 309 and t["lad23_code"].nunique() == 296
    merged = t[t["lad_code"] != t["lad23_code"]]
    assert len(merged) == 17 and merged["lad23_code"].nunique() == 4
    assert set(merged.loc[merged["lad23_code"] == SOMERSET, "lad_code"]) == set(SOMERSET_2021)


@pytest.fixture(scope="module")
def both() -> tuple[SourceData, SourceData, dict[str, pd.DataFrame]]:
    config = RunConfig(out=Path("unused"), lad_vintage=2023, draws=40)
    src21 = open_source(config)
    src23 = on_output_las(config, src21)
    la21, _ = area_measures(src21)
    la23, _ = area_measures(src23)
    t21, _ = estimate_trust(config, src21)
    t23, _ = estimate_trust(config, src21, output=src23)
    return src21, src23, {"m21": la21, "m23": la23, "t21": t21.la, "t23": t23.la}


def test_the_bundled_2021_run_on_2023_las(
        both: tuple[SourceData, SourceData, dict[str, pd.DataFrame]]) -> None:
    src21, src23, tabs = both
    codes23 = set(lad21_to_lad23_lookup()["lad23_code"])
    assert set(src23.las["lad_code"]) == codes23 and len(src23.las) == 296
    assert set(src23.msoas["lad_code"]) <= codes23 and len(src23.msoas) == len(src21.msoas)
    assert src23.la_boundaries is not None
    shapes = [f["properties"].get("lad_code") or f["properties"].get("area_code")
              for f in src23.la_boundaries["features"]]
    assert sorted(shapes) == sorted(codes23), "one shape per 2023 LA, none missing or extra"
    t21 = tabs["t21"].set_index("lad_code")
    t23 = tabs["t23"].set_index("lad_code")
    assert len(t23) == 296 and t23["trust"].notna().all()
    # the reference weights: adults of the 2021 frame, summed here from the MSOA rows
    msoa_lad = src21.msoas.set_index("msoa_code")["lad_code"]
    pop = src21.population.assign(lad=lambda f: f["msoa_code"].map(msoa_lad))
    adults = pop.groupby("lad")["count"].sum()
    w = adults.loc[list(SOMERSET_2021)]
    want = float((t21.loc[list(SOMERSET_2021), "trust"] * w).sum() / w.sum())
    assert t23.loc[SOMERSET, "trust"] == pytest.approx(want, rel=1e-9)
    assert t23.loc[SOMERSET, "trust_lower90"] < want < t23.loc[SOMERSET, "trust_upper90"]
    same = sorted(codes23 & set(t21.index))
    assert len(same) == 292
    pd.testing.assert_series_equal(t23.loc[same, "trust"], t21.loc[same, "trust"])
    la_set = dict(src23.assumptions)["LA set"]
    assert "296" in la_set and "adult-weighted" in la_set


def test_merged_measures_are_recomputed_over_the_merged_units(
        both: tuple[SourceData, SourceData, dict[str, pd.DataFrame]]) -> None:
    src21, _, tabs = both
    m21, m23 = tabs["m21"].set_index("lad_code"), tabs["m23"].set_index("lad_code")
    same = sorted(set(m21.index) & set(m23.index))
    pd.testing.assert_frame_equal(m23.loc[same, ["edi", "dissimilarity"]],
                                  m21.loc[same, ["edi", "dissimilarity"]])
    # EDI: population-weighted mean of the MSOA EDIs, so the merged LA's is the
    # population-weighted mean of its districts'
    edi_units = next(m.units for m in src21.measures if m.units.level == "msoa")
    pop = pd.Series(edi_units.total, index=edi_units.parents["lad_code"].to_numpy())
    pop = pop.groupby(level=0).sum().loc[list(SOMERSET_2021)]
    want_edi = float((m21.loc[list(SOMERSET_2021), "edi"] * pop).sum() / pop.sum())
    assert m23.loc[SOMERSET, "edi"] == pytest.approx(want_edi, rel=1e-9)
    # ID: recomputed from the LSOA counts with the textbook formula (White vs all others)
    units = next(m.units for m in src21.measures if m.units.level == "lsoa")
    inside = units.parents["lad_code"].isin(SOMERSET_2021).to_numpy()
    counts = units.counts[inside].astype(float)
    white = counts[:, list(units.categories).index("white")]
    other = counts.sum(axis=1) - white
    d = 50 * np.abs(white / white.sum() - other / other.sum()).sum()
    assert m23.loc[SOMERSET, "dissimilarity"] == pytest.approx(d, rel=1e-9)
    assert m23.loc[SOMERSET, "dissimilarity"] != pytest.approx(
        m21.loc[list(SOMERSET_2021), "dissimilarity"].mean(), rel=1e-3)


def test_the_census_2011_areas_are_not_put_on_2023_las() -> None:
    with pytest.raises(InputDataError, match=r"2023.*2011|2011.*2023"):
        RunConfig(out=Path("x"), census=2011, lad_vintage=2023).check()
    with pytest.raises(InputDataError, match="official source only"):
        RunConfig(out=Path("x"), source="synthetic", lad_vintage=2023).check()
    RunConfig(out=Path("x"), census=2021, lad_vintage=2023).check()


def test_the_cli_refuses_2011_on_2023_las_with_exit_code_3(tmp_path: Path) -> None:
    _register()
    res = CliRunner().invoke(app, ["run", "--census", "2011", "--lad-vintage", "2023",
                                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 3, res.output
    assert "--lad-vintage 2023" in res.output and "Census 2011" in res.output
    assert not (tmp_path / "o").exists()


def test_a_2023_run_writes_296_las_and_says_what_was_merged(tmp_path: Path) -> None:
    from socint.pipeline import run

    res = run(RunConfig(out=tmp_path / "r23", lad_vintage=2023, draws=20, change=False))
    la = pd.read_csv(tmp_path / "r23" / "la_index.csv")
    assert len(la) == 296 and (la["lad_vintage"] == 2023).all()
    assert la["trust"].notna().all() and la["trust_lower90"].notna().all()
    assert res.manifest["source"]["lad_vintage"] == 2023
    assert "LA set" in {a["term"] for a in res.manifest["assumptions"]}
    page = (tmp_path / "r23" / "site" / "la" / f"{SOMERSET}.html").read_text("utf-8")
    for district in ("Mendip", "Sedgemoor", "South Somerset", "Somerset West and Taunton"):
        assert district in page
    assert "adult-weighted" in page
    index = (tmp_path / "r23" / "site" / "index.html").read_text("utf-8")
    assert "2023 local authorities" in index
    assert "E07000187" not in index  # no 2021 district of Somerset is left on the map
