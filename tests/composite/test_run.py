"""The index end to end on a small synthetic England: tables, files, determinism, disclosure."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from socint.composite.inputs import IndexInputs, inputs_from_directory
from socint.composite.outputs import write_index
from socint.composite.run import IndexConfig, IndexResult, build_index
from socint.errors import GeographyError, InputDataError, ModelError, SchemaError
from socint.synthetic import generate_england
from socint.synthetic.source import inputs_from_synthetic

PUBLISHED = ["lad_code", "lad_name", "n_respondents", "trust", "trust_lower90", "trust_upper90",
             "trust_decile", "edi", "edi_decile", "dissimilarity", "dissimilarity_decile",
             "composite", "rank", "rank_lower90", "rank_upper90", "p_top_decile",
             "most_integrated", "suppressed"]


@pytest.fixture(scope="module")
def inputs() -> IndexInputs:
    return inputs_from_synthetic(generate_england(5, scale=0.2, survey_size=6000))


@pytest.fixture(scope="module")
def result(inputs: IndexInputs) -> IndexResult:
    return build_index(inputs, config=IndexConfig(n_draws=100, seed=9))


@pytest.fixture(scope="module")
def written(result: IndexResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_index(result, tmp_path_factory.mktemp("index"))


def test_la_index_has_every_published_column_and_no_silent_nan(
        written: dict[str, Path], inputs: IndexInputs) -> None:
    la = pd.read_csv(written["la_index"], dtype={"lad_code": str})
    assert set(PUBLISHED) <= set(la.columns)
    assert sorted(la["lad_code"]) == sorted(inputs.las["lad_code"])
    assert not la[PUBLISHED].isna().any().any()  # MRP: every LA, sampled or not
    assert la["most_integrated"].dtype == bool and la["suppressed"].dtype == bool
    assert ((la["trust_lower90"] <= la["trust"]) & (la["trust"] <= la["trust_upper90"])).all()
    assert (la["rank_lower90"] <= la["rank_upper90"]).all()
    assert la["rank"].between(1, len(la)).all() and la["rank_upper90"].le(len(la)).all()
    assert la["p_top_decile"].between(0, 1).all()


def test_classification_follows_the_deciles_in_the_table(written: dict[str, Path]) -> None:
    la = pd.read_csv(written["la_index"])
    want = ((la["edi_decile"] >= 9) & (la["trust_decile"] >= 6)
            & (la["dissimilarity_decile"] <= 5))
    assert (la["most_integrated"] == want).all()
    flagged = (la["edi_decile"] >= 9) & (la["trust_decile"] >= 6) & ~want
    assert (la["fails_segregation_check"] == flagged).all()
    most = pd.read_csv(written["most_integrated"])
    assert set(most["lad_code"]) == set(la.loc[want | flagged, "lad_code"])


def test_report_tables_are_the_top_and_bottom_ten(written: dict[str, Path]) -> None:
    la = pd.read_csv(written["la_index"])
    top = pd.read_csv(written["top_trust"])
    bottom = pd.read_csv(written["bottom_trust"])
    assert top["lad_code"].tolist() == la.nlargest(10, "trust")["lad_code"].tolist()
    assert bottom["lad_code"].tolist() == la.nsmallest(10, "trust")["lad_code"].tolist()


def test_msoa_index_and_truth_and_decomposition(written: dict[str, Path],
                                                inputs: IndexInputs) -> None:
    m = pd.read_csv(written["msoa_index"])
    assert len(m) == len(inputs.msoas)
    assert {"msoa_code", "trust", "trust_lower90", "trust_upper90", "trust_decile", "edi",
            "dissimilarity", "composite", "rank", "suppressed", "rank_lower90", "rank_upper90",
            "p_top_decile", "most_integrated"} <= set(m.columns)
    ranked = m[m["rank"].notna()]
    assert (ranked["rank_lower90"] <= ranked["rank"]).mean() > 0.9  # point rank inside, mostly
    assert (ranked["rank"] <= ranked["rank_upper90"]).mean() > 0.9
    assert ranked["p_top_decile"].between(0, 1).all()
    # The classification follows the same rule as for LAs, on MSOA deciles.
    rule = (m["edi_decile"] >= 9) & (m["trust_decile"] >= 6) & (m["dissimilarity_decile"] <= 5)
    assert (m["most_integrated"].astype(bool) == rule).all()
    truth = pd.read_csv(written["synthetic_truth_la"])
    assert truth.columns.tolist() == ["lad_code", "true_trust"]
    dec = pd.read_csv(written["la_decomposition"])
    total = dec["baseline"] + dec["composition"] + dec["context"] + dec["own_effect"]
    assert np.allclose(total, dec["predicted"], atol=2.5e-4)  # four published decimals
    # The profile's lines add up to the headline trust of la_index.csv.
    la = pd.read_csv(written["la_index"]).set_index("lad_code")["trust"]
    assert np.allclose(total + dec["uncertainty_adjustment"], la.reindex(dec["lad_code"]),
                       atol=5e-4)
    assert dec["uncertainty_adjustment"].abs().max() < 0.05  # plug-in vs draw mean: small


def test_no_respondent_level_rows_leave_the_run(written: dict[str, Path],
                                                inputs: IndexInputs) -> None:
    n_areas = len(inputs.las) + len(inputs.msoas)
    for name, path in written.items():
        if path.suffix == ".csv":
            tab = pd.read_csv(path)
            assert "respondent_id" not in tab.columns, name
            assert len(tab) <= n_areas, name


def test_direct_estimates_of_small_areas_are_suppressed(inputs: IndexInputs) -> None:
    res = build_index(inputs, config=IndexConfig(n_draws=20, min_respondents=60))
    la = res.la
    small = la["n_respondents"] < 60
    assert small.any() and (~small).any()
    assert la.loc[small, "suppressed"].all() and not la.loc[~small, "suppressed"].any()
    assert la.loc[small, ["direct", "report", "report_point"]].isna().all().all()
    assert la.loc[~small, ["direct", "report"]].notna().all().all()
    # MSOAs under the threshold too
    m = res.msoa
    assert m.loc[m["n_respondents"] < 60, "direct"].isna().all()


def test_report_style_trust_leaves_suppressed_las_unranked_with_a_note(
        inputs: IndexInputs) -> None:
    res = build_index(inputs, config=IndexConfig(n_draws=20, min_respondents=60,
                                                 trust_method="report"))
    la = res.la
    gone = la["suppressed"]
    assert la.loc[gone, "composite"].isna().all()
    assert (la.loc[gone, "composite_note"] != "").all()
    assert not la.loc[gone, "most_integrated"].any()
    # ranks of the report-style index carry the uncertainty of its own draws
    kept = la[~gone]
    assert (kept["rank_upper90"] > kept["rank_lower90"]).any()


def test_deprivation_weight_needs_a_deprivation_input(inputs: IndexInputs,
                                                      result: IndexResult) -> None:
    w = {"trust": 1.0, "edi": 1.0, "dissimilarity": 1.0, "deprivation": 1.0}
    with pytest.raises(InputDataError, match="deprivation"):
        build_index(replace(inputs, deprivation=None), config=IndexConfig(n_draws=20, weights=w),
                    model=_fitted(result))
    res = build_index(inputs, config=IndexConfig(n_draws=20, weights=w), model=_fitted(result))
    assert res.la["composite"].notna().all()


def test_same_inputs_and_seed_give_byte_identical_csvs(
        inputs: IndexInputs, written: dict[str, Path], tmp_path: Path) -> None:
    again = write_index(build_index(inputs, config=IndexConfig(n_draws=100, seed=9)), tmp_path)
    for name, path in written.items():
        if path.suffix == ".csv":
            assert path.read_bytes() == again[name].read_bytes(), name


def test_geojson_xlsx_and_manifest(written: dict[str, Path], inputs: IndexInputs) -> None:
    gj = json.loads(written["la_geojson"].read_text())
    assert len(gj["features"]) == len(inputs.las)
    props = gj["features"][0]["properties"]
    assert {"lad_code", "lad_name", "trust", "trust_decile", "most_integrated",
            "rank"} <= set(props)
    assert not {"area_code", "area_name"} & set(props)  # one vocabulary of area keys
    book = openpyxl.load_workbook(written["xlsx"], read_only=True)
    assert book.sheetnames[0] == "README"
    assert "la_index" in book.sheetnames
    man = json.loads(written["manifest"].read_text())
    assert man["seed"] == 9 and man["settings"]["n_draws"] == 100
    assert len(man["inputs"]["survey"]["sha256"]) == 64
    assert set(man["outputs"]) >= {"la_index", "msoa_index"}


def test_bad_settings_are_refused(inputs: IndexInputs) -> None:
    with pytest.raises(InputDataError, match="trust method"):
        build_index(inputs, config=IndexConfig(trust_method="guess"))
    with pytest.raises(InputDataError, match="normalisation"):
        build_index(inputs, config=IndexConfig(normalisation="softmax"))


def test_missing_column_and_duplicate_area_are_refused(inputs: IndexInputs) -> None:
    with pytest.raises(SchemaError, match="'la_measures' lacks"):
        build_index(replace(inputs, la_measures=inputs.la_measures.drop(columns="edi")))
    dup = pd.concat([inputs.las, inputs.las.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputDataError, match="duplicated lad_code") as e:
        build_index(replace(inputs, las=dup))
    assert e.value.row == len(dup)


def test_survey_area_missing_from_the_census_frame(inputs: IndexInputs,
                                                   result: IndexResult) -> None:
    gone = inputs.survey["msoa_code"].iloc[0]
    pop = inputs.population[inputs.population["msoa_code"] != gone]
    fit: Any = _fitted(result)
    with pytest.raises(GeographyError, match="missing from the population frame") as e:
        build_index(replace(inputs, population=pop), config=IndexConfig(n_draws=20), model=fit)
    assert e.value.code == gone


def test_non_converged_model_is_an_error(inputs: IndexInputs, result: IndexResult) -> None:
    fit = _fitted(result)
    with pytest.raises(ModelError, match="did not converge"):
        build_index(inputs, config=IndexConfig(n_draws=20), model=replace(fit, converged=False))


def _fitted(result: IndexResult) -> Any:
    return result.extra["model"]


def test_inputs_from_a_directory_and_the_cli(inputs: IndexInputs, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("survey", "msoa_covariates", "la_covariates", "population", "las", "msoas",
                 "la_measures"):
        getattr(inputs, name).to_csv(src / f"{name}.csv", index=False)
    loaded = inputs_from_directory(src)
    assert len(loaded.survey) == len(inputs.survey)
    (src / "las.csv").unlink()
    with pytest.raises(SchemaError, match=r"las\.csv is missing"):
        inputs_from_directory(src)

    import socint.cli.index  # noqa: F401  (registers the command)
    from socint.cli import app

    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["index", "--out", str(out), "--scale", "0.2",
                                 "--survey-size", "6000", "--draws", "20", "--seed", "5"])
    assert r.exit_code == 0, r.output
    la = pd.read_csv(out / "la_index.csv")
    assert set(PUBLISHED) <= set(la.columns)
    assert (out / "manifest.json").exists() and (out / "la_index.xlsx").exists()
