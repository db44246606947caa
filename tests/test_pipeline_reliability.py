"""Named scenarios of interrupted, repeated and mistaken runs (issue: reliability)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socint.cli import _register, app
from socint.errors import InputDataError
from socint.pipeline import DemoConfig, RunConfig, run, run_demo

TINY = {"scale": 0.1, "survey_size": 2500, "draws": 20}


def _tiny(out: Path, seed: int = 7) -> RunConfig:
    return RunConfig(out=out, source="synthetic", trust="survey", seed=seed,
                     scale=TINY["scale"], survey_size=TINY["survey_size"], draws=TINY["draws"],
                     change=False, site=False, model_tables=False)


def test_out_is_a_file_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    f = tmp_path / "results.txt"
    f.write_text("mine")
    _register()
    res = CliRunner().invoke(app, ["demo", "--out", str(f), "--scale", "0.1"])
    assert res.exit_code != 0
    text = res.output + str(res.exception or "")
    # rich wraps the usage box at the terminal width: compare the words, not the lines
    words = " ".join(text.replace("│", " ").split())
    assert "is a file" in words and "--out" in words
    assert f.read_text() == "mine"


def test_a_non_socint_folder_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(InputDataError, match="is not a socint output") as exc:
        run(_tiny(out))
    assert "choose a new --out folder" in str(exc.value)
    assert [p.name for p in out.iterdir()] == ["holiday.jpg"]


def test_rerun_with_other_settings_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    run(_tiny(out, seed=7))
    first = (out / "la_index.csv").read_bytes()
    run(_tiny(out, seed=8))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["seed"] == 8
    assert (out / "la_index.csv").read_bytes() != first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_survey_microdata_are_not_written_unless_asked(tmp_path: Path) -> None:
    run_demo(DemoConfig(out=tmp_path / "a", seed=3, **TINY))
    assert not (tmp_path / "a" / "inputs").exists()
    for csv in (tmp_path / "a").rglob("*.csv"):
        assert "respondent_id" not in csv.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.slow
def test_killed_run_leaves_the_earlier_folder_intact(tmp_path: Path) -> None:
    out = tmp_path / "run"
    run(_tiny(out, seed=7))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code = ("from pathlib import Path; from socint.pipeline import RunConfig, run; "
            f"run(RunConfig(out=Path({str(out)!r}), source='synthetic', trust='survey', "
            "seed=9, scale=0.3, survey_size=8000, draws=200))")
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ})
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob(".run.tmp-*")):
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    run(_tiny(out, seed=7))  # the next run cleans the killed run's staging folder
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_small_world_runs_with_sparse_groups_merged(tmp_path: Path) -> None:
    """`demo --scale 0.3 --survey-size 5000` used to die with "complete separation … merge this
    category", which no option could do: sparse groups are now merged, with a note."""
    res = run(RunConfig(out=tmp_path / "small", source="synthetic", trust="survey", seed=2011,
                        scale=0.3, survey_size=5000, draws=20, change=False, site=False,
                        model_tables=False))
    assert res.index.model_info["converged"]
    assert res.index.la["trust"].notna().all()
    notes = " ".join(res.trust.notes)
    assert "is merged into" in notes and "rule: each ethnicity category needs" in notes
