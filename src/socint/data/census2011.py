"""Census 2011 small-area ethnic group counts (the MLID OA and LSOA files).

Layout (``census2011_ethnicity_oa_lsoa_mlid/``, from R package MLID, Harris 2017): one row per
OA (``OA`` column) or LSOA, ``Persons`` and 14 group columns (the four Mixed groups collapsed), the
MSOA code and the LA and region *names*. "White: Gypsy or Irish Traveller" is left out of the 14
columns, so it is derived as ``Persons − Σ groups`` (57,680 over E&W, the published count of
Census 2011 table KS201EW); a negative remainder means the groups exceed the total and is
rejected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from socint.data.source import csv_header, read_csv, sha256_of, text
from socint.data.table import OGL, ONS, OfficialTable, areas_frame, counts_long
from socint.data.validate import (
    ReadOptions,
    check_codes,
    check_unique,
    check_vintage,
    count_matrix,
    first_true,
)
from socint.errors import InputDataError

#: MLID column -> canonical category of ``ethnicity_2011_mlid`` (Gypsy/Traveller is derived).
MLID_GROUPS: dict[str, str] = {
    "WhiteBrit": "white_british", "Irish": "white_irish", "OtherWhite": "white_other",
    "Mixed": "mixed", "Indian": "asian_indian", "Pakistani": "asian_pakistani",
    "Bangladeshi": "asian_bangladeshi", "Chinese": "asian_chinese", "OtherAsian": "asian_other",
    "BlkAfrican": "black_african", "BlkCaribbean": "black_caribbean", "OtherBlk": "black_other",
    "Arab": "other_arab", "Other": "other_any",
}
MLID_PARENTS: dict[str, str] = {"LSOA": "lsoa_code", "MSOA": "msoa_code", "LAD": "lad_name",
                                "RGN": "region_name"}
SCHEME = "ethnicity_2011_mlid"


def read_census2011_ethnicity_small_area(path: str | Path, *,
                                         options: ReadOptions | None = None) -> OfficialTable:
    """Read the Census 2011 ethnic group counts of OAs or LSOAs (MLID layout).

    The level is detected from the columns: an ``OA`` column means Output Areas, otherwise
    ``LSOA`` codes are the areas.

    Parameters
    ----------
    path
        ``ethnicity_2011_oa_ew.csv`` or ``ethnicity_2011_lsoa_ew.csv`` (or a file of that layout).
    options
        Countries accepted and an optional lookup of valid 2011 codes (``known_codes``).

    Returns
    -------
    OfficialTable
        kind ``counts``, topic ``ethnicity``, scheme ``ethnicity_2011_mlid`` (15 categories, the
        derived ``white_gypsy_traveller`` included), vintage 2011; ``areas`` carries ``total``
        (``Persons``) and the parents ``lsoa_code`` (OA file), ``msoa_code``, ``lad_name``,
        ``region_name``.

    Raises
    ------
    SchemaError, InputDataError
        Missing columns; non-numeric, non-integer or negative counts; groups exceeding
        ``Persons``; duplicated codes; codes of the wrong level, country or vintage.
    """
    opts = options or ReadOptions()
    header = csv_header(path)
    level, code_col = ("oa", "OA") if "OA" in header else ("lsoa", "LSOA")
    parents = {k: v for k, v in MLID_PARENTS.items() if k != code_col}
    required = [code_col, "Persons", *MLID_GROUPS, *parents]
    df = read_csv(path, required=required, layout=f"Census 2011 ethnicity {level.upper()} (MLID)",
                  text_columns=[code_col, *parents])
    p = Path(path)
    codes = text(df, code_col).fillna("").to_numpy(dtype=object)
    check_codes(codes, level=level, countries=opts.countries, file=p, column=code_col)
    check_unique(codes, file=p, column=code_col)
    check_vintage(codes, level=level, vintage=2011, file=p, column=code_col,
                  known_codes=opts.known_codes)
    groups = count_matrix(df, list(MLID_GROUPS), codes=codes, file=p)
    total = count_matrix(df, ["Persons"], codes=codes, file=p)[:, 0]
    gypsy = total - groups.sum(axis=1)
    i = first_true(gypsy < 0)
    if i is not None:
        raise InputDataError(
            f"the 14 group columns sum to {int(groups[i].sum())}, more than Persons = "
            f"{int(total[i])}, so White: Gypsy or Irish Traveller (Persons − Σ groups) would be "
            f"{int(gypsy[i])}", file=p, row=i + 1, column="Persons", code=str(codes[i]),
            hint="Persons must be the all-usual-residents total; check the row was not edited")
    full = np.column_stack([groups[:, :2], gypsy, groups[:, 2:]])
    parent_values = {canon: text(df, col).to_numpy(dtype=object)
                     for col, canon in parents.items()}
    return OfficialTable(
        dataset=f"census2011_ethnicity_{level}", kind="counts", level=level, vintage=2011,
        topic="ethnicity", scheme=SCHEME, data=counts_long(codes, full, SCHEME),
        areas=areas_frame(codes, level=level, vintage=2011, total=total, parents=parent_values),
        source=f"{ONS}, Census 2011 (KS201EW/QS201EW categories) via R package MLID",
        licence=OGL, path=p, sha256=sha256_of(p), layout=f"census2011_ethnicity_{level}_mlid",
        meta={"derived": {"white_gypsy_traveller": "Persons - sum of the 14 groups"}},
    )


__all__ = ["MLID_GROUPS", "read_census2011_ethnicity_small_area"]
