"""Sensitivity of the composite ranking to the normalisation and the weights.

Nardo et al. (2008), *Handbook on Constructing Composite Indicators* (OECD/JRC), section 7:
recompute the index under alternative, defensible choices and report how much each unit's rank
moves. Scenarios: every normalisation (rank, z-score, min-max) crossed with every weight set —
equal thirds, trust-heavy (1/2, 1/4, 1/4), diversity-heavy, segregation-heavy, and (when the
deprivation component is given) equal quarters with deprivation as the report suggests. The
volatility of an LA is the range (max − min) of its ranks over the scenarios, plus the mean
absolute shift from the baseline scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from socint.composite.deciles import ranks
from socint.composite.score import NORMALISATIONS, composite_score

WEIGHT_SETS: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "equal": {"trust": 1 / 3, "edi": 1 / 3, "dissimilarity": 1 / 3},
    "trust_heavy": {"trust": 0.5, "edi": 0.25, "dissimilarity": 0.25},
    "diversity_heavy": {"trust": 0.25, "edi": 0.5, "dissimilarity": 0.25},
    "segregation_heavy": {"trust": 0.25, "edi": 0.25, "dissimilarity": 0.5},
    "with_deprivation": {"trust": 0.25, "edi": 0.25, "dissimilarity": 0.25, "deprivation": 0.25},
})


def sensitivity(
    components: Mapping[str, np.ndarray],
    *,
    baseline: tuple[str, str] = ("rank", "equal"),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ranks under every scenario and the volatility of each area's rank.

    Parameters
    ----------
    components
        ``trust``, ``edi``, ``dissimilarity`` (and optionally ``deprivation``), one value per
        area, no NaN.
    baseline
        (normalisation, weight-set name) of the published ranking.

    Returns
    -------
    (ranks, volatility)
        ``ranks``: one column per scenario ``"<normalisation>/<weights>"``;
        ``volatility``: ``rank_min``, ``rank_max``, ``rank_range``, ``mean_abs_shift``.
    """
    cols: dict[str, np.ndarray] = {}
    for how in NORMALISATIONS:
        for name, w in WEIGHT_SETS.items():
            if not set(w) <= set(components):
                continue
            score = composite_score(components, weights=w, normalisation=how)
            cols[f"{how}/{name}"] = ranks(score).to_numpy(dtype=np.int64)
    table = pd.DataFrame(cols)
    base = table[f"{baseline[0]}/{baseline[1]}"].to_numpy()
    vol = pd.DataFrame({
        "rank_min": table.min(axis=1),
        "rank_max": table.max(axis=1),
    })
    vol["rank_range"] = vol["rank_max"] - vol["rank_min"]
    vol["mean_abs_shift"] = np.abs(table.to_numpy() - base[:, None]).mean(axis=1)
    return table, vol


__all__ = ["WEIGHT_SETS", "sensitivity"]
