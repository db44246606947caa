"""Named scenarios: LA codes of another vintage than the table declares (2019-2023 mergers)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from socint.data import read_census2011_nomis, read_census2021_ethnicity
from socint.data.census2021 import TS021_DETAILED
from socint.data.nomis import MEASURE_SUFFIX, NOMIS_TOPICS
from socint.data.validate import LA_ENDED, LA_MERGERS_2019_2023, check_la_vintage
from socint.errors import GeographyWarning, InputDataError


def _ts021(tmp_path: Path, codes: list[str]) -> Path:
    lines = ["ltla21_code,ltla21_name,ethnic_group,value"]
    for code in codes:
        for label in TS021_DETAILED:
            lines += [f'{code},Area {code},"{label} (number)",5',
                      f'{code},Area {code},"{label} (percent)",5.3']
    path = tmp_path / "ts021_ltla21.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_2011_la_code_in_an_ltla21_table_is_refused(tmp_path: Path) -> None:
    path = _ts021(tmp_path, ["E06000001", "E07000004"])  # Aylesbury Vale ended in 2020
    before = path.read_bytes()
    with pytest.raises(InputDataError) as err:
        read_census2021_ethnicity(path)
    msg = str(err.value)
    assert ("LA code E07000004 ended in 2020 (merged into E06000060 Buckinghamshire), so it "
            "cannot be in a 2021 LA table: the file mixes pre-2020 and 2021 LA codes") in msg
    assert err.value.code == "E07000004" and err.value.column == "ltla21_code"
    assert "use the table published on 2021 LAs" in msg
    assert path.read_bytes() == before


def test_2023_code_in_an_ltla21_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"E06000066 \(Somerset\) was created in 2023 "
                                             r"\(replacing E07000187.*mixes 2021 and 2023"):
        read_census2021_ethnicity(_ts021(tmp_path, ["E06000001", "E06000066"]))


def test_good_ltla21_table_reads_silently(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = read_census2021_ethnicity(_ts021(tmp_path, ["E06000060", "E06000062"]))
    assert t.vintage == 2021 and len(t.areas) == 2


def _qs201(tmp_path: Path, codes: list[str]) -> Path:
    """QS201EW-like Nomis file (total and detailed cells only): 7 White British per area."""
    topic = NOMIS_TOPICS["Ethnic Group"]
    cells = [f"{topic.prefix}: {lab}{MEASURE_SUFFIX}" for lab in [topic.total, *topic.categories]]
    lines = [",".join(['"date"', '"geography"', '"geography code"', *(f'"{c}"' for c in cells)])]
    for code in codes:
        values = [7, 7] + [0] * (len(topic.categories) - 1)
        lines.append(",".join(["2011", f"Area {code}", code, *map(str, values)]))
    path = tmp_path / "qs201ew.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_2021_la_code_in_a_2011_table_warns(tmp_path: Path) -> None:
    path = _qs201(tmp_path, ["E06000001", "E07000004", "E06000060", "E06000062"])
    with pytest.warns(GeographyWarning) as rec:
        t = read_census2011_nomis(path)
    msg = str(rec[0].message)
    assert ("a 2011 LA table holds 2 LA code(s) created after 2011 by the 2019-2023 mergers: "
            "E06000060 (Buckinghamshire, created 2020, row 3), E06000062 (West "
            "Northamptonshire, created 2021, row 4)") in msg
    assert "will not join 2011 lookups" in msg
    assert "How to fix: use the table published on 2011 LAs" in msg
    assert t.vintage == 2011 and len(t.areas) == 4  # still read: the counts are usable


def test_plain_2011_table_reads_silently(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_census2011_nomis(_qs201(tmp_path, ["E06000001", "E07000004", "E06000028"]))


def test_every_ended_code_points_to_a_listed_merger() -> None:
    assert len(LA_MERGERS_2019_2023) == 12 and set(LA_MERGERS_2019_2023) >= {
        f"E060000{n}" for n in range(58, 67)} | {"E07000244", "E07000245", "E07000246"}
    for year, new in LA_ENDED.values():
        assert LA_MERGERS_2019_2023[new][1] == year
    # Somerset West and Taunton was created in 2019 and ended in 2023.
    assert LA_ENDED["E07000246"] == (2023, "E06000066")
    check_la_vintage(np.array(["E07000246"], dtype=object), vintage=2021, file="f", column="c")
    with pytest.raises(InputDataError, match="ended in 2023"):
        check_la_vintage(np.array(["E07000246"], dtype=object), vintage=2023, file="f",
                         column="c")
