"""LA-name matching.

References: the ONS spelling variants listed in the issue (hand cases); for real data, the
348 LA names of the Census 2011 LSOA file must match codes both in QS201EW and in the ONS 2014
LTLA lookup, and the match is confirmed independently by population: the LSOA counts summed by
matched code equal QS201EW's published LA totals for every LA.
"""

from __future__ import annotations

import _geo_shared as shared
import pandas as pd
import pytest

from socint.errors import GeographyError
from socint.geo import match_la_names, normalise_la_name


@pytest.mark.parametrize(
    "variants",
    [
        pytest.param(["Bristol, City of", "City of Bristol", "Bristol", "BRISTOL "], id="bristol"),
        pytest.param(["Herefordshire, County of", "County of Herefordshire", "Herefordshire"],
                     id="herefordshire"),
        pytest.param(["King's Lynn and West Norfolk", "King’s Lynn and West Norfolk",
                      "Kings Lynn & West Norfolk", "king's  lynn and west  norfolk"],
                     id="kings-lynn"),
        pytest.param(["Kingston upon Hull, City of", "City of Kingston upon Hull",
                      "Kingston-upon-Hull"], id="hull"),
        pytest.param(["St Albans", "St. Albans", "Saint Albans", "ST ALBANS"], id="st-albans"),
        pytest.param(["Stoke-on-Trent", "Stoke on Trent"], id="hyphens"),
        pytest.param(["The Vale of Glamorgan", "Vale of Glamorgan", "Vale of Glamorgan, The"],
                     id="vale-of-glamorgan"),
    ],
)
def test_variants_share_one_key(variants: list[str]) -> None:
    assert len({normalise_la_name(v) for v in variants}) == 1


def test_distinct_las_keep_distinct_keys() -> None:
    names = ["City of London", "Westminster", "Bristol, City of", "South Gloucestershire",
             "St Helens", "Stockport", "West Lindsey", "Durham", "County Durham"]
    keys = [normalise_la_name(n) for n in names]
    assert keys[0] == "city of london"  # not reduced to "london"
    assert len(set(keys)) == len(keys)


def _reference() -> pd.DataFrame:
    return pd.DataFrame({
        "lad_name": ["Bristol, City of", "Herefordshire, County of", "King's Lynn and West Norfolk",
                     "Kingston upon Hull, City of", "St Albans", "Folkestone and Hythe",
                     "County Durham"],
        "lad_code": ["E06000023", "E06000019", "E07000146", "E06000010", "E07000240",
                     "E07000112", "E06000047"],
    })


def test_matches_variants_and_former_names_keeping_the_index() -> None:
    names = pd.Series(["City of Bristol", "County of Herefordshire", "King’s Lynn & West Norfolk",
                       "Hull", "Saint Albans", "Shepway", "Durham", "Bristol"],
                      index=list("abcdefgh"))
    got = match_la_names(names, _reference())
    assert got.name == "lad_code"
    assert got.index.tolist() == list("abcdefgh")
    assert got.tolist() == ["E06000023", "E06000019", "E07000146", "E06000010", "E07000240",
                            "E07000112", "E06000047", "E06000023"]


def test_alias_table_works_both_ways_and_accepts_user_aliases() -> None:
    ref = pd.DataFrame({"lad_name": ["Shepway", "Somewhere New"],
                        "lad_code": ["E07000112", "E07000999"]})
    got = match_la_names(["Folkestone & Hythe", "Old Name"], ref,
                         aliases={"Old Name": "Somewhere New"})
    assert got.tolist() == ["E07000112", "E07000999"]


def test_two_bad_names_are_both_listed_with_candidates() -> None:
    with pytest.raises(GeographyError) as err:
        match_la_names(["Bristle", "Bristol", "Kingstone upon Hul"], _reference())
    msg = str(err.value)
    assert "2 LA name(s)" in msg
    assert "'Bristle' (closest: Bristol, City of (E06000023))" in msg
    assert "'Kingstone upon Hul' (closest: Kingston upon Hull, City of (E06000010))" in msg
    assert "How to fix" in msg


def test_ambiguous_name_in_a_two_vintage_reference_is_refused() -> None:
    ref = pd.DataFrame({"lad_name": ["Northumberland", "Northumberland", "Stevenage"],
                        "lad_code": ["E06000048", "E06000057", "E07000243"]})
    with pytest.raises(GeographyError, match="ambiguous") as err:
        match_la_names(["Northumberland", "Stevenage"], ref)
    assert "E06000048" in str(err.value) and "E06000057" in str(err.value)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(GeographyError, match="missing name"):
        match_la_names(pd.Series(["Bristol", None]), _reference())
    with pytest.raises(GeographyError, match="no column 'name'"):
        match_la_names(["Bristol"], _reference(), name_col="name")
    with pytest.raises(GeographyError, match="must be text"):
        normalise_la_name(42)  # type: ignore[arg-type]


@pytest.mark.shared_data
def test_all_348_census_2011_la_names_match_two_references() -> None:
    lsoa = shared.mlid_lsoa()
    q = shared.qs201ew()
    assert lsoa["LAD"].nunique() == 348
    by_qs = match_la_names(lsoa["LAD"], q, name_col="geography", code_col="geography code")
    by_lookup = match_la_names(lsoa["LAD"], shared.ltla14())
    assert by_qs.nunique() == 348
    assert (by_qs == by_lookup).all()
    # Independent confirmation: every LA's summed LSOA population is its published total.
    summed = lsoa.groupby(by_qs.to_numpy())["Persons"].sum()
    published = q.set_index("geography code")[shared.QS201EW_TOTAL]
    assert summed.sort_index().equals(published.sort_index().rename("Persons").rename_axis(None))
