"""Issue 10 scenario: an LA whose every unit has zero population must not vanish unremarked."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from socint.measures.compute import MeasureSpec, compute_measures
from socint.measures.units import MeasureWarning, UnitCounts


def _units() -> UnitCounts:
    frame = pd.DataFrame({
        "oa_code": ["E00000001", "E00000002", "E00000003", "E00000004"],
        "lad_code": ["E06000001", "E06000001", "E06000002", "E06000002"],
        "white_british": [30, 10, 0, 0], "other": [10, 30, 0, 0]})
    return UnitCounts.from_frame(frame, level="oa", scheme="ethnicity_white_british",
                                 code_col="oa_code", categories=["white_british", "other"],
                                 parent_cols=["lad_code"])


def test_scenario_all_zero_la_is_kept_with_nan_and_a_note() -> None:
    specs = [MeasureSpec(column="dissimilarity", measure="dissimilarity",
                         group="white_british", scale=100.0),
             MeasureSpec(column="edi", measure="simpson")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = compute_measures(_units(), specs, area_level="lad").set_index("area_code")
    assert list(out.index) == ["E06000001", "E06000002"]  # before the fix: only E06000001
    # hand-computed: D = 0.5 * (|30/40 - 10/40| + |10/40 - 30/40|) = 0.5 -> 50
    assert out.loc["E06000001", "dissimilarity"] == 50.0
    assert out.loc["E06000001", "edi"] == 0.5
    empty = out.loc["E06000002"]
    assert empty["population"] == 0 and np.isnan(empty["dissimilarity"]) and np.isnan(
        empty["edi"])
    assert empty["note"] == "every unit of the area has zero population"
    assert pd.isna(empty["dissimilarity_rank"])
    msgs = [str(w.message) for w in caught if issubclass(w.category, MeasureWarning)]
    assert any("E06000002 (every unit of the area has zero population)" in m for m in msgs)
    assert out.loc["E06000001", "note"] == ""  # nothing earlier changed for the other LA


def test_census2021_files_work_in_measures_with_named_definitions() -> None:
    """Issue 11 §6: TS021 LTLA/MSOA/LSOA files are accepted; the 2021 measures say what they are."""
    from conftest import shared_path
    from socint.measures.presets import (
        MEASURE_DEFINITIONS,
        census2021_la_measures,
        change_comparability,
    )
    from socint.measures.sources import read_units

    d = ("census2021_demographr",)
    lad = read_units(shared_path(*d, "ethnicity21_ltla21.csv"))
    msoa = read_units(shared_path(*d, "ethnicity21_msoa21.csv"))
    lsoa = read_units(shared_path(*d, "ethnicity21_lsoa21.csv"))
    assert (lad.level, msoa.level, lsoa.level) == ("lad", "msoa", "lsoa")
    assert "E09000001" in set(lad.parents["lad_code"])
    assert msoa.parents["lad_code"].notna().all() and len(msoa.codes) == 6856
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MeasureWarning)
        out = census2021_la_measures(lsoa, msoa).set_index("lad_code")
    assert len(out) == 309
    # Isles of Scilly is one LSOA21: no dissimilarity, said in the note
    assert np.isnan(out.loc["E06000053", "dissimilarity"])
    assert "only one populated unit" in out.loc["E06000053", "note"]
    # the 2021 EDI over 6 groups is lower than the 2011 14-group EDI of the City (0.627)
    assert 0.3 < out.loc["E09000001", "edi"] < 0.627
    assert "NOT Bright Blue" in MEASURE_DEFINITIONS[2021]["dissimilarity"]
    assert change_comparability("dissimilarity").startswith("not comparable")
