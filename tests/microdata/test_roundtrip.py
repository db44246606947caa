"""Round trip: canonical table → archive-style .sav/.dta (codes, labels, missing codes) →
``import_survey`` gives back exactly the canonical rows, the faulty rows counted by reason."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _microdata_archive import INJECTED, MAPPING

from socint.errors import SocintWarning
from socint.microdata import import_survey, kish_deff, read_microdata


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_import_gives_back_the_canonical_rows(fmt: str, files: dict[str, Path],
                                              original: pd.DataFrame,
                                              lookup: pd.DataFrame) -> None:
    with pytest.warns(SocintWarning, match="4 of .* rows have msoa_code codes unknown"):
        result = import_survey(files[fmt], files["map"], lookup=lookup)
    pd.testing.assert_frame_equal(result.table, original, check_dtype=True)
    rep = result.report
    assert rep.rows_read == len(original) + sum(INJECTED.values())
    assert rep.rows_kept == len(original)
    assert rep.dropped == INJECTED
    assert rep.dropped_by_variable == {"trust": {"missing_value": 6},
                                       "income": {"missing_value": 3},
                                       "married": {"unmapped_code": 2},
                                       "age": {"out_of_range": 5}}
    assert rep.share_missing["trust"] == pytest.approx(6 / rep.rows_read)
    assert rep.share_missing["msoa_code"] == pytest.approx(5 / rep.rows_read)
    assert rep.share_missing["female"] == 0.0
    w = original["weight"].to_numpy()
    assert rep.kish_deff == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2, rel=1e-12)


def test_value_labels_and_missing_codes_are_kept_in_the_file(files: dict[str, Path]) -> None:
    sav = read_microdata(files["sav"])
    assert sav.value_labels["nbrtrust"][1.0] == "Many can be trusted"
    assert sav.column_labels["nbrtrust"] == "Trust people in neighbourhood"
    # SPSS user-missing codes come back as missing; Stata keeps -9 as a labelled value
    assert not (sav.frame["nbrtrust"] == -9).any() and sav.frame["nbrtrust"].isna().sum() == 6
    dta = read_microdata(files["dta"])
    assert (dta.frame["nbrtrust"] == -9).sum() == 6
    assert dta.value_labels["nbrtrust"][-9.0] == "Refused"


def test_kish_design_effect_by_hand() -> None:
    # weights 1, 1, 2: n Σw² / (Σw)² = 3 × 6 / 16
    assert kish_deff(np.array([1.0, 1.0, 2.0])) == pytest.approx(18 / 16)
    assert kish_deff(np.ones(7)) == pytest.approx(1.0)


def test_csv_and_tsv_import(tmp_path: Path, archive: pd.DataFrame, original: pd.DataFrame,
                            lookup: pd.DataFrame) -> None:
    for ext, sep in (("csv", ","), ("tsv", "\t"), ("tab", "\t")):
        path = tmp_path / f"survey.{ext}"
        archive.to_csv(path, sep=sep, index=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SocintWarning)
            result = import_survey(path, MAPPING, lookup=lookup)
        pd.testing.assert_frame_equal(result.table, original)
        assert result.report.dropped == INJECTED


def test_report_holds_counts_only(files: dict[str, Path], lookup: pd.DataFrame,
                                  archive: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocintWarning)
        result = import_survey(files["sav"], files["map"], lookup=lookup)
    text = result.report.to_text() + str(result.report.to_dict())
    for code in archive["msoa11cd"].unique()[:50]:
        if code:
            assert code not in text
    assert "E02999999" not in text
