"""2011 -> 2021 change of LA ethnic diversity on harmonised LAs (``socint.measures.census_change``).

References: a hand-computed merge case (Bournemouth + Poole + Christchurch -> BCP in 2019,
Roma moved into White Other), and the published ONS figures (ONS, "Ethnic group, England and
Wales: Census 2021", 29 November 2022): White British 80.5% of England and Wales in 2011 and
74.4% in 2021; England alone 79.8% and 73.5%; City of London 8,584 residents in 2021.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from socint.data import (
    read_census2011_nomis,
    read_census2021_ethnicity,
    read_la_changes,
    read_lookup,
)
from socint.data.table import OfficialTable, areas_frame, counts_long
from socint.errors import GeographyError, InputDataError
from socint.geo import LaChanges
from socint.measures.census_change import harmonised_counts, la_measures_change
from socint.measures.schemes import SCHEMES

BOURNEMOUTH, POOLE, CHRISTCHURCH, BCP = "E06000028", "E06000029", "E07000048", "E06000058"
CITY = "E09000001"


def _table(rows: dict[str, dict[str, int]], scheme: str, vintage: int) -> OfficialTable:
    cats = SCHEMES[scheme]
    codes = np.array(list(rows), dtype=object)
    m = np.array([[rows[c].get(g, 0) for g in cats] for c in codes], dtype=np.int64)
    return OfficialTable(
        dataset=f"test_{vintage}", kind="counts", level="lad", vintage=vintage,
        topic="ethnicity", scheme=scheme, data=counts_long(codes, m, scheme),
        areas=areas_frame(codes, level="lad", vintage=vintage, names=codes,
                          total=m.sum(axis=1)),
        source="hand-made", licence="none", path=Path(f"hand_{vintage}.csv"), sha256="")


def _changes() -> LaChanges:
    rows = [(old, "x", BCP, "BCP", "merge", 2019) for old in (BOURNEMOUTH, POOLE, CHRISTCHURCH)]
    return LaChanges.from_frames(pd.DataFrame(rows, columns=[
        "old_code", "old_name", "new_code", "new_name", "change_type", "year"]))


def _hand_tables() -> tuple[OfficialTable, OfficialTable]:
    t11 = _table({BOURNEMOUTH: {"white_british": 80, "white_other": 20},
                  POOLE: {"white_british": 40, "asian_indian": 50},
                  CHRISTCHURCH: {"white_british": 10},
                  CITY: {"white_british": 10, "black_african": 10}},
                 "ethnicity_2011_detailed", 2013)
    t21 = _table({BCP: {"white_british": 100, "white_other": 30, "white_roma": 10,
                        "asian_indian": 60},
                  CITY: {"white_british": 5, "black_african": 15}},
                 "ethnicity_2021_detailed", 2021)
    return t11, t21


def test_hand_computed_merge_and_roma() -> None:
    t11, t21 = _hand_tables()
    out = la_measures_change(t11, t21, changes=_changes()).set_index("lad_code")
    assert list(out.index) == [BCP, CITY]
    bcp = out.loc[BCP]
    # 2011 BCP = 130 WB, 20 White Other, 50 Indian of 200: 1 - (.65² + .1² + .25²) = 0.505.
    # 2021: 100 WB, 30 + 10 Roma = 40 White Other, 60 Indian of 200: 1 - (.25+.04+.09) = 0.62.
    assert bcp["population_2011"] == 200 and bcp["population_2021"] == 200
    assert bcp["edi_2011"] == pytest.approx(0.505, abs=1e-12)
    assert bcp["edi_2021"] == pytest.approx(0.62, abs=1e-12)
    assert bcp["edi_change"] == pytest.approx(0.115, abs=1e-12)
    assert bcp["white_british_share_2011"] == pytest.approx(0.65)
    assert bcp["white_british_share_change"] == pytest.approx(-0.15)
    city = out.loc[CITY]
    assert city["edi_2011"] == pytest.approx(0.5)
    assert city["edi_2021"] == pytest.approx(1 - (0.25**2 + 0.75**2))
    assert city["white_british_share_2021"] == pytest.approx(0.25)


def test_hand_computed_broad_scheme() -> None:
    t11, t21 = _hand_tables()
    out = la_measures_change(t11, t21, changes=_changes(),
                             scheme="ethnicity_broad").set_index("lad_code")
    # Broad: 2011 BCP White 150, Asian 50 -> 1 - (.75² + .25²) = 0.375; 2021 140/60 -> 0.42.
    assert out.loc[BCP, "edi_2011"] == pytest.approx(0.375)
    assert out.loc[BCP, "edi_2021"] == pytest.approx(0.42)
    wide = harmonised_counts(t21, "ethnicity_broad")
    assert list(wide.columns) == ["white", "mixed", "asian", "black", "other"]
    assert wide.loc[BCP, "white"] == 140


def test_unknown_scheme_is_refused() -> None:
    t11, t21 = _hand_tables()
    with pytest.raises(InputDataError, match="ethnicity_survey6"):
        la_measures_change(t11, t21, changes=_changes(), scheme="ethnicity_survey6")


def test_tables_swapped_are_refused() -> None:
    t11, t21 = _hand_tables()
    with pytest.raises(InputDataError, match="table_2011 has scheme 'ethnicity_2021_detailed'"):
        la_measures_change(t21, t11, changes=_changes())


def test_small_area_table_is_refused() -> None:
    t11, t21 = _hand_tables()
    with pytest.raises(InputDataError, match="level 'lsoa'"):
        la_measures_change(t11, replace(t21, level="lsoa"), changes=_changes())


def test_la_missing_on_one_side_names_it() -> None:
    t11, _ = _hand_tables()
    t21 = _table({BCP: {"white_british": 5}}, "ethnicity_2021_detailed", 2021)
    with pytest.raises(GeographyError, match=CITY):
        la_measures_change(t11, t21, changes=_changes())


def test_partial_merge_is_refused() -> None:
    """Christchurch missing from 2011: BCP would be built from part of its predecessors."""
    t11 = _table({BOURNEMOUTH: {"white_british": 1}, POOLE: {"white_british": 1},
                  CITY: {"white_british": 1}}, "ethnicity_2011_detailed", 2013)
    _, t21 = _hand_tables()
    with pytest.raises(GeographyError, match=CHRISTCHURCH):
        la_measures_change(t11, t21, changes=_changes())


# -- real data ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real() -> tuple[OfficialTable, OfficialTable, LaChanges]:
    changes = LaChanges.from_frames(
        read_la_changes(shared_path("ons_uk_topojson_lad_2014_2025",
                                    "ltla_changes_2014_2025.csv")).data,
        read_lookup(shared_path("geo_lookups_drkane", "la_all_codes.csv")).data)
    t11 = read_census2011_nomis(shared_path("census2011_ethnicity_la_qs201ew",
                                            "qs201ew_ethnic_group_2011_la_ew.csv"))
    t21 = read_census2021_ethnicity(shared_path("census2021_demographr",
                                                "ethnicity21_ltla21.csv"))
    return t11, t21, changes


def _wb_share(frame: pd.DataFrame, year: str) -> float:
    pop = frame[f"population_{year}"]
    return float((frame[f"white_british_share_{year}"] * pop).sum() / pop.sum())


@pytest.mark.shared_data
def test_real_la_sets_totals_and_published_shares(
        real: tuple[OfficialTable, OfficialTable, LaChanges]) -> None:
    t11, t21, changes = real
    assert t11.areas is not None and t21.areas is not None
    out = la_measures_change(t11, t21, changes=changes)
    england = out[out["lad_code"].str.startswith("E")]
    assert len(england) == 309 and len(out) == 331
    # The conversion conserves the population: E&W 2011 Census total 56,075,912 (QS201EW).
    assert int(out["population_2011"].sum()) == 56_075_912
    assert int(out["population_2011"].sum()) == int(t11.areas["total"].sum())
    assert int(out["population_2021"].sum()) == int(t21.areas["total"].sum())
    city = out.set_index("lad_code").loc[CITY]
    assert city["population_2021"] == 8_584 and city["population_2011"] == 7_375
    # ONS published shares (one decimal): tolerance half a unit of the last digit.
    assert _wb_share(out, "2011") == pytest.approx(0.805, abs=0.0005)
    assert _wb_share(out, "2021") == pytest.approx(0.744, abs=0.0005)
    assert _wb_share(england, "2011") == pytest.approx(0.798, abs=0.0005)
    assert _wb_share(england, "2021") == pytest.approx(0.735, abs=0.0005)
    # Diversity rose almost everywhere (ONS: every region became more diverse).
    assert (england["edi_change"] > 0).mean() > 0.95
    assert (england["white_british_share_change"] < 0).mean() > 0.95


@pytest.mark.shared_data
def test_real_merged_la_is_sum_of_parts(
        real: tuple[OfficialTable, OfficialTable, LaChanges]) -> None:
    """BCP's 2011 population is the sum of the three 2011 districts (read from QS201EW)."""
    t11, t21, changes = real
    assert t11.areas is not None
    out = la_measures_change(t11, t21, changes=changes,
                             scheme="ethnicity_broad").set_index("lad_code")
    totals = t11.areas.set_index("area_code")["total"]
    parts = int(totals[[BOURNEMOUTH, POOLE, CHRISTCHURCH]].sum())
    assert out.loc[BCP, "population_2011"] == parts
    assert out.loc[BCP, "lad_name"] == "Bournemouth, Christchurch and Poole"
    # Broad groups hide within-group diversity, so the broad EDI is never above the detailed.
    detailed = la_measures_change(t11, t21, changes=changes).set_index("lad_code")
    assert (out["edi_2021"] <= detailed["edi_2021"] + 1e-12).all()


@pytest.mark.shared_data
def test_real_on_the_2023_la_set(real: tuple[OfficialTable, OfficialTable, LaChanges]) -> None:
    """Both censuses moved onto the 2023 LAs (Cumberland, North Yorkshire, Somerset, ...)."""
    t11, t21, changes = real
    out = la_measures_change(t11, t21, changes=changes, to_year=2023)
    assert out["lad_code"].str.startswith("E").sum() == 296  # ONS: 296 English LAs in 2023
    assert int(out["population_2011"].sum()) == 56_075_912
    assert t21.areas is not None
    assert int(out["population_2021"].sum()) == int(t21.areas["total"].sum())
