"""Race-equality scorecard indicators derived from the official files at hand, and coverage.

What the official tables at hand support, by ethnic group and LA (checked, not assumed):

* the Census LA tables (2011 QS201EW, 2021 TS021, 2011 DC2101EW ethnicity × sex × age) give the
  population by ethnic group but **no outcome by ethnic group** (no tenure, health, economic
  activity or qualification cross-tables are at hand), so they fill no Runnymede domain;
* the DfE school census gives, per school, pupils by ethnic group and the school's free school
  meals (FSM) eligibility. :func:`school_poverty_indicator` derives one *education* indicator
  from it: the share of each group's pupils who attend a high-poverty school.

:func:`coverage` says, for each of the seven domains, which indicators exist in a scorecard and
which need data the user must bring, from ``data/scorecard_domains.yaml``.

Caveat of the derived indicator: pupils are clustered in schools, so the log-method interval of
:func:`socint.instruments.scorecard.disparity_ratio` (which treats pupils as independent)
understates its uncertainty; it is a lower bound on the width.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from socint.instruments.school_census import GROUPS
from socint.instruments.scorecard import DOMAINS

#: Share of England's state-funded schools counted as high-poverty (the top fifth by FSM share).
HIGH_POVERTY_SHARE = 0.2


@lru_cache(maxsize=1)
def scorecard_domains() -> dict[str, Any]:
    """``data/scorecard_domains.yaml``: derived indicators and data to bring, per domain."""
    ref = resources.files("socint.instruments").joinpath("data", "scorecard_domains.yaml")
    data: dict[str, Any] = yaml.safe_load(ref.read_text(encoding="utf-8"))
    assert set(data["domains"]) == set(DOMAINS), "scorecard_domains.yaml must list 7 domains"
    return data


def school_poverty_indicator(schools: pd.DataFrame, *, year: int = 2023) -> pd.DataFrame:
    """Pupils of each group in high-poverty schools, per district LA (scorecard input layout).

    ``schools`` is :attr:`socint.instruments.school_census.SchoolCensus.schools` (state-funded
    schools with ``fsm_eligible`` and ``headcount``). A school is *high-poverty* when its FSM
    share (eligible ÷ headcount) is at or above the 80th percentile of England's schools with a
    known share. Returns ``lad_code, domain, indicator, group, numerator, denominator, year``.
    """
    s = schools[schools["headcount"] > 0]
    share = s["fsm_eligible"] / s["headcount"]
    cut = float(np.nanquantile(share, 1 - HIGH_POVERTY_SHARE))
    high = (share >= cut).to_numpy()
    known = share.notna().to_numpy()
    s = s[known]
    high = high[known]
    counts = s[list(GROUPS)]
    den = counts.groupby(s["lad_code"]).sum()
    num = counts[high].groupby(s["lad_code"][high]).sum().reindex(den.index, fill_value=0.0)
    out = (pd.DataFrame({"numerator": num.stack(), "denominator": den.stack()})
           .rename_axis(["lad_code", "group"]).reset_index())
    out = out[out["denominator"] > 0]
    out.insert(1, "domain", "education")
    out.insert(2, "indicator", "pupils_in_high_fsm_schools")
    out["year"] = year
    return out[["lad_code", "domain", "indicator", "group", "numerator", "denominator", "year"]]


def coverage(card: pd.DataFrame | None) -> pd.DataFrame:
    """One row per Runnymede domain: indicators present, LAs covered, and what to bring.

    Columns ``domain, indicators_here, las_with_data, status, data_to_bring`` (status
    ``"data here"`` or ``"no data: bring it"``).
    """
    spec = scorecard_domains()
    rows = []
    for d in DOMAINS:
        here = (card[card["domain"] == d] if card is not None and len(card)
                else pd.DataFrame(columns=["indicator", "lad_code"]))
        inds = sorted(here["indicator"].astype(str).unique())
        rows.append({
            "domain": d, "indicators_here": "; ".join(inds),
            "las_with_data": int(here["lad_code"].nunique()),
            "status": "data here" if inds else "no data: bring it",
            "data_to_bring": " | ".join(spec["domains"][d].get("bring", [])),
        })
    return pd.DataFrame(rows)
