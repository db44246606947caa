"""Named scenarios: small worlds whose survey leaves an ethnic group too sparse to estimate."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from socint.composite.run import TRUST_FORMULA
from socint.errors import ModelError
from socint.estimates.sparse import (
    apply_category_merge,
    merge_sparse_categories,
    plan_sparse_merge,
)
from socint.models import fit_glmm
from socint.synthetic import generate_england

GROUPS = ["White", "Asian", "Black", "Mixed", "Chinese", "Other"]


def _survey(spec: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """``{category: (respondents, trusting)}`` → one row per respondent."""
    rows = [(cat, int(i < k)) for cat, (n, k) in spec.items() for i in range(n)]
    return pd.DataFrame(rows, columns=["ethnicity", "trust"])


def test_hand_made_rule_cases() -> None:
    survey = _survey({"White": (500, 200), "Asian": (100, 30), "Black": (40, 15),
                      "Chinese": (7, 0), "Mixed": (60, 5), "Other": (50, 20)})
    before = survey.copy()
    merged, notes = merge_sparse_categories(survey, categories=GROUPS)
    assert notes[:2] == [
        "ethnicity 'Chinese' merged into 'Other': 7 respondent(s) < 30",
        "ethnicity 'Mixed' merged into 'Other': 5 respondent(s) with the rarer outcome < 10",
    ]
    assert notes[-1].startswith("rule: each ethnicity category needs >= 30 respondents and >= 10")
    assert merged["ethnicity"].value_counts().to_dict() == {
        "White": 500, "Other": 117, "Asian": 100, "Black": 40}
    assert merged["trust"].equals(survey["trust"])
    pd.testing.assert_frame_equal(survey, before)  # the input is unchanged


def test_complete_separation_and_absent_category_are_named() -> None:
    survey = _survey({"White": (300, 100), "Asian": (60, 0), "Other": (80, 30)})
    mapping, notes = plan_sparse_merge(survey, categories=GROUPS)
    assert mapping == {"Asian": "Other", "Black": "Other", "Mixed": "Other", "Chinese": "Other"}
    assert ("ethnicity 'Asian' merged into 'Other': 0 respondent(s) with the rarer outcome < 10 "
            "(complete separation)") in notes
    assert "ethnicity 'Black' merged into 'Other': no respondents" in notes


def test_still_sparse_other_goes_to_the_reference() -> None:
    survey = _survey({"White": (300, 100), "Asian": (80, 30), "Chinese": (5, 1), "Other": (9, 0)})
    mapping, notes = plan_sparse_merge(survey)
    assert mapping == {"Chinese": "White", "Other": "White"}
    assert any("'Other' (with 'Chinese', 'Other') is still too sparse" in n
               and "merged into the reference 'White'" in n for n in notes)


def test_nothing_to_merge_gives_no_notes() -> None:
    survey = _survey({"White": (300, 100), "Asian": (80, 30), "Other": (90, 40)})
    merged, notes = merge_sparse_categories(survey)
    assert notes == [] and merged.equals(survey)


def test_frame_gets_the_same_mapping() -> None:
    frame = pd.DataFrame({"ethnicity": pd.Categorical(["White", "Chinese", "Other"]),
                          "n": [10, 2, 3]})
    out = apply_category_merge(frame, {"Chinese": "Other"})
    assert out["ethnicity"].astype(str).tolist() == ["White", "Other", "Other"]
    assert frame["ethnicity"].astype(str).tolist() == ["White", "Chinese", "Other"]


@pytest.mark.parametrize(("seed", "scale", "size"), [(2011, 0.3, 5000), (2, 0.1, 2000),
                                                     (2011, 0.1, 5000)])
def test_model3_fits_small_worlds_after_merging(seed: int, scale: float, size: int) -> None:
    """Worlds the issue saw die with "complete separation … merge this category"."""
    world = generate_england(seed, scale=scale, survey_size=size)
    survey, notes = merge_sparse_categories(world.survey, categories=GROUPS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_glmm(TRUST_FORMULA, survey)
    assert result.converged and np.all(np.isfinite(result.fixef))
    assert notes  # these worlds do have sparse groups


def test_the_unmerged_small_world_really_fails() -> None:
    """The scenario is real: without merging, Model 3 cannot be fitted on this world."""
    world = generate_england(2011, scale=0.3, survey_size=5000)
    with pytest.raises(ModelError, match="complete separation"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_glmm(TRUST_FORMULA, world.survey)
