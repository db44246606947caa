"""The fixed-effects design matrix of a fitted model, rebuilt on new data.

Used by predictions, margins and small-area estimation (MRP on a census frame): the same
formulaic ``ModelSpec`` that encoded the survey encodes the new rows, so categories, contrasts
and transforms (``I(income**2)``, interactions) are those of the fit. formulaic silently codes a
category it has not seen as the reference level (with only a "cast to nan" warning), which
would give a population cell of an ethnicity the survey lacks the reference group's
coefficient; here such rows are an error (or, on request, a :class:`ModelWarning` and NaN rows).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from formulaic.errors import DataMismatchWarning

from socint.errors import ModelError, ModelWarning, _preview
from socint.models.frame import FloatArray

_C_CALL = re.compile(r"^C\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*[,)]")


def _categorical_variables(spec: Any) -> list[tuple[str, list[Any]]]:
    """``(column, categories seen in the fit)`` for each categorical factor of the spec."""
    out = []
    for key, (kind, state) in getattr(spec, "encoder_state", {}).items():
        if getattr(kind, "value", kind) != "categorical" or "categories" not in state:
            continue
        m = _C_CALL.match(key)
        out.append((m.group(1) if m else key, list(state["categories"])))
    return out


def unseen_levels(spec: Any, data: pd.DataFrame) -> dict[str, tuple[list[Any], np.ndarray]]:
    """Per categorical variable, the values absent from the fit and a mask of their rows."""
    out: dict[str, tuple[list[Any], np.ndarray]] = {}
    for var, cats in _categorical_variables(spec):
        if var not in data.columns:
            continue
        col = data[var]
        bad = (col.notna() & ~col.isin(cats)).to_numpy()
        if bad.any():
            out[var] = (sorted(pd.unique(col[bad]).tolist(), key=str), bad)
    return out


def design_matrix(spec: Any, columns: list[str], data: pd.DataFrame, *,
                  unseen: str = "raise") -> FloatArray:
    """The fixed-effects design of ``data`` with the fit's encoding, columns as ``columns``.

    Parameters
    ----------
    spec
        The formulaic ``ModelSpec`` of the fit.
    columns
        The fit's design column names (the order of the fixed effects).
    data
        New rows with every covariate of the model.
    unseen
        What to do with a category absent from the fit: "raise" (a :class:`ModelError`
        naming the variable, the categories and the first row) or "warn" (a
        :class:`ModelWarning`; those rows are NaN).

    Raises
    ------
    ModelError
        A missing covariate, a missing value, or (``unseen="raise"``) an unseen category.
    """
    if unseen not in ("raise", "warn"):
        raise ModelError(f'`unseen` was "{unseen}" but is expected to be in ["raise", "warn"]')
    bad_rows = np.zeros(len(data), dtype=bool)
    for var, (levels, mask) in unseen_levels(spec, data).items():
        first = int(np.flatnonzero(mask)[0])
        cats = next(c for v, c in _categorical_variables(spec) if v == var)
        msg = (f"{int(mask.sum())} row(s) of the new data have {var!r} = {_preview(levels)}, "
               f"a category the model was not fitted on (fitted categories: {_preview(cats)})")
        hint = ("map those categories to ones the survey has (e.g. merge a sparse ethnicity "
                "into 'Other') or drop those rows; a population frame must use the survey's "
                "categories")
        if unseen == "raise":
            raise ModelError(msg, row=first + 1, column=var, hint=hint)
        warnings.warn(f"{msg}; their predictions are NaN\nHow to fix: {hint}", ModelWarning,
                      stacklevel=4)
        bad_rows |= mask
    # encode with the unseen rows blanked to a fitted category, then set them to NaN
    work = data
    if bad_rows.any():
        work = data.copy()
        for var, cats in _categorical_variables(spec):
            if var in work.columns:
                col = work[var].astype(object)
                col[bad_rows] = cats[0]
                work[var] = col
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataMismatchWarning)
            mm = spec.get_model_matrix(work, na_action="raise")
    except DataMismatchWarning as exc:  # a category formulaic saw but we could not map
        raise ModelError(f"the new data do not match the fit's categories: {exc}",
                         hint="use only categories seen in the fit") from exc
    except Exception as exc:  # formulaic raises many types
        raise ModelError(
            f"cannot build the design matrix for the new data: {exc}",
            hint="new data need every covariate of the model, with categories seen in the fit",
        ) from exc
    cols = [str(c) for c in mm.columns]
    if cols != list(columns):
        raise ModelError(
            f"new data give design columns {cols} but the model has {list(columns)}",
            hint="categorical variables must only use categories seen in the fit",
        )
    X = np.array(mm.to_numpy(dtype=float), dtype=np.float64)
    X[bad_rows] = np.nan
    return X


__all__ = ["design_matrix", "unseen_levels"]
