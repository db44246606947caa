"""Parameter recovery: data simulated from the published Model 3 (socint.published).

Over several seeds the published odds ratios must fall inside the fitted 95% Wald intervals at
about the nominal rate, and the variances must be recovered. 6 seeds × 25 odds ratios = 150
intervals; with true coverage 0.95 the count has sd ≈ 2.7, so 0.89–0.99 is a ±4 sd band.
"""

from __future__ import annotations

import numpy as np
import pytest

from socint.models import MODEL3_FORMULA, canonical_term_name, fit_glmm, simulate_model3
from socint.published import MODEL3_ODDS_RATIOS, MODEL3_VARIANCES


@pytest.mark.slow
def test_published_odds_ratios_covered_at_nominal_rate() -> None:
    covered, total = 0, 0
    var_est = []
    for seed in range(6):
        df = simulate_model3(10_000, 1_100, 110, seed=100 + seed)
        r = fit_glmm(MODEL3_FORMULA, df)
        assert r.converged
        ors = r.odds_ratios().rename(index=canonical_term_name)
        for term, true in MODEL3_ODDS_RATIOS.items():
            total += 1
            covered += int(ors.loc[term, "lower"] <= true <= ors.loc[term, "upper"])
        var_est.append(r.variances.to_numpy())
    assert total == 150
    assert 0.89 <= covered / total <= 0.99
    mean_var = np.mean(var_est, axis=0)
    assert mean_var[0] == pytest.approx(MODEL3_VARIANCES["la"], abs=0.03)
    assert mean_var[1] == pytest.approx(MODEL3_VARIANCES["msoa"], abs=0.04)


def test_recovery_at_the_published_size() -> None:
    """One fit at 28,822 respondents: every published OR within 4 SEs, variances close."""
    df = simulate_model3(seed=11)
    r = fit_glmm(MODEL3_FORMULA, df)
    assert r.converged and r.nobs == 28_822
    assert r.n_groups == {"la": 319, "msoa": 3134}
    est = r.fixef.rename(index=canonical_term_name)
    se = r.se.rename(index=canonical_term_name)
    for term, true in MODEL3_ODDS_RATIOS.items():
        assert abs(est[term] - np.log(true)) < 4 * se[term], term
    assert r.variances["msoa"] == pytest.approx(0.24, abs=0.08)
    assert r.variances["la"] == pytest.approx(0.06, abs=0.05)
