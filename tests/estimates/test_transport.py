"""A published or saved model transported onto the census frame; a user's trust table.

References: numerical integration (scipy.integrate.quad) for the random-effect integral and
the calibration; hand-computed weighted means on a two-MSOA frame; the synthetic England, whose
survey and truth are drawn from the published Model 3, for recovery.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import expit

from socint.errors import InputDataError
from socint.estimates import transport as tr
from socint.estimates.trust import trust_from_model, trust_from_table


def _quad_mean(eta: float, variance: float) -> float:
    sd = math.sqrt(variance)
    f = lambda e: expit(eta + e) * math.exp(-0.5 * (e / sd) ** 2) / (sd * math.sqrt(2 * math.pi))  # noqa: E731
    return float(integrate.quad(f, -12 * sd, 12 * sd)[0])


@pytest.mark.parametrize("eta", [-3.0, -0.7, 0.0, 1.3, 4.0])
def test_integrated_probability_matches_numerical_integration(eta: float) -> None:
    got = tr.integrated_probability(np.array([eta]), 0.30)[0]
    assert got == pytest.approx(_quad_mean(eta, 0.30), abs=1e-5)
    assert tr.integrated_probability(np.array([eta]), 0.0)[0] == pytest.approx(expit(eta))


def test_calibrated_intercept_gives_the_target_by_numerical_integration() -> None:
    eta0 = np.array([-1.0, 0.2, 0.9])
    w = np.array([0.5, 0.3, 0.2])
    b = tr.calibrate_intercept(eta0, w, 0.3, 0.39)
    mean = sum(wi * _quad_mean(e + b, 0.3) for e, wi in zip(eta0, w, strict=True))
    assert mean == pytest.approx(0.39, abs=2e-5)


def _tiny_model(intercept: float | None = None) -> tr.TransportableModel:
    return tr.TransportableModel(
        name="tiny", description="one area term and sex", terms={"female": -0.2, "rural": 0.4},
        se={"female": 0.01, "rural": 0.01}, variances={"lad": 0.05, "msoa": 0.25},
        variance_se={"lad": 0.0, "msoa": 0.0}, intercept=intercept, held={})


def _tiny_frame() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    counts = pd.DataFrame({"msoa_code": ["M1", "M1", "M2", "M2"],
                           "sex": ["male", "female", "male", "female"],
                           "age_band": ["16-24", "16-24", "75+", "75+"],
                           "ethnicity": ["White"] * 4, "count": [30, 70, 50, 50]})
    msoa = pd.DataFrame({"msoa_code": ["M1", "M2"], "lad_code": ["L1", "L1"],
                         "rural": [0, 1]})
    la = pd.DataFrame({"lad_code": ["L1"]})
    return counts, msoa, la


def test_transport_of_a_known_intercept_is_the_hand_computed_weighted_mean() -> None:
    counts, msoa, la = _tiny_frame()
    model = _tiny_model(intercept=-0.5)
    design = tr.frame_design(model, counts, msoa, la)
    out = tr.transport(model, design, n_draws=20, seed=1)
    m1 = 0.3 * _quad_mean(-0.5, 0.3) + 0.7 * _quad_mean(-0.7, 0.3)
    m2 = 0.5 * _quad_mean(-0.1, 0.3) + 0.5 * _quad_mean(-0.3, 0.3)
    assert out.msoa_point == pytest.approx([m1, m2], abs=1e-5)
    assert out.lad_point[0] == pytest.approx((100 * m1 + 100 * m2) / 200, abs=1e-5)
    assert out.intercept == -0.5


def test_band_ages_and_a_bad_band_label() -> None:
    assert tr.band_ages(pd.Series(["16-24", "75+", "85+"])).tolist() == [20.0, 80.0, 90.0]
    with pytest.raises(InputDataError, match="age band 'old'"):
        tr.band_ages(pd.Series(["old"]))


def test_missing_covariate_names_the_term() -> None:
    counts, msoa, la = _tiny_frame()
    with pytest.raises(InputDataError, match="term 'rural' needs the covariate 'rural'"):
        tr.frame_design(_tiny_model(), counts, msoa.drop(columns="rural"), la)


def test_published_model_recovers_the_synthetic_truth_ranking() -> None:
    """The synthetic England's survey and truth are drawn from the published Model 3: the
    transported model (no survey at all) must rank its LAs like the truth does."""
    from scipy.stats import spearmanr

    from socint.synthetic import generate_england

    e = generate_england(3, scale=0.3, survey_size=2000)
    model = tr.published_model3()
    design = tr.frame_design(model, e.poststrat, e.msoa_covariates, e.la_covariates)
    out = tr.transport(model, design, n_draws=50, seed=3)
    truth = e.truth.true_trust_la.set_index("lad_code")["true_trust"].reindex(out.lad_codes)
    rho = spearmanr(truth.to_numpy(), out.lad_point).statistic
    assert rho > 0.85
    # calibration: the adult-weighted mean over the frame is the target
    adults = out.msoa_adults
    assert float(adults @ out.msoa_point / adults.sum()) == pytest.approx(0.39, abs=1e-3)
    est = trust_from_model(out, source="published_model", model_name=model.name)
    la = est.la
    assert (la["trust_lower90"] <= la["trust"]).all() and (la["trust"] <= la["trust_upper90"]).all()
    assert "not measured by a survey" in est.description
    assert any("covariance of the estimates is not published" in n for n in est.notes)


def test_saved_model_round_trip(tmp_path: Path) -> None:
    from socint.composite.run import TRUST_FORMULA
    from socint.models import fit_glmm
    from socint.synthetic import generate_england

    e = generate_england(5, scale=0.15, survey_size=3000)
    fit = fit_glmm(TRUST_FORMULA, e.survey)
    path = tr.save_model(fit, tmp_path / "model.json", name="fit on the synthetic survey",
                         description="test")
    model = tr.load_model(path)
    assert model.intercept == pytest.approx(float(fit.fixef.iloc[0]))
    assert model.terms["female"] == pytest.approx(float(fit.fixef["female"]))
    assert "respondent" not in path.read_text()
    design = tr.frame_design(model, e.poststrat, e.msoa_covariates, e.la_covariates)
    out = tr.transport(model, design, n_draws=20, seed=5)
    assert out.intercept == model.intercept
    assert np.isfinite(out.lad_draws).all()
    (tmp_path / "bad.json").write_text('{"terms": {}}')
    with pytest.raises(InputDataError, match="not a socint saved model"):
        tr.load_model(tmp_path / "bad.json")


def test_trust_table_percentages_bounds_and_unknown_codes(tmp_path: Path) -> None:
    las = pd.DataFrame({"lad_code": ["E06000001", "E06000002"],
                        "lad_name": ["Hartlepool", "Middlesbrough"]})
    p = tmp_path / "t.csv"
    p.write_text("lad_name,trust,trust_lower,trust_upper\nHartlepool,40,35,45\n"
                 "Middlesbrough,30,20,40\n")
    est = trust_from_table(p, las, n_draws=200, seed=1)
    la = est.la.set_index("lad_code")
    assert la.loc["E06000001", "trust"] == pytest.approx(0.40)
    assert la.loc["E06000002", "trust_lower90"] == pytest.approx(0.20)
    assert est.la_draws is not None and est.la_draws.shape == (2, 200)
    sd = est.la_draws[1].std()
    assert sd == pytest.approx(0.20 / (2 * 1.645), rel=0.15)
    bad = tmp_path / "bad.csv"
    bad.write_text("lad_code,trust\nE06000001,0.4\nE09999999,0.3\n")
    with pytest.raises(InputDataError, match="not LAs of this run") as exc:
        trust_from_table(bad, las)
    assert "row 2" in str(exc.value) and "E09999999" in str(exc.value)
