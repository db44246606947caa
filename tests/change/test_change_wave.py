"""The synthetic second wave (``socint.synthetic.wave.second_wave``).

References: the generator's own stated parameters (innovation variances of the random effects,
the wave-1 intercept), recovered from the draws; the truth recomputed independently from the
population microdata; the direction of the 2011-2021 drift published by the ONS (minority
share up, more so in diverse places; population up about 6-7%).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from socint.data import counts_wide
from socint.errors import SocintError
from socint.published import MODEL3_VARIANCES
from socint.synthetic import SyntheticEngland, generate_england
from socint.synthetic.wave import RANEF_INNOVATION, second_wave


@pytest.fixture(scope="module")
def waves() -> tuple[SyntheticEngland, SyntheticEngland]:
    first = generate_england(5, scale=0.3, survey_size=5000)
    return first, second_wave(first, 15)


def _la_counts(e: SyntheticEngland) -> pd.DataFrame:
    wide = counts_wide(e.ethnicity)
    la = e.lsoas.set_index("lsoa_code")["lad_code"].reindex(wide.index)
    return wide.groupby(la.to_numpy()).sum()


def test_same_areas_new_counts(waves: tuple[SyntheticEngland, SyntheticEngland]) -> None:
    first, second = waves
    for name in ("las", "msoas", "lsoas"):
        key = {"las": "lad_code", "msoas": "msoa_code", "lsoas": "lsoa_code"}[name]
        assert getattr(first, name)[key].equals(getattr(second, name)[key])
    assert second.ethnicity.vintage == 2021
    assert second.survey_size == first.survey_size == len(second.survey)
    a, b = _la_counts(first), _la_counts(second)
    growth = b.to_numpy().sum() / a.to_numpy().sum()
    assert 1.03 < growth < 1.10  # England +6.6% residents 2011-2021 (ONS)
    m1 = 1 - a["white_british"] / a.sum(axis=1)
    m2 = 1 - b["white_british"] / b.sum(axis=1)
    assert (m2 > m1).mean() > 0.95
    # Growth in percentage points is larger in more diverse LAs.
    assert np.corrcoef(m1, m2 - m1)[0, 1] > 0.5
    # The MLID layout is the same counts: Persons per LSOA equals the table's totals.
    persons = second.ethnicity_mlid.set_index("LSOA")["Persons"]
    assert persons.equals(counts_wide(second.ethnicity).sum(axis=1).reindex(persons.index)
                          .rename("Persons"))


def test_truth_recomputed_from_population(
        waves: tuple[SyntheticEngland, SyntheticEngland]) -> None:
    _, second = waves
    pop = second.population
    w = pop["weight"].to_numpy()
    frame = pd.DataFrame({"la": pop["lad_code"].astype(str), "wp": w * pop["p_trust"], "w": w})
    sums = frame.groupby("la")[["wp", "w"]].sum()
    truth = second.truth.true_trust_la.set_index("lad_code")["true_trust"]
    np.testing.assert_allclose(truth.reindex(sums.index), sums["wp"] / sums["w"], rtol=1e-10)
    # The survey's trust is drawn from those probabilities: mean within 3 binomial SEs.
    resp = second.survey
    n = len(resp)
    assert abs(resp["trust"].mean() - second.truth.population_mean) < 3 * np.sqrt(0.25 / n) + 0.03


def test_random_effects_persist_with_stated_innovation(
        waves: tuple[SyntheticEngland, SyntheticEngland]) -> None:
    first, second = waves
    assert second.truth.intercept == first.truth.intercept
    du = (second.truth.ranef_msoa["ranef"] - first.truth.ranef_msoa["ranef"]).to_numpy()
    expected = RANEF_INNOVATION * MODEL3_VARIANCES["msoa"]
    # Sample variance of ~900 normal draws: relative SE sqrt(2/n) ~ 5%; allow 20%.
    assert np.var(du, ddof=1) == pytest.approx(expected, rel=0.2)
    assert abs(du.mean()) < 4 * np.sqrt(expected / len(du))


def test_covariates_follow_new_counts(waves: tuple[SyntheticEngland, SyntheticEngland]) -> None:
    first, second = waves
    a, b = _la_counts(first), _la_counts(second)
    wb_pct = 100 * (b["white_british"] - a["white_british"]) / a["white_british"]
    band = np.where(wb_pct < -5, "<-5%", np.where(wb_pct < 0, "-5-0%", ">0%"))
    got = second.la_covariates.set_index("lad_code")["wb_change"].reindex(a.index)
    assert (got.to_numpy() == band).all()
    # Diversity deciles were recomputed: they moved in some MSOAs, with a mean near 5.5.
    d1 = first.msoa_covariates["div_decile"].to_numpy()
    d2 = second.msoa_covariates["div_decile"].to_numpy()
    assert (d1 != d2).any() and abs(d2.mean() - 5.5) < 0.1
    assert second.survey["wb_change"].isin(["<-5%", "-5-0%", ">0%"]).all()


def test_reproducible_and_seed_dependent() -> None:
    first = generate_england(3, scale=0.1, survey_size=1500)
    a = second_wave(first, 1)
    b = second_wave(first, 1)
    c = second_wave(first, 2)
    assert a.ethnicity.data.equals(b.ethnicity.data)
    assert a.survey.equals(b.survey)
    assert not a.ethnicity.data.equals(c.ethnicity.data)


def test_years_out_of_range() -> None:
    first = generate_england(3, scale=0.1, survey_size=1500)
    with pytest.raises(SocintError, match="years was 0"):
        second_wave(first, 1, years=0)


def test_altered_first_wave_is_refused() -> None:
    first = generate_england(3, scale=0.1, survey_size=1500)
    with pytest.raises(SocintError, match="cannot be replayed"):
        second_wave(replace(first, scale=0.2), 1)
