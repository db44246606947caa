"""Small-area arithmetic shared by the covariate builders: roll-ups and LSOA11 -> LSOA21 carry.

Every function is a weighted mean with stated weights, so the assumption behind each number is
in one place:

* :func:`weighted_mean_by` — a parent area's value is the population-weighted mean of its small
  areas' values (the IoD's own rule for LA summaries of domain scores, MHCLG 2019 Technical
  Report §3.5, and the rule of the MSOA aggregates in the R package IMD).
* :func:`carry_lsoa11_to_lsoa21` — an LSOA21 takes the mean of the LSOA11s it came from,
  weighted by each LSOA11's 2011 population shared equally among the LSOA21s it was split into
  (ONS ``change_code``: U unchanged, S split, M merged, X complex). For unchanged and split
  LSOAs the value is carried over as it is; for merged ones it is the population-weighted mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socint.errors import GeographyError, _preview


def weighted_mean_by(values: pd.Series, weights: pd.Series, parent: pd.Series) -> pd.Series:
    """Weighted mean of ``values`` within each ``parent`` (all three indexed by child code).

    Children without a value or weight are left out; a parent whose weights sum to 0 gets the
    unweighted mean of its children.
    """
    df = pd.DataFrame({"v": values, "w": weights.reindex(values.index),
                       "p": parent.reindex(values.index)}).dropna()
    df["vw"] = df["v"] * df["w"]
    g = df.groupby("p", sort=True)
    sw = g["w"].sum()
    out = g["vw"].sum() / sw.where(sw > 0)
    return out.fillna(g["v"].mean())


def carry_lsoa11_to_lsoa21(values: pd.DataFrame, pop11: pd.Series,
                           lookup: pd.DataFrame) -> pd.DataFrame:
    """LSOA11 values (rows indexed by LSOA11 code) expressed on LSOA21s.

    Parameters
    ----------
    values
        One row per LSOA11, numeric columns.
    pop11
        2011 usual residents per LSOA11 (weights).
    lookup
        ``lsoa_code_2011, lsoa_code_2021`` (the ONS LSOA11 -> LSOA21 lookup, many-to-many).

    Returns
    -------
    DataFrame
        One row per LSOA21 reached by an LSOA11 with values, same columns.

    Raises
    ------
    GeographyError
        If an LSOA11 with values is absent from the lookup.
    """
    lk = lookup[["lsoa_code_2011", "lsoa_code_2021"]].drop_duplicates()
    absent = values.index.difference(pd.Index(lk["lsoa_code_2011"]))
    if len(absent):
        raise GeographyError(f"{len(absent)} LSOA11(s) with values are not in the LSOA11 -> "
                             f"LSOA21 lookup: {_preview(absent)}", code=str(absent[0]),
                             hint="use the ONS LSOA11_LSOA21 lookup for England and Wales")
    lk = lk[lk["lsoa_code_2011"].isin(values.index)]
    n_children = lk.groupby("lsoa_code_2011")["lsoa_code_2021"].transform("size")
    w = pop11.reindex(lk["lsoa_code_2011"]).to_numpy(dtype=float) / n_children.to_numpy()
    v = values.loc[lk["lsoa_code_2011"]].to_numpy(dtype=float)
    frame = pd.DataFrame(v * w[:, None], columns=values.columns)
    frame["__w"] = w
    frame["lsoa_code_2021"] = lk["lsoa_code_2021"].to_numpy()
    agg = frame.groupby("lsoa_code_2021", sort=True).sum()
    wsum = agg.pop("__w").to_numpy()
    out = agg.div(np.where(wsum > 0, wsum, np.nan), axis=0)
    out.index.name = "lsoa_code"
    return out


__all__ = ["carry_lsoa11_to_lsoa21", "weighted_mean_by"]
