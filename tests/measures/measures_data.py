"""Shared loaders of the real 2011 Census files for the measures tests (read once per run)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from conftest import shared_path
from socint.measures.units import UnitCounts


@lru_cache(maxsize=1)
def _oa_units(path: str) -> UnitCounts:
    from socint.data.census2011 import read_census2011_ethnicity_small_area

    return UnitCounts.from_table(read_census2011_ethnicity_small_area(path))


def oa_units() -> UnitCounts:
    """The 181,408 OAs of the MLID file (skips the test when the shared data are absent)."""
    return _oa_units(str(shared_path("census2011_ethnicity_oa_lsoa_mlid",
                                     "ethnicity_2011_oa_ew.csv")))


@lru_cache(maxsize=1)
def _la_reference(path: str) -> pd.DataFrame:
    from socint.data.nomis import read_census2011_nomis

    areas = read_census2011_nomis(path).areas
    assert areas is not None
    return areas.rename(columns={"area_code": "lad_code", "area_name": "lad_name"})


def la_reference() -> pd.DataFrame:
    """LA names and codes of QS201EW (2013 codes), the reference to name-match the MLID LAs."""
    return _la_reference(str(qs201ew_path()))


def qs201ew_path() -> object:
    return shared_path("census2011_ethnicity_la_qs201ew", "qs201ew_ethnic_group_2011_la_ew.csv")
