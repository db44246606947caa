"""The demo pipeline end to end on a small synthetic England: outputs, determinism, atomicity."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from socint import pipeline
from socint.pipeline import DemoConfig, run_demo

SMALL = {"scale": 0.15, "survey_size": 4000, "draws": 200}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(DemoConfig(out=out, seed=7, **SMALL))
    return out


def test_demo_writes_its_outputs_and_manifest(demo_dir: Path) -> None:
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    for name in manifest["outputs"]:
        assert (demo_dir / name).is_file(), name
    truth = pd.read_csv(demo_dir / "synthetic_truth_la.csv")
    assert list(truth.columns) == ["lad_code", "true_trust"]
    assert truth["true_trust"].between(0, 1).all()
    measures = pd.read_csv(demo_dir / "la_measures.csv")
    assert set(truth["lad_code"]) == set(measures["lad_code"])
    assert measures["edi"].between(0, 1).all()
    assert manifest["settings"]["seed"] == 7
    index = pd.read_csv(demo_dir / "la_index.csv")
    required = ["lad_code", "lad_name", "n_respondents", "trust", "trust_lower90", "trust_upper90",
                "trust_decile", "edi", "edi_decile", "dissimilarity", "dissimilarity_decile",
                "composite", "rank", "rank_lower90", "rank_upper90", "p_top_decile",
                "most_integrated", "suppressed"]
    assert [c for c in required if c not in index.columns] == []
    assert set(index["lad_code"]) == set(truth["lad_code"])
    # The index publishes the measures of the measures stage, not another definition
    # (full precision in the analysis file; the published table is rounded).
    analysis = pd.read_csv(demo_dir / "la_index_analysis.csv")
    merged = analysis.merge(measures, on="lad_code", suffixes=("", "_m"))
    assert (merged["edi"] - merged["edi_m"]).abs().max() < 1e-9
    assert (demo_dir / "site" / "index.html").is_file()
    assert (demo_dir / "margins_age.csv").is_file()
    change = pd.read_csv(demo_dir / "change.csv")
    assert set(change["lad_code"]) == set(truth["lad_code"])
    assert (change["change_lower"] <= change["trust_change"]).all()
    assert (change["trust_change"] <= change["change_upper"]).all()
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])


def test_same_seed_gives_byte_identical_csvs(demo_dir: Path, tmp_path: Path) -> None:
    run_demo(DemoConfig(out=tmp_path, seed=7, **SMALL))
    for csv in sorted(demo_dir.glob("*.csv")):
        assert (tmp_path / csv.name).read_bytes() == csv.read_bytes(), csv.name


def test_failed_stage_leaves_earlier_outputs_intact(demo_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "run"
    run_demo(DemoConfig(out=out, seed=7, **SMALL))
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected failure in the trust model stage")

    monkeypatch.setattr(pipeline, "fit_trust_models", boom)
    with pytest.raises(RuntimeError, match="injected"):
        run_demo(DemoConfig(out=out, seed=7, **SMALL))
    after = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    assert after == before
    assert not list(out.glob(".*.tmp"))
