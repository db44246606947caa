"""Race-equality scorecard: log-method ratio intervals, suppression, flags and change."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from socint.errors import GeographyError, InputDataError, SchemaError
from socint.instruments.scorecard import (
    changes,
    disparity_ratio,
    indicator_from_counts,
    scorecard,
)

LA = "E08000025"


def _table(rows: list[tuple[str, str, float, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(la, "employment", "unemployment", g, a, n, y) for la, g, a, n, y in rows],
        columns=["lad_code", "domain", "indicator", "group", "numerator", "denominator", "year"],
    )


def test_disparity_ratio_hand_computed() -> None:
    # 30/100 vs 20/200: RR = 3; SE(log RR) = sqrt(1/30 - 1/100 + 1/20 - 1/200)
    rr, se, lo, hi = disparity_ratio(30, 100, 20, 200)
    assert rr == pytest.approx(3.0)
    assert se == pytest.approx(math.sqrt(0.068333333333333333))
    assert lo == pytest.approx(3 * math.exp(-1.959963984540054 * se))
    assert hi == pytest.approx(3 * math.exp(1.959963984540054 * se))


def test_disparity_ratio_matches_statsmodels() -> None:
    sm = pytest.importorskip("statsmodels.stats.contingency_tables")  # test-only reference
    import numpy as np

    t = sm.Table2x2(np.array([[57, 443], [120, 1880]]))
    rr, se, lo, hi = disparity_ratio(57, 500, 120, 2000)
    assert rr == pytest.approx(t.riskratio, rel=1e-12)
    assert se == pytest.approx(t.log_riskratio_se, rel=1e-12)
    assert (lo, hi) == pytest.approx(t.riskratio_confint(), rel=1e-9)


def test_scorecard_rates_ratios_and_suppression() -> None:
    df = _table([
        (LA, "white_british", 20, 200, 2021),
        (LA, "black_caribbean", 30, 100, 2021),
        (LA, "bangladeshi", 4, 50, 2021),       # numerator < 10: suppressed
        (LA, "chinese", 12, 0, 2021),           # zero denominator
    ])
    df.loc[3, "numerator"] = 0
    card = scorecard(df, reference="white_british").set_index("group")
    assert card.loc["black_caribbean", "rate"] == pytest.approx(0.3)
    assert card.loc["black_caribbean", "ratio"] == pytest.approx(3.0)
    assert card.loc["black_caribbean", "flag"] == ""
    assert card.loc["white_british", "ratio"] == 1.0
    sup = card.loc["bangladeshi"]
    assert sup["flag"] == "suppressed"
    assert all(pd.isna(sup[c]) for c in ("numerator", "denominator", "rate", "ratio"))
    assert card.loc["chinese", "flag"] == "zero denominator"
    assert pd.isna(card.loc["chinese", "rate"])


def test_reference_missing_or_small_is_flagged() -> None:
    df = _table([
        (LA, "white_british", 20, 200, 2021),
        (LA, "indian", 40, 200, 2021),
        ("E06000001", "indian", 40, 200, 2021),     # no reference row in this LA
        ("E06000002", "white_british", 5, 200, 2021),
        ("E06000002", "indian", 40, 200, 2021),     # reference suppressed
    ])
    card = scorecard(df, reference="white_british")
    flags = dict(zip(card["lad_code"] + card["group"], card["flag"], strict=True))
    assert flags["E06000001indian"] == "reference missing"
    assert flags["E06000002indian"] == "reference suppressed"
    assert card.loc[card["flag"] != "", "ratio"].isna().all()


def test_bad_inputs_are_named() -> None:
    df = _table([(LA, "white_british", 20, 200, 2021)])
    with pytest.raises(InputDataError, match="'nobody' does not occur"):
        scorecard(df, reference="nobody")
    bad = df.assign(domain="sport")
    with pytest.raises(InputDataError, match="sport") as err:
        scorecard(bad, reference="white_british")
    assert err.value.row == 1 and err.value.column == "domain"
    over = _table([(LA, "white_british", 20, 200, 2021), (LA, "x", 300, 200, 2021)])
    with pytest.raises(InputDataError, match="exceeds denominator") as err:
        scorecard(over, reference="white_british")
    assert err.value.row == 2 and err.value.code == LA
    with pytest.raises(GeographyError, match="E99999999"):
        scorecard(_table([("E99999999", "white_british", 20, 200, 2021)]),
                  reference="white_british")
    with pytest.raises(SchemaError, match="year"):
        scorecard(df.drop(columns="year"), reference="white_british")
    dup = pd.concat([df, df])
    with pytest.raises(InputDataError, match="twice"):
        scorecard(dup, reference="white_british")


def test_unknown_but_well_formed_la_code_is_refused() -> None:
    df = _table([(LA, "white_british", 20, 200, 2021), ("E08000099", "indian", 40, 200, 2021)])
    with pytest.raises(GeographyError, match="E08000099") as err:
        scorecard(df, reference="white_british", known_las={LA})
    assert err.value.row == 2
    assert len(scorecard(df, reference="white_british", known_las={LA, "E08000099"})) == 2


def test_change_direction_between_years() -> None:
    df = _table([
        (LA, "white_british", 100, 1000, 2011), (LA, "black_african", 300, 1000, 2011),
        (LA, "white_british", 100, 1000, 2021), (LA, "black_african", 120, 1000, 2021),
        (LA, "pakistani", 150, 1000, 2011), (LA, "pakistani", 155, 1000, 2021),
    ])
    ch = changes(scorecard(df, reference="white_british")).set_index("group")
    assert ch.loc["black_african", "change"] == "narrowed"   # RR 3.0 -> 1.2
    assert ch.loc["pakistani", "change"] == "no clear change"  # RR 1.5 -> 1.55
    assert "white_british" not in ch.index
    widened = _table([
        (LA, "white_british", 100, 1000, 2011), (LA, "black_african", 120, 1000, 2011),
        (LA, "white_british", 100, 1000, 2021), (LA, "black_african", 300, 1000, 2021),
    ])
    assert changes(scorecard(widened, reference="white_british"))["change"].tolist() == [
        "widened"]


def test_indicator_from_census_cross_table() -> None:
    counts = pd.DataFrame({
        "lad_code": LA, "group": ["white", "white", "asian", "asian"],
        "category": ["social_rented", "owned", "social_rented", "owned"],
        "count": [30, 70, 45, 55],
    })
    ind = indicator_from_counts(counts, domain="housing", indicator="social_renting",
                                numerator_categories=["social_rented"], year=2021)
    got = ind.set_index("group")
    assert got.loc["asian", "numerator"] == 45 and got.loc["asian", "denominator"] == 100
    card = scorecard(ind, reference="white").set_index("group")
    assert card.loc["asian", "ratio"] == pytest.approx(1.5)
    with pytest.raises(InputDataError, match="renting"):
        indicator_from_counts(counts, domain="housing", indicator="x",
                              numerator_categories=["renting"], year=2021)
