"""The LA covariate of Model 3: White British population change between censuses, in 3 bands.

``wb_change`` is coded as in ``socint.models.MODEL3_FORMULA`` (reference ``"<-5%"``):
``"<-5%"`` (a fall of more than 5%), ``"-5-0%"`` (a fall of at most 5%, or none) and ``">0%"``
(growth). The report compares White British counts 2001 vs 2011 by LA.

* Census 2021: 2011 QS201EW vs 2021 TS021 White British counts on the 2021 LA set (2011 counts
  of LAs merged in 2019-21 are added, :func:`socint.geo.vintages.convert_la_vintage`).
* Census 2011: the 2001 counts are not at hand. Proxy: each 2011 LA takes the band of the
  2011-21 change of the 2021 LA it lies in (the same LA, or the unitary it merged into).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from socint.covariates.results import TermProvenance
from socint.data import OfficialTable, counts_wide
from socint.geo.vintages import LaChanges, convert_la_vintage
from socint.published import WB_CHANGE_BANDS


def wb_band(pct: pd.Series | np.ndarray) -> np.ndarray:
    """Band of a % change: ``<-5%`` if below -5, ``-5-0%`` if in [-5, 0], ``>0%`` above 0."""
    x = np.asarray(pct, dtype=float)
    out = np.where(x < -5.0, WB_CHANGE_BANDS[0], np.where(x <= 0.0, WB_CHANGE_BANDS[1],
                                                          WB_CHANGE_BANDS[2])).astype(object)
    out[np.isnan(x)] = None
    return out


def la_changes(t: Mapping[str, OfficialTable]) -> LaChanges:
    """The LA change history from ``la_changes`` and ``la_all_codes``."""
    return LaChanges.from_frames(t["la_changes"].data, t["la_all_codes"].data)


def wb_change_2011_21(t: Mapping[str, OfficialTable]) -> pd.DataFrame:
    """White British counts 2011 and 2021 and their % change, per English LA of 2021."""
    s11 = counts_wide(t["census2011_ethnicity_lad"])["white_british"]
    wb11 = s11[s11.index.astype(str).str.startswith("E")].rename("wb_2011").reset_index()
    on21 = convert_la_vintage(wb11, value_cols=["wb_2011"], to_year=2021,
                              changes=la_changes(t)).set_index("area_code")["wb_2011"]
    wb21 = counts_wide(t["census2021_ethnicity_lad"])["white_british"]
    wb21 = wb21[wb21.index.astype(str).str.startswith("E")]
    out = pd.DataFrame({"wb_2011": on21.reindex(wb21.index), "wb_2021": wb21})
    out["wb_change_pct"] = 100.0 * (out["wb_2021"] - out["wb_2011"]) / out["wb_2011"]
    out.index.name = "lad_code"
    return out.sort_index()


def la_covariates_2021(t: Mapping[str, OfficialTable]
                       ) -> tuple[pd.DataFrame, list[TermProvenance]]:
    """``wb_change`` for England's 309 LAs of 2021 (QS201EW 2011 vs TS021 2021)."""
    ch = wb_change_2011_21(t)
    out = pd.DataFrame({"lad_code": ch.index, "wb_change": wb_band(ch["wb_change_pct"]),
                        "wb_change_pct": ch["wb_change_pct"].to_numpy(), "vintage": 2021})
    prov = TermProvenance(
        "wb_change", 2021, ("census2011_ethnicity_lad", "census2021_ethnicity_lad", "la_changes",
                            "la_all_codes"), "measured",
        "White British usual residents, Census 2011 (QS201EW) vs Census 2021 (TS021), on the "
        "2021 LA set (2011 counts of merged LAs added); bands <-5%, -5-0%, >0%",
        "the 2011-21 change, where the report used 2001-11")
    return out, [prov]


def la_covariates_2011(t: Mapping[str, OfficialTable]
                       ) -> tuple[pd.DataFrame, list[TermProvenance]]:
    """``wb_change`` for England's 326 LAs of 2011 (codes of 2013): the 2011-21 proxy."""
    ch = wb_change_2011_21(t)
    wide = counts_wide(t["census2011_ethnicity_lad"])
    codes = [c for c in wide.index.astype(str) if c.startswith("E")]
    m = la_changes(t).mapping(codes, 2013, 2021)
    succ = m.sort_values("share", ascending=False).drop_duplicates("old_code")
    pct = succ.set_index("old_code")["new_code"].map(ch["wb_change_pct"]).reindex(codes)
    out = pd.DataFrame({"lad_code": codes, "wb_change": wb_band(pct.to_numpy()),
                        "wb_change_pct": pct.to_numpy(), "vintage": 2013})
    prov = TermProvenance(
        "wb_change", 2011, ("census2011_ethnicity_lad", "census2021_ethnicity_lad", "la_changes",
                            "la_all_codes"), "proxy",
        "band of the 2011-21 White British change (QS201EW vs TS021) of the 2021 LA each 2011 "
        "LA lies in",
        "no 2001 Census ethnic-group table is at hand, so the 2001-11 change the report used "
        "cannot be computed; the next decade's change stands in (areas of White British decline "
        "in 2001-11, such as most London boroughs, largely declined again in 2011-21)")
    return out, [prov]


__all__ = ["la_changes", "la_covariates_2011", "la_covariates_2021", "wb_band",
           "wb_change_2011_21"]
