"""Bad input: each case is a small named scenario written to tmp_path and read as a user would.

Zero-population units are dropped with a count; an area with one unit gets NaN with the
reason; bad counts, unknown categories and units without a parent area are errors naming the
unit codes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from socint.errors import GeographyError, InputDataError, SchemaError
from socint.measures import MeasureSpec, MeasureWarning, compute_measures, read_units

HEADER = "oa_code,lad_code,lad_name,total,white_british,other\n"


def _write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


GOOD = [
    "E00000001,E09000001,Alpha,10,6,4",
    "E00000002,E09000001,Alpha,10,2,8",
    "E00000003,E09000002,Beta,5,5,0",
]


def test_good_file_reads(tmp_path: Path) -> None:
    units = read_units(_write(tmp_path, GOOD))
    assert units.level == "oa" and units.scheme == "ethnicity_white_british"
    assert units.counts.tolist() == [[6, 4], [2, 8], [5, 0]]


def test_group_count_above_total(tmp_path: Path) -> None:
    path = _write(tmp_path, [*GOOD[:2], "E00000003,E09000002,Beta,5,7,0"])
    with pytest.raises(InputDataError, match=r"E00000003 \(white_british 7 > total 5\)") as e:
        read_units(path)
    assert e.value.row == 3 and e.value.code == "E00000003"


def test_negative_count(tmp_path: Path) -> None:
    path = _write(tmp_path, [GOOD[0], "E00000002,E09000001,Alpha,10,-2,8"])
    with pytest.raises(InputDataError, match=r"count\(s\) in column 'white_british' are "
                       r"negative: E00000002"):
        read_units(path)


def test_non_numeric_count(tmp_path: Path) -> None:
    path = _write(tmp_path, [GOOD[0], "E00000002,E09000001,Alpha,10,two,8"])
    with pytest.raises(InputDataError, match=r"non-numeric or empty: E00000002 \('two'\)") as e:
        read_units(path)
    assert e.value.column == "white_british" and e.value.row == 2


def test_unknown_category_names(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, header="oa_code,lad_code,lad_name,total,white_british,"
                  "martian\n")
    with pytest.raises(SchemaError, match="martian"):
        read_units(path)
    with pytest.raises(InputDataError,
                       match=r"not in scheme 'ethnicity_broad': white_british, martian"):
        read_units(path, scheme="ethnicity_broad")


def test_unit_without_parent_area(tmp_path: Path) -> None:
    path = _write(tmp_path, [*GOOD, "E00000004,,,8,4,4"])
    units = read_units(path)
    spec = MeasureSpec("d", "dissimilarity", group="white_british")
    with pytest.raises(GeographyError, match=r"1 oa unit\(s\) have no parent lad area.*"
                       r"E00000004") as e:
        compute_measures(units, [spec], area_level="lad")
    assert e.value.code == "E00000004"


def test_zero_population_units_dropped_with_count(tmp_path: Path) -> None:
    path = _write(tmp_path, [*GOOD, "E00000004,E09000001,Alpha,0,0,0",
                             "E00000005,E09000001,Alpha,0,0,0", "E00000006,E09000002,Beta,5,1,4"])
    spec = MeasureSpec("d", "dissimilarity", group="white_british")
    with pytest.warns(MeasureWarning, match=r"dropped 2 oa unit\(s\) with zero population"):
        out = compute_measures(read_units(path), [spec], area_level="lad")
    # Alpha: D = 1/2 (|6/8 - 4/12| + |2/8 - 8/12|) = 5/12, unchanged by the empty units
    assert out.loc[0, "d"] == pytest.approx(5 / 12)


def test_area_with_one_unit_is_nan_with_reason(tmp_path: Path) -> None:
    spec = MeasureSpec("d", "dissimilarity", group="white_british")
    with pytest.warns(MeasureWarning, match=r"E09000002 \(d: only one populated unit\)"):
        out = compute_measures(read_units(_write(tmp_path, GOOD)), [spec], area_level="lad")
    assert np.isnan(float(out["d"].iloc[1])) and out.loc[1, "note"] == "d: only one populated unit"
    assert out.loc[0, "note"] == ""


def test_group_absent_from_area_reason(tmp_path: Path) -> None:
    rows = [*GOOD, "E00000004,E09000002,Beta,3,3,0"]
    spec = MeasureSpec("d", "dissimilarity", group="white_british")
    with pytest.warns(MeasureWarning):
        out = compute_measures(read_units(_write(tmp_path, rows)), [spec], area_level="lad")
    assert out.loc[1, "note"] == "d: comparison group absent"


def test_unknown_group_and_unknown_measure(tmp_path: Path) -> None:
    units = read_units(_write(tmp_path, GOOD))
    with pytest.raises(InputDataError, match="group 'asian' is not a category"):
        compute_measures(units, [MeasureSpec("d", "dissimilarity", group="asian")],
                         area_level="lad")
    with pytest.raises(InputDataError, match="measure 'gini' is not registered"):
        compute_measures(units, [MeasureSpec("g", "gini")], area_level="lad")


def test_options_with_no_effect_are_refused(tmp_path: Path) -> None:
    units = read_units(_write(tmp_path, GOOD))
    bad = [
        (MeasureSpec("d", "dissimilarity", group="white_british", rollup="weighted_mean"),
         "does not apply to segregation"),
        (MeasureSpec("s", "simpson", group="white_british"), "takes no group"),
        (MeasureSpec("s", "shannon", options={"fpc": True}), "does not take option"),
        (MeasureSpec("d", "dissimilarity"), "needs a group"),
    ]
    for spec, msg in bad:
        with pytest.raises(InputDataError, match=msg):
            compute_measures(units, [spec], area_level="lad")


def test_area_level_missing_from_file(tmp_path: Path) -> None:
    units = read_units(_write(tmp_path, GOOD))
    with pytest.raises(GeographyError, match="carry no msoa_code or msoa_name"):
        compute_measures(units, [MeasureSpec("s", "simpson")], area_level="msoa")
