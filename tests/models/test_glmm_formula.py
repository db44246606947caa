"""lme4-style formula parsing (Bates et al. 2015, section 2.1 bar notation)."""

from __future__ import annotations

import pytest

from socint.errors import ModelError
from socint.models.formula import parse_formula


def test_fixed_and_two_random_intercepts() -> None:
    pf = parse_formula('trust ~ female + I(income**2) + C(eth, Treatment("White")) + (1 | la)'
                       " + (1|msoa)")
    assert pf.response == "trust"
    assert pf.fixed == 'female + I(income**2) + C(eth, Treatment("White"))'
    assert pf.random == (("la",), ("msoa",))


def test_nested_bar_expands_to_interaction() -> None:
    pf = parse_formula("y ~ x + (1 | la/msoa/oa)")
    assert pf.random == (("la",), ("la", "msoa"), ("la", "msoa", "oa"))
    assert pf.random_names == ("la", "la:msoa", "la:msoa:oa")


def test_cbind_response_and_intercept_only() -> None:
    pf = parse_formula("cbind(incidence, size - incidence) ~ (1 | herd)")
    assert (pf.successes, pf.failures, pf.fixed) == ("incidence", "size - incidence", "1")


def test_duplicate_random_terms_are_merged() -> None:
    assert parse_formula("y ~ (1|la/msoa) + (1|la)").random == (("la",), ("la", "msoa"))


@pytest.mark.parametrize(
    ("formula", "needle"),
    [
        ("y ~ x + (0 + x | g)", "removes the intercept"),
        ("y ~ x", "no random intercept"),
        ("y x (1|g)", "exactly one '~'"),
        ("cbind(a) ~ (1|g)", "exactly two arguments"),
        ("y ~ x + (1 | g", "unbalanced"),
        ("y ~ x + (1 | g + h)", "not a column name"),
        ("y ~ x + + (1|g)", "empty term"),
    ],
)
def test_bad_formulas_name_the_problem(formula: str, needle: str) -> None:
    with pytest.raises(ModelError, match=needle):
        parse_formula(formula)
