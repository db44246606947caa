"""Mapping options beyond the round trip: LSOA areas, design columns, extra covariates, text
codes, and the YAML pitfalls of answer codes (``yes``/``no``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from socint.microdata import import_survey, load_mapping

pytestmark = pytest.mark.filterwarnings("ignore::socint.errors.SocintWarning")


def _small(england: Any, n: int = 60) -> pd.DataFrame:
    lk = england.lookup.iloc[:n]
    rng = np.random.default_rng(2)
    return pd.DataFrame({
        "lsoa": lk["lsoa_code"].str.lower().to_numpy(),  # codes are trimmed and upper-cased
        "q_trust": rng.choice(["yes", "no", "Don't know"], n),
        "psu_id": rng.integers(1, 9, n), "stratum": rng.choice(["A", "B"], n),
        "tenure": rng.choice([1, 2, 3], n), "wt": rng.uniform(0.5, 2, n),
    })


def test_lsoa_area_gives_msoa_and_lad(england: Any, tmp_path: Path) -> None:
    frame = _small(england)
    path = tmp_path / "s.csv"
    frame.to_csv(path, index=False)
    (tmp_path / "m.yaml").write_text(
        "survey: options\narea: {lsoa_code: lsoa, vintage: 2011}\n"
        "weight: wt\npsu: psu_id\nstrata: stratum\nmissing: [\"Don't know\"]\n"
        "variables:\n  trust: {column: q_trust, codes: {yes: 1, no: 0}}\n"
        "  tenure: {column: tenure, codes: {1: owned, 2: social_rented, 3: private_rented}}\n")
    lookup = england.lookup[["lsoa_code", "msoa_code", "lad_code"]]
    result = import_survey(path, tmp_path / "m.yaml", lookup=lookup)
    table = result.table
    keep = frame["q_trust"] != "Don't know"
    assert list(table.columns) == ["lsoa_code", "msoa_code", "lad_code", "trust", "weight",
                                   "psu", "strata", "tenure"]
    exp = england.lookup.iloc[:60][keep.to_numpy()].reset_index(drop=True)
    assert (table["lsoa_code"] == exp["lsoa_code"]).all()
    assert (table["msoa_code"] == exp["msoa_code"]).all()
    assert (table["lad_code"] == exp["lad_code"]).all()
    assert (table["trust"].to_numpy() == (frame.loc[keep, "q_trust"] == "yes")).all()
    assert table["psu"].dtype == np.int64 and set(table["strata"]) <= {"A", "B"}
    assert set(table["tenure"]) <= {"owned", "social_rented", "private_rented"}
    assert result.report.dropped["missing_value"] == int((~keep).sum())
    w = table["weight"].to_numpy()
    assert result.report.kish_deff == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)


def test_yes_no_codes_stay_text_in_yaml(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "area: {msoa_code: m, vintage: 2021}\n"
        "variables:\n  trust: {column: t, codes: {yes: 1, no: 0, on: 1, off: 0}}\n")
    codes = load_mapping(tmp_path / "m.yaml").variables["trust"].codes
    assert codes == {"yes": 1, "no": 0, "on": 1, "off": 0}


def test_non_positive_weight_is_out_of_range(england: Any, tmp_path: Path) -> None:
    frame = _small(england).assign(q_trust="yes")
    frame.loc[:4, "wt"] = [0.0, -1.0, np.nan, 1.0, 1.0]
    path = tmp_path / "s.tsv"
    frame.to_csv(path, sep="\t", index=False)
    mapping = {"area": {"lsoa_code": "lsoa", "vintage": 2011}, "weight": "wt",
               "variables": {"trust": {"column": "q_trust", "codes": {"yes": 1}}}}
    result = import_survey(path, mapping, lookup=england.lookup)
    assert result.report.dropped["out_of_range"] == 2
    assert result.report.dropped["missing_value"] == 1
    assert result.report.dropped_by_variable == {"weight": {"out_of_range": 2,
                                                            "missing_value": 1}}


def test_compressed_sav(england: Any, tmp_path: Path) -> None:
    import pyreadstat

    frame = _small(england).assign(q_trust=lambda d: (d["q_trust"] == "yes").astype(int) + 1)
    path = tmp_path / "s.zsav"
    pyreadstat.write_sav(frame, str(path), compress=True,
                         variable_value_labels={"q_trust": {1: "No", 2: "Yes"}})
    mapping = {"area": {"lsoa_code": "lsoa", "vintage": 2011},
               "variables": {"trust": {"column": "q_trust", "codes": {1: 0, 2: 1}}}}
    result = import_survey(path, mapping, lookup=england.lookup)
    assert result.report.rows_kept == len(frame) and result.report.format == "spss"
