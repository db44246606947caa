"""MRP engine against brute-force sums and quadrature, plus its named failure scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from formulaic import model_matrix
from scipy.special import expit

from socint.errors import GeographyError, ModelError
from socint.estimates.mrp import mrp, population_probabilities
from socint.estimates.poststrat import PoststratFrame, build_poststrat_frame
from socint.estimates.simulate_draws import FittedParts, RandomEffects


def test_interpolated_probabilities_match_the_brute_force_sum() -> None:
    rng = np.random.default_rng(0)
    P, C, J, D = 40, 5, 7, 3
    cell = np.sort(np.r_[np.arange(C), rng.integers(0, C, P - C)])
    weight = rng.uniform(0.5, 1.5, P)
    weight /= np.bincount(cell, weight)[cell]
    eta = rng.normal(-0.5, 1.0, (P, D))
    shares = rng.dirichlet(np.ones(C), J)
    offset = rng.normal(0, 1.2, (J, D))
    got = population_probabilities(eta, cell, weight, shares, offset)
    want = np.zeros((J, D))
    for j in range(J):
        for d in range(D):
            for k in range(P):
                want[j, d] += shares[j, cell[k]] * weight[k] * expit(eta[k, d] + offset[j, d])
    # default 10-point grid: error far below any SE of a share (~0.01-0.05)
    assert np.abs(got - want).max() < 5e-5
    # the error is the interpolation's (~h^4): a finer grid shrinks it to float32 precision
    fine = population_probabilities(eta, cell, weight, shares, offset, grid_size=40)
    assert np.abs(fine - want).max() < 1e-6


def test_profiles_must_be_sorted_and_cover_every_cell() -> None:
    with pytest.raises(ModelError, match="cover every cell"):
        population_probabilities(np.zeros((2, 1)), np.array([1, 0]), np.ones(2),
                                 np.ones((1, 2)) / 2, np.zeros((1, 1)))


# ---- a tiny world ---------------------------------------------------------------------------
FIXED = "female + income + rural + C(wb_change, contr.treatment('<-5%'))"
BETA = {"Intercept": -0.4, "female": -0.2, "income": 0.05, "rural": 0.4,
        "C(wb_change, contr.treatment('<-5%'))[T.>0%]": 0.3}


def _world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    rows = []
    for m in ("M1", "M2", "M3", "M4"):
        for sex in ("male", "female"):
            for band in ("16-49", "50+"):
                for eth in ("White", "Asian"):
                    rows.append((m, sex, band, eth, int(rng.integers(5, 60))))
    counts = pd.DataFrame(rows, columns=["msoa_code", "sex", "age_band", "ethnicity", "count"])
    n = 300
    survey = pd.DataFrame({
        "msoa_code": rng.choice(["M1", "M2", "M3"], n), "trust": rng.integers(0, 2, n),
        "female": rng.integers(0, 2, n), "age": rng.integers(16, 90, n),
        "ethnicity": rng.choice(["White", "Asian"], n), "income": rng.integers(1, 16, n)})
    msoa = pd.DataFrame({"msoa_code": ["M1", "M2", "M3", "M4"],
                         "lad_code": ["L1", "L1", "L2", "L3"], "rural": [0, 1, 0, 1],
                         "income_decile": [1, 5, 7, 9]})
    la = pd.DataFrame({"lad_code": ["L1", "L2", "L3"], "wb_change": [">0%", "<-5%", ">0%"]})
    survey["lad_code"] = survey["msoa_code"].map(msoa.set_index("msoa_code")["lad_code"])
    survey = survey.merge(msoa.drop(columns="lad_code"), on="msoa_code").merge(la, on="lad_code")
    return counts, survey, msoa, la


def _parts(survey: pd.DataFrame, *, la_modes: dict[str, float], msoa_modes: dict[str, float],
           var_la: float = 0.0, var_msoa: float = 0.0, fixed: str = FIXED,
           beta: dict[str, float] = BETA, converged: bool = True) -> FittedParts:
    spec = model_matrix(fixed, survey).model_spec
    cols = list(beta)

    def design(df: pd.DataFrame) -> np.ndarray:
        return np.asarray(spec.get_model_matrix(df)[cols].to_numpy(dtype=float))

    def eff(modes: dict[str, float], var: float) -> RandomEffects:
        s = pd.Series(modes, dtype=float)
        return RandomEffects(s, s * 0.0, var, 0.0)

    return FittedParts(pd.Series(beta), np.zeros((len(cols), len(cols))), design,
                       eff(la_modes, var_la), eff(msoa_modes, var_msoa), converged)


def _brute_force(fr: PoststratFrame, j: int, extra: float) -> float:
    """Σ_c share_c Σ_k w_k expit(β'x) for MSOA j, written out term by term."""
    area = fr.area.iloc[j]
    total = 0.0
    for _, prof in fr.profiles.iterrows():
        eta = (BETA["Intercept"] + BETA["female"] * prof["female"] + BETA["income"]
               * prof["income"] + BETA["rural"] * area["rural"]
               + BETA["C(wb_change, contr.treatment('<-5%'))[T.>0%]"]
               * (area["wb_change"] == ">0%") + extra)
        total += fr.shares[j, int(prof["cell"])] * prof["weight"] * expit(eta)
    return float(total)


def test_sampled_areas_without_uncertainty_equal_the_post_stratified_sum() -> None:
    counts, survey, msoa, la = _world()
    fr = build_poststrat_frame(counts, survey, msoa, la, strata={}, min_cell_respondents=1)
    u = {"M1": 0.3, "M2": -0.5, "M3": 0.1}
    v = {"L1": 0.2, "L2": -0.1}
    parts = _parts(survey, la_modes=v, msoa_modes=u)
    res = mrp(parts, fr, n_draws=20, seed=1)
    for j, code in enumerate(["M1", "M2", "M3"]):
        want = _brute_force(fr, j, u[code] + v[fr.la_codes[j]])
        assert res.msoa.table.loc[code, "mrp"] == pytest.approx(want, abs=2e-6)
        assert res.msoa.table.loc[code, "mrp_se"] < 1e-6
    # LA L1 = adult-weighted mean of M1 and M2
    a = fr.adults
    l1 = (a[0] * res.msoa.table.loc["M1", "mrp"] + a[1] * res.msoa.table.loc["M2", "mrp"]) / (
        a[0] + a[1])
    assert res.la.table.loc["L1", "mrp"] == pytest.approx(l1, abs=1e-9)
    assert res.la.table["sampled"].tolist() == [True, True, False]
    assert res.msoa.table["sampled"].tolist() == [True, True, True, False]


def test_unsampled_area_integrates_over_the_random_effects() -> None:
    counts, survey, msoa, la = _world()
    fr = build_poststrat_frame(counts, survey, msoa, la, strata={}, min_cell_respondents=1)
    var_la, var_msoa = 0.06, 0.24
    parts = _parts(survey, la_modes={"L1": 0.0, "L2": 0.0}, msoa_modes={"M1": 0.0},
                   var_la=var_la, var_msoa=var_msoa)
    res = mrp(parts, fr, n_draws=4000, seed=7)
    # reference: Gauss-Hermite quadrature of the post-stratified sum over N(0, var_la + var_msoa)
    x, w = np.polynomial.hermite_e.hermegauss(40)
    w = w / w.sum()
    sd = np.sqrt(var_la + var_msoa)
    want = sum(wi * _brute_force(fr, 3, sd * xi) for xi, wi in zip(x, w, strict=True))
    se = res.msoa.table.loc["M4", "mrp_se"]
    assert res.msoa.table.loc["M4", "mrp"] == pytest.approx(want, abs=4 * se / np.sqrt(4000))
    # the spread of the draws is the spread of the prediction over the random effects
    ref_sd = np.sqrt(sum(wi * (_brute_force(fr, 3, sd * xi) - want) ** 2
                         for xi, wi in zip(x, w, strict=True)))
    assert se == pytest.approx(ref_sd, rel=0.05)
    lo, hi = res.msoa.table.loc["M4", ["mrp_lower90", "mrp_upper90"]]
    assert lo < want < hi


def test_same_seed_same_draws_and_different_seed_differs() -> None:
    counts, survey, msoa, la = _world()
    fr = build_poststrat_frame(counts, survey, msoa, la, strata={}, min_cell_respondents=1)
    parts = _parts(survey, la_modes={"L1": 0.0}, msoa_modes={"M1": 0.0}, var_la=0.1,
                   var_msoa=0.2)
    a = mrp(parts, fr, n_draws=50, seed=3).la.draws
    assert np.array_equal(a, mrp(parts, fr, n_draws=50, seed=3).la.draws)
    assert not np.array_equal(a, mrp(parts, fr, n_draws=50, seed=4).la.draws)


def test_individual_by_area_interaction_is_refused() -> None:
    counts, survey, msoa, la = _world()
    fr = build_poststrat_frame(counts, survey, msoa, la, strata={}, min_cell_respondents=1)
    beta = {**BETA, "female:rural": 0.1}
    parts = _parts(survey, la_modes={}, msoa_modes={}, fixed=FIXED + " + female:rural",
                   beta=beta)
    with pytest.raises(ModelError, match="mixes individual and area covariates"):
        mrp(parts, fr, n_draws=10)


def test_non_converged_model_is_refused() -> None:
    counts, survey, msoa, la = _world()
    fr = build_poststrat_frame(counts, survey, msoa, la, strata={}, min_cell_respondents=1)
    parts = _parts(survey, la_modes={}, msoa_modes={}, converged=False)
    with pytest.raises(ModelError, match="did not converge"):
        mrp(parts, fr, n_draws=10)


def test_fitted_area_missing_from_the_frame() -> None:
    counts, survey, msoa, la = _world()
    fr = build_poststrat_frame(counts, survey, msoa, la, strata={}, min_cell_respondents=1)
    parts = _parts(survey, la_modes={"L9": 0.1}, msoa_modes={})
    with pytest.raises(GeographyError, match="missing from the population frame") as e:
        mrp(parts, fr, n_draws=10)
    assert e.value.code == "L9"


def test_decomposition_matches_brute_force_post_stratified_sums() -> None:
    """The profile's "predicted" and "own effect" lines against term-by-term sums.

    For LA L1 (MSOAs M1, M2): predicted = adult-weighted mean of the brute-force sums with the
    random-effect modes; own effect = predicted − the same with the random effects at 0, so
    baseline + composition + context = the brute-force sum without random effects.
    """
    from socint.estimates.decompose import decompose

    counts, survey, msoa, la = _world()
    fr = build_poststrat_frame(counts, survey, msoa, la, strata={}, min_cell_respondents=1)
    u = {"M1": 0.3, "M2": -0.5, "M3": 0.1}
    v = {"L1": 0.2, "L2": -0.1}
    dec = decompose(_parts(survey, la_modes=v, msoa_modes=u), fr)
    a = fr.adults

    def la_sum(codes: list[str], with_effects: bool) -> float:
        idx = [list(fr.msoa_codes).index(c) for c in codes]
        vals = [_brute_force(fr, j, (u.get(fr.msoa_codes[j], 0.0)
                                     + v.get(fr.la_codes[j], 0.0)) if with_effects else 0.0)
                for j in idx]
        return float(np.dot(a[idx], vals) / a[idx].sum())

    # 2e-6: the documented accuracy of the Hermite interpolation of the cell sums (as above).
    row = dec.loc["L1"]
    assert row["predicted"] == pytest.approx(la_sum(["M1", "M2"], True), abs=2e-6)
    no_re = la_sum(["M1", "M2"], False)
    assert row["baseline"] + row["composition"] + row["context"] == pytest.approx(no_re,
                                                                                  abs=2e-6)
    assert row["own_effect"] == pytest.approx(row["predicted"] - no_re, abs=4e-6)
    # An unsampled LA (L3) has no own effect (0 up to the interpolation error: the two steps
    # are evaluated on different interpolation grids).
    assert dec.loc["L3", "own_effect"] == pytest.approx(0.0, abs=2e-6)
