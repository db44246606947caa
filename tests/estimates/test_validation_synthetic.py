"""Small-area estimates against the synthetic England's known truth.

The truth (``truth.true_trust_la``/``_msoa``) is each area's population share trusting most
neighbours under the data-generating model, so these are real tests of the estimators: MRP must
correlate >= 0.9 with the true LA shares and its 90%/95% intervals must cover the truth at close
to the nominal rate. The default run uses a smaller England (about 94 LAs, 920 MSOAs and 10,000
respondents): with 94 LAs the binomial sd of a 90% coverage rate is 3.1 points, and with only
~420 sampled MSOAs the estimated variance components themselves are uncertain (measured: the MSOA
variance 0.16 against a realised 0.225 for this seed), which moves the coverage of MSOA intervals
by several points; the bound there is 6 points. The issue's target (correlation >= 0.9, coverage
within 3 points) is checked at full size (310 LAs, 3,000 MSOAs, 30,000 respondents, 1,000 draws)
in the slow test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from socint.composite.run import IndexConfig, IndexResult, build_index
from socint.synthetic import generate_england
from socint.synthetic.source import inputs_from_synthetic


def _build(seed: int, scale: float, survey_size: int, draws: int) -> tuple[IndexResult, Any]:
    england = generate_england(seed, scale=scale, survey_size=survey_size)
    result = build_index(inputs_from_synthetic(england), config=IndexConfig(n_draws=draws,
                                                                           seed=seed))
    return result, england


def _coverage(tab: pd.DataFrame, truth: pd.DataFrame, key: str) -> tuple[float, float, float]:
    d = tab.merge(truth[[key, "true_trust"]], on=key)
    c90 = ((d["true_trust"] >= d["trust_lower90"]) & (d["true_trust"] <= d["trust_upper90"])).mean()
    c95 = ((d["true_trust"] >= d["trust_lower95"])
           & (d["true_trust"] <= d["trust_upper95"])).mean()
    return float(np.corrcoef(d["trust"], d["true_trust"])[0, 1]), float(c90), float(c95)


@pytest.fixture(scope="module")
def small() -> tuple[IndexResult, Any]:
    return _build(11, 0.3, 10_000, 400)


def test_mrp_tracks_the_true_la_shares(small: tuple[IndexResult, Any]) -> None:
    result, england = small
    v = result.validation
    assert v is not None
    row = v[(v["method"] == "mrp") & (v["group"] == "all")].iloc[0]
    assert row["n"] == len(england.las)
    assert row["correlation"] >= 0.9
    assert abs(row["coverage90"] - 0.90) <= 0.06
    assert abs(row["coverage95"] - 0.95) <= 0.06
    # MRP beats the direct estimate on the sampled LAs (the reason to model at all)
    s = v[v["group"] == "sampled"].set_index("method")
    assert s.loc["mrp", "rmse"] < s.loc["direct", "rmse"]
    # unsampled LAs get MRP estimates and are scored separately
    u = v[(v["group"] == "unsampled")].set_index("method")
    assert u.loc["mrp", "n"] == int((~result.la["sampled"]).sum()) > 0
    assert u.loc["direct", "n"] == 0


def test_mrp_msoa_intervals_cover_at_the_nominal_rate(small: tuple[IndexResult, Any]) -> None:
    result, england = small
    r, c90, c95 = _coverage(result.msoa, england.truth.true_trust_msoa, "msoa_code")
    assert r >= 0.8
    assert abs(c90 - 0.90) <= 0.06
    assert abs(c95 - 0.95) <= 0.06


def test_validation_matches_an_independent_recount(small: tuple[IndexResult, Any]) -> None:
    result, england = small
    r, c90, c95 = _coverage(result.la, england.truth.true_trust_la, "lad_code")
    v = result.validation
    assert v is not None
    row = v[(v["method"] == "mrp") & (v["group"] == "all")].iloc[0]
    assert row["correlation"] == pytest.approx(r)
    assert row["coverage90"] == pytest.approx(c90) and row["coverage95"] == pytest.approx(c95)


@pytest.mark.slow
def test_full_size_england_meets_the_targets() -> None:
    result, _ = _build(2011, 1.0, 30_000, 1000)
    v = result.validation
    assert v is not None
    print(v.to_string())
    row = v[(v["method"] == "mrp") & (v["group"] == "all")].iloc[0]
    assert row["correlation"] >= 0.9
    assert abs(row["coverage90"] - 0.90) <= 0.03
    assert abs(row["coverage95"] - 0.95) <= 0.03
