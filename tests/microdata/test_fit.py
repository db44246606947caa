"""The imported .sav table feeds the trust model unchanged: same fit as the original table."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socint.composite.run import TRUST_FORMULA
from socint.errors import SocintWarning
from socint.microdata import import_survey
from socint.models import fit_glmm


def _with_area_covariates(table: pd.DataFrame, england: Any) -> pd.DataFrame:
    """Attach the MSOA and LA covariates by code, as the pipeline does for a survey."""
    msoa = england.msoa_covariates.drop(columns="lad_code")
    return (table.merge(msoa, on="msoa_code", how="left", validate="many_to_one")
            .merge(england.la_covariates, on="lad_code", how="left", validate="many_to_one"))


def test_fit_on_imported_sav_equals_fit_on_original(files: dict[str, Path], england: Any,
                                                    original: pd.DataFrame,
                                                    lookup: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SocintWarning)
        imported = import_survey(files["sav"], files["map"], lookup=lookup).table
    ref = fit_glmm(TRUST_FORMULA, _with_area_covariates(original, england))
    new = fit_glmm(TRUST_FORMULA, _with_area_covariates(imported, england))
    assert ref.converged and new.converged
    assert abs(new.loglik - ref.loglik) < 1e-8
    np.testing.assert_allclose(new.fixef.to_numpy(), ref.fixef.to_numpy(), rtol=0, atol=1e-8)
