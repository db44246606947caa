"""Direct estimates: the share of respondents trusting most neighbours, per area.

Unweighted: the sample proportion with the Wilson (1927) score interval, which keeps sensible
coverage for the small samples of most areas (Brown, Cai & DasGupta 2001, *Interval estimation
for a binomial proportion*, Statistical Science 16:101-133). Weighted: the Hájek (ratio) estimate
``Σ w y / Σ w`` with the Wilson interval evaluated at Kish's effective sample size
``(Σ w)² / Σ w²`` — the design-effect-adjusted Wilson interval of Korn & Graubard (1998, *Confidence
intervals for proportions with small expected number of positive counts estimated from survey
data*, Survey Methodology 24:193-201). Only aggregates leave this module: no respondent-level row
is ever returned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from socint.errors import InputDataError


def wilson_interval(p: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions ``p`` from (effective) sample sizes ``n``."""
    z = float(norm.ppf(0.5 + level / 2.0))
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lo, hi


def direct_estimates(
    survey: pd.DataFrame,
    area: str = "lad_code",
    *,
    outcome: str = "trust",
    weights: str | None = None,
) -> pd.DataFrame:
    """Direct share per area with 90% and 95% Wilson (or design-adjusted Wilson) intervals.

    Parameters
    ----------
    survey
        Respondent rows with the area column and a 0/1 outcome.
    area
        Column holding the area code (``lad_code`` or ``msoa_code``).
    outcome
        The 0/1 outcome column.
    weights
        Optional column of positive survey weights (Hájek estimate, Kish effective n).

    Returns
    -------
    DataFrame
        Index: area code. Columns ``n_respondents``, ``n_effective``, ``direct``, ``direct_se``,
        ``direct_lower90``, ``direct_upper90``, ``direct_lower95``, ``direct_upper95``.
    """
    for col in (area, outcome, *(() if weights is None else (weights,))):
        if col not in survey.columns:
            raise InputDataError(f"survey has no column {col!r}", column=col,
                                 hint=f"columns available: {', '.join(map(str, survey.columns))}")
    y = pd.to_numeric(survey[outcome], errors="coerce")
    bad = ~y.isin([0, 1]).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise InputDataError(f"outcome {outcome!r} must be 0/1, row {row} holds "
                             f"{survey[outcome].iloc[row - 1]!r}", row=row, column=outcome,
                             hint="code trust as 1 = most people can be trusted, else 0")
    codes = survey[area]
    if codes.isna().any():
        row = int(np.flatnonzero(codes.isna().to_numpy())[0]) + 1
        raise InputDataError(f"survey row {row} has no {area}", row=row, column=area,
                             hint="every respondent needs an area code")
    if weights is None:
        w = pd.Series(1.0, index=survey.index)
    else:
        w = pd.to_numeric(survey[weights], errors="coerce")
        bad_w = ~(np.isfinite(w.to_numpy(dtype=float)) & (w.to_numpy(dtype=float) > 0))
        if bad_w.any():
            row = int(np.flatnonzero(bad_w)[0]) + 1
            raise InputDataError(f"survey weight in row {row} is {survey[weights].iloc[row - 1]!r};"
                                 " weights must be positive", row=row, column=weights,
                                 hint="drop respondents with zero or missing weights")
    g = pd.DataFrame({"a": codes.to_numpy(), "w": w.to_numpy(), "wy": (w * y).to_numpy(),
                      "w2": (w * w).to_numpy(), "one": 1}).groupby("a", sort=True)
    s = g.sum()
    n = s["one"].to_numpy(dtype=float)
    n_eff = s["w"].to_numpy() ** 2 / s["w2"].to_numpy()
    p = s["wy"].to_numpy() / s["w"].to_numpy()
    out = pd.DataFrame(index=pd.Index(s.index.astype(str), name=area))
    out["n_respondents"] = n.astype(np.int64)
    out["n_effective"] = n_eff
    out["direct"] = p
    out["direct_se"] = np.sqrt(p * (1.0 - p) / n_eff)
    for level, tag in ((0.90, "90"), (0.95, "95")):
        lo, hi = wilson_interval(p, n_eff, level)
        out[f"direct_lower{tag}"] = lo
        out[f"direct_upper{tag}"] = hi
    return out


__all__ = ["direct_estimates", "wilson_interval"]
