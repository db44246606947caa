"""Composite score, rank intervals and sensitivity on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from socint.composite.rank_uncertainty import rank_intervals
from socint.composite.score import check_weights, composite_score, normalise
from socint.composite.sensitivity import sensitivity
from socint.errors import InputDataError


def test_normalisations_by_hand() -> None:
    x = np.array([1.0, 2.0, 3.0])
    assert np.allclose(normalise(x, "rank"), [1 / 3, 2 / 3, 1])
    assert np.allclose(normalise(x, "zscore"), [-1, 0, 1])  # sd (n-1) = 1
    assert np.allclose(normalise(x, "minmax"), [0, 0.5, 1])
    assert np.allclose(normalise(x, "minmax", -1), [1, 0.5, 0])
    assert np.allclose(normalise(np.array([2.0, 2.0]), "minmax"), [0.5, 0.5])
    assert np.allclose(normalise(np.array([1.0, 1.0, 3.0]), "rank"), [0.5, 0.5, 1.0])


def test_composite_is_the_weighted_mean_of_oriented_components() -> None:
    comps = {"trust": np.array([0.3, 0.4, 0.5]), "edi": np.array([0.1, 0.5, 0.3]),
             "dissimilarity": np.array([10.0, 30.0, 20.0])}
    # minmax: trust [0, .5, 1]; edi [0, 1, .5]; dissimilarity reversed [1, 0, .5]
    got = composite_score(comps, normalisation="minmax")
    assert np.allclose(got, [(0 + 0 + 1) / 3, (0.5 + 1 + 0) / 3, (1 + 0.5 + 0.5) / 3])
    got = composite_score(comps, weights={"trust": 2, "edi": 1, "dissimilarity": 1},
                          normalisation="minmax")
    assert np.allclose(got, [(0 + 0 + 1) / 4, (1 + 1 + 0) / 4, (2 + 0.5 + 0.5) / 4])


@pytest.mark.parametrize(("weights", "match"), [
    ({"trust": 1, "happiness": 1}, "unknown composite component"),
    ({"trust": -1, "edi": 1}, "finite and >= 0"),
    ({"trust": 0.0}, "sum to 0"),
])
def test_bad_weights_are_refused(weights: dict[str, float], match: str) -> None:
    with pytest.raises(InputDataError, match=match):
        check_weights(weights)


def test_unknown_normalisation_and_missing_values_are_refused() -> None:
    with pytest.raises(InputDataError, match="expected to be in"):
        normalise(np.array([1.0]), "softmax")
    with pytest.raises(InputDataError, match="missing values"):
        normalise(np.array([1.0, np.nan]), "rank")


def test_rank_intervals_collapse_without_uncertainty() -> None:
    n = 20
    trust = np.linspace(0.2, 0.6, n)
    draws = np.repeat(trust[:, None], 50, axis=1)
    fixed = {"edi": np.linspace(0.1, 0.5, n), "dissimilarity": np.linspace(40, 10, n)}
    out = rank_intervals(draws, fixed)
    # every component increases integration with the index: area 19 is first, area 0 last
    assert out["rank_lower90"].tolist() == list(range(n, 0, -1))
    assert (out["rank_lower90"] == out["rank_upper90"]).all()
    # top decile of 20 areas = the two best, with certainty
    assert out["p_top_decile"].tolist() == [0.0] * 18 + [1.0, 1.0]


def test_rank_intervals_reflect_uncertain_trust() -> None:
    rng = np.random.default_rng(1)
    n, d = 30, 2000
    trust = np.full(n, 0.4)
    draws = trust[:, None] + rng.normal(0, 0.05, (n, d))
    out = rank_intervals(draws, {}, weights={"trust": 1.0})
    # exchangeable areas: each is in the top decile (3 of 30) in about 10% of the draws
    assert np.allclose(out["p_top_decile"], 0.1, atol=0.03)
    assert (out["rank_lower90"] <= 3).all() and (out["rank_upper90"] >= 28).all()


def test_p_most_integrated_from_draws() -> None:
    n = 10
    # area 0 has certain top trust, area 1 flips between top and bottom half
    draws = np.tile(np.linspace(0.1, 0.5, n)[::-1][:, None], (1, 4))
    draws[1] = [0.49, 0.01, 0.49, 0.01]
    edi_dec = np.array([10, 10] + [1] * 8)
    dis_dec = np.ones(n)
    out = rank_intervals(draws, {"edi": np.arange(n, dtype=float),
                                 "dissimilarity": np.zeros(n)},
                         edi_decile=edi_dec, dissimilarity_decile=dis_dec)
    assert out["p_most_integrated"].iloc[0] == 1.0
    assert out["p_most_integrated"].iloc[1] == 0.5
    assert (out["p_most_integrated"].iloc[2:] == 0).all()


def test_incomplete_draws_are_refused() -> None:
    with pytest.raises(InputDataError, match="missing values"):
        rank_intervals(np.array([[0.1, np.nan]]), {})


def test_sensitivity_dominant_area_never_moves() -> None:
    comps = {"trust": np.array([0.9, 0.2, 0.5, 0.3]), "edi": np.array([0.8, 0.1, 0.2, 0.6]),
             "dissimilarity": np.array([5.0, 50.0, 30.0, 20.0]),
             "deprivation": np.array([1.0, 9.0, 5.0, 4.0])}
    table, vol = sensitivity(comps)
    assert table.shape == (4, 15)  # 3 normalisations x 5 weight sets
    assert (table.iloc[0] == 1).all() and vol["rank_range"].iloc[0] == 0
    assert (table.iloc[1] == 4).all()
    assert vol["rank_range"].max() >= 1
