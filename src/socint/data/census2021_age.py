"""Census 2021 usual residents by age (6 categories) for LSOA21, MSOA21 and LAD 2022.

Files of ``census2021_age6_lsoa21_msoa21/``: an ONS "create a custom dataset" download of
"Age (6 categories)" by LSOA 2021, reshaped to wide, and its exact aggregates to MSOA 2021 and
LAD 2022 (LSOA21s nest in MSOA21s and LADs). Columns: the area code and name, (for MSOAs) the
LAD 2022 code and name, ``total_residents`` (the sum of the six bands) and the six bands
``Aged 15 years and under`` … ``Aged 65 years and over``; the MSOA and LAD files add
``share_65_plus`` (65+ / total, 6 d.p.), which is checked against the counts and not kept.

Scheme ``age_2021_6`` (``0-15, 16-24, 25-34, 35-49, 50-64, 65+``), topic ``age``, vintage 2021.
Census 2021 cells are perturbed by ONS, but here ``total_residents`` *is* the sum of the six
bands, so the sum is checked exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from socint.data.census2021 import read_wide_counts
from socint.data.source import csv_header, read_csv, text
from socint.data.table import ONS, SCHEMES, OfficialTable, counts_wide
from socint.data.validate import ReadOptions, first_true, numeric_column
from socint.errors import InputDataError

#: Column label -> canonical band of scheme ``age_2021_6``.
AGE6_COLUMNS: dict[str, str] = {
    "Aged 15 years and under": "0-15", "Aged 16 to 24 years": "16-24",
    "Aged 25 to 34 years": "25-34", "Aged 35 to 49 years": "35-49",
    "Aged 50 to 64 years": "50-64", "Aged 65 years and over": "65+",
}
_LEVELS = {"lsoa21_code": ("lsoa", 2021, "lsoa21_name"),
           "msoa21_code": ("msoa", 2021, "msoa21_name"),
           "ltla22_code": ("lad", 2022, "ltla22_name")}
_SOURCE = f"{ONS}, Census 2021 custom dataset (Age, 6 categories) via cwthom/hack25usefuldata"


def is_age6_header(header: list[str]) -> bool:
    """True for the age-6 files (six ``Aged …`` columns, ``total_residents`` and a code)."""
    return (set(AGE6_COLUMNS) | {"total_residents"}) <= set(header) and any(
        k in header for k in _LEVELS)


def read_census2021_age6(path: str | Path, *, options: ReadOptions | None = None) -> OfficialTable:
    """Read Census 2021 usual residents by 6 age bands (LSOA21, MSOA21 or LAD 2022 file).

    The level is the finest code column present (``lsoa21_code`` > ``msoa21_code`` >
    ``ltla22_code``). Dataset ids ``census2021_age_lsoa``, ``census2021_age_msoa``,
    ``census2021_age_lad``. MSOA rows carry their LAD 2022 in ``areas.lad_code``.

    Raises
    ------
    InputDataError
        Bad counts or codes; bands not adding to ``total_residents``; a ``share_65_plus`` that
        disagrees with the counts by more than its rounding (5e-7).
    """
    opts = options or ReadOptions()
    p = Path(path)
    header = csv_header(p)
    code_col = next(k for k in _LEVELS if k in header)
    level, vintage, name_col = _LEVELS[code_col]
    table = read_wide_counts(
        p, code_col=code_col, total_col="total_residents", columns=AGE6_COLUMNS,
        scheme="age_2021_6", level=level, vintage=vintage, dataset=f"census2021_age_{level}",
        topic="age", layout="census2021_age6 (Census 2021 age 6 categories)", source=_SOURCE,
        options=opts, name_col=name_col if name_col in header else None)
    extra = [c for c in ("ltla22_code", "share_65_plus") if c in header and c != code_col]
    if not extra:
        return table
    df = read_csv(p, required=[code_col, *extra], layout="census2021_age6",
                  text_columns=[code_col, "ltla22_code"])
    codes = text(df, code_col).fillna("").to_numpy(dtype=object)
    areas = table.areas.copy() if table.areas is not None else None
    if "ltla22_code" in extra and areas is not None:
        areas["lad_code"] = text(df, "ltla22_code").to_numpy(dtype=object)
    if "share_65_plus" in extra:
        share = numeric_column(df, "share_65_plus", codes=codes, file=p, lo=0.0, hi=1.0)
        wide = counts_wide(table).to_numpy(dtype=float)
        total = wide.sum(axis=1)
        want = np.divide(wide[:, list(SCHEMES["age_2021_6"]).index("65+")], total,
                         out=np.zeros_like(total), where=total > 0)
        i = first_true(np.abs(share - want) > 5e-7)
        if i is not None:
            raise InputDataError(f"share_65_plus is {share[i]} but the counts give {want[i]:.6f}",
                                 file=p, row=i + 1, column="share_65_plus", code=str(codes[i]),
                                 hint="the share must be 'Aged 65 years and over' / "
                                      "total_residents; the file looks altered")
    return OfficialTable(
        dataset=table.dataset, kind=table.kind, level=table.level, vintage=table.vintage,
        topic=table.topic, scheme=table.scheme, data=table.data, areas=areas,
        source=table.source, licence=table.licence, path=table.path, sha256=table.sha256,
        layout="census2021_age6", meta={"census": 2021, "table": "Age (6 categories)"})


__all__ = ["AGE6_COLUMNS", "is_age6_header", "read_census2021_age6"]
