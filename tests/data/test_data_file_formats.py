"""Named scenarios: files as users really have them (encodings, gzip, xlsx, ``;``, truncation).

Each is read exactly like the clean UTF-8 file, or refused with a message naming the file, the row
and the fix; a failed read leaves the file itself untouched.
"""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from socint.data import counts_wide, read_census2011_ethnicity_small_area, read_official, sniff
from socint.data.nomis import MEASURE_SUFFIX, NOMIS_TOPICS
from socint.errors import InputDataError, InputDataWarning

MLID_HEADER = ["LSOA", "Persons", "WhiteBrit", "Irish", "OtherWhite", "Mixed", "Indian",
               "Pakistani", "Bangladeshi", "Chinese", "OtherAsian", "BlkAfrican", "BlkCaribbean",
               "OtherBlk", "Arab", "Other", "MSOA", "LAD", "RGN"]
GOOD_ROW = ["E01000001", "100", "50", "5", "10", "4", "6", "2", "1", "3", "4", "5", "3", "1",
            "1", "2", "E02000001", "City of London", "London"]


def _row(code: str = "E01000002", **cells: str) -> list[str]:
    row = [code, *GOOD_ROW[1:]]
    for col, value in cells.items():
        row[MLID_HEADER.index(col)] = value
    return row

ROWS = [GOOD_ROW, _row("E01000002", LAD="Ynys Môn")]


def _text(sep: str = ",") -> str:
    return "\n".join(sep.join(r) for r in [MLID_HEADER, *ROWS]) + "\n"


def _clean(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "clean.csv"
    path.write_text(_text(), encoding="utf-8")
    return counts_wide(read_census2011_ethnicity_small_area(path))


def test_cp1252_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(_text().encode("cp1252"))
    assert b"M\xf4n" in path.read_bytes()  # really not UTF-8
    with pytest.warns(InputDataWarning, match=r"not UTF-8; read as Windows-1252 \(cp1252\)"):
        t = read_official(path)
    assert t.layout == "census2011_ethnicity_lsoa_mlid"
    assert counts_wide(t).equals(_clean(tmp_path))
    assert "Ynys Môn" in set(t.areas["lad_name"])


def test_undecodable_file_names_the_encodings_tried(tmp_path: Path) -> None:
    path = tmp_path / "weird.csv"
    path.write_bytes(_text().encode("utf-8") + b"\x81\x8d\n")  # not UTF-8, undefined in cp1252
    before = path.read_bytes()
    with pytest.raises(InputDataError) as err:
        read_census2011_ethnicity_small_area(path)
    msg = str(err.value)
    assert "neither UTF-8 nor Windows-1252" in msg and "utf-8-sig, cp1252" in msg
    assert str(path) in msg and "re-save the file as 'CSV UTF-8'" in msg
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["mlid.csv.gz", "mlid.csv"])
def test_gzip_file_is_read_whatever_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(_text().encode("utf-8")))
    header, layout = sniff(path)
    assert header[:2] == ["LSOA", "Persons"]
    assert layout is not None and layout.id == "census2011_ethnicity_lsoa_mlid"
    assert counts_wide(read_official(path)).equals(_clean(tmp_path))


def test_truncated_gzip_says_download_again(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress(_text().encode("utf-8") * 50)[:-30])
    with pytest.raises(InputDataError) as err:
        read_official(path)
    assert "gzip-compressed file cannot be decompressed" in str(err.value)
    assert "download the file again" in str(err.value) and str(path) in str(err.value)


def test_xlsx_passed_as_csv_is_read_from_its_first_sheet(tmp_path: Path) -> None:
    path = tmp_path / "mlid.csv"  # a workbook, misnamed
    frame = pd.DataFrame(ROWS, columns=MLID_HEADER)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        frame.to_excel(xw, sheet_name="Data", index=False)
        frame.head(0).to_excel(xw, sheet_name="Notes", index=False)
    with pytest.warns(InputDataWarning, match=r"Excel workbook, not a CSV; read its first sheet "
                                              r"'Data' \(of 2: Data, Notes\)"):
        t = read_official(path)
    assert counts_wide(t).equals(_clean(tmp_path))


def test_legacy_xls_says_export_csv(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputDataError) as err:
        read_census2011_ethnicity_small_area(path)
    assert "legacy Excel workbook (.xls), not a CSV" in str(err.value)
    assert "save it as CSV (UTF-8)" in str(err.value)


def test_unterminated_quote_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    rows = [_row(f"E0100000{i}") for i in range(1, 6)]
    lines = [",".join(MLID_HEADER)] + [",".join(r) for r in rows]
    lines[4] = lines[4].replace("E01000004", '"E01000004')  # data row 4 opens a quote...
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # ...the file ends inside it
    with pytest.raises(InputDataError) as err:
        read_census2011_ethnicity_small_area(path)
    msg = str(err.value)
    assert "unterminated quoted field" in msg and err.value.row == 4
    assert f"[file {path}, row 4]" in msg and "looks truncated" in msg


def test_ragged_row_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    lines = [",".join(MLID_HEADER), ",".join(GOOD_ROW), ",".join(_row()) + ",9,9"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as err:
        read_census2011_ethnicity_small_area(path)
    assert err.value.row == 2 and "as many fields as the header" in str(err.value)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_or_tab_delimited_file_is_read(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "semi.csv"
    path.write_text(_text(sep), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = read_official(path)  # not "cannot tell the category scheme"
    assert t.layout == "census2011_ethnicity_lsoa_mlid"
    assert counts_wide(t).equals(_clean(tmp_path))


def test_semicolon_nomis_table_is_read_not_an_unknown_scheme(tmp_path: Path) -> None:
    """Once "cannot tell the category scheme": the ';' file's header is one unknown column."""
    topic = NOMIS_TOPICS["Ethnic Group"]
    cells = [f"{topic.prefix}: {lab}{MEASURE_SUFFIX}" for lab in [topic.total, *topic.categories]]
    lines = [";".join(['"date"', '"geography"', '"geography code"', *(f'"{c}"' for c in cells)]),
             ";".join(["2011", "Hartlepool", "E06000001", "7", "7"]
                      + ["0"] * (len(topic.categories) - 1))]
    path = tmp_path / "qs201ew_semicolon.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t = read_official(path)
    assert t.layout == "census2011_nomis" and counts_wide(t).loc["E06000001"].sum() == 7


def test_gzipped_geojson_is_read(tmp_path: Path) -> None:
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"LAD19CD": "E06000001", "LAD19NM": "Hartlepool"},
        "geometry": {"type": "Polygon",
                     "coordinates": [[[-1.3, 54.6], [-1.2, 54.6], [-1.2, 54.7], [-1.3, 54.6]]]}}]}
    path = tmp_path / "lad19.geojson.gz"
    path.write_bytes(gzip.compress(json.dumps(fc).encode("utf-8")))
    t = read_official(path)
    assert t.kind == "boundaries" and t.data["area_code"].tolist() == ["E06000001"]
