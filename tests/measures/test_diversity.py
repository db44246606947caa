"""Diversity indices against hand-computed values (Simpson 1949, Shannon 1948, Jost 2006)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from socint.errors import InputDataError
from socint.measures.diversity import Rollup, area_diversity, effective_number, shannon, simpson


def test_simpson_hand_computed() -> None:
    m = np.array([[5, 5], [10, 0], [1, 1], [2, 3]])
    np.testing.assert_allclose(simpson(m), [0.5, 0.0, 0.5, 1 - (4 + 9) / 25])


def test_simpson_finite_population_correction() -> None:
    # without replacement: 1 - (5*4 + 5*4) / (10*9) = 5/9; one resident: undefined
    out = simpson(np.array([[5, 5], [1, 0], [2, 0]]), fpc=True)
    assert out[0] == pytest.approx(5 / 9)
    assert np.isnan(out[1])
    assert out[2] == 0.0


def test_zero_population_row_is_nan() -> None:
    for f in (simpson, shannon, effective_number):
        assert np.isnan(f(np.array([[0, 0, 0]]))[0])


def test_shannon_and_effective_number() -> None:
    m = np.array([[1, 1, 1, 1], [7, 0, 0, 0], [1, 3, 0, 0]])
    h = shannon(m)
    assert h[0] == pytest.approx(math.log(4))
    assert h[1] == 0.0  # one group: 0 log 0 terms are zero
    assert h[2] == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)))
    np.testing.assert_allclose(effective_number(m)[:2], [4.0, 1.0])
    assert shannon(m, base=2)[0] == pytest.approx(2.0)


def test_rollup_pooled_vs_population_weighted_mean() -> None:
    # one area, units [3, 1] and [0, 4]
    m = np.array([[3, 1], [0, 4]])
    p = np.zeros(2, dtype=np.intp)
    pooled = area_diversity(m, p, rollup="pooled")[0]
    assert pooled == pytest.approx(1 - (9 + 25) / 64)
    # unit values 6/16 and 0, weights 4 and 4
    assert area_diversity(m, p, rollup="weighted_mean")[0] == pytest.approx(3 / 16)


def test_area_with_a_single_unit_equals_the_unit() -> None:
    m = np.array([[3, 1], [0, 4], [2, 2]])
    p = np.array([0, 0, 1])
    rollups: tuple[Rollup, ...] = ("pooled", "weighted_mean")
    for rollup in rollups:
        assert area_diversity(m, p, rollup=rollup)[1] == pytest.approx(0.5)


def test_options_without_effect_are_refused() -> None:
    with pytest.raises(InputDataError, match="fpc=True only applies"):
        area_diversity(np.ones((2, 2)), np.zeros(2, dtype=np.intp), measure="shannon", fpc=True)
    with pytest.raises(InputDataError, match="rollup 'median' is unknown"):
        area_diversity(np.ones((2, 2)), np.zeros(2, dtype=np.intp), rollup="median")  # type: ignore[arg-type]
