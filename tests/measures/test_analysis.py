"""Analysis helpers: correlation CI against SciPy, decile selections and change by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socint.errors import GeographyError, InputDataError
from socint.measures import (
    MeasureSpec,
    UnitCounts,
    change,
    compute_measures,
    correlation,
    decile_crosstab,
    recode_parents,
    select_deciles,
)


def test_pearson_ci_matches_scipy() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=80)
    y = 0.5 * x + rng.normal(size=80)
    x[3] = np.nan  # dropped pair
    ours = correlation(x, y, level=0.9)
    ok = ~np.isnan(x)
    ref = stats.pearsonr(x[ok], y[ok])
    ci = ref.confidence_interval(0.9)
    assert ours.n == 79
    assert ours.r == pytest.approx(ref.statistic, abs=1e-12)
    assert (ours.low, ours.high) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_spearman_r_and_bonett_wright_ci() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=50)
    y = np.exp(x) + rng.normal(scale=0.5, size=50)
    ours = correlation(x, y, method="spearman")
    r = stats.spearmanr(x, y).statistic
    assert ours.r == pytest.approx(r, abs=1e-12)
    se = math.sqrt(1 + r * r / 2) / math.sqrt(47)
    assert ours.high == pytest.approx(math.tanh(math.atanh(r) + 1.959963984540054 * se))


def test_correlation_needs_four_pairs() -> None:
    with pytest.raises(InputDataError, match="at least 4 areas"):
        correlation([1, 2, 3], [3, 2, 1])
    with pytest.raises(InputDataError, match="`method` was 'kendall'"):
        correlation([1, 2, 3, 4], [1, 2, 3, 4], method="kendall")


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "area_code": ["A", "B", "C", "D"], "area_name": ["a", "b", "c", "d"],
        "edi": [0.9, 0.8, 0.1, 0.5], "edi_decile": [10, 9, 1, 5],
        "trust": [0.5, 0.2, 0.6, 0.4], "trust_decile": [10, 2, 10, 9],
        "dissimilarity": [20.0, 30.0, 10.0, 40.0], "dissimilarity_decile": [3, 6, 1, 8],
    })


def test_select_top_deciles_with_another_measure() -> None:
    out = select_deciles(_table(), {"edi": (9, 10), "trust": (9, 10)}, show=["dissimilarity"])
    assert out["area_code"].tolist() == ["A"]
    assert out.columns.tolist() == ["area_code", "area_name", "edi", "edi_decile", "trust",
                                    "trust_decile", "dissimilarity", "dissimilarity_decile"]
    assert out.loc[0, "dissimilarity_decile"] == 3
    with pytest.raises(InputDataError, match="1 <= low <= high <= 10"):
        select_deciles(_table(), {"edi": (0, 10)})
    with pytest.raises(InputDataError, match="'crime_decile' not in"):
        select_deciles(_table(), {"crime": (1, 2)})


def test_decile_crosstab_counts() -> None:
    tab = decile_crosstab(_table(), "edi", "trust")
    assert tab.shape == (10, 10) and tab.to_numpy().sum() == 4
    assert tab.loc[10, 10] == 1 and tab.loc[9, 2] == 1 and tab.loc[1, 10] == 1


def test_change_between_censuses() -> None:
    a = pd.DataFrame({"area_code": ["X", "Y"], "edi": [0.2, 0.4]})
    b = pd.DataFrame({"area_code": ["Y", "X"], "edi": [0.5, 0.25]})
    out = change(a, b, ["edi"])
    assert out.set_index("area_code")["edi_change"].to_dict() == pytest.approx(
        {"X": 0.05, "Y": 0.1})
    with pytest.raises(GeographyError, match="only in 2021: Z"):
        change(a, pd.concat([b, pd.DataFrame({"area_code": ["Z"], "edi": [0.1]})]), ["edi"])


def test_recode_merged_las_then_compute() -> None:
    units = UnitCounts(
        level="oa", codes=np.array(["o1", "o2", "o3", "o4"], dtype=object),
        counts=np.array([[3, 1], [1, 3], [2, 2], [4, 0]], dtype=np.int64),
        categories=("white_british", "other"), scheme="ethnicity_white_british",
        parents=pd.DataFrame({"lad_code": ["E07000001", "E07000001", "E07000002",
                                           "E07000002"]}))
    mapping = pd.DataFrame({"old_code": ["E07000001", "E07000002"],
                            "new_code": ["E06000099", "E06000099"], "share": [1.0, 1.0]})
    merged = recode_parents(units, mapping)
    out = compute_measures(merged, [MeasureSpec("d", "dissimilarity", group="white_british")],
                           area_level="lad")
    # one LA: white (3, 1, 2, 4) of 10, other (1, 3, 2, 0) of 6
    d = 0.5 * (abs(0.3 - 1 / 6) + abs(0.1 - 0.5) + abs(0.2 - 1 / 3) + abs(0.4 - 0))
    assert out["area_code"].tolist() == ["E06000099"] and out.loc[0, "d"] == pytest.approx(d)
    with pytest.raises(GeographyError, match="split between vintages"):
        recode_parents(units, mapping.assign(share=[1.0, 0.5]))
