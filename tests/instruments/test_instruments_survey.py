"""Local-survey toolkit: bank, validation, raking and estimates against hand-computed cases."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socint.errors import GeographyError, InputDataError, SchemaError
from socint.instruments.survey import (
    Margin,
    QuestionBank,
    compare_with_model,
    estimate_items,
    kish_deff,
    load_bank,
    margins_for_la,
    rake,
    validate_responses,
    weighted_share,
)


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


def _responses(n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(n)],
        "lad_code": "E08000025",
        "age_band": rng.choice(["16-24", "25-34", "35-49", "50-64", "65+"], n),
        "sex": rng.choice(["female", "male"], n),
        "ethnicity": rng.choice(["white", "asian"], n),
        "neighbourhood_trust": rng.choice(["most", "some", "a_few", "none", "dont_know"], n),
        "volunteering": rng.choice(["yes", "no", ""], n),
    })


def test_bank_has_the_issue_items_and_a_version(bank: QuestionBank) -> None:
    need = {"neighbourhood_trust", "get_on_well", "belonging", "mixing", "volunteering",
            "trust_local_gov", "trust_national_gov"}
    assert need <= set(bank.items)
    assert bank.version
    trust = bank.items["neighbourhood_trust"]
    assert trust.responses == ("most", "some", "a_few", "none")
    assert trust.positive == ("most",)
    assert bank.items["volunteering"].responses == ("yes", "no")  # not YAML booleans


def test_bank_with_a_stray_positive_code_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "bank.yaml"
    p.write_text("version: x\nitems:\n  q:\n    text: t\n    scale: ordinal\n"
                 "    responses: {a: A, b: B}\n    positive: [c]\n")
    with pytest.raises(SchemaError, match="positive codes"):
        load_bank(p)


def test_valid_file_is_cleaned(bank: QuestionBank) -> None:
    out = validate_responses(_responses(), bank)
    assert out["neighbourhood_trust"].isna().sum() == (
        _responses()["neighbourhood_trust"] == "dont_know").sum()
    assert out["volunteering"].isna().sum() == (_responses()["volunteering"] == "").sum()


def test_bad_codes_name_every_row_and_column(bank: QuestionBank) -> None:
    df = _responses()
    df.loc[3, "neighbourhood_trust"] = "lots"
    df.loc[7, "sex"] = "F"
    with pytest.raises(InputDataError) as err:
        validate_responses(df, bank, file="resp.csv")
    text = str(err.value)
    assert "2 cell(s)" in text
    assert "row 4, column 'neighbourhood_trust': 'lots'" in text
    assert "row 8, column 'sex': 'F'" in text
    assert "file resp.csv" in text


def test_duplicate_ids_and_missing_columns_and_bad_la(bank: QuestionBank) -> None:
    df = _responses()
    df.loc[5, "respondent_id"] = "r0"
    with pytest.raises(InputDataError, match="r0") as err:
        validate_responses(df, bank)
    assert err.value.row == 6
    with pytest.raises(SchemaError, match="ethnicity"):
        validate_responses(_responses().drop(columns="ethnicity"), bank)
    df = _responses()
    df.loc[2, "lad_code"] = "E01000001"  # an LSOA, not an LA
    with pytest.raises(GeographyError, match="row 3"):
        validate_responses(df, bank)


def test_kish_deff_hand_computed() -> None:
    # n=4, Σw=8, Σw²=1+1+4+16=22 -> 4*22/64
    assert kish_deff([1, 1, 2, 4]) == pytest.approx(1.375, abs=1e-15)
    assert kish_deff([3, 3, 3]) == pytest.approx(1.0)


def test_post_stratification_is_raking_with_one_margin() -> None:
    # one margin: weight = target / sample count in the cell (hand computed)
    s = pd.DataFrame({"sex": ["f", "f", "f", "m"]})
    res = rake(s, [Margin(("sex",), {"f": 60.0, "m": 40.0})])
    assert res.weights.tolist() == pytest.approx([20.0, 20.0, 20.0, 40.0], abs=1e-12)
    assert res.deff_kish == pytest.approx(4 * (3 * 400 + 1600) / 100**2)


def test_raking_reproduces_margins_to_1e6() -> None:
    rng = np.random.default_rng(7)
    n = 200
    s = pd.DataFrame({
        "age_band": rng.choice(["16-34", "35-64", "65+"], n, p=[0.2, 0.5, 0.3]),
        "sex": rng.choice(["female", "male"], n, p=[0.6, 0.4]),
        "ethnicity": rng.choice(["white", "asian", "black"], n, p=[0.8, 0.15, 0.05]),
    })
    age_sex = {(a, x): t for (a, x), t in zip(
        [(a, x) for a in ["16-34", "35-64", "65+"] for x in ["female", "male"]],
        [1500, 1600, 2500, 2400, 1100, 900], strict=True)}
    eth = {"white": 6000.0, "asian": 2500.0, "black": 1500.0}
    margins = [Margin(("age_band", "sex"), age_sex), Margin(("ethnicity",), eth)]
    res = rake(s, margins)
    assert res.converged
    w = res.weights
    for (a, x), t in age_sex.items():
        got = w[(s.age_band == a) & (s.sex == x)].sum()
        assert abs(got - t) < 1e-6
    for g, t in eth.items():
        assert abs(w[s.ethnicity == g].sum() - t) < 1e-6
    assert res.deff_kish == pytest.approx(n * (w**2).sum() / w.sum() ** 2)
    assert res.history[-1] < 1e-10 and res.history[0] > res.history[-1]


def test_trimming_caps_weights_and_keeps_margins() -> None:
    # 3 young men carry large weights; other cells can absorb the weight a 2x cap removes
    s = pd.DataFrame({"sex": ["m"] * 40 + ["f"] * 60,
                      "age": ["y"] * 3 + ["o"] * 37 + ["y"] * 30 + ["o"] * 30})
    margins = [Margin(("sex",), {"m": 50.0, "f": 50.0}), Margin(("age",), {"y": 45.0, "o": 55.0})]
    untrimmed = rake(s, margins)
    res = rake(s, margins, trim=2.0)
    assert untrimmed.max_weight_ratio > 2.5
    assert res.n_trimmed == 3 and res.trim_satisfied
    assert 2.0 - 1e-9 <= res.max_weight_ratio <= 2.0 * (1 + 1e-3)  # cap within trim_tol
    w = res.weights
    for var, cat, target in [("sex", "m", 50), ("sex", "f", 50), ("age", "y", 45),
                             ("age", "o", 55)]:
        assert abs(w[s[var] == cat].sum() - target) < 1e-6


def test_unsatisfiable_trim_is_reported_not_hidden() -> None:
    # young men are 1 in 100 but 20% of the population: no 3x cap can meet the margins
    s = pd.DataFrame({"sex": ["m"] * 10 + ["f"] * 90, "age": ["y"] + ["o"] * 99})
    s.loc[50:80, "age"] = "y"
    margins = [Margin(("sex",), {"m": 50.0, "f": 50.0}), Margin(("age",), {"y": 40.0, "o": 60.0})]
    res = rake(s, margins, trim=3.0, max_trim_rounds=5)
    assert not res.trim_satisfied and res.max_weight_ratio > 3.0
    assert res.max_margin_error < 1e-10  # margins still hold exactly


def test_unweightable_sample_is_refused() -> None:
    s = pd.DataFrame({"sex": ["f", "f"], "age": ["y", "o"]})
    with pytest.raises(InputDataError, match="no respondents") as err:
        rake(s, [Margin(("sex",), {"f": 5.0, "m": 5.0})])
    assert str(err.value).split("no respondents: ")[1].startswith("m ")
    with pytest.raises(InputDataError, match="missing from the population margins"):
        rake(s, [Margin(("age",), {"y": 5.0})])


def test_weighted_estimate_hand_computed() -> None:
    # y = 1,1,0,0 with weights 1,3,2,2, five times over: p = 20/40 = 0.5;
    # deff = 20 * (5*18) / 40² = 1.125; se = sqrt(1.125 * 0.25 / 20)
    r = weighted_share(np.tile([1, 1, 0, 0], 5), np.tile([1.0, 3.0, 2.0, 2.0], 5))
    assert r["estimate"] == pytest.approx(0.5)
    assert r["deff"] == pytest.approx(1.125)
    assert r["effective_n"] == pytest.approx(20 / 1.125)
    se = math.sqrt(1.125 * 0.25 / 20)
    assert r["se"] == pytest.approx(se)
    assert r["lower"] == pytest.approx(0.5 - 1.959963984540054 * se)


def test_estimate_items_suppresses_small_bases(bank: QuestionBank) -> None:
    n = 30
    df = pd.DataFrame({
        "respondent_id": range(n), "lad_code": "E08000025",
        "neighbourhood_trust": ["most"] * 12 + ["none"] * 18,
        "grp": ["a"] * 25 + ["b"] * 5,
    })
    w = np.r_[np.full(12, 2.0), np.full(18, 1.0)]
    out = estimate_items(df, w, bank, items=["neighbourhood_trust"], by="grp")
    allrow = out[out.group == "all"].iloc[0]
    assert allrow["estimate"] == pytest.approx(24 / 42)
    b = out[out.group == "b"].iloc[0]
    assert b["suppressed"] and np.isnan(b["n"]) and np.isnan(b["estimate"])


def test_compare_with_model_hand_computed() -> None:
    z = 1.959963984540054
    r = compare_with_model(0.45, 0.03, 0.40, 0.40 - z * 0.04, 0.40 + z * 0.04)
    assert r["model_se"] == pytest.approx(0.04)
    assert r["se"] == pytest.approx(0.05)
    assert r["difference"] == pytest.approx(0.05)
    assert r["p_value"] == pytest.approx(2 * (1 - 0.8413447460685429), abs=1e-9)  # z = 1
    with pytest.raises(InputDataError, match="outside its interval"):
        compare_with_model(0.4, 0.03, 0.5, 0.1, 0.2)


def test_margins_table(tmp_path: Path) -> None:
    t = pd.DataFrame({"lad_code": ["E06000001"] * 3, "margin": ["age_band*sex", "age_band*sex",
                      "ethnicity"], "category": ["16-24*female", "16-24*male", "white"],
                      "count": [5, 7, 12]})
    ms = margins_for_la(t, "E06000001")
    assert ms[0].variables == ("age_band", "sex")
    assert ms[0].targets[("16-24", "male")] == 7
    with pytest.raises(GeographyError, match="E06000099"):
        margins_for_la(t, "E06000099")
    with pytest.raises(InputDataError, match="tenure"):
        margins_for_la(t, "E06000001", margins=["tenure"])
