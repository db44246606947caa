"""Rank uncertainty of the index from the simulation draws of predicted trust.

Ranks of small-area estimates are notoriously uncertain (Goldstein & Spiegelhalter 1996,
*League tables and their limitations*, JRSS A 159:385-443). Each simulation draw of predicted
trust gives one possible ranking: EDI and dissimilarity come from census counts and are held
fixed, trust varies by draw; the composite and the classification are recomputed per draw. The
rank interval is the central 90% of the draw ranks, ``p_top_decile`` the share of draws in which
the area's composite is in decile 10, and ``p_most_integrated`` the share of draws in which it
is classified most integrated.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from socint.composite.classify import REPORT_RULE, ClassificationRule, classify_draws
from socint.composite.deciles import deciles_by_row, ranks_by_row
from socint.composite.score import EQUAL_WEIGHTS, composite_score
from socint.errors import InputDataError


def rank_intervals(
    trust_draws: np.ndarray,
    fixed: Mapping[str, np.ndarray],
    *,
    weights: Mapping[str, float] = EQUAL_WEIGHTS,
    normalisation: str = "rank",
    edi_decile: np.ndarray | None = None,
    dissimilarity_decile: np.ndarray | None = None,
    rule: ClassificationRule = REPORT_RULE,
    level: float = 0.90,
) -> pd.DataFrame:
    """Rank interval, probability of top decile and of being classified most integrated.

    Parameters
    ----------
    trust_draws
        Predicted trust, areas × draws (no NaN: pass only the ranked areas).
    fixed
        The other components (``edi``, ``dissimilarity``, optionally ``deprivation``), one value
        per area, held fixed across draws.
    weights, normalisation
        As in :func:`socint.composite.score.composite_score`.
    edi_decile, dissimilarity_decile
        When given, ``p_most_integrated`` is computed with ``rule``.
    level
        Coverage of the rank interval (default 90%).

    Returns
    -------
    DataFrame
        One row per area: ``rank_lower90``, ``rank_upper90``, ``rank_median``, ``p_top_decile``
        and (when deciles are given) ``p_most_integrated``.
    """
    t = np.asarray(trust_draws, dtype=np.float64)
    if t.ndim != 2 or np.isnan(t).any():
        raise InputDataError(
            f"trust draws must be a complete areas × draws matrix, received shape {t.shape} "
            f"with {int(np.isnan(t).sum())} missing values",
            hint="drop suppressed or missing areas before ranking")
    n, d = t.shape
    comps: dict[str, np.ndarray] = {"trust": t}
    for name, v in fixed.items():
        arr = np.asarray(v, dtype=np.float64)
        if arr.shape != (n,):
            raise InputDataError(f"component {name!r} has shape {arr.shape}, expected ({n},)")
        comps[name] = np.broadcast_to(arr[:, None], (n, d))
    score = composite_score(comps, weights=weights, normalisation=normalisation)
    r = ranks_by_row(score)
    alpha = (1.0 - level) / 2.0
    pct = round(level * 100)
    out = pd.DataFrame({
        f"rank_lower{pct}": np.floor(np.quantile(r, alpha, axis=1)).astype(np.int64),
        f"rank_upper{pct}": np.ceil(np.quantile(r, 1.0 - alpha, axis=1)).astype(np.int64),
        "rank_median": np.median(r, axis=1),
        "p_top_decile": (deciles_by_row(score) == 10).mean(axis=1),
    })
    if edi_decile is not None and dissimilarity_decile is not None:
        td = deciles_by_row(t)
        out["p_most_integrated"] = classify_draws(td, edi_decile, dissimilarity_decile,
                                                  rule).mean(axis=1)
    return out


__all__ = ["rank_intervals"]
