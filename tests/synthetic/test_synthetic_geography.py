"""Geography of the synthetic England: sizes, codes, names and a consistent hierarchy."""

from __future__ import annotations

import re

import pytest
from _synthetic_shared import default_england, small_england

from socint.errors import SocintError
from socint.geo.codes import validate_codes
from socint.synthetic import generate_england

REAL_REGIONS = {
    "E12000001": "North East", "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber", "E12000004": "East Midlands",
    "E12000005": "West Midlands", "E12000006": "East of England", "E12000007": "London",
    "E12000008": "South East", "E12000009": "South West",
}


def test_sizes_are_about_the_specified_ones() -> None:
    e = default_england()
    assert 270 <= len(e.las) <= 340
    assert 2_700 <= len(e.msoas) <= 3_400
    assert 13_500 <= len(e.lsoas) <= 17_000
    persons = e.ethnicity_mlid["Persons"]
    assert 30e6 <= persons.sum() <= 55e6
    assert persons.between(1_000, 3_000).all()


def test_regions_are_the_real_nine() -> None:
    e = default_england()
    assert dict(zip(e.regions["region_code"], e.regions["region_name"], strict=True)) == (
        REAL_REGIONS)
    assert set(e.las["region_code"]) == set(REAL_REGIONS)


def test_codes_are_valid_looking_and_clearly_synthetic() -> None:
    e = default_england()
    validate_codes(e.lsoas["lsoa_code"], level="lsoa", countries="E")
    validate_codes(e.msoas["msoa_code"], level="msoa", countries="E")
    validate_codes(e.las["lad_code"], level="lad", countries="E")
    for codes in (e.lsoas["lsoa_code"], e.msoas["msoa_code"], e.las["lad_code"]):
        assert codes.is_unique
        assert (codes.str.slice(3).astype(int) >= 900_001).all()
    assert (e.las["lad_code"].str.slice(0, 3) == e.las["la_type"]).all()
    london = e.las["region_code"] == "E12000007"
    assert (e.las.loc[london, "la_type"] == "E09").all()
    assert (e.las.loc[~london, "la_type"] != "E09").all()
    assert set(e.las["la_type"]) == {"E06", "E07", "E08", "E09"}


def test_names_include_awkward_punctuation_and_are_unique() -> None:
    names = set(default_england().las["lad_name"])
    assert {"Herefordshire, County of", "Bristol, City of", "King's Lynn and West Norfolk",
            "Kingston upon Hull, City of"} <= names
    assert len(names) == len(default_england().las)


def test_hierarchy_each_unit_in_exactly_one_parent() -> None:
    e = default_england()
    msoa_la = e.msoas.set_index("msoa_code")["lad_code"]
    assert set(e.lsoas["msoa_code"]) == set(e.msoas["msoa_code"])  # no empty MSOA
    assert set(e.msoas["lad_code"]) == set(e.las["lad_code"])  # no empty LA
    assert (e.lsoas["lad_code"].to_numpy() == msoa_la[e.lsoas["msoa_code"]].to_numpy()).all()
    lk = e.lookup
    assert list(lk.columns) == ["lsoa_code", "lsoa_name", "msoa_code", "msoa_name", "lad_code",
                                "lad_name", "region_code", "region_name"]
    assert lk["lsoa_code"].is_unique and len(lk) == len(e.lsoas)
    # every MSOA maps to one LA, every LA to one region
    assert (lk.groupby("msoa_code")["lad_code"].nunique() == 1).all()
    assert (lk.groupby("lad_code")["region_code"].nunique() == 1).all()
    la_region = e.las.set_index("lad_code")["region_code"]
    assert (lk["region_code"].to_numpy() == la_region[lk["lad_code"]].to_numpy()).all()


def test_area_names_follow_the_ons_pattern() -> None:
    e = default_england()
    lad_name = e.las.set_index("lad_code")["lad_name"]
    for row in e.msoas.sample(200, random_state=1).itertuples():
        assert re.fullmatch(re.escape(str(lad_name[str(row.lad_code)])) + r" \d{3}",
                            str(row.msoa_name))
    msoa_name = e.msoas.set_index("msoa_code")["msoa_name"]
    for row in e.lsoas.sample(200, random_state=1).itertuples():
        assert re.fullmatch(re.escape(str(msoa_name[str(row.msoa_code)])) + "[A-G]",
                            str(row.lsoa_name))


def test_scale_shrinks_the_country() -> None:
    small = small_england()
    assert 18 <= len(small.las) <= 45
    assert len(small.msoas) < len(default_england().msoas) / 5
    assert set(small.las["region_code"]) == set(REAL_REGIONS)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), 10.0])
def test_bad_scale_is_refused_naming_the_value(scale: float) -> None:
    with pytest.raises(SocintError, match=r"scale was .*must be in \(0, 4\]"):
        generate_england(1, scale=scale)
