"""Joint conditional draws of nested random effects.

Reference: the conditional variances reported by ``socint.models`` (the diagonal of H⁻¹ from its
own nested LDLᵀ factorisation, lme4's ``condVar``). The arrowhead formulas here are computed
independently from the respondents' working weights; their marginals must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

from socint.composite.run import TRUST_FORMULA
from socint.estimates.posterior import draw_nested_effects, marginal_variances, nested_posterior
from socint.estimates.simulate_draws import FittedParts, parts_from_result
from socint.models import fit_glmm
from socint.synthetic import generate_england


@pytest.fixture(scope="module")
def fitted() -> tuple[FittedParts, object]:
    england = generate_england(3, scale=0.2, survey_size=6000)
    parts = parts_from_result(fit_glmm(TRUST_FORMULA, england.survey))
    return parts, england


def test_marginals_equal_the_models_conditional_variances(
        fitted: tuple[FittedParts, object]) -> None:
    parts, england = fitted
    post = nested_posterior(parts, england.survey)  # type: ignore[attr-defined]
    var_v, var_u = marginal_variances(parts, post)
    assert np.allclose(var_v, parts.la.cond_var.reindex(var_v.index), rtol=1e-8)
    assert np.allclose(var_u, parts.msoa.cond_var.reindex(var_u.index), rtol=1e-8)


def test_draws_have_the_joint_moments(fitted: tuple[FittedParts, object]) -> None:
    parts, england = fitted
    survey = england.survey  # type: ignore[attr-defined]
    post = nested_posterior(parts, survey)
    la = parts.la.modes.index[:3]
    msoa = post.info.index[post.msoa_la.isin(la)]
    D = 20_000
    rng = np.random.default_rng(0)
    # at the fitted variances the draws reproduce the conditional modes and variances
    v, u, la_s, m_s = draw_nested_effects(parts, post, la, msoa, np.full(D, parts.la.variance),
                                          np.full(D, parts.msoa.variance), rng)
    assert la_s.all() and m_s.all()
    assert np.allclose(v.mean(axis=1), parts.la.modes.loc[la], atol=4 * np.sqrt(
        parts.la.cond_var.loc[la].max() / D))
    assert np.allclose(u.var(axis=1), parts.msoa.cond_var.loc[msoa], rtol=0.05)
    # MSOA and LA effects are negatively correlated a posteriori
    k = list(la).index(post.msoa_la.loc[msoa[0]])
    assert np.corrcoef(u[0], v[k])[0, 1] < -0.05
    # a larger LA variance shrinks the LA effects less: the modes move away from zero
    v2, _, _, _ = draw_nested_effects(parts, post, la, msoa, np.full(D, 4 * parts.la.variance),
                                      np.full(D, parts.msoa.variance), rng)
    assert (np.abs(v2.mean(axis=1)) > np.abs(v.mean(axis=1))).all()


def test_unsampled_areas_come_from_the_prior(fitted: tuple[FittedParts, object]) -> None:
    parts, england = fitted
    post = nested_posterior(parts, england.survey)  # type: ignore[attr-defined]
    import pandas as pd

    D = 20_000
    v, u, la_s, m_s = draw_nested_effects(parts, post, pd.Index(["E06999999"]),
                                          pd.Index(["E02999999"]), np.full(D, 0.06),
                                          np.full(D, 0.24), np.random.default_rng(1))
    assert not la_s[0] and not m_s[0]
    assert v.var() == pytest.approx(0.06, rel=0.05) and u.var() == pytest.approx(0.24, rel=0.05)
