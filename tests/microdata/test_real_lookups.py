"""Area codes against the real ONS lookups (2011 and 2021 MSOAs); skipped without ../shared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from socint.cli import _register, app
from socint.errors import GeographyError
from socint.microdata import import_survey, lookups_from_files, read_lookup

L11 = ("geographr_lookups_boundaries", "lookup_msoa11_ltla19.csv")
L21 = ("geographr_2021_lookups_boundaries", "lookup_msoa21_ltla22.csv")
MAP = {"survey": "real-code test", "area": {"msoa_code": "msoa", "vintage": 2011},
       "variables": {"trust": {"column": "q1", "codes": {1: 1, 2: 0}}}}


def _codes(shared_data: Path) -> tuple[set[str], set[str]]:
    a = read_lookup(shared_data.joinpath(*L11))
    b = read_lookup(shared_data.joinpath(*L21))
    assert a[0] == 2011 and b[0] == 2021  # the vintage is read from the file's layout/headers
    assert list(b[1].columns) == ["msoa_code", "lad_code"]
    return set(a[1]["msoa_code"]), set(b[1]["msoa_code"])


def _survey(path: Path, codes: list[str]) -> Path:
    rng = np.random.default_rng(1)
    pd.DataFrame({"msoa": codes, "q1": rng.integers(1, 3, len(codes))}).to_csv(path,
                                                                             index=False)
    return path


@pytest.mark.filterwarnings("ignore::socint.errors.SocintWarning")
def test_2021_codes_stated_as_2011_are_named(shared_data: Path, tmp_path: Path) -> None:
    c11, c21 = _codes(shared_data)
    only21 = sorted(c21 - c11)
    assert len(only21) > 50  # MSOAs created in 2021
    both = sorted(c11 & c21)[:200]
    path = _survey(tmp_path / "s.csv", [*both, *only21[:100]])
    lookups = lookups_from_files([shared_data.joinpath(*L11), shared_data.joinpath(*L21)],
                                 2011)
    with pytest.raises(GeographyError) as err:
        import_survey(path, MAP, lookup=lookups)
    msg = str(err.value)
    assert "100 of 300 rows have msoa_code codes unknown for vintage 2011" in msg
    assert "100 of these rows' codes are known 2021 codes" in msg
    assert "set `area: vintage: 2021`" in msg
    fixed = {**MAP, "area": {"msoa_code": "msoa", "vintage": 2021}}
    result = import_survey(path, fixed, lookup=lookups)
    assert result.report.rows_kept == 300 and result.table["lad_code"].notna().all()


@pytest.mark.filterwarnings("ignore::socint.errors.SocintWarning")
def test_cli_with_real_lookups_drops_and_counts_a_few(shared_data: Path,
                                                      tmp_path: Path) -> None:
    c11, c21 = _codes(shared_data)
    only21 = sorted(c21 - c11)
    path = _survey(tmp_path / "s.csv", [*sorted(c11)[:400], *only21[:3]])
    (tmp_path / "m.yaml").write_text(
        "area: {msoa_code: msoa, vintage: 2011}\n"
        "variables:\n  trust: {column: q1, codes: {1: 1, 2: 0}}\n")
    _register()
    res = CliRunner().invoke(app, [
        "survey", "import", str(path), "--map", str(tmp_path / "m.yaml"),
        "--out", str(tmp_path / "o.csv"), "--lookup", str(shared_data.joinpath(*L11)),
        "--lookup", str(shared_data.joinpath(*L21))])
    assert res.exit_code == 0, res.output
    assert "area code unknown for the stated vintage: 3 (3 of them are known 2021 codes)" \
        in res.output
    assert pd.read_csv(tmp_path / "o.csv")["lad_code"].str.match(r"^[EW]0[6-9]").all()


@pytest.mark.filterwarnings("ignore::socint.errors.SocintWarning")
def test_lsoa_codes_through_two_joined_lookups(shared_data: Path, tmp_path: Path) -> None:
    lsoa_msoa = shared_data / "geographr_lookups_boundaries" / "lookup_lsoa11_msoa11.csv"
    lookups = lookups_from_files([lsoa_msoa, shared_data.joinpath(*L11)], 2011)
    assert set(lookups) == {2011}
    table = lookups[2011].dropna().head(50)
    path = _survey(tmp_path / "s.csv", table["lsoa_code"].tolist())
    mapping = {"area": {"lsoa_code": "msoa", "vintage": 2011},
               "variables": {"trust": {"column": "q1", "codes": {1: 1, 2: 0}}}}
    result = import_survey(path, mapping, lookup=lookups)
    # each file checked on its own: LSOA → MSOA from one, MSOA → LAD from the other
    lsoa_to_msoa = read_lookup(lsoa_msoa)[1].set_index("lsoa_code")["msoa_code"]
    msoa_to_lad = read_lookup(shared_data.joinpath(*L11))[1].set_index("msoa_code")["lad_code"]
    msoa = table["lsoa_code"].map(lsoa_to_msoa)
    assert (result.table["msoa_code"].to_numpy() == msoa.to_numpy()).all()
    assert (result.table["lad_code"].to_numpy() == msoa.map(msoa_to_lad).to_numpy()).all()
