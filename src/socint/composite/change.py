"""Change in the index between two vintages (e.g. 2011 and 2021 inputs) on harmonised LAs.

LA boundaries change between vintages (mergers such as the 2019-2023 unitary reorganisations),
so the earlier run is first mapped onto the later LA set: each old LA's trust draws are
aggregated to its new LA with adult-population weights, and its EDI and dissimilarity likewise
(an approximation for the census measures, flagged in ``harmonised``). Change = later − earlier
per draw; the interval is the central 90% of the draw differences (the two runs' draws are
independent, so the variances add, as for two independent surveys). LAs present in only one
run are reported with a reason instead of a silent NaN.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from socint.composite.run import IndexResult
from socint.errors import InputDataError


def _harmonise(result: IndexResult, mapping: Mapping[str, str] | None
               ) -> tuple[pd.DataFrame, np.ndarray]:
    la = result.la.reset_index(drop=True)
    draws = result.la_trust_draws
    if draws is None:
        raise InputDataError("the change needs trust draws (the trust source has none)")
    codes = la["lad_code"].astype(str)
    new = codes.map(lambda c: mapping.get(c, c)) if mapping else codes
    if result.trust.adults_la is None:
        raise InputDataError("harmonising LAs needs adults per LA from the trust source",
                             hint="use trust from a survey or a model (a table has no adults)")
    adults = (pd.Series(result.trust.adults_la, index=result.trust.la["lad_code"].to_numpy())
              .reindex(codes).to_numpy())
    keys = pd.Index(sorted(new.unique()), name="lad_code")
    k = keys.get_indexer(new)
    tot = np.bincount(k, adults, len(keys))
    w = adults / tot[k]
    out = pd.DataFrame(index=keys)
    for col in ("trust", "edi", "dissimilarity"):
        out[col] = np.bincount(k, w * la[col].to_numpy(dtype=float), len(keys))
    out["harmonised"] = np.bincount(k, minlength=len(keys)) > 1
    D = draws.shape[1]
    agg = np.zeros((len(keys), D))
    np.add.at(agg, k, w[:, None] * draws)
    return out, agg


def index_change(earlier: IndexResult, later: IndexResult, *,
                 mapping: Mapping[str, str] | None = None, level: float = 0.90) -> pd.DataFrame:
    """Change in trust, EDI and dissimilarity per LA between two index runs.

    Parameters
    ----------
    earlier, later
        Index runs on the earlier and later inputs (same number of draws).
    mapping
        Old LA code → new LA code for LAs that changed (from ``socint.geo.vintages``);
        unchanged codes map to themselves.
    level
        Coverage of the change interval.

    Returns
    -------
    DataFrame
        One row per LA of the later run: ``trust_change`` with ``trust_change_lower``/
        ``_upper``, ``p_increase``, ``edi_change``, ``dissimilarity_change``, ``harmonised``,
        and ``note`` (why a change is missing).
    """
    if earlier.la_trust_draws is None or later.la_trust_draws is None:
        raise InputDataError("the change needs trust draws in both runs (a trust table "
                             "without intervals has none)")
    if earlier.la_trust_draws.shape[1] != later.la_trust_draws.shape[1]:
        raise InputDataError(
            f"the runs have {earlier.la_trust_draws.shape[1]} and "
            f"{later.la_trust_draws.shape[1]} draws", hint="run both with the same n_draws")
    a, da = _harmonise(earlier, mapping)
    b, db = _harmonise(later, None)
    common = b.index.intersection(a.index)
    out = pd.DataFrame(index=b.index)
    diff = db[b.index.get_indexer(common)] - da[a.index.get_indexer(common)]
    alpha = (1 - level) / 2
    out["trust_change"] = np.nan
    out["trust_change_lower"] = np.nan
    out["trust_change_upper"] = np.nan
    out["p_increase"] = np.nan
    out.loc[common, "trust_change"] = b.loc[common, "trust"] - a.loc[common, "trust"]
    out.loc[common, "trust_change_lower"] = np.quantile(diff, alpha, axis=1)
    out.loc[common, "trust_change_upper"] = np.quantile(diff, 1 - alpha, axis=1)
    out.loc[common, "p_increase"] = (diff > 0).mean(axis=1)
    for col in ("edi", "dissimilarity"):
        out[f"{col}_change"] = np.nan
        out.loc[common, f"{col}_change"] = b.loc[common, col] - a.loc[common, col]
    out["harmonised"] = False
    out.loc[common, "harmonised"] = a.loc[common, "harmonised"].to_numpy()
    out["note"] = np.where(out.index.isin(common), "",
                           "not in the earlier run (new LA with no mapping)")
    return out.reset_index()


__all__ = ["index_change"]
