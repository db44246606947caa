"""Named bad-input scenarios: tiny files written here, each error naming file, row, column, code.

Rows are 1-based data rows (header excluded), as documented in ``socint.errors``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from socint.data import (
    ReadOptions,
    counts_wide,
    read_census2011_ethnicity_small_area,
    read_census2011_nomis,
    read_census2021_ethnicity,
    read_census2021_religion,
    read_iod,
    read_la_changes,
    read_lookup,
    read_official,
    read_ruc2011,
)
from socint.errors import ExcessPersonsWarning, GeographyWarning, InputDataError, SchemaError

MLID_HEADER = ["LSOA", "Persons", "WhiteBrit", "Irish", "OtherWhite", "Mixed", "Indian",
               "Pakistani", "Bangladeshi", "Chinese", "OtherAsian", "BlkAfrican", "BlkCaribbean",
               "OtherBlk", "Arab", "Other", "MSOA", "LAD", "RGN"]
# Persons 100 = 14 groups (97) + 3 Gypsy/Traveller.
GOOD_ROW = ["E01000001", "100", "50", "5", "10", "4", "6", "2", "1", "3", "4", "5", "3", "1",
            "1", "2", "E02000001", "City of London", "London"]


def _mlid(tmp_path: Path, rows: list[list[str]], header: list[str] | None = None,
          name: str = "mlid.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    lines = [",".join(header or MLID_HEADER)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _row(code: str = "E01000002", **cells: str) -> list[str]:
    row = [code, *GOOD_ROW[1:]]
    for col, value in cells.items():
        row[MLID_HEADER.index(col)] = value
    return row


def test_good_tiny_file_and_derived_gypsy(tmp_path: Path) -> None:
    t = read_census2011_ethnicity_small_area(_mlid(tmp_path, [GOOD_ROW, _row()]))
    wide = counts_wide(t)
    assert wide.loc["E01000001", "white_gypsy_traveller"] == 3
    assert wide.loc["E01000001"].sum() == 100 and t.level == "lsoa"


def test_bom_is_accepted(tmp_path: Path) -> None:
    plain = read_census2011_ethnicity_small_area(_mlid(tmp_path, [GOOD_ROW], name="a.csv"))
    bom = read_census2011_ethnicity_small_area(
        _mlid(tmp_path, [GOOD_ROW], name="b.csv", encoding="utf-8-sig"))
    assert (tmp_path / "b.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert counts_wide(bom).equals(counts_wide(plain))
    assert read_official(tmp_path / "b.csv").layout == "census2011_ethnicity_lsoa_mlid"


def test_missing_column(tmp_path: Path) -> None:
    header = [h for h in MLID_HEADER if h != "Irish"]
    row = [v for h, v in zip(MLID_HEADER, GOOD_ROW, strict=True) if h != "Irish"]
    path = _mlid(tmp_path, [row], header=header)
    with pytest.raises(SchemaError) as err:
        read_census2011_ethnicity_small_area(path)
    msg = str(err.value)
    assert str(path) in msg and "missing column(s) Irish" in msg
    assert "expected headers:" in msg and "found:" in msg and err.value.column == "Irish"


@pytest.mark.parametrize(("value", "phrase"), [
    ("abc", "not a number ('abc')"),
    ("-4", "negative (-4)"),
    ("3.5", "not a whole number (3.5)"),
    ("", "count is empty"),
    # Overflow: once reported as "negative (-9223372036854775808)".
    ("1e20", "count 1e+20 is implausibly large (above 10,000,000,000"),
    ("100000000000000000000", "count 100000000000000000000 is implausibly large"),
    ("inf", "count inf is implausibly large"),
])
def test_bad_count_cell(tmp_path: Path, value: str, phrase: str) -> None:
    path = _mlid(tmp_path, [GOOD_ROW, _row(Chinese=value)])
    with pytest.raises(InputDataError, match="count") as err:
        read_census2011_ethnicity_small_area(path)
    e = err.value
    assert phrase in e.message
    assert (e.file, e.row, e.column, e.code) == (str(path), 2, "Chinese", "E01000002")


def test_huge_integer_count_in_an_integer_column(tmp_path: Path) -> None:
    """A column pandas parses as int64 is still range-checked before the cast."""
    big = str(2**62)
    path = _mlid(tmp_path, [GOOD_ROW, _row(Persons=big)])
    with pytest.raises(InputDataError) as err:
        read_census2011_ethnicity_small_area(path)
    assert f"count {big} is implausibly large" in err.value.message
    assert (err.value.row, err.value.column, err.value.code) == (2, "Persons", "E01000002")
    assert "restore it from the official file" in str(err.value)


def test_groups_exceed_persons(tmp_path: Path) -> None:
    path = _mlid(tmp_path, [GOOD_ROW, _row(WhiteBrit="60")])  # 107 > 100
    with pytest.raises(InputDataError, match="Gypsy") as err:
        read_census2011_ethnicity_small_area(path)
    assert (err.value.row, err.value.column, err.value.code) == (2, "Persons", "E01000002")


def test_duplicated_code(tmp_path: Path) -> None:
    path = _mlid(tmp_path, [GOOD_ROW, _row(), _row(code="E01000001")])
    with pytest.raises(InputDataError, match="occurs 2 times") as err:
        read_census2011_ethnicity_small_area(path)
    assert (err.value.row, err.value.code) == (3, "E01000001")


def test_wrong_level_code(tmp_path: Path) -> None:
    path = _mlid(tmp_path, [GOOD_ROW, _row(code="E02000002")])  # an MSOA in an LSOA file
    with pytest.raises(InputDataError, match="not lsoa codes") as err:
        read_census2011_ethnicity_small_area(path)
    assert (err.value.row, err.value.column, err.value.code) == (2, "LSOA", "E02000002")


def test_wrong_country_code(tmp_path: Path) -> None:
    path = _mlid(tmp_path, [GOOD_ROW, _row(code="S01000002")])
    with pytest.raises(InputDataError, match="countries EW") as err:
        read_census2011_ethnicity_small_area(path)
    assert (err.value.row, err.value.code) == (2, "S01000002")


def test_unexpected_vintage_by_code_range(tmp_path: Path) -> None:
    # E01035000 was first issued for the 2021 LSOAs (2011 codes end at E01033768).
    path = _mlid(tmp_path, [GOOD_ROW, _row(code="E01035000")])
    with pytest.raises(InputDataError, match="later vintage") as err:
        read_census2011_ethnicity_small_area(path)
    assert (err.value.row, err.value.column, err.value.code) == (2, "LSOA", "E01035000")


def test_unexpected_vintage_by_lookup(tmp_path: Path) -> None:
    # LA codes are not ordered by vintage; a lookup of the declared vintage decides.
    path = _nomis(tmp_path, [("E06000001", 10), ("E06000060", 20)])
    known = frozenset({"E06000001", "E06000002"})
    with pytest.raises(InputDataError, match="not in the lad 2011 lookup") as err, \
            pytest.warns(GeographyWarning, match="E06000060 \\(Buckinghamshire, created 2020"):
        read_census2011_nomis(path, options=ReadOptions(known_codes=known))
    assert (err.value.row, err.value.code) == (2, "E06000060")


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputDataError, match=r"empty \(0 bytes\)") as err:
        read_official(empty)
    assert err.value.file == str(empty)
    with pytest.raises(InputDataError, match="0 bytes"):
        read_census2011_ethnicity_small_area(empty)
    header_only = _mlid(tmp_path, [], name="header.csv")
    with pytest.raises(InputDataError, match="header but no data rows") as err:
        read_census2011_ethnicity_small_area(header_only)
    assert err.value.file == str(header_only)


def test_unknown_layout(tmp_path: Path) -> None:
    path = tmp_path / "mystery.csv"
    path.write_text("foo,bar\n1,2\n")
    with pytest.raises(SchemaError) as err:
        read_official(path)
    msg = str(err.value)
    assert str(path) in msg and "headers found: foo, bar" in msg
    assert "census2011_nomis" in msg and "iod2019_lsoa11" in msg


# --- Nomis ---------------------------------------------------------------------------------
_E = "Ethnic Group: "
_SFX = "; measures: Value"
_DETAILED = ["White: English/Welsh/Scottish/Northern Irish/British", "White: Irish",
             "White: Gypsy or Irish Traveller", "White: Other White",
             "Mixed/multiple ethnic group: White and Black Caribbean",
             "Mixed/multiple ethnic group: White and Black African",
             "Mixed/multiple ethnic group: White and Asian",
             "Mixed/multiple ethnic group: Other Mixed", "Asian/Asian British: Indian",
             "Asian/Asian British: Pakistani", "Asian/Asian British: Bangladeshi",
             "Asian/Asian British: Chinese", "Asian/Asian British: Other Asian",
             "Black/African/Caribbean/Black British: African",
             "Black/African/Caribbean/Black British: Caribbean",
             "Black/African/Caribbean/Black British: Other Black",
             "Other ethnic group: Arab", "Other ethnic group: Any other ethnic group"]


def _nomis(tmp_path: Path, rows: list[tuple[str, int]], *, total_offset: int = 0,
           white_offset: int = 0, extra: str | None = None) -> Path:
    """QS201EW-like file: each area has ``n`` White British and nobody else."""
    cells = [f"{_E}All categories: Ethnic group{_SFX}", f"{_E}White{_SFX}",
             *(f"{_E}{d}{_SFX}" for d in _DETAILED), *([extra] if extra else [])]
    lines = [",".join(['"date"', '"geography"', '"geography code"',
                       *(f'"{c}"' for c in cells)])]
    for code, n in rows:
        values = [n + total_offset, n + white_offset, n] + [0] * (len(_DETAILED) - 1) \
            + ([0] if extra else [])
        lines.append(",".join(["2011", f"Area {code}", code, *map(str, values)]))
    path = tmp_path / "qs201.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_nomis_total_mismatch(tmp_path: Path) -> None:
    path = _nomis(tmp_path, [("E06000001", 10)], total_offset=1)
    with pytest.raises(InputDataError, match="sum to 10 but") as err:
        read_census2011_nomis(path)
    assert err.value.row == 1 and err.value.code == "E06000001"
    assert err.value.column == f"{_E}All categories: Ethnic group{_SFX}"
    loose = read_census2011_nomis(path, options=ReadOptions(total_tolerance_abs=1))
    assert loose.areas is not None and int(loose.areas["total"].iloc[0]) == 11


def test_nomis_broad_subtotal_mismatch(tmp_path: Path) -> None:
    path = _nomis(tmp_path, [("E06000001", 10), ("E06000002", 7)], white_offset=2)
    with pytest.raises(InputDataError, match="the White categories sum to 10 but") as err:
        read_census2011_nomis(path)
    assert (err.value.row, err.value.column, err.value.code) == (
        1, f"{_E}White{_SFX}", "E06000001")


def test_nomis_unknown_header_and_topic(tmp_path: Path) -> None:
    path = _nomis(tmp_path, [("E06000001", 10)], extra=f"{_E}White: Martian{_SFX}")
    with pytest.raises(SchemaError, match="unknown Ethnic Group column") as err:
        read_census2011_nomis(path)
    assert "expected headers" in str(err.value) and str(path) in str(err.value)
    other = tmp_path / "age.csv"
    other.write_text('"geography","geography code","Age: Age 0; measures: Value"\nA,E06000001,3\n')
    with pytest.raises(SchemaError, match="topic prefix") as err:
        read_census2011_nomis(other)
    assert "Ethnic Group" in str(err.value)


def test_nomis_religion_topic_plugs_in(tmp_path: Path) -> None:
    labels = ["All categories: Religion", "Christian", "Buddhist", "Hindu", "Jewish", "Muslim",
              "Sikh", "Other religion", "No religion", "Religion not stated"]
    header = ",".join(["geography", "geography code", *(f"Religion: {lab}{_SFX}"
                                                      for lab in labels)])
    path = tmp_path / "qs208.csv"
    path.write_text(header + "\nHartlepool,E06000001,45,20,1,2,0,3,1,1,15,2\n")
    t = read_official(path)
    assert (t.topic, t.scheme) == ("religion", "religion_2011")
    assert t.dataset == "census2011_religion_lad"
    w = counts_wide(t).loc["E06000001"]
    assert (w["christian"], w["no_religion"], w["not_answered"]) == (20, 15, 2)


# --- Census 2021 ---------------------------------------------------------------------------
_REL = ["No religion", "Christian", "Buddhist", "Hindu", "Jewish", "Muslim", "Sikh",
        "Other religion", "Not answered"]


def test_census2021_perturbation_tolerance(tmp_path: Path) -> None:
    path = tmp_path / "religion.csv"
    path.write_text(",".join(["lsoa21_code", "total_residents", *_REL]) +
                    "\nE01000001,1000,400,400,10,10,10,10,10,10,137\n")  # parts sum to 997
    t = read_census2021_religion(path)  # within the documented 2021 default tolerance
    assert t.areas is not None and int(t.areas["total"].iloc[0]) == 1000
    with pytest.raises(InputDataError, match="difference -3") as err:
        read_census2021_religion(path, options=ReadOptions())
    assert (err.value.row, err.value.column, err.value.code) == (1, "total_residents",
                                                                  "E01000001")


def test_ts021_ltla_missing_group_and_unknown_label(tmp_path: Path) -> None:
    path = tmp_path / "ltla.csv"
    path.write_text('ltla21_code,ltla21_name,ethnic_group,value\n'
                    'E06000001,Hartlepool,White: Irish (number),5\n'
                    'E06000001,Hartlepool,White: Irish (percent),0.1\n')
    with pytest.raises(InputDataError, match="no row for white_british") as err:
        read_census2021_ethnicity(path)
    assert err.value.code == "E06000001"
    path.write_text('ltla21_code,ltla21_name,ethnic_group,value\n'
                    'E06000001,Hartlepool,White: Martian (number),5\n')
    with pytest.raises(SchemaError, match="unknown ethnic group") as err:
        read_census2021_ethnicity(path)
    assert (err.value.row, err.value.column) == (1, "ethnic_group")


# --- attributes, lookups, changes ----------------------------------------------------------
def test_iod_decile_out_of_range(tmp_path: Path) -> None:
    path = tmp_path / "imd.csv"
    path.write_text("lsoa11_code,IMD_decile,Income_decile,IMD_rank,Income_rank\n"
                    "E01000001,9,10,29199,32831\nE01000002,11,10,30379,29901\n")
    with pytest.raises(InputDataError, match="above 10") as err:
        read_iod(path)
    assert (err.value.row, err.value.column, err.value.code) == (2, "IMD_decile", "E01000002")


def test_ruc_unknown_class(tmp_path: Path) -> None:
    path = tmp_path / "ruc.csv"
    path.write_text("lsoa,LSOA11NM,RUC11CD,RUC11\nE01000001,A,A1,Urban major conurbation\n"
                    "E01000002,B,Z9,Nowhere\n")
    with pytest.raises(InputDataError, match="not a 2011 RUC class") as err:
        read_ruc2011(path)
    assert (err.value.row, err.value.column, err.value.code) == (2, "RUC11CD", "E01000002")


def test_lookup_rows_reported_in_file_numbering(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("lsoa11_name,lsoa11_code,msoa11_name,msoa11_code\n"
                    "Dz,S01000001,Iz,S02000001\nA,E01000001,M,E02000001\nB,E01000001,M,E02000001\n")
    with pytest.raises(InputDataError, match="occurs 2 times") as err:
        read_lookup(path)
    assert err.value.row == 3  # row 3 of the file, although the Scottish row was dropped first


def test_changes_unknown_type(tmp_path: Path) -> None:
    path = tmp_path / "changes.csv"
    path.write_text("\ufeffoldcd,oldnm,newcd,newnm,type,start\n"
                    "E07000049,East Dorset,E06000059,Dorset,merger,2019\n"
                    "E07000050,North Dorset,E06000059,Dorset,swallowed,2019\n")
    with pytest.raises(InputDataError, match="'swallowed'") as err:
        read_la_changes(path)
    assert (err.value.row, err.value.column, err.value.code) == (2, "type", "E07000050")


def test_persons_above_the_groups_warns_naming_areas_and_excess(tmp_path: Path) -> None:
    """Persons + 5,000 once flowed silently into the derived Gypsy/Traveller count."""
    rows = [GOOD_ROW, _row("E01000002"), _row("E01000003", Persons="5100")]
    path = _mlid(tmp_path, rows)
    with pytest.warns(ExcessPersonsWarning) as rec:
        t = read_census2011_ethnicity_small_area(path)
    msg = str(rec[0].message)
    assert "Gypsy or Irish Traveller is derived as Persons − Σ 14 groups" in msg
    assert "E01000003 (row 3, Persons 5,100, excess 5,003)" in msg
    assert "City of London (excess 5,009 of 5,300 persons, 94.5%)" in msg
    assert "How to fix: restore Persons from the official file" in msg
    # The table is still read as published: the other groups are untouched.
    wide = counts_wide(t)
    assert wide.loc["E01000003", "white_gypsy_traveller"] == 5003
    assert wide.loc["E01000003", "white_british"] == 50


def test_persons_excess_spread_over_an_la_is_flagged_by_share(tmp_path: Path) -> None:
    # Each of 25 LSOAs adds 10 to Persons (far below the per-area bound): the LA's share is 12 %.
    rows = [_row(f"E010000{i:02d}", Persons="110") for i in range(1, 26)]
    with pytest.warns(ExcessPersonsWarning, match=r"1 LA\(s\) whose excess .* City of London "
                                                  r"\(excess 325 of 2,750 persons, 11.8%\)"):
        read_census2011_ethnicity_small_area(_mlid(tmp_path, rows))


def test_plausible_gypsy_counts_do_not_warn(tmp_path: Path) -> None:
    rows = [_row(f"E0100000{i}", LAD=f"LA {i}", Persons="1000", WhiteBrit="950")
            for i in range(1, 4)]  # 1,000 persons each, 3 Gypsy/Traveller (0.3 %)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_census2011_ethnicity_small_area(_mlid(tmp_path, rows))


def test_excess_rule_names_file_rows_and_skips_synthetic_codes(tmp_path: Path) -> None:
    rows = [_row("E01900001", Persons="6100"), _row("E01000003", Persons="5100")]
    with pytest.warns(ExcessPersonsWarning) as rec:
        read_census2011_ethnicity_small_area(_mlid(tmp_path, rows))
    msg = str(rec[0].message)
    assert "1 area(s)" in msg and "E01000003 (row 2, Persons 5,100" in msg
    assert "E01900001" not in msg  # socint's synthetic range is not held to real bounds
