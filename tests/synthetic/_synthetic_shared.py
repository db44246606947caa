"""Shared, cached synthetic Englands for the synthetic tests (generated once per session)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from socint.synthetic import SyntheticEngland, generate_england

DEFAULT_SEED = 2011


@lru_cache(maxsize=1)
def default_england() -> SyntheticEngland:
    """The default country (scale 1, 30,000 respondents)."""
    return generate_england(DEFAULT_SEED)


@lru_cache(maxsize=4)
def small_england(seed: int = 7) -> SyntheticEngland:
    """A small country (scale 0.1) with a small survey, for fast determinism checks."""
    return generate_england(seed, scale=0.1, survey_size=3_000)


def la_counts(e: SyntheticEngland) -> pd.DataFrame:
    """LA × 18 ethnic counts (columns = categories), summed from the LSOA long table."""
    data = e.ethnicity.data
    wide = data.pivot_table(index="area_code", columns="category", values="count",
                            aggfunc="sum", observed=False)
    la = e.lsoas.set_index("lsoa_code")["lad_code"].reindex(wide.index)
    return wide.groupby(la.to_numpy()).sum()
