"""Small-unit bias of D: expected D under random allocation and the two corrections.

References: exact enumeration of tiny allocations, an independent brute-force permutation
simulation written here, PySAL ``BiasCorrectedDissim`` (Allen et al. 2015; committed values,
compared within Monte Carlo error), and parameter recovery on randomly allocated populations.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from socint.errors import InputDataError
from socint.measures.bias import (
    bootstrap_corrected_dissimilarity,
    carrington_troske,
    corrected_dissimilarity,
    expected_dissimilarity,
)
from socint.measures.segregation import dissimilarity

REF = json.loads((Path(__file__).parents[1] / "reference" / "pysal_segregation.json").read_text())


def test_expected_d_exact_for_two_units_of_two() -> None:
    # X = Y = 2 over two units of 2: x1 ~ Hypergeom(2, 2, 2): P(0)=P(2)=1/6 give D=1, P(1)=4/6
    # gives D=0, so E[D] = 1/3 (standard error of the mean over 5,000 draws ~ 0.0067)
    m = np.array([[2, 0], [0, 2]])
    e = expected_dissimilarity(m, np.zeros(2, dtype=np.intp), n_sim=5_000, seed=1)
    assert e[0] == pytest.approx(1 / 3, abs=0.025)


def test_expected_d_binomial_exact_enumeration() -> None:
    # two units of 1 resident, area share 1/2: draws (1,0) or (0,1) give D = 1; (0,0) and (1,1)
    # leave a group empty and are skipped, so E[D | defined] = 1
    m = np.array([[1, 0], [0, 1]])
    e = expected_dissimilarity(m, np.zeros(2, dtype=np.intp), n_sim=200, method="binomial")
    assert e[0] == pytest.approx(1.0)


def _brute_force(m: np.ndarray, n_sim: int, seed: int) -> float:
    """Independent reference: shuffle the area's residents' labels over unit slots."""
    rng = np.random.default_rng(seed)
    sizes = m.sum(axis=1)
    labels = np.repeat([1, 0], [m[:, 0].sum(), m[:, 1].sum()])
    unit_of = np.repeat(np.arange(len(m)), sizes)
    out = []
    for _ in range(n_sim):
        x = np.bincount(unit_of, weights=rng.permutation(labels), minlength=len(m))
        out.append(dissimilarity(np.c_[x, sizes - x], np.zeros(len(m), dtype=np.intp))[0])
    return float(np.mean(out))


def test_expected_d_matches_brute_force_permutation() -> None:
    rng = np.random.default_rng(7)
    m = np.c_[rng.integers(0, 15, 25), rng.integers(0, 40, 25)]
    m[0] += 1
    ref = _brute_force(m, 3000, seed=11)
    # two areas at once: the second is the same area again
    e = expected_dissimilarity(np.vstack([m, m]), np.repeat([0, 1], 25), n_sim=3000, seed=5)
    assert e[0] == pytest.approx(ref, abs=0.005)
    assert e[1] == pytest.approx(ref, abs=0.005)


def test_seed_reproduces() -> None:
    m = np.array([[5, 3], [1, 9], [4, 4]])
    p = np.zeros(3, dtype=np.intp)
    a = expected_dissimilarity(m, p, n_sim=50, seed=3)
    assert a == pytest.approx(expected_dissimilarity(m, p, n_sim=50, seed=3))


def test_carrington_troske_formula() -> None:
    out = carrington_troske([0.5, 0.1, 0.2], [0.2, 0.2, 0.2])
    np.testing.assert_allclose(out, [(0.5 - 0.2) / 0.8, (0.1 - 0.2) / 0.2, 0.0])


def test_parameter_recovery_random_allocation() -> None:
    """Residents allocated at random: raw D is biased up, the corrections bring it to ~0."""
    rng = np.random.default_rng(2024)
    n_areas, n_units = 20, 40
    sizes = rng.integers(30, 120, size=n_areas * n_units)
    parent = np.repeat(np.arange(n_areas), n_units)
    share = rng.uniform(0.05, 0.3, size=n_areas)[parent]
    x = rng.binomial(sizes, share)
    m = np.c_[x, sizes - x]
    raw = dissimilarity(m, parent)
    assert raw.mean() > 0.1  # small-unit bias
    ct = corrected_dissimilarity(m, parent, n_sim=100, seed=1)
    assert abs(ct.mean()) < 0.03
    boot = bootstrap_corrected_dissimilarity(m, parent, n_boot=100, seed=1)
    assert np.all(boot < raw) and boot.mean() < 0.7 * raw.mean()  # partial correction


@pytest.mark.parametrize("case", REF["synthetic"], ids=lambda c: c["name"])
def test_bootstrap_correction_matches_pysal(case: dict) -> None:
    # Two independent Monte Carlo estimates of 2D - E*[D_b]: with 5,000 replicates each the
    # difference has a standard error below 1e-3, so 5e-3 is a safe tolerance.
    m = np.asarray(case["counts"])
    mm = np.c_[m[:, 0], m.sum(axis=1) - m[:, 0]]
    ours = bootstrap_corrected_dissimilarity(mm, np.zeros(len(m), dtype=np.intp),
                                             n_boot=5000, seed=9)[0]
    assert ours == pytest.approx(case["pysal"]["bias_corrected_dissim_b5000"], abs=5e-3)


def test_bad_arguments() -> None:
    m = np.array([[1.5, 2], [1, 1]])
    with pytest.raises(InputDataError, match="whole, non-negative counts"):
        expected_dissimilarity(m, np.zeros(2, dtype=np.intp))
    with pytest.raises(InputDataError, match="allocation method"):
        expected_dissimilarity(np.ones((2, 2)), np.zeros(2, dtype=np.intp),
                               method="uniform")  # type: ignore[arg-type]
