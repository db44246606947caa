"""A continuous Social Integration Index: normalise the components, then a weighted mean.

The report classifies LAs by deciles only; a continuous score ranks every LA. Following the
OECD/JRC *Handbook on Constructing Composite Indicators* (Nardo et al. 2008, sections 5-6):

1. orient every component so that higher = more integrated (trust +, diversity +,
   dissimilarity −, deprivation − when added, as the report suggests);
2. normalise it — ``"rank"`` (percentile rank in (0, 1]: robust to outliers, the default),
   ``"zscore"`` (mean 0, sd 1) or ``"minmax"`` (0-1);
3. combine with weights that sum to one (equal by default).

The composite is a weighted mean of the normalised, oriented components; ``rank`` 1 = highest.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from socint.errors import InputDataError, _preview

Normalisation = Literal["rank", "zscore", "minmax"]
NORMALISATIONS: tuple[str, ...] = ("rank", "zscore", "minmax")

#: +1 when a higher value means more integration, −1 when it means less.
DIRECTIONS: Mapping[str, int] = MappingProxyType(
    {"trust": 1, "edi": 1, "dissimilarity": -1, "deprivation": -1})

#: The default weights: trust, diversity and (low) segregation equally.
EQUAL_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"trust": 1 / 3, "edi": 1 / 3, "dissimilarity": 1 / 3})

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate weights (known components, non-negative, positive sum) and rescale to sum 1."""
    unknown = sorted(set(weights) - set(DIRECTIONS))
    if unknown:
        raise InputDataError(
            f"unknown composite component(s) {_preview(unknown)}; allowed: "
            f"{_preview(DIRECTIONS)}", hint="weight only trust, edi, dissimilarity, deprivation")
    bad = {k: v for k, v in weights.items() if not np.isfinite(v) or v < 0}
    if bad:
        raise InputDataError(f"composite weights must be finite and >= 0, received {bad}")
    total = float(sum(weights.values()))
    if total <= 0:
        raise InputDataError(f"composite weights sum to {total}, must be positive",
                             hint="give at least one component a positive weight")
    return {k: float(v) / total for k, v in weights.items() if v > 0}


def normalise(values: np.ndarray, how: str, direction: int = 1) -> np.ndarray:
    """Orient and normalise the rows of ``values`` (areas × draws or 1-D), column by column.

    ``rank``: average-rank / n (ties share their mean rank); ``zscore``: (x − mean) / sd
    (sd with n − 1; a constant column gives 0); ``minmax``: (x − min) / (max − min) (a constant
    column gives 0.5). NaN are not allowed: the caller drops or reports them.
    """
    if how not in NORMALISATIONS:
        raise InputDataError(f"normalisation was {how!r} but is expected to be in "
                             f"{NORMALISATIONS}", hint="use rank, zscore or minmax")
    x = direction * np.asarray(values, dtype=np.float64)
    one_d = x.ndim == 1
    if one_d:
        x = x[:, None]
    if np.isnan(x).any():
        raise InputDataError("cannot normalise a component with missing values",
                             hint="drop or impute areas with a missing component first")
    n = x.shape[0]
    if how == "rank":
        out = pd.DataFrame(x).rank(axis=0, method="average").to_numpy() / n
    elif how == "zscore":
        sd = x.std(axis=0, ddof=1) if n > 1 else np.zeros(x.shape[1])
        out = np.where(sd > 0, (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    else:
        lo, hi = x.min(axis=0), x.max(axis=0)
        span = hi - lo
        out = np.where(span > 0, (x - lo) / np.where(span > 0, span, 1.0), 0.5)
    return np.asarray(out[:, 0] if one_d else out)


def composite_score(
    components: Mapping[str, np.ndarray],
    *,
    weights: Mapping[str, float] = EQUAL_WEIGHTS,
    normalisation: str = "rank",
) -> np.ndarray:
    """Weighted mean of oriented, normalised components (each areas or areas × draws).

    Parameters
    ----------
    components
        Component name (a key of :data:`DIRECTIONS`) → values; all the same shape.
    weights
        Component → weight (rescaled to sum to one); every weighted component must be given.
    normalisation
        ``"rank"``, ``"zscore"`` or ``"minmax"``.
    """
    w = check_weights(weights)
    missing = sorted(set(w) - set(components))
    if missing:
        raise InputDataError(f"weighted component(s) {_preview(missing)} have no values",
                             hint="supply the component or set its weight to 0")
    out: np.ndarray | None = None
    for name, weight in w.items():
        z = weight * normalise(components[name], normalisation, DIRECTIONS[name])
        out = z if out is None else out + z
    assert out is not None
    return out


__all__ = ["DIRECTIONS", "EQUAL_WEIGHTS", "NORMALISATIONS", "Normalisation", "check_weights",
           "composite_score", "normalise"]
