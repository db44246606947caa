"""``socint measures`` scenarios from issue 10: an output folder given as --out, LA names in the
key column, a misspelt LA name becoming an extra area, and a name no LA matches."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import shared_path
from socint.cli import _register, app
from socint.cli.measures import lookalike_names

_register()
RUNNER = CliRunner()


def _flat(text: str) -> str:
    """Output without rich's box characters and line wrapping, for substring checks."""
    return " ".join(text.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


def _names_only(path: Path, typo: bool = False) -> Path:
    """OA counts keyed by LA *name* only: Hartlepool (12 OAs) and Darlington (10 OAs); with
    ``typo`` one Hartlepool OA is spelt 'Hartlepol'."""
    lines = ["oa_code,lad_name,white,mixed,asian,black,other"]
    for i in range(12):
        name = "Hartlepol" if typo and i == 5 else "Hartlepool"
        lines.append(f"E000010{i:02d},{name},{40 + i},2,{3 + i % 4},1,0")
    for i in range(10):
        lines.append(f"E000020{i:02d},Darlington,{30 + i},1,{10 - i},2,1")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_out_that_is_a_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    src = _names_only(tmp_path / "c.csv")
    res = RUNNER.invoke(app, ["measures", str(src), "--out", str(tmp_path)])
    assert res.exit_code == 2  # usage
    text = _flat(res.output)
    assert f"Invalid value for '--out': {tmp_path} is a folder, but a file is needed" in text
    assert f"pass a file path such as {tmp_path / 'measures.csv'}" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]  # nothing written


def test_names_only_counts_are_keyed_by_lad_name_with_a_warning(tmp_path: Path) -> None:
    src = _names_only(tmp_path / "c.csv")
    out = tmp_path / "m.csv"
    res = RUNNER.invoke(app, ["measures", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert list(t.columns[:2]) == ["lad_name", "population"]
    assert "area_code" not in t.columns and "lad_code" not in t.columns
    assert t["lad_name"].tolist() == ["Darlington", "Hartlepool"]
    assert ("warning: the counts carry lad_name but no lad_code, so the output is keyed by "
            "lad_name: the names are not checked against any list of areas, and a misspelt "
            "name becomes an extra area. Pass --la-lookup FILE") in res.stderr
    assert "may be misspelt" not in res.stderr


def test_a_misspelt_name_is_reported(tmp_path: Path) -> None:
    src = _names_only(tmp_path / "c.csv", typo=True)
    out = tmp_path / "m.csv"
    res = RUNNER.invoke(app, ["measures", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert ("warning: 1 lad name(s) may be misspelt: 'Hartlepol' (1 unit) looks like a "
            "misspelling of 'Hartlepool' (11 units)") in res.stderr
    assert len(pd.read_csv(out)) == 3  # still written (a warning), with the extra area


def test_codes_give_lad_code_and_lad_name(tmp_path: Path) -> None:
    src = tmp_path / "c.csv"
    src.write_text("oa_code,lad_code,lad_name,white,mixed,asian,black,other\n"
                   "E00000001,E06000001,Hartlepool,30,2,5,3,0\n"
                   "E00000002,E06000001,Hartlepool,10,2,25,3,0\n")
    out = tmp_path / "m.csv"
    res = RUNNER.invoke(app, ["measures", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert list(t.columns[:3]) == ["lad_code", "lad_name", "population"]
    assert "keyed by" not in res.stderr
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("lad_code,lad_name\nE06000001,Hartlepool\n")
    res = RUNNER.invoke(app, ["measures", str(src), "--la-lookup", str(lookup), "--out",
                              str(tmp_path / "m2.csv")])
    assert res.exit_code == 2  # an option with no effect is refused, not ignored
    assert f"--la-lookup has no effect: {src} already carries lad_code" in res.stderr


def test_a_name_no_la_matches_is_reported_with_the_lookup(tmp_path: Path) -> None:
    qs201 = shared_path("census2011_ethnicity_la_qs201ew", "qs201ew_ethnic_group_2011_la_ew.csv")
    src = _names_only(tmp_path / "c.csv", typo=True)
    out = tmp_path / "m.csv"
    res = RUNNER.invoke(app, ["measures", str(src), "--la-lookup", str(qs201), "--out",
                              str(out)])
    assert res.exit_code == 4, res.output  # geography
    assert ("error: 1 LA name(s) could not be matched to one code: 'Hartlepol' (closest: "
            "Hartlepool (E06000001)") in res.stderr
    assert not out.exists()
    fixed = RUNNER.invoke(app, ["measures", str(_names_only(tmp_path / "ok.csv")),
                                "--la-lookup", str(qs201), "--out", str(out)])
    assert fixed.exit_code == 0, fixed.output
    t = pd.read_csv(out)
    assert t["lad_code"].tolist() == ["E06000001", "E06000005"]
    assert t["lad_name"].tolist() == ["Hartlepool", "Darlington"]


def test_lookalike_names_ignores_real_las_that_look_alike() -> None:
    """East/West Devon and Stafford/Trafford are real LAs of similar size: not typos."""
    counts = pd.Series({"East Devon": 450, "West Devon": 180, "Stafford": 420,
                        "Trafford": 690, "Harlow": 260, "Harrow": 780})
    assert lookalike_names(counts) == []
    counts["Stafrord"] = 2
    assert lookalike_names(counts) == [
        "'Stafrord' (2 units) looks like a misspelling of 'Stafford' (420 units)"]


@pytest.mark.parametrize("option", [["--preset", "nope"], ["--scheme", "nope"],
                                    ["--area-level", "ward"], ["--rollup", "median"]])
def test_enumerated_options_list_their_choices(tmp_path: Path, option: list[str]) -> None:
    src = _names_only(tmp_path / "c.csv")
    res = RUNNER.invoke(app, ["measures", str(src), *option, "--out", str(tmp_path / "m.csv")])
    assert res.exit_code == 2
    assert f"'{option[1]}' is not one of" in _flat(res.output)
