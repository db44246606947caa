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
