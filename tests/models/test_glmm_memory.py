"""The large-data memory savings change no result: unit weights and trials held as one number,
and freed heap memory given back to the system."""

from __future__ import annotations

import numpy as np
import pytest

from socint.models import fit_glmm, simulate_model3
from socint.models.formula import parse_formula
from socint.models.frame import build_frame
from socint.models.memory import TRIM_CELLS, _malloc_trim, release_free_memory

FORMULA = "trust ~ female + age + (1 | la/msoa)"


def test_unit_weights_and_trials_take_no_memory_and_change_nothing() -> None:
    data = simulate_model3(2_000, 200, 20, seed=5)
    frame = build_frame(parse_formula(FORMULA), data, None)
    for arr in (frame.weights, frame.trials):
        assert arr.strides == (0,) and not arr.flags.writeable  # one number, read-only
        assert arr.shape == (frame.nobs,) and np.all(arr == 1.0)
    plain = fit_glmm(FORMULA, data)
    explicit = fit_glmm(FORMULA, data, weights=np.ones(len(data)))  # a real array of ones
    assert plain.loglik == pytest.approx(explicit.loglik, abs=1e-9)
    np.testing.assert_allclose(plain.fixef.to_numpy(), explicit.fixef.to_numpy(),
                               rtol=1e-8, atol=1e-10)


def test_trimming_only_for_large_data() -> None:
    assert release_free_memory(TRIM_CELLS - 1) is False
    assert release_free_memory(TRIM_CELLS) is (_malloc_trim() is not None)
