"""Statistically similar areas: each LA's nearest LAs on the model's area covariates.

Distance (documented on the methodology page): every numeric covariate column of
``SiteInputs.la_covariates`` that varies is standardised to mean 0 and standard deviation 1
over the LAs (so a decile and a percentage weigh alike); the distance between two LAs is the
Euclidean distance of their standardised vectors divided by the square root of the number of
covariates (the root-mean-square difference in standard deviations: 0 = identical, about 1.4
for two random LAs). LAs with a missing covariate are compared on the covariates both have.
This is the "statistical nearest neighbours" idea of the CIPFA/ONS comparator groups, on the
trust model's own area covariates (diversity, poor English, family households, income and
crime deprivation, % aged 65+, rural, White British change).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: How many similar LAs each profile lists.
N_SIMILAR = 5


def la_covariate_table(msoa_covariates: pd.DataFrame,
                       la_covariates: pd.DataFrame | None = None) -> pd.DataFrame:
    """A per-LA covariate table: the unweighted LA mean of each numeric MSOA covariate (plus
    the LA-level covariates, numeric or one-hot coded)."""
    num = msoa_covariates.drop(columns=["msoa_code"], errors="ignore")
    cols = [c for c in num.columns if c != "lad_code" and pd.api.types.is_numeric_dtype(num[c])]
    out = num.groupby("lad_code")[cols].mean()
    if la_covariates is not None:
        la = la_covariates.drop_duplicates("lad_code").set_index("lad_code")
        la = pd.get_dummies(la, dtype=float)
        out = out.join(la, how="left")
    return out.reset_index()


def nearest_areas(covariates: pd.DataFrame, k: int = N_SIMILAR
                  ) -> dict[str, list[tuple[str, float]]]:
    """``lad_code`` -> its ``k`` nearest LAs with their distances, nearest first (ties by
    code)."""
    frame = covariates.drop_duplicates("lad_code").set_index("lad_code")
    frame = frame.apply(pd.to_numeric, errors="coerce")
    sd = frame.std(ddof=0)
    frame = frame.loc[:, sd > 0]
    if frame.empty:
        return {}
    z = ((frame - frame.mean()) / frame.std(ddof=0)).to_numpy(float)
    codes = [str(c) for c in frame.index]
    have = np.isfinite(z)
    zz = np.where(have, z, 0.0)
    out: dict[str, list[tuple[str, float]]] = {}
    for i, code in enumerate(codes):
        both = have & have[i]
        diff = np.where(both, zz - zz[i], 0.0)
        m = both.sum(axis=1)
        d = np.sqrt((diff ** 2).sum(axis=1) / np.maximum(m, 1))
        d[m == 0] = np.inf
        d[i] = np.inf
        order = sorted(range(len(codes)), key=lambda j: (d[j], codes[j]))
        out[code] = [(codes[j], float(d[j])) for j in order[:k] if np.isfinite(d[j])]
    return out


__all__ = ["N_SIMILAR", "la_covariate_table", "nearest_areas"]
