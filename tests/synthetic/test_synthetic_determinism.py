"""Same seed → identical tables; different seed → different ones; writing to disk."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from _synthetic_shared import small_england

from socint.synthetic import generate_england

FRAMES = ("regions", "las", "msoas", "lsoas", "lookup", "ethnicity_mlid", "lsoa_attributes",
          "msoa_covariates", "la_covariates", "poststrat", "covariate_distribution",
          "population", "survey")


def test_same_seed_gives_identical_tables() -> None:
    a = small_england(7)
    b = generate_england(7, scale=0.1, survey_size=3_000)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    pd.testing.assert_frame_equal(a.ethnicity.data, b.ethnicity.data)
    pd.testing.assert_frame_equal(a.proficiency.data, b.proficiency.data)
    assert a.ethnicity.sha256 == b.ethnicity.sha256
    assert a.la_geojson == b.la_geojson and a.msoa_geojson == b.msoa_geojson
    assert a.truth.intercept == b.truth.intercept
    pd.testing.assert_frame_equal(a.truth.true_trust_la, b.truth.true_trust_la,
                                  check_exact=True)


def test_different_seed_gives_different_tables() -> None:
    a = small_england(7)
    b = small_england(8)
    assert a.las["lad_name"].tolist() != b.las["lad_name"].tolist()
    assert a.ethnicity.sha256 != b.ethnicity.sha256
    assert a.la_geojson != b.la_geojson
    assert a.truth.intercept != b.truth.intercept


def test_write_produces_every_file_and_a_manifest(tmp_path: Path) -> None:
    e = small_england(7)
    out = e.write(tmp_path / "synthetic", include_survey=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["scale"] == 0.1
    assert manifest["survey_size"] == 3_000 and manifest["version"]
    for name, rows in manifest["rows"].items():
        path = out / name
        assert path.is_file(), name
        if name.endswith(".csv"):
            assert len(pd.read_csv(path)) == rows, name
        else:
            assert len(json.loads(path.read_text())["features"]) == rows, name
    truth = pd.read_csv(out / "synthetic_truth_la.csv")
    assert list(truth.columns) == ["lad_code", "true_trust"]
    assert len(truth) == len(e.las)
    survey = pd.read_csv(out / "survey.csv")
    assert len(survey) == 3_000
    pd.testing.assert_series_equal(survey["trust"], e.survey["trust"])
    las = pd.read_csv(out / "las.csv", keep_default_na=False)
    assert las["lad_name"].tolist() == e.las["lad_name"].tolist()  # commas/apostrophes survive
    assert not (out / "population.csv").exists()
    truth_json = json.loads((out / "truth.json").read_text())
    assert truth_json["intercept"] == e.truth.intercept


def test_survey_microdata_is_not_written_unless_asked(tmp_path: Path) -> None:
    """Disclosure: respondent-level rows never reach the default output folder."""
    e = small_england(7)
    out = e.write(tmp_path / "default")
    assert not (out / "survey.csv").exists() and not (out / "population.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert "survey.csv" not in manifest["rows"] and manifest["respondent_level_files"] == []
    assert "written only when explicitly asked for (--write-inputs)" in manifest["note"]
    def respondent_level(path: Path) -> bool:
        cols = set(pd.read_csv(path, nrows=0).columns)
        return bool({"respondent_id", "person_id"} & cols) or {"trust", "female"} <= cols

    assert not [p.name for p in out.glob("*.csv") if respondent_level(p)]
    asked = e.write(tmp_path / "asked", include_survey=True)
    assert [p.name for p in asked.glob("*.csv") if respondent_level(p)] == ["survey.csv"]
    assert len(pd.read_csv(asked / "survey.csv")) == 3_000
    assert json.loads((asked / "manifest.json").read_text())["respondent_level_files"] == [
        "survey.csv"]
