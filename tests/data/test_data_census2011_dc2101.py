"""DC2101EW (ethnic group x sex x age, 2011) readers: against the published totals and QS201EW."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_path

from socint.data import counts_wide, read_official
from socint.data.census2011_dc2101 import (
    AGE_BANDS_DC2101,
    read_census2011_dc2101_long,
    read_census2011_dc2101_wide,
)
from socint.errors import InputDataError, SchemaError

DIR = "census2011_dc2101ew_ethnicity_sex_age_la"


def _cube(t: object) -> np.ndarray:
    data = t.data  # type: ignore[attr-defined]
    return (data.sort_values(["area_code", "sex", "age_band", "category"])["count"]
            .to_numpy())


def test_la_wide_totals_equal_published_census_and_qs201ew() -> None:
    t = read_official(shared_path(DIR, "dc2101ew_ethnicity_sex_age_la_ew_wide.csv"))
    assert (t.dataset, t.level, t.vintage, t.n_areas) == (
        "census2011_ethnicity_sex_age_lad", "lad", 2013, 348)
    # Published Census 2011 usual residents: E&W 56,075,912; England 53,012,456.
    assert int(t.data["count"].sum()) == 56_075_912
    eng = t.data["area_code"].astype(str).str.startswith("E")
    assert int(t.data.loc[eng, "count"].sum()) == 53_012_456
    assert set(t.data["age_band"].astype(str)) == set(AGE_BANDS_DC2101)
    qs = read_official(shared_path("census2011_ethnicity_la_qs201ew",
                                   "qs201ew_ethnic_group_2011_la_ew.csv"))
    a, b = counts_wide(t), counts_wide(qs)
    assert list(a.columns) == list(b.columns)
    np.testing.assert_array_equal(a.loc[b.index].to_numpy(), b.to_numpy())  # exact, all 348 LAs


def test_long_file_holds_the_same_cells_as_the_wide_file() -> None:
    wide = read_official(shared_path(DIR, "dc2101ew_ethnicity_sex_age_la_ew_wide.csv"))
    long = read_official(shared_path(DIR, "dc2101ew_ethnicity_sex_age_la_ew_long.csv"))
    assert long.dataset == "census2011_ethnicity_sex_age_lad_long" and long.layout.endswith("long")
    np.testing.assert_array_equal(_cube(wide), _cube(long))


def test_region_and_country_files() -> None:
    reg = read_official(shared_path(DIR, "dc2101ew_ethnicity_sex_age_region_wide.csv"))
    ctry = read_official(shared_path(DIR, "dc2101ew_ethnicity_sex_age_country_wide.csv"))
    assert (reg.dataset, reg.n_areas) == ("census2011_ethnicity_sex_age_region", 10)
    assert (ctry.dataset, ctry.n_areas) == ("census2011_ethnicity_sex_age_country", 3)
    tot = ctry.areas.set_index("area_code")["total"]
    assert (int(tot["E92000001"]), int(tot["W92000004"]), int(tot["K04000001"])) == (
        53_012_456, 3_063_456, 56_075_912)
    codes = read_official(shared_path(DIR, "ethnic_group_codes.csv"))
    assert codes.kind == "lookup" and len(codes.data) == 18


def _small_wide(tmp_path: Path, edit: tuple[int, int, str] | None = None) -> Path:
    """The first three LA rows of the real wide file, optionally with one cell replaced."""
    src = shared_path(DIR, "dc2101ew_ethnicity_sex_age_la_ew_wide.csv")
    with src.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for _, r in zip(range(4), csv.reader(fh), strict=False)]
    if edit is not None:
        r, c, v = edit
        rows[r][c] = v
    out = tmp_path / "dc2101.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return out


def test_a_cell_that_breaks_the_sums_is_refused_with_row_and_code(tmp_path: Path) -> None:
    header = _small_wide(tmp_path).read_text().splitlines()[0]
    col = next(i for i, h in enumerate(next(csv.reader([header])))
               if h.startswith("Sex: Males; Age: Age 20 to 24; Ethnic Group: White: Irish"))
    bad = _small_wide(tmp_path, (2, col, "999999"))
    with pytest.raises(InputDataError, match="do not add up") as exc:
        read_census2011_dc2101_wide(bad)
    assert exc.value.row == 2 and exc.value.code is not None and exc.value.code.startswith("E0")


def test_an_unknown_cell_header_is_a_schema_error(tmp_path: Path) -> None:
    bad = _small_wide(tmp_path, (0, 5, "Sex: Males; Age: Age 16 to 24; Ethnic Group: White: "
                                       "Irish; measures: Value"))
    with pytest.raises(SchemaError, match="unknown DC2101EW column"):
        read_census2011_dc2101_wide(bad)


def test_long_file_bad_labels_and_duplicates(tmp_path: Path) -> None:
    head = "geography_code,sex,age_band,ethnic_group_code,count\n"
    p = tmp_path / "l.csv"
    p.write_text(head + "E06000001,X,0-4,WBI,3\n")
    with pytest.raises(InputDataError, match="sex 'X'") as exc:
        read_census2011_dc2101_long(p)
    assert exc.value.row == 1
    p.write_text(head + "E06000001,M,0-4,WBI,3\nE06000001,M,0-4,WBI,3\n")
    with pytest.raises(InputDataError, match="twice") as exc:
        read_census2011_dc2101_long(p)
    assert exc.value.row == 2
    p.write_text(head + "E06000001,M,0-4,WBI,3\n")
    with pytest.raises(InputDataError, match="lacks some"):
        read_census2011_dc2101_long(p)
