"""Direct estimates against published Wilson intervals and hand-computed weighted cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.errors import InputDataError
from socint.estimates.direct import direct_estimates, wilson_interval

# Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score without
# continuity correction), 95% limits.
NEWCOMBE = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718)]


@pytest.mark.parametrize(("x", "n", "lo", "hi"), NEWCOMBE)
def test_wilson_matches_newcombe_1998(x: int, n: int, lo: float, hi: float) -> None:
    got_lo, got_hi = wilson_interval(np.array([x / n]), np.array([float(n)]), 0.95)
    assert got_lo[0] == pytest.approx(lo, abs=1e-4)
    assert got_hi[0] == pytest.approx(hi, abs=1e-4)


def _survey(trust: list[int], area: list[str], weight: list[float] | None = None
            ) -> pd.DataFrame:
    df = pd.DataFrame({"lad_code": area, "trust": trust})
    if weight is not None:
        df["weight"] = weight
    return df


def test_counts_and_shares_per_area() -> None:
    df = _survey([1, 0, 0, 1, 1, 1, 0], ["B", "B", "B", "A", "A", "A", "A"])
    out = direct_estimates(df)
    assert out.index.tolist() == ["A", "B"]
    assert out["n_respondents"].tolist() == [4, 3]
    assert out["direct"].tolist() == pytest.approx([0.75, 1 / 3])
    # unweighted: the effective n is n, se = sqrt(p(1-p)/n)
    assert out["direct_se"].iloc[0] == pytest.approx(np.sqrt(0.75 * 0.25 / 4))
    assert (out["direct_lower90"] >= out["direct_lower95"]).all()


def test_weighted_share_and_kish_effective_n() -> None:
    df = _survey([1, 0, 1, 0], ["A"] * 4, [1.0, 1.0, 2.0, 2.0])
    out = direct_estimates(df, weights="weight")
    assert out["direct"].iloc[0] == pytest.approx(3 / 6)  # (1 + 2) / 6
    assert out["n_effective"].iloc[0] == pytest.approx(36 / 10)  # (Σw)² / Σw²


@pytest.mark.parametrize(("name", "frame", "kwargs", "match"), [
    ("outcome_not_binary", _survey([1, 2], ["A", "A"]), {}, "row 2"),
    ("missing_area", pd.DataFrame({"lad_code": ["A", None], "trust": [1, 0]}), {}, "row 2"),
    ("zero_weight", _survey([1, 0], ["A", "A"], [1.0, 0.0]), {"weights": "weight"}, "row 2"),
    ("no_outcome_column", pd.DataFrame({"lad_code": ["A"]}), {}, "no column 'trust'"),
])
def test_bad_survey_input(name: str, frame: pd.DataFrame, kwargs: dict[str, str],
                          match: str) -> None:
    with pytest.raises(InputDataError, match=match):
        direct_estimates(frame, **kwargs)
