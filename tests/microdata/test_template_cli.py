"""``socint survey map-template`` and ``socint survey import`` from the command line."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from _microdata_archive import INJECTED, LABELS
from typer.testing import CliRunner

from socint.cli import _register, app
from socint.errors import SchemaError, SocintWarning
from socint.microdata import (
    example_mappings,
    import_survey,
    load_mapping,
    map_template,
    read_microdata,
)

_register()
runner = CliRunner()


def test_template_lists_every_label_and_guesses_nothing(files: dict[str, Path],
                                                        tmp_path: Path) -> None:
    out = tmp_path / "map.yaml"
    res = runner.invoke(app, ["survey", "map-template", str(files["sav"]), "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    for column, labels in LABELS.items():
        assert f"#   {column}:" in text
        for code, label in labels.items():
            assert f"#       {code}: FILL_IN   # {label}" in text, (column, code)
    assert "Trust people in neighbourhood" in text
    assert "check every code against the archive's codebook" in text.lower()
    raw = yaml.safe_load(text)
    assert set(raw["variables"]) == {"trust", "female", "age", "income", "ethnicity",
                                     "married", "years5", "nssec", "year_2010"}
    with pytest.raises(SchemaError, match="FILL_IN"):
        load_mapping(out)
    # no respondent-level value: the weights (continuous, unlabelled) are not listed
    assert not re.search(r"#       \d+\.\d+", text)


def test_template_of_a_text_file_lists_few_distinct_values(tmp_path: Path,
                                                           archive: pd.DataFrame) -> None:
    path = tmp_path / "s.csv"
    archive.to_csv(path, index=False)
    text = map_template(read_microdata(path))
    assert "#   sex:   # numeric\n#     codes:\n#       1: FILL_IN\n#       2: FILL_IN" in text
    assert re.search(r"#   wt_ind:   # numeric\n(?!#     codes)", text)  # too many to list


def test_cli_import_writes_table_and_report(files: dict[str, Path], lookup: pd.DataFrame,
                                            original: pd.DataFrame, tmp_path: Path) -> None:
    lk = tmp_path / "lookup.csv"
    lookup.to_csv(lk, index=False)
    out = tmp_path / "out" / "respondents.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocintWarning)
        res = runner.invoke(app, ["survey", "import", str(files["sav"]), "--map",
                                  str(files["map"]), "--out", str(out), "--lookup", str(lk)])
    assert res.exit_code == 0, res.output
    assert f"rows read: {len(original) + sum(INJECTED.values())}" in res.output
    assert "area code unknown for the stated vintage: 4" in res.output
    back = pd.read_csv(out)
    pd.testing.assert_frame_equal(back.drop(columns="weight"),
                                  original.drop(columns="weight"), check_dtype=False)
    assert (back["weight"] - original["weight"]).abs().max() < 1e-9
    report = json.loads((out.parent / "respondents.report.json").read_text())
    assert report["dropped"] == INJECTED and report["rows_kept"] == len(original)
    assert (out.parent / "respondents.report.txt").read_text().startswith("survey import")
    pq = tmp_path / "respondents.parquet"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocintWarning)
        res = runner.invoke(app, ["survey", "import", str(files["dta"]), "--map",
                                  str(files["map"]), "--out", str(pq), "--lookup", str(lk)])
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(pd.read_parquet(pq), original, check_dtype=False)


def test_cli_import_error_exits_with_its_class_code(files: dict[str, Path], tmp_path: Path) -> None:
    res = runner.invoke(app, ["survey", "import", str(files["sav"]), "--map",
                              str(files["map"]), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 4  # geography error class
    assert "unknown for vintage 2011" in res.output and "--lookup" in res.output
    bad = tmp_path / "bad.sav"
    bad.write_text("a,b\n1,2\n")
    res = runner.invoke(app, ["survey", "import", str(bad), "--map", str(files["map"]),
                              "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 3 and f"[file {bad}]" in res.output.replace("\n", "")
    assert not (tmp_path / "o.csv").exists()


def test_existing_survey_commands_still_work() -> None:
    res = runner.invoke(app, ["survey", "--help"])
    assert res.exit_code == 0
    for command in ("questions", "validate", "weight", "estimate", "import", "map-template"):
        assert command in res.output
    assert runner.invoke(app, ["survey", "questions"]).exit_code == 0


def test_shipped_examples_load_and_say_what_to_check() -> None:
    examples = example_mappings()
    assert set(examples) == {"council_question_bank", "understanding_society_wave3"}
    for name, path in examples.items():
        text = path.read_text()
        assert "codebook" in text.lower(), name
        if "FILL_IN" in text:  # codes the user must copy from the codebook: refused until then
            with pytest.raises(SchemaError, match="FILL_IN"):
                load_mapping(path)
            filled = yaml.safe_load(text.replace("FILL_IN", "0"))
            filled["area"] = {"msoa_code": "msoa", "vintage": 2011}
            filled["variables"].pop("ethnicity")
            filled["variables"]["nssec"]["codes"] = {1: "Managerial"}
            mapping = load_mapping(filled)
        else:
            mapping = load_mapping(path)
        assert "trust" in mapping.variables, name


def test_question_bank_example_imports_a_bank_style_file(tmp_path: Path,
                                                         england: object) -> None:
    survey = england.survey  # type: ignore[attr-defined]
    inverse = {"White": "white", "Mixed": "mixed", "Asian": "asian", "Black": "black",
               "Chinese": "other", "Other": "other"}
    bank = pd.DataFrame({
        "respondent_id": survey["respondent_id"],
        "lad_code": survey["lad_code"],
        "neighbourhood_trust": survey["trust"].map({1: "most", 0: "some"}),
        "sex": survey["female"].map({1: "female", 0: "male"}),
        "ethnicity": survey["ethnicity"].map(inverse),
    })
    bank.loc[:2, "neighbourhood_trust"] = "dont_know"
    path = tmp_path / "council.csv"
    bank.to_csv(path, index=False)
    lookup = england.lookup[["lad_code"]].drop_duplicates()  # type: ignore[attr-defined]
    with pytest.warns(SocintWarning, match="gives no age, income"):
        result = import_survey(path, example_mappings()["council_question_bank"],
                               lookup={2021: lookup})
    assert result.report.dropped["missing_value"] == 3
    kept = survey.iloc[3:].reset_index(drop=True)
    assert (result.table["trust"].to_numpy() == kept["trust"].to_numpy()).all()
    expected = kept["ethnicity"].replace({"Chinese": "Other"})
    assert (result.table["ethnicity"].to_numpy() == expected.to_numpy()).all()
