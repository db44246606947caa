"""Deciles and the report's classification on hand-computed small cases.

Rule (docs/methods/diversity.md, shared with socint.measures): with r the ascending rank (ties
share their minimum rank) among n areas, decile = ceil(10 r / n); 10 = highest.
Classification (Bright Blue 2019): EDI decile >= 9 and trust decile >= 6, confirmed by
dissimilarity decile <= 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.composite.classify import (
    FAILS_SEGREGATION,
    MISSING,
    MOST_INTEGRATED,
    NOT_CLASSIFIED,
    ClassificationRule,
    classify,
    classify_draws,
)
from socint.composite.deciles import deciles, deciles_by_row, ranks, ranks_by_row
from socint.errors import InputDataError


def test_twenty_las_fall_two_per_decile() -> None:
    values = np.arange(1.0, 21.0)[::-1]  # 20, 19, ..., 1
    # by hand: values 1-2 -> decile 1, 3-4 -> 2, ..., 19-20 -> 10
    expected = [10, 10, 9, 9, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert deciles(values).tolist() == expected
    assert ranks(values).tolist() == list(range(1, 21))


def test_ties_share_the_lower_decile_and_nan_stays_missing() -> None:
    # ascending ranks: 1.0 -> 1, 2.0 (x3) -> 2, 5.0 -> 5; n = 5 (NaN excluded)
    values = [2.0, 1.0, 2.0, np.nan, 5.0, 2.0]
    d = deciles(values)
    # ceil(10 r / 5): r=1 -> 2, r=2 -> 4, r=5 -> 10
    assert d.iloc[1] == 2 and d.iloc[0] == d.iloc[2] == d.iloc[5] == 4 and d.iloc[4] == 10
    assert pd.isna(d.iloc[3])
    r = ranks(values)
    assert r.iloc[4] == 1 and r.iloc[0] == 2 and r.iloc[1] == 5


def test_draw_by_draw_deciles_and_ranks_match_the_single_rule() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(37, 5))
    x[4, :] = x[9, :]  # ties in every draw
    dd = deciles_by_row(x)
    rr = ranks_by_row(x)
    for d in range(5):
        assert dd[:, d].tolist() == deciles(x[:, d]).tolist()
        assert rr[:, d].tolist() == ranks(x[:, d]).tolist()


def test_classification_of_twenty_las() -> None:
    # (trust, edi, dissimilarity) deciles per LA and the expected class, worked by hand
    cases = [
        (10, 10, 1, MOST_INTEGRATED),
        (6, 9, 5, MOST_INTEGRATED),       # all three exactly on the thresholds
        (5, 10, 1, NOT_CLASSIFIED),       # trust just below the top five deciles
        (10, 8, 1, NOT_CLASSIFIED),       # diversity just below the top two deciles
        (7, 9, 6, FAILS_SEGREGATION),     # passes diversity and trust, too segregated
        (10, 10, 10, FAILS_SEGREGATION),
        (1, 1, 1, NOT_CLASSIFIED),
        (6, 10, 2, MOST_INTEGRATED),
        (9, 9, 9, FAILS_SEGREGATION),
        (3, 9, 1, NOT_CLASSIFIED),
    ] + [(4, 4, 4, NOT_CLASSIFIED)] * 10
    t, e, d, expected = zip(*cases, strict=True)
    out = classify(t, e, d)
    assert out["classification"].tolist() == list(expected)
    assert out["most_integrated"].sum() == 3
    assert out["fails_segregation_check"].sum() == 3


def test_missing_decile_is_never_most_integrated() -> None:
    out = classify([10, None], [10, 10], [1, 1])
    assert out["classification"].tolist() == [MOST_INTEGRATED, MISSING]
    assert not out["most_integrated"].iloc[1]


def test_custom_rule_and_draws() -> None:
    rule = ClassificationRule(min_edi_decile=8, min_trust_decile=10, max_dissimilarity_decile=3)
    out = classify([10, 9], [8, 8], [3, 3], rule)
    assert out["most_integrated"].tolist() == [True, False]
    td = np.array([[10, 9, 10], [10, 10, 10]])
    got = classify_draws(td, [8, 8], [3, 4], rule)
    assert got.tolist() == [[True, False, True], [False, False, False]]


@pytest.mark.parametrize("field", ["min_edi_decile", "min_trust_decile",
                                   "max_dissimilarity_decile"])
def test_rule_outside_1_to_10_is_refused(field: str) -> None:
    with pytest.raises(InputDataError, match=field):
        ClassificationRule(**{field: 11})


def test_decile_arrays_of_different_length_are_refused() -> None:
    with pytest.raises(InputDataError, match="differ in length"):
        classify([1, 2], [1, 2], [1])
