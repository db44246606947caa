"""Ranks, deciles, roll-ups and scheme collapses of the area measures table (hand-computed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.errors import InputDataError
from socint.measures import MEASURES, MeasureSpec, UnitCounts, compute_measures, rank_and_decile
from socint.measures.schemes import COLLAPSES, SCHEMES, collapse


def test_rank_and_decile_rule() -> None:
    rank, decile = rank_and_decile([3.0, 1.0, 2.0, np.nan, 2.0])
    assert rank.tolist() == [1, 4, 2, pd.NA, 2]
    # ascending min-ranks 4, 1, 2, -, 2 of n = 4: ceil(10 r / 4) = 10, 3, 5, -, 5
    assert decile.tolist() == [10, 3, 5, pd.NA, 5]


def test_deciles_of_326_areas() -> None:
    _, decile = rank_and_decile(np.arange(326.0))
    sizes = decile.value_counts().sort_index()
    assert sizes.index.tolist() == list(range(1, 11))
    assert set(sizes.tolist()) == {32, 33} and sizes.sum() == 326
    assert decile.iloc[-1] == 10 and decile.iloc[0] == 1


def _units() -> UnitCounts:
    # two LAs; LA A has OAs in two MSOAs
    parents = pd.DataFrame({
        "msoa_code": ["E02000001", "E02000001", "E02000002", "E02000003"],
        "lad_code": ["E09000001", "E09000001", "E09000001", "E09000002"],
        "lad_name": ["A", "A", "A", "B"],
    })
    counts = np.array([[3, 1, 0], [1, 3, 0], [0, 2, 2], [5, 5, 0]], dtype=np.int64)
    return UnitCounts(level="oa", codes=np.array(["E00000001", "E00000002", "E00000003",
                                                  "E00000004"], dtype=object),
                      counts=counts, categories=("white", "asian", "black"),
                      scheme="ethnicity_broad", parents=parents)


def test_unit_levels_and_rollups() -> None:
    specs = [
        MeasureSpec("pooled", "simpson"),
        MeasureSpec("oa_mean", "simpson", rollup="weighted_mean"),
        MeasureSpec("msoa_mean", "simpson", unit_level="msoa", rollup="weighted_mean"),
        MeasureSpec("d_msoa", "dissimilarity", unit_level="msoa", group="white", scale=100),
    ]
    with pytest.warns(UserWarning, match="E09000002"):
        out = compute_measures(_units(), specs, area_level="lad")
    a = out.iloc[0]
    assert a["area_code"] == "E09000001" and a["area_name"] == "A" and a["population"] == 12
    # pooled A: (4, 6, 2) of 12
    assert a["pooled"] == pytest.approx(1 - (16 + 36 + 4) / 144)
    # OA values 6/16, 6/16, 1/2 with weights 4, 4, 4
    assert a["oa_mean"] == pytest.approx((6 / 16 + 6 / 16 + 0.5) / 3)
    # MSOA 1 = (4, 4, 0): 1/2, weight 8; MSOA 2 = (0, 2, 2): 1/2, weight 4
    assert a["msoa_mean"] == pytest.approx(0.5)
    # MSOA units: white (4, 0) of X = 4; others (4, 4) of 8 -> D = 1/2 (|1 - 1/2| + |0 - 1/2|)
    assert a["d_msoa"] == pytest.approx(50.0)
    b = out.iloc[1]
    assert b["pooled"] == pytest.approx(0.5) and np.isnan(b["d_msoa"])
    assert b["note"] == "d_msoa: only one populated unit"


def test_scheme_collapse_hand_computed() -> None:
    m, cats = collapse([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]],
                       SCHEMES["ethnicity_2011_detailed"], "ethnicity_2011_detailed",
                       "ethnicity_survey6")
    assert cats == ("white", "asian", "black", "mixed", "chinese", "other")
    # white 1-4, asian 9+10+11+13 (not Chinese 12), black 14-16, mixed 5-8, other 17-18
    assert m.tolist() == [[10, 43, 45, 26, 12, 35]]
    m2, cats2 = collapse([[5, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]],
                         SCHEMES["ethnicity_2011_mlid"], "ethnicity_2011_mlid",
                         "ethnicity_2011_mlid14")
    assert "white_gypsy_traveller" not in cats2 and m2.sum() == 22 - 2
    m3, _ = collapse([[5, 1, 2, 3]], ["white_british", "white_irish", "white_gypsy_traveller",
                                     "mixed"], "ethnicity_2011_mlid", "ethnicity_white_british")
    assert m3.tolist() == [[5, 6]]


def test_collapse_refuses_unknown_pairs() -> None:
    with pytest.raises(InputDataError, match="cannot collapse scheme 'ethnicity_broad'"):
        collapse([[1, 2, 3, 4, 5]], SCHEMES["ethnicity_broad"], "ethnicity_broad",
                 "ethnicity_survey6")
    with pytest.raises(InputDataError, match="scheme 'ethnic_2011' is unknown"):
        collapse([[1]], ["white"], "ethnicity_broad", "ethnic_2011")


def test_every_collapse_keeps_every_category_mapped() -> None:
    for (src, dst), mapping in COLLAPSES.items():
        assert set(mapping) == set(SCHEMES[src]), (src, dst)
        assert {t for t in mapping.values() if t is not None} <= set(SCHEMES[dst])


def test_schemes_agree_with_the_data_readers() -> None:
    data_table = pytest.importorskip("socint.data.table")
    for name, cats in SCHEMES.items():
        if name in data_table.SCHEMES:
            assert cats == data_table.SCHEMES[name], name


def test_registry_entries_are_complete() -> None:
    for name, m in MEASURES.items():
        assert m.name == name and m.description and m.reference
        assert m.kind in ("diversity", "segregation") and callable(m.function)
