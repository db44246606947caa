"""Scorecard indicators derived from the school census, and domain coverage."""

from __future__ import annotations

import pandas as pd
import pytest

from socint.instruments.school_census import GROUPS
from socint.instruments.scorecard import DOMAINS, scorecard
from socint.instruments.scorecard_sources import coverage, school_poverty_indicator


def _schools() -> pd.DataFrame:
    """Five schools; FSM shares .1, .2, .3, .4, .5 -> 80th percentile .42, only S5 is high."""
    rows = []
    for i, (wb, pak) in enumerate([(90, 10), (80, 20), (70, 30), (60, 40), (20, 80)]):
        r = {g: 0.0 for g in GROUPS}
        r.update(white_british=wb, asian_pakistani=pak, lad_code="E06000001" if i < 3
                 else "E06000002", headcount=100.0, fsm_eligible=10.0 * (i + 1))
        rows.append(r)
    return pd.DataFrame(rows)


def test_school_poverty_indicator_hand_computed() -> None:
    ind = school_poverty_indicator(_schools()).set_index(["lad_code", "group"])
    # LA 2: S4 (60/40) and S5 (20/80, high-poverty): WB 20 of 80, Pakistani 80 of 120
    assert ind.loc[("E06000002", "white_british"), "numerator"] == 20
    assert ind.loc[("E06000002", "white_british"), "denominator"] == 80
    assert ind.loc[("E06000002", "asian_pakistani"), "numerator"] == 80
    assert ind.loc[("E06000001", "asian_pakistani"), "numerator"] == 0
    card = scorecard(ind.reset_index(), reference="white_british").set_index(
        ["lad_code", "group"])
    # ratio (80/120)/(20/80) = 2.667
    assert card.loc[("E06000002", "asian_pakistani"), "ratio"] == pytest.approx(8 / 3)


def test_coverage_says_what_is_missing() -> None:
    ind = school_poverty_indicator(_schools())
    cov = coverage(scorecard(ind, reference="white_british")).set_index("domain")
    assert list(cov.index) == list(DOMAINS)
    assert cov.loc["education", "status"] == "data here"
    assert cov.loc["education", "las_with_data"] == 2
    others = cov.drop(index="education")
    assert (others["status"] == "no data: bring it").all()
    assert (others["data_to_bring"].str.len() > 20).all()
    assert (coverage(None)["status"] == "no data: bring it").all()
