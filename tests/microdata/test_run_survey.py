"""``socint run --trust survey --survey FILE.sav --survey-map MAP`` on the synthetic England gives
the same fit as the canonical CSV of the same respondents (the import changes nothing)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from socint.errors import SocintWarning
from socint.pipeline import RunConfig, run


def _config(out: Path, survey: Path, survey_map: Path | None) -> RunConfig:
    return RunConfig(out=out, source="synthetic", trust="survey", seed=11, scale=0.1,
                     survey_size=2000, survey=survey, survey_map=survey_map, draws=20,
                     change=False, site=False, model_tables=False)


def test_run_on_imported_sav_equals_run_on_the_canonical_csv(
        files: dict[str, Path], original: pd.DataFrame, tmp_path: Path) -> None:
    csv = tmp_path / "canonical.csv"
    original.to_csv(csv, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocintWarning)
        a = run(_config(tmp_path / "sav", files["sav"], files["map"]))
        b = run(_config(tmp_path / "csv", csv, None))
    la, lb = a.index.model_info["loglik"], b.index.model_info["loglik"]
    assert abs(la - lb) < 1e-8
    assert a.index.model_info["nobs"] == len(original)
    # the respondents never reach the outputs
    for path in (tmp_path / "sav").rglob("*.csv"):
        assert "nbrtrust" not in path.read_text() and len(pd.read_csv(path)) != len(original)
