"""IPF and the post-stratification frame: known solutions and named bad-input scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socint.errors import ConvergenceError, GeographyError, InputDataError
from socint.estimates.ipf import frame_from_margins, ipf
from socint.estimates.poststrat import build_poststrat_frame, parse_age_bands


def test_ipf_uniform_seed_gives_the_independence_table() -> None:
    rows, cols = np.array([30.0, 70.0]), np.array([40.0, 60.0])
    got = ipf(np.ones((2, 2)), [((0,), rows), ((1,), cols)])
    assert np.allclose(got, np.outer(rows, cols) / 100.0)  # 12, 18, 28, 42


def test_ipf_keeps_the_seed_odds_ratio() -> None:
    # Mosteller (1968, JASA 63:1-28): IPF preserves the cross-product ratio of the seed
    seed = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = ipf(seed, [((0,), np.array([50.0, 50.0])), ((1,), np.array([20.0, 80.0]))])
    assert np.allclose(got.sum(axis=1), [50, 50]) and np.allclose(got.sum(axis=0), [20, 80])
    assert got[0, 0] * got[1, 1] / (got[0, 1] * got[1, 0]) == pytest.approx(4 / 6)


def test_ipf_three_way_with_a_two_way_margin() -> None:
    rng = np.random.default_rng(0)
    seed = rng.uniform(0.5, 2.0, (2, 3, 4))
    m01 = rng.uniform(1, 5, (2, 3))
    m01 *= 100 / m01.sum()
    m2 = np.array([10.0, 20.0, 30.0, 40.0])
    got = ipf(seed, [((0, 1), m01), ((2,), m2)])
    assert np.allclose(got.sum(axis=2), m01, atol=1e-6)
    assert np.allclose(got.sum(axis=(0, 1)), m2, atol=1e-6)
    # reversed axis order of a margin is accepted
    got2 = ipf(seed, [((1, 0), m01.T), ((2,), m2)])
    assert np.allclose(got, got2)


def test_ipf_errors() -> None:
    with pytest.raises(InputDataError, match="different totals"):
        ipf(np.ones((2, 2)), [((0,), np.array([1.0, 1.0])), ((1,), np.array([3.0, 3.0]))])
    with pytest.raises(InputDataError, match="seed is empty"):
        ipf(np.array([[1.0, 0.0], [1.0, 0.0]]),
            [((0,), np.array([1.0, 1.0])), ((1,), np.array([1.0, 1.0]))])
    # a slow problem with an iteration cap of one sweep
    seed = np.array([[1.0, 1e-6], [1e-6, 1.0]])
    with pytest.raises(ConvergenceError, match="did not converge"):
        ipf(seed, [((0,), np.array([1.0, 9.0])), ((1,), np.array([9.0, 1.0]))], max_iter=1)


def test_age_band_labels() -> None:
    lo, hi = parse_age_bands(["16-24", "75+"])
    assert lo.tolist() == [16, 75] and hi[0] == 24 and hi[1] > 100
    with pytest.raises(InputDataError, match="not of the form"):
        parse_age_bands(["sixteen"])


# ---- a tiny frame: 3 MSOAs in 2 LAs, 2 sexes x 2 age bands x 2 ethnic groups -------------

def _counts() -> pd.DataFrame:
    rows = []
    for m, scale in (("M1", 1), ("M2", 2), ("M3", 3)):
        for sex in ("male", "female"):
            for band in ("16-44", "45+"):
                for eth in ("White", "Asian"):
                    rows.append((m, sex, band, eth, 10 * scale + (eth == "Asian") * 5))
    return pd.DataFrame(rows, columns=["msoa_code", "sex", "age_band", "ethnicity", "count"])


def _survey(n: int = 80) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "msoa_code": rng.choice(["M1", "M2"], n), "lad_code": "L1", "trust": rng.integers(0, 2, n),
        "female": rng.integers(0, 2, n), "age": rng.integers(16, 90, n),
        "ethnicity": rng.choice(["White", "Asian"], n), "income": rng.integers(1, 16, n)})


def _cov() -> tuple[pd.DataFrame, pd.DataFrame]:
    msoa = pd.DataFrame({"msoa_code": ["M1", "M2", "M3"], "lad_code": ["L1", "L1", "L2"],
                         "income_decile": [2, 5, 9], "rural": [0, 1, 0]})
    la = pd.DataFrame({"lad_code": ["L1", "L2"], "wb_change": [">0%", "<-5%"]})
    return msoa, la


def test_frame_shares_and_profiles() -> None:
    msoa, la = _cov()
    fr = build_poststrat_frame(_counts(), _survey(), msoa, la, strata={}, min_cell_respondents=1)
    assert fr.msoa_codes.tolist() == ["M1", "M2", "M3"]
    assert fr.la_codes.tolist() == ["L1", "L1", "L2"]
    assert fr.adults.tolist() == [4 * 10 + 4 * 15, 4 * 20 + 4 * 25, 4 * 30 + 4 * 35]
    assert np.allclose(fr.shares.sum(axis=1), 1.0)
    # the Asian cells of M1: 15 of 100 adults each
    asian = (fr.cells["ethnicity"] == "Asian").to_numpy()
    assert np.allclose(fr.shares[0, asian], 0.15)
    w = fr.profiles.groupby("cell")["weight"].sum()
    assert np.allclose(w, 1.0) and len(w) == len(fr.cells)
    assert not {"trust", "msoa_code", "lad_code", "rural"} & set(fr.profiles.columns)
    # profiles live in their cell: sex and age agree with the cell
    cells = fr.cells.iloc[fr.profiles["cell"]].reset_index(drop=True)
    assert ((fr.profiles["female"] == 1) == (cells["sex"] == "female")).all()
    assert (fr.profiles["ethnicity"].to_numpy() == cells["ethnicity"].to_numpy()).all()


def test_strata_split_cells_by_deprivation_band() -> None:
    msoa, la = _cov()
    fr = build_poststrat_frame(_counts(), _survey(400), msoa, la,
                               strata={"income_decile": ((1, 3), (4, 10))},
                               min_cell_respondents=1)
    # M1 is in band 0, M2 and M3 in band 1: no MSOA has a share in the other band's cells
    band = fr.cells["stratum"].to_numpy()
    assert np.allclose(fr.shares[0, band == 1], 0) and np.allclose(fr.shares[1:, band == 0], 0)


def test_survey_msoa_missing_from_the_frame() -> None:
    msoa, la = _cov()
    s = _survey()
    s.loc[3, "msoa_code"] = "M9"
    with pytest.raises(GeographyError, match="missing from the population frame") as e:
        build_poststrat_frame(_counts(), s, msoa, la, strata={})
    assert e.value.code == "M9"


def test_covariates_missing_for_an_area() -> None:
    msoa, la = _cov()
    with pytest.raises(GeographyError, match="no area covariates") as e:
        build_poststrat_frame(_counts(), _survey(), msoa.iloc[:2], la, strata={})
    assert e.value.code == "M3"
    msoa.loc[1, "rural"] = np.nan
    with pytest.raises(InputDataError, match="'rural' is missing") as e:
        build_poststrat_frame(_counts(), _survey(), msoa, la, strata={})
    assert e.value.code == "M2"
    with pytest.raises(GeographyError, match="no LA covariates"):
        build_poststrat_frame(_counts(), _survey(), _cov()[0], la.iloc[:1], strata={})


def test_zero_population_area_and_negative_counts() -> None:
    msoa, la = _cov()
    c = _counts()
    c.loc[c["msoa_code"] == "M3", "count"] = 0
    with pytest.raises(InputDataError, match="zero adult population") as e:
        build_poststrat_frame(c, _survey(), msoa, la, strata={})
    assert e.value.code == "M3"
    c = _counts()
    c.loc[5, "count"] = -1
    with pytest.raises(InputDataError, match="non-negative") as e:
        build_poststrat_frame(c, _survey(), msoa, la, strata={})
    assert e.value.row == 6


def test_respondent_outside_the_age_bands() -> None:
    msoa, la = _cov()
    s = _survey()
    s.loc[7, "age"] = 12
    with pytest.raises(InputDataError, match="lies in no age band") as e:
        build_poststrat_frame(_counts(), s, msoa, la, strata={})
    assert e.value.row == 8


# ---- the frame from margins by IPF ------------------------------------------------------------

def _margins() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    national = pd.DataFrame(
        [(s, b, e, c) for (s, b, e), c in zip(
            [(s, b, e) for s in ("female", "male") for b in ("16-44", "45+")
             for e in ("Asian", "White")],
            [30, 70, 10, 90, 30, 70, 10, 90], strict=True)],
        columns=["sex", "age_band", "ethnicity", "count"])
    age_sex = pd.DataFrame({"msoa_code": ["M1"] * 4 + ["M2"] * 4,
                            "sex": ["female", "female", "male", "male"] * 2,
                            "age_band": ["16-44", "45+"] * 4,
                            "count": [50, 50, 50, 50, 10, 30, 20, 40]})
    eth = pd.DataFrame({"msoa_code": ["M1", "M1", "M2", "M2"],
                        "ethnicity": ["Asian", "White"] * 2,
                        "count": [80, 170, 5, 95]})  # all ages: rescaled to the adults
    return national, age_sex, eth


def test_frame_from_margins_matches_both_margins_and_the_seed_structure() -> None:
    national, age_sex, eth = _margins()
    got = frame_from_margins(national, age_sex, eth)
    assert set(got.columns) == {"msoa_code", "sex", "age_band", "ethnicity", "count"}
    m1 = got[got["msoa_code"] == "M1"]
    by_as = m1.groupby(["sex", "age_band"])["count"].sum()
    assert np.allclose(by_as.to_numpy(), [50, 50, 50, 50])
    # M1's 200 adults get its all-age ethnic mix: 80/250 Asian
    by_e = m1.groupby("ethnicity")["count"].sum()
    assert by_e["Asian"] == pytest.approx(200 * 80 / 250)
    # the seed's age x ethnicity odds ratio (30*90)/(70*10) is kept within each sex
    f = m1[m1["sex"] == "female"].set_index(["age_band", "ethnicity"])["count"]
    ratio = f[("16-44", "Asian")] * f[("45+", "White")] / (f[("16-44", "White")]
                                                          * f[("45+", "Asian")])
    assert ratio == pytest.approx(30 * 90 / (70 * 10), rel=1e-6)


def test_frame_from_margins_refuses_msoas_in_one_table_only() -> None:
    national, age_sex, eth = _margins()
    with pytest.raises(GeographyError, match="only one margin table") as e:
        frame_from_margins(national, age_sex, eth[eth["msoa_code"] == "M1"])
    assert e.value.code == "M2"
