"""Validation of small-area estimates against a known truth (the synthetic England).

For each method and each group of LAs (all, sampled, unsampled): Pearson correlation with the
true share, RMSE, mean error (bias) and the empirical coverage of the 90% and 95% intervals —
the standard design-based evaluation of small-area estimators (Rao & Molina 2015, *Small Area
Estimation*, 2nd ed., section 1.6; coverage as in Bell, Basel & Maples 2016).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from socint.errors import InputDataError


def validate(estimates: Mapping[str, pd.DataFrame], truth: pd.Series,
             sampled: pd.Series) -> pd.DataFrame:
    """Accuracy and interval coverage of each method against the truth.

    Parameters
    ----------
    estimates
        Method name → table indexed by area code with columns ``estimate`` and (optional)
        ``lower90``, ``upper90``, ``lower95``, ``upper95``. Areas without an estimate (NaN)
        are left out of that method's rows (``n`` says how many were scored).
    truth
        True share by area code.
    sampled
        Whether each area (by code) has survey respondents.

    Returns
    -------
    DataFrame
        One row per method × group: ``method``, ``group``, ``n``, ``correlation``, ``rmse``,
        ``bias``, ``coverage90``, ``coverage95``.
    """
    rows = []
    for method, tab in estimates.items():
        if "estimate" not in tab.columns:
            raise InputDataError(f"estimates of {method!r} lack an 'estimate' column")
        d = tab.join(truth.rename("truth"), how="inner").join(sampled.rename("sampled"),
                                                              how="left")
        d = d[d["estimate"].notna()]
        for group, sel in (("all", np.ones(len(d), bool)), ("sampled", d["sampled"].eq(True)),
                           ("unsampled", d["sampled"].eq(False))):
            s = d[np.asarray(sel)]
            n = len(s)
            err = s["estimate"] - s["truth"]
            row: dict[str, object] = {"method": method, "group": group, "n": n}
            row["correlation"] = (float(np.corrcoef(s["estimate"], s["truth"])[0, 1])
                                  if n > 2 else np.nan)
            row["rmse"] = float(np.sqrt((err**2).mean())) if n else np.nan
            row["bias"] = float(err.mean()) if n else np.nan
            for lv in ("90", "95"):
                lo, hi = f"lower{lv}", f"upper{lv}"
                row[f"coverage{lv}"] = (float(((s["truth"] >= s[lo]) & (s["truth"] <= s[hi]))
                                              .mean()) if n and lo in s else np.nan)
            rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["validate"]
