"""Change between two index runs on harmonised LAs, on a hand-computed case."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from socint.composite.change import index_change
from socint.errors import InputDataError


def _run(codes: list[str], trust: list[float], adults: list[float], draws: np.ndarray,
         edi: list[float] | None = None) -> Any:
    la = pd.DataFrame({"lad_code": codes, "trust": trust,
                       "edi": edi or [0.1] * len(codes), "dissimilarity": [20.0] * len(codes)})
    return SimpleNamespace(la=la, la_trust_draws=draws,
                           trust=SimpleNamespace(adults_la=np.array(adults),
                                                 la=pd.DataFrame({"lad_code": codes})))


def test_merged_las_are_population_weighted_and_change_has_an_interval() -> None:
    # 2011: A and B (adults 100 and 300) merge into C by 2021; D is unchanged
    d_old = np.array([[0.30, 0.30, 0.30, 0.30], [0.50, 0.50, 0.50, 0.50],
                      [0.40, 0.42, 0.38, 0.40]])
    old = _run(["A", "B", "D"], [0.30, 0.50, 0.40], [100, 300, 200], d_old,
               edi=[0.2, 0.4, 0.1])
    d_new = np.array([[0.50, 0.50, 0.50, 0.50], [0.40, 0.50, 0.30, 0.40]])
    new = _run(["C", "D"], [0.50, 0.40], [400, 200], d_new, edi=[0.5, 0.1])
    out = index_change(old, new, mapping={"A": "C", "B": "C"}).set_index("lad_code")
    # harmonised 2011 trust of C = (100*0.30 + 300*0.50)/400 = 0.45
    assert out.loc["C", "trust_change"] == pytest.approx(0.05)
    assert out.loc["C", "edi_change"] == pytest.approx(0.5 - (100 * 0.2 + 300 * 0.4) / 400)
    assert out.loc["C", "harmonised"] and not out.loc["D", "harmonised"]
    assert out.loc["C", "p_increase"] == 1.0
    # D: draw differences 0, 0.08, -0.08, 0 -> median 0, interval spans zero
    assert out.loc["D", "trust_change"] == pytest.approx(0.0)
    assert out.loc["D", "trust_change_lower"] < 0 < out.loc["D", "trust_change_upper"]
    assert out.loc["D", "p_increase"] == 0.25


def test_new_la_without_mapping_gets_a_note() -> None:
    old = _run(["A"], [0.3], [100], np.full((1, 3), 0.3))
    new = _run(["A", "Z"], [0.3, 0.4], [100, 50], np.full((2, 3), 0.35))
    out = index_change(old, new).set_index("lad_code")
    assert np.isnan(out.loc["Z", "trust_change"])
    assert "not in the earlier run" in out.loc["Z", "note"]
    assert out.loc["A", "note"] == ""


def test_runs_with_different_draws_are_refused() -> None:
    old = _run(["A"], [0.3], [100], np.zeros((1, 3)))
    new = _run(["A"], [0.3], [100], np.zeros((1, 4)))
    with pytest.raises(InputDataError, match="same n_draws"):
        index_change(old, new)


def test_earlier_run_on_the_later_la_set_is_adult_weighted() -> None:
    """2011 LAs merged by 2021 are combined with adult weights (hand-computed)."""
    from socint.composite.timeseries import _harmonised_la

    la = pd.DataFrame({"lad_code": ["A", "B", "D"], "trust": [0.30, 0.50, 0.40],
                       "edi": [0.2, 0.4, 0.1], "dissimilarity": [10.0, 30.0, 20.0],
                       "composite": [1.0, 2.0, 3.0]})
    run = SimpleNamespace(la=la, trust=SimpleNamespace(adults_la=np.array([100.0, 300.0, 200.0]),
                                                       la=la[["lad_code"]]))
    out = _harmonised_la(run, {"A": "C", "B": "C"})  # type: ignore[arg-type]
    assert out.loc["C", "trust"] == pytest.approx((100 * 0.30 + 300 * 0.50) / 400)
    assert out.loc["C", "dissimilarity"] == pytest.approx((100 * 10 + 300 * 30) / 400)
    assert out.loc["D", "edi"] == pytest.approx(0.1)
    assert sorted(out.index) == ["C", "D"]
