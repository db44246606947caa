"""Weighted estimates from a local survey, with design-effect-aware intervals.

For each bank item the headline estimate is the weighted share giving a "positive" response
(e.g. trusting *most* people in the neighbourhood), among respondents who answered. Its
variance is the simple-random-sampling variance inflated by Kish's design effect of the
weights of those respondents, ``var = deff · p(1-p)/n`` (Kish 1965; Kish 1992, *J. Off. Stat.*
8:183): equivalently, the binomial interval on the effective sample size ``n / deff``.
Bases below 10 respondents are suppressed. The local trust estimate can be compared with
socint's model-based (small-area) estimate for the same LA.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from socint.errors import InputDataError
from socint.instruments._common import MIN_COUNT, Z95
from socint.instruments.survey.bank import QuestionBank
from socint.instruments.survey.raking import kish_deff

ESTIMATE_COLUMNS = (
    "item", "group", "n", "estimate", "se", "lower", "upper", "deff", "effective_n", "suppressed",
)


def weighted_share(
    positive: np.ndarray, weights: np.ndarray, *, z: float = Z95
) -> dict[str, float]:
    """Weighted proportion with its Kish-design-effect standard error and normal interval.

    Parameters
    ----------
    positive
        0/1 indicator per answering respondent.
    weights
        Their weights.
    z
        Normal quantile for the interval (1.96 for 95%).
    """
    y = np.asarray(positive, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = y.size
    if n == 0:
        return {"n": 0.0, "estimate": np.nan, "se": np.nan, "lower": np.nan, "upper": np.nan,
                "deff": np.nan, "effective_n": 0.0}
    p = float(np.sum(w * y) / np.sum(w))
    deff = kish_deff(w)
    se = float(np.sqrt(deff * p * (1 - p) / n))
    return {
        "n": float(n),
        "estimate": p,
        "se": se,
        "lower": max(0.0, p - z * se),
        "upper": min(1.0, p + z * se),
        "deff": deff,
        "effective_n": n / deff,
    }


def estimate_items(
    responses: pd.DataFrame,
    weights: pd.Series | np.ndarray,
    bank: QuestionBank,
    *,
    items: Sequence[str] | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Weighted headline share for each item (optionally by a grouping column).

    Returns one row per item (× group) with columns :data:`ESTIMATE_COLUMNS`. Rows with fewer
    than 10 answering respondents are suppressed: every number is blanked, ``suppressed`` True.
    Respondent-level data are never part of the output.
    """
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(responses),):
        raise InputDataError(
            f"got {w.size} weights for {len(responses)} respondents",
            hint="pass one weight per row of the response table",
        )
    chosen = [i for i in (items or bank.items) if i in responses.columns]
    if not chosen:
        raise InputDataError("none of the requested items are in the response table",
                             hint=f"items available in the bank: {', '.join(bank.items)}")
    groups = [("all", np.ones(len(responses), dtype=bool))]
    if by is not None:
        if by not in responses.columns:
            raise InputDataError(f"grouping column {by!r} is not in the response table",
                                 column=by)
        groups += [(str(g), (responses[by] == g).to_numpy())
                   for g in sorted(responses[by].dropna().unique(), key=str)]
    rows = []
    for item_id in chosen:
        item = bank.items[item_id]
        answered = responses[item_id].notna().to_numpy()
        pos = responses[item_id].isin(item.positive).to_numpy()
        for name, mask in groups:
            keep = mask & answered
            row: dict[str, object] = {"item": item_id, "group": name}
            row.update(weighted_share(pos[keep].astype(float), w[keep]))
            row["suppressed"] = bool(row["n"] < MIN_COUNT)  # type: ignore[operator]
            if row["suppressed"]:
                for c in ("n", "estimate", "se", "lower", "upper", "deff", "effective_n"):
                    row[c] = np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))


def compare_with_model(
    local: float, local_se: float, model: float, model_lower: float, model_upper: float,
    *, z: float = Z95,
) -> dict[str, float]:
    """Difference between a local survey share and socint's model-based estimate for the LA.

    The model's standard error is recovered from its 95% interval as (upper - lower)/(2z); the
    two estimates are treated as independent (different samples), so
    ``se_diff = sqrt(se_local² + se_model²)``. Returns the difference, its interval and the
    two-sided normal p-value.
    """
    from scipy.stats import norm

    if not (model_lower <= model <= model_upper):
        raise InputDataError(
            f"model estimate {model} lies outside its interval [{model_lower}, {model_upper}]",
            hint="check the model-estimate columns (estimate, lower, upper)",
        )
    se_model = (model_upper - model_lower) / (2 * z)
    se = float(np.hypot(local_se, se_model))
    diff = local - model
    p = float(2 * norm.sf(abs(diff) / se)) if se > 0 else float("nan")
    return {"difference": diff, "se": se, "lower": diff - z * se, "upper": diff + z * se,
            "p_value": p, "model_se": se_model}
