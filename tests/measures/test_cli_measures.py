"""``socint measures``: the command on small files written here, on the real 2011 files with the
``bright_blue_2019`` preset, and on the built-in synthetic England."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from measures_data import qs201ew_path
from typer.testing import CliRunner

import socint.cli.measures  # noqa: F401  (registers the command on the app)
from conftest import shared_path
from socint.cli import app

RUNNER = CliRunner()


def _flat(text: str) -> str:
    """Output without rich's box characters and line wrapping, for substring checks."""
    return " ".join(text.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())

WIDE = """oa_code,msoa_code,lad_code,lad_name,white,mixed,asian,black,other
E00000001,E02000001,E09000001,Alpha,30,2,5,3,0
E00000002,E02000001,E09000001,Alpha,10,2,25,3,0
E00000003,E02000002,E09000001,Alpha,20,0,0,20,0
E00000004,E02000003,E09000002,Beta,50,1,1,1,1
E00000005,E02000003,E09000002,Beta,45,1,2,1,1
"""


def test_help_lists_options_and_measures() -> None:
    res = RUNNER.invoke(app, ["measures", "--help"])
    assert res.exit_code == 0
    for text in ("--unit-level", "--area-level", "--preset", "--out", "dissimilarity",
                 "theil_h"):
        assert text in res.output


def test_wide_file_by_lad(tmp_path: Path) -> None:
    src = tmp_path / "counts.csv"
    src.write_text(WIDE)
    out = tmp_path / "out.csv"
    res = RUNNER.invoke(app, ["measures", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert t["lad_code"].tolist() == ["E09000001", "E09000002"]
    assert t["lad_name"].tolist() == ["Alpha", "Beta"]
    assert "area_code" not in t.columns
    assert t["population"].tolist() == [120, 104]
    # Alpha white: OAs 30, 10, 20 of X = 60; others 10, 30, 20 of Y = 60
    assert t.loc[0, "dissimilarity"] == pytest.approx(0.5 * (20 + 20 + 0) / 60)
    # Alpha pooled (60, 4, 30, 26, 0) of 120
    assert t.loc[0, "simpson"] == pytest.approx(1 - (3600 + 16 + 900 + 676) / 14400)
    assert {"dissimilarity_rank", "dissimilarity_decile", "note"} <= set(t.columns)


def test_unit_and_area_levels(tmp_path: Path) -> None:
    src = tmp_path / "counts.csv"
    src.write_text(WIDE)
    out = tmp_path / "out.csv"
    res = RUNNER.invoke(app, ["measures", str(src), "--unit-level", "msoa", "--area-level",
                              "lad", "--group", "asian", "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    # Alpha MSOAs (40, 4, 30, 6, 0) and (20, 0, 0, 20, 0): asian (30, 0) of X = 30, the rest
    # (50, 40) of Y = 90 -> D = 1/2 (|1 - 50/90| + |0 - 40/90|)
    assert t.loc[0, "dissimilarity"] == pytest.approx(0.5 * (abs(1 - 50 / 90) + 40 / 90))
    assert "only one populated unit" in str(t.loc[1, "note"])


def test_bad_file_gives_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "counts.csv"
    src.write_text(WIDE.replace("E00000002,E02000001,E09000001,Alpha,10",
                                "E00000002,E02000001,E09000001,Alpha,-10"))
    res = RUNNER.invoke(app, ["measures", str(src), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 3  # input data (docs/cli.md)
    assert "negative" in res.output and "E00000002" in res.output


def test_preset_cannot_be_combined_with_levels(tmp_path: Path) -> None:
    src = tmp_path / "counts.csv"
    src.write_text(WIDE)
    res = RUNNER.invoke(app, ["measures", str(src), "--preset", "bright_blue_2019",
                              "--unit-level", "lsoa", "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "--preset fixes" in res.output  # usage


def test_bright_blue_preset_on_the_census_files(tmp_path: Path) -> None:
    oa = shared_path("census2011_ethnicity_oa_lsoa_mlid", "ethnicity_2011_oa_ew.csv")
    out = tmp_path / "bb.csv"
    res = RUNNER.invoke(app, ["measures", str(oa), "--preset", "bright_blue_2019",
                              "--la-lookup", str(qs201ew_path()), "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out).set_index("lad_code")
    assert len(t) == 326
    assert round(float(t["edi"]["E09000001"]), 3) == 0.627
    assert round(float(t["dissimilarity"]["E07000008"]), 1) == 15.0


def test_synthetic_england(tmp_path: Path) -> None:
    out = tmp_path / "syn.csv"
    res = RUNNER.invoke(app, ["measures", "synthetic", "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert len(t) > 100 and t["lad_code"].is_unique
    assert t["simpson"].between(0, 1).all() and t["dissimilarity"].between(0, 1).all()


def test_rollup_and_bias_options(tmp_path: Path) -> None:
    src = tmp_path / "counts.csv"
    src.write_text(WIDE)
    out = tmp_path / "out.csv"
    res = RUNNER.invoke(app, ["measures", str(src), "--rollup", "weighted_mean",
                              "--bias-sims", "50", "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert "simpson_unit_mean" not in t.columns
    # Beta OAs (50, 1, 1, 1, 1) and (45, 1, 2, 1, 1), weights 54 and 50
    s1 = 1 - (50**2 + 4) / 54**2
    s2 = 1 - (45**2 + 1 + 4 + 1 + 1) / 50**2
    assert t.loc[1, "simpson"] == pytest.approx((54 * s1 + 50 * s2) / 104)
    assert t["expected_dissimilarity"].between(0, 1).all()
    assert {"corrected_dissimilarity", "corrected_dissimilarity_decile"} <= set(t.columns)
    bad = RUNNER.invoke(app, ["measures", str(src), "--rollup", "median", "--out", str(out)])
    assert bad.exit_code == 2  # usage: the choices are listed
    assert "'median' is not one of 'pooled', 'weighted_mean'" in _flat(bad.output)
