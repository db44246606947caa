"""Bad input: each a clear error naming the file, the variable, the code and how to fix it."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _microdata_archive import MAPPING

from socint.errors import GeographyError, InputDataError, SchemaError
from socint.microdata import import_survey, load_mapping


def _mapping(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(MAPPING)
    for key, value in changes.items():
        if key in out["variables"]:
            out["variables"][key] = value
        else:
            out[key] = value
    return out


def test_variable_named_in_the_mapping_but_absent(files: dict[str, Path],
                                                  lookup: pd.DataFrame) -> None:
    bad = _mapping(trust={"column": "nbrtrst", "codes": {1: 1, 2: 0}})
    with pytest.raises(InputDataError) as err:
        import_survey(files["sav"], bad, lookup=lookup)
    msg = str(err.value)
    assert "'nbrtrst'" in msg and "`trust`" in msg and str(files["sav"]) in msg
    assert "did you mean 'nbrtrust'" in msg and "How to fix" in msg


def test_code_not_covered_by_the_mapping(files: dict[str, Path], lookup: pd.DataFrame) -> None:
    with pytest.raises(InputDataError) as err:
        import_survey(files["dta"], _mapping(unmapped="error"), lookup=lookup)
    msg = str(err.value)
    assert "variable 'married'" in msg and "column 'marstat'" in msg
    assert "6 ('Separated'): 2 row(s)" in msg
    assert str(files["dta"]) in msg and "unmapped: drop" in msg


def test_mapping_value_outside_the_canonical_set() -> None:
    bad = _mapping(ethnicity={"column": "ethnic", "codes": {1: "white", 2: "Asian"}})
    with pytest.raises(SchemaError) as err:
        load_mapping(bad)
    msg = str(err.value)
    assert "'white'" in msg and "code 1" in msg
    assert "allowed: White, Asian, Black, Mixed, Chinese, Other" in msg
    with pytest.raises(SchemaError, match="allowed: 0, 1"):
        load_mapping(_mapping(trust={"column": "nbrtrust", "codes": {1: 2}}))
    with pytest.raises(SchemaError, match="whole numbers from 1 to 15"):
        load_mapping(_mapping(income={"column": "incband", "codes": {1: 16}}))


def test_mapping_schema_errors() -> None:
    with pytest.raises(SchemaError, match=r"unknown top-level key.*weights"):
        load_mapping({**_mapping(), "weights": "wt"})
    with pytest.raises(SchemaError, match="vintage` was 2001"):
        load_mapping(_mapping(area={"msoa_code": "msoa11cd", "vintage": 2001}))
    with pytest.raises(SchemaError, match="exactly one of"):
        load_mapping(_mapping(area={"msoa_code": "a", "lad_code": "b", "vintage": 2011}))
    with pytest.raises(SchemaError, match=r"unknown key.*code"):
        load_mapping(_mapping(trust={"column": "nbrtrust", "code": {1: 1}}))


def test_area_codes_of_another_vintage(files: dict[str, Path], archive: pd.DataFrame,
                                       lookup: pd.DataFrame, tmp_path: Path) -> None:
    # a stand-in 2021 lookup whose codes differ from the 2011 one (E029… → E028…)
    recoded = lookup.assign(msoa_code=lookup["msoa_code"].str.replace("E029", "E028"))
    path = tmp_path / "survey2021.csv"
    archive.assign(msoa11cd=archive["msoa11cd"].str.replace("E029", "E028")).to_csv(
        path, index=False)
    with pytest.raises(GeographyError) as err:
        import_survey(path, MAPPING, lookup={2011: lookup, 2021: recoded})
    msg = str(err.value)
    assert re.search(r"\d+ of \d+ rows have msoa_code codes unknown for vintage 2011", msg)
    assert "known 2021 codes" in msg and "set `area: vintage: 2021`" in msg
    assert "column 'msoa11cd'" in msg and str(path) in msg
    # stating the right vintage imports them
    fixed = _mapping(area={"msoa_code": "msoa11cd", "vintage": 2021})
    with pytest.warns(UserWarning):
        result = import_survey(path, fixed, lookup={2011: lookup, 2021: recoded})
    assert result.table["msoa_code"].str.startswith("E028").all()


def test_empty_file(tmp_path: Path, lookup: pd.DataFrame) -> None:
    for name in ("empty.sav", "empty.dta", "empty.csv"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(InputDataError, match=r"empty \(0 bytes\)") as err:
            import_survey(tmp_path / name, MAPPING, lookup=lookup)
        assert name in str(err.value)
    (tmp_path / "header.csv").write_text("msoa11cd,nbrtrust\n")
    with pytest.raises(InputDataError, match="no data rows"):
        import_survey(tmp_path / "header.csv", MAPPING, lookup=lookup)


def test_file_that_is_not_what_its_extension_says(files: dict[str, Path], tmp_path: Path,
                                                  lookup: pd.DataFrame) -> None:
    cases = [(files["sav"], "survey.csv", "looks like an SPSS .sav file", "rename it to .sav"),
             (files["dta"], "survey.sav", "looks like a Stata .dta file", "rename it to .dta"),
             (files["sav"], "survey.dta", "looks like an SPSS .sav file", "rename it to .sav")]
    text = tmp_path / "text.csv"
    text.write_text("a,b\n1,2\n")
    cases.append((text, "survey.sav", "looks like a text file", "rename it to .csv"))
    for source, name, seen, fix in cases:
        target = tmp_path / name
        shutil.copy(source, target)
        with pytest.raises(InputDataError) as err:
            import_survey(target, MAPPING, lookup=lookup)
        msg = str(err.value)
        assert seen in msg and fix in msg and str(target) in msg, msg
    damaged = tmp_path / "damaged.sav"
    damaged.write_bytes(files["sav"].read_bytes()[:300])
    with pytest.raises(InputDataError, match="cannot read the SPSS file"):
        import_survey(damaged, MAPPING, lookup=lookup)


def test_no_lookup_checks_codes_against_the_bundled_england_lookup(
        files: dict[str, Path]) -> None:
    # the synthetic survey's MSOA codes (E029…) are not real 2011 MSOAs: the bundled real
    # England lookup says so, instead of silently accepting them
    with pytest.raises(GeographyError, match="unknown for vintage 2011") as exc:
        import_survey(files["sav"], MAPPING)
    assert "--lookup" in str(exc.value)


def test_lookup_without_the_needed_columns(files: dict[str, Path],
                                           lookup: pd.DataFrame) -> None:
    with pytest.raises(GeographyError, match="needs msoa_code → lad_code"):
        import_survey(files["sav"], MAPPING, lookup=lookup[["msoa_code"]])
