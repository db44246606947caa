"""The covariates stage: Model 3's area covariates and the census post-stratification frame.

From official tables (``socint.data`` readers), for Census 2011 (MSOA11, LAs on 2011
boundaries with 2013 codes) and Census 2021 (MSOA21, LTLA21):

* :func:`build_area_covariates` -> :class:`AreaCovariates` (MSOA and LA tables with the column
  names and codings of ``socint.models.MODEL3_FORMULA``, and a provenance record per term);
* :func:`build_frame` -> :class:`PopulationFrame` (adults per MSOA × sex × age band ×
  ethnicity, the ``counts`` of :func:`socint.estimates.poststrat.build_poststrat_frame`).

Both take the tables already read (``Mapping[str, OfficialTable]`` keyed by dataset id) or a
data folder; :data:`NEEDED` lists the dataset ids each census needs. Methods and proxies:
``docs/methods/covariates.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from socint.covariates.frame import frame_2011, frame_2021
from socint.covariates.la import la_covariates_2011, la_covariates_2021
from socint.covariates.msoa import msoa_covariates_2011, msoa_covariates_2021
from socint.covariates.results import (
    LA_TERMS,
    MSOA_TERMS,
    AreaCovariates,
    PopulationFrame,
    TermProvenance,
)
from socint.covariates.tables import DATASETS, collect_tables
from socint.data import OfficialTable
from socint.errors import InputDataError

_LA = ("census2011_ethnicity_lad", "census2021_ethnicity_lad", "la_changes", "la_all_codes")
#: Dataset ids needed by each census's covariates and frame.
NEEDED: dict[int, dict[str, tuple[str, ...]]] = {
    2011: {
        "covariates": ("census2011_ethnicity_lsoa", "iod2015_lsoa", "iod2019_msoa",
                       "ruc2011_lsoa", "population_mid2019_msoa", "census2021_proficiency_msoa",
                       "census2011_ethnicity_sex_age_lad",
                       "lookup_msoa11_msoa21_ltla22", *_LA),
        "frame": ("census2011_ethnicity_sex_age_lad", "census2011_ethnicity_lsoa",
                  "population_mid2019_msoa", "iod2015_lsoa"),
    },
    2021: {
        "covariates": ("census2021_ethnicity_msoa", "census2021_proficiency_msoa",
                       "census2021_age_msoa", "census2021_age_lsoa", "iod2019_lsoa",
                       "ruc2011_lsoa", "census2011_ethnicity_lsoa", "lookup_lsoa11_lsoa21_ltla22",
                       "lookup_lsoa21_msoa21_ltla22", *_LA),
        "frame": ("census2021_age_msoa", "census2021_ethnicity_msoa", "census2021_ethnicity_lad",
                  "census2011_ethnicity_sex_age_lad", "lookup_lsoa21_msoa21_ltla22",
                  "la_changes", "la_all_codes"),
    },
}
#: Tables that can stand in for a needed one (the long DC2101EW file holds the same cells).
ALTERNATIVES = {"census2011_ethnicity_sex_age_lad": "census2011_ethnicity_sex_age_lad_long"}
Source = Mapping[str, OfficialTable] | str | Path


def _census(census: int) -> int:
    if census not in NEEDED:
        raise InputDataError(f"`census` was {census!r} but is expected to be one of "
                             f"{sorted(NEEDED)}", hint="choose --census 2011 or 2021")
    return int(census)


def _tables(census: int, source: Source, what: tuple[str, ...]) -> dict[str, OfficialTable]:
    need = [d for w in what for d in NEEDED[census][w]]
    return collect_tables(source, need, census=census, alternatives=ALTERNATIVES)


def build_area_covariates(census: int, tables: Source) -> AreaCovariates:
    """Model 3's MSOA and LA covariates for every English MSOA and LA of ``census``.

    Parameters
    ----------
    census
        2011 (MSOA11; LAs of 2011 with 2013 codes, 326) or 2021 (MSOA21; LTLA21, 309).
    tables
        Tables keyed by dataset id (see :data:`NEEDED`) or a folder searched recursively.

    Raises
    ------
    InputDataError
        Unknown census; a needed table is missing (named, with its publisher and table code).
    """
    c = _census(census)
    t = _tables(c, tables, ("covariates",))
    if c == 2011:
        msoa, prov, excluded = msoa_covariates_2011(t)
        la, la_prov = la_covariates_2011(t)
    else:
        msoa, prov, excluded = msoa_covariates_2021(t)
        la, la_prov = la_covariates_2021(t)
    missing_la = la[la["wb_change"].isna()]
    if len(missing_la):
        excluded = pd.concat([excluded, pd.DataFrame({
            "area_code": missing_la["lad_code"], "level": "lad",
            "reason": "no White British change (LA absent from one census table)"})],
            ignore_index=True)
        la = la[la["wb_change"].notna()].reset_index(drop=True)
    return AreaCovariates(census=c, msoa=msoa, la=la, provenance=(*prov, *la_prov),
                          excluded=excluded)


def build_frame(census: int, tables: Source,
                covariates: AreaCovariates | None = None) -> PopulationFrame:
    """The post-stratification frame of adults per MSOA × sex × age band × ethnicity.

    Parameters
    ----------
    census
        2011 or 2021.
    tables
        Tables keyed by dataset id or a folder.
    covariates
        The census's :class:`AreaCovariates`, whose MSOA -> LA map is reused; built from the
        LSOA lookups when omitted.
    """
    c = _census(census)
    t = _tables(c, tables, ("frame",))
    if covariates is not None:
        if covariates.census != c:
            raise InputDataError(f"covariates are of Census {covariates.census} but the frame "
                                 f"asked for is Census {c}", hint="pass the same census")
        lad_of = covariates.msoa.set_index("msoa_code")["lad_code"]
    elif c == 2011:
        areas = t["census2011_ethnicity_lsoa"].areas
        iod = t["iod2015_lsoa"].areas
        assert areas is not None and iod is not None
        pairs = areas[["area_code", "msoa_code"]].merge(iod[["area_code", "lad_code"]],
                                                        on="area_code")
        lad_of = pairs.drop_duplicates("msoa_code").set_index("msoa_code")["lad_code"]
    else:
        lk = t["lookup_lsoa21_msoa21_ltla22"].data
        lad_of = lk.drop_duplicates("msoa_code").set_index("msoa_code")["lad_code"]
    return frame_2011(t, lad_of) if c == 2011 else frame_2021(t, lad_of)


__all__ = ["ALTERNATIVES", "DATASETS", "LA_TERMS", "MSOA_TERMS", "NEEDED", "AreaCovariates",
           "PopulationFrame", "TermProvenance", "build_area_covariates", "build_frame",
           "collect_tables"]
