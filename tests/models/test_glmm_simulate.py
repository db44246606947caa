"""The Model 3 simulator: published sizes, nesting, calibration, determinism."""

from __future__ import annotations

import pytest

from socint.errors import ModelError
from socint.models import canonical_term_name, simulate_model3
from socint.published import ETHNICITY_SURVEY6, MODEL3_MEAN_TRUST, NSSEC_GROUPS


def test_published_design_and_calibration() -> None:
    df = simulate_model3(seed=3)
    assert len(df) == 28_822
    assert df["msoa"].nunique() == 3_134 and df["la"].nunique() == 319
    assert (df.groupby("msoa")["la"].nunique() == 1).all()  # MSOAs nested in LAs
    assert df["trust"].mean() == pytest.approx(MODEL3_MEAN_TRUST, abs=0.01)
    assert set(df["ethnicity"]) == set(ETHNICITY_SURVEY6)
    assert set(df["nssec"]) == set(NSSEC_GROUPS)
    assert df["age"].between(16, 90).all() and df["income"].between(1, 15).all()
    assert (df.groupby("msoa")["div_decile"].nunique() == 1).all()  # MSOA-level covariate


def test_deterministic_given_seed() -> None:
    a = simulate_model3(500, 50, 5, seed=9)
    b = simulate_model3(500, 50, 5, seed=9)
    assert a.equals(b)
    assert not a.equals(simulate_model3(500, 50, 5, seed=10))


def test_sizes_must_nest() -> None:
    with pytest.raises(ModelError, match="n_respondents >= n_msoa >= n_la"):
        simulate_model3(10, 50, 5)


def test_canonical_names() -> None:
    assert canonical_term_name("C(ethnicity, Treatment('White'))[T.Asian]") == "ethnicity[Asian]"
    assert canonical_term_name("C(wb_change, Treatment('<-5%'))[T.-5-0%]") == "wb_change[-5-0%]"
    assert canonical_term_name("I(income ** 2)") == "income_sq"
    assert canonical_term_name("div_decile:poor_english") == "div_decile:poor_english"
