"""The synthetic instrument inputs: reproducible, in the documented layouts, usable by the demo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from socint.instruments.run import run_schools
from socint.instruments.schools import read_school_census
from socint.instruments.scorecard import DOMAINS, check_indicators
from socint.instruments.survey import load_bank, validate_responses
from socint.synthetic.instruments import generate_instruments, run_instruments_demo


def test_same_seed_same_inputs_and_other_seed_differs() -> None:
    a, b, c = generate_instruments(5), generate_instruments(5), generate_instruments(6)
    pd.testing.assert_frame_equal(a.schools, b.schools)
    pd.testing.assert_frame_equal(a.comparison_survey, b.comparison_survey)
    assert not a.comparison_survey["thermometer"].equals(c.comparison_survey["thermometer"])


def test_accepts_an_la_table_and_picks_integration_areas() -> None:
    las = pd.DataFrame({"lad_code": [f"E0700{i:04d}" for i in range(1, 9)],
                        "lad_name": [f"Town {i}" for i in range(1, 9)], "region_name": "X"})
    x = generate_instruments(0, las)
    assert set(x.schools["new_la_code"]) == set(las["lad_code"])
    assert len(x.integration_areas) == 2
    ia = x.comparison_survey.loc[x.comparison_survey["area_group"] == "Integration Area",
                                 "lad_code"]
    assert set(ia) == set(x.integration_areas)


def test_layouts_pass_the_instruments_own_checks() -> None:
    x = generate_instruments(2)
    schools = read_school_census(x.schools).schools
    assert not schools["withheld_cells"].any()
    religion = schools["religion_christian"]
    assert religion.notna().any() and religion.isna().any()  # provided for some LAs only
    assert set(check_indicators(x.indicators)["domain"]) == set(DOMAINS)
    validate_responses(x.local_survey, load_bank(),
                       demographics=("age_band", "sex", "ethnicity", "tenure"))
    kinds = x.comparison_survey[["cohesion_likert", "volunteered", "thermometer"]]
    assert kinds["cohesion_likert"].between(1, 5).all()
    assert set(kinds["volunteered"]) == {0, 1}
    assert kinds["thermometer"].between(0, 100).all()


def test_demo_writes_every_instrument(tmp_path: Path) -> None:
    names = {p.name for p in run_instruments_demo(tmp_path, seed=1)}
    assert {"schools.html", "compare.html", "survey.html", "scorecard.csv"} <= names
    assert sum(n.startswith("scorecard_E") for n in names) == 12


def test_la_population_from_small_area_counts() -> None:
    from types import SimpleNamespace

    from socint.synthetic.instruments import la_population_from_counts

    table = SimpleNamespace(
        data=pd.DataFrame({"area_code": ["E01000001", "E01000001", "E01000002", "E01000003"],
                           "category": ["white_british", "asian_indian", "white_british",
                                        "white_british"],
                           "count": [10, 5, 7, 4]}),
        areas=pd.DataFrame({"area_code": ["E01000001", "E01000002", "E01000003"],
                            "lad_code": ["E06000001", "E06000001", "E06000002"]}))
    got = la_population_from_counts(table).set_index(["lad_code", "category"])["count"]
    assert got[("E06000001", "white_british")] == 17
    assert got[("E06000001", "asian_indian")] == 5
    assert got[("E06000002", "white_british")] == 4


@pytest.mark.slow
def test_instruments_run_on_the_synthetic_england(tmp_path: Path) -> None:
    from socint.synthetic.england import generate_england
    from socint.synthetic.instruments import instruments_for_england

    england = generate_england(4, scale=0.1, survey_size=2000)
    x = instruments_for_england(england)
    assert set(x.schools["new_la_code"]) == set(england.las["lad_code"])
    names = {p.name for p in run_schools(x.schools, x.la_population, tmp_path)}
    assert "schools.html" in names
    table = pd.read_csv(tmp_path / "schools.csv")
    assert (table["scheme"] == "detailed").all()
    assert table["lad_census_edi"].notna().all()
