"""Census 2021 tables (TS021 ethnic group, TS029 proficiency in English, TS030 religion) and the
ONS mid-2019 MSOA11 single-year-of-age population estimates.

Files as packaged by the R package demographr (``census2021_demographr/``): small-area tables are
wide (one count column per category, plus ``total_residents``); the LTLA ethnicity table is long
with ``(number)`` and ``(percent)`` rows, of which only the numbers are kept. Census 2021 cells
are perturbed by ONS (cell-key method), so the "categories sum to the total" check uses
:data:`~socint.data.validate.CENSUS2021_SMALL_AREA_OPTIONS` unless options are given.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from socint.data.source import csv_header, read_csv, sha256_of, text
from socint.data.table import OGL, ONS, SCHEMES, OfficialTable, areas_frame, counts_long
from socint.data.validate import (
    CENSUS2021_SMALL_AREA_OPTIONS,
    ReadOptions,
    check_codes,
    check_total,
    check_unique,
    check_vintage,
    count_matrix,
    first_true,
)
from socint.errors import InputDataError, SchemaError, _preview

_A = "Asian, Asian British or Asian Welsh"
_B = "Black, Black British, Black Welsh, Caribbean or African"
_M = "Mixed or Multiple ethnic groups"

#: TS021 detailed labels (without " (number)") -> ``ethnicity_2021_detailed``.
TS021_DETAILED: dict[str, str] = {
    "White: English, Welsh, Scottish, Northern Irish or British": "white_british",
    "White: Irish": "white_irish", "White: Gypsy or Irish Traveller": "white_gypsy_traveller",
    "White: Roma": "white_roma", "White: Other White": "white_other",
    f"{_M}: White and Black Caribbean": "mixed_white_black_caribbean",
    f"{_M}: White and Black African": "mixed_white_black_african",
    f"{_M}: White and Asian": "mixed_white_asian",
    f"{_M}: Other Mixed or Multiple ethnic groups": "mixed_other",
    f"{_A}: Indian": "asian_indian", f"{_A}: Pakistani": "asian_pakistani",
    f"{_A}: Bangladeshi": "asian_bangladeshi", f"{_A}: Chinese": "asian_chinese",
    f"{_A}: Other Asian": "asian_other", f"{_B}: African": "black_african",
    f"{_B}: Caribbean": "black_caribbean", f"{_B}: Other Black": "black_other",
    "Other ethnic group: Arab": "other_arab",
    "Other ethnic group: Any other ethnic group": "other_any",
}
TS021_MSOA: dict[str, str] = {
    _A: "asian", "Black, Black British, Black Welsh of African background": "black_african",
    "Black, Black British, Black Welsh or Caribbean background": "black_caribbean",
    _M: "mixed", "White": "white", "Other ethnic group": "other",
}
TS021_LSOA: dict[str, str] = {"White": "white", _M: "mixed", _A: "asian", _B: "black",
                              "Other ethnic group": "other"}
TS030_LSOA: dict[str, str] = {
    "No religion": "no_religion", "Christian": "christian", "Buddhist": "buddhist",
    "Hindu": "hindu", "Jewish": "jewish", "Muslim": "muslim", "Sikh": "sikh",
    "Other religion": "other_religion", "Not answered": "not_answered",
}
_NE = "Main language is not English (English or Welsh in Wales)"
TS029_MSOA: dict[str, str] = {
    "Main language is English (English or Welsh in Wales)": "english_main",
    f"{_NE}: Can speak English very well": "very_well",
    f"{_NE}: Can speak English well": "well",
    f"{_NE}: Cannot speak English well": "not_well",
    f"{_NE}: Cannot speak English": "not_at_all",
}
_SOURCE21 = f"{ONS}, Census 2021 via R package demographr"


def read_wide_counts(path: str | Path, *, code_col: str, total_col: str | None,
                     columns: dict[str, str], scheme: str, level: str, vintage: int,
                     dataset: str, topic: str, layout: str, source: str,
                     options: ReadOptions, name_col: str | None = None) -> OfficialTable:
    """Read a wide counts file: one row per area, one column per category (any order).

    With ``total_col`` the categories are checked against it; without, the total is their sum.
    """
    p = Path(path)
    by_canon = {canon: col for col, canon in columns.items()}
    ordered = [by_canon[c] for c in SCHEMES[scheme]]
    required = [code_col, *([total_col] if total_col else []), *ordered,
                *([name_col] if name_col else [])]
    df = read_csv(p, required=required, layout=layout,
                  text_columns=[code_col, *([name_col] if name_col else [])])
    codes = text(df, code_col).fillna("").to_numpy(dtype=object)
    check_codes(codes, level=level, countries=options.countries, file=p, column=code_col)
    check_unique(codes, file=p, column=code_col)
    check_vintage(codes, level=level, vintage=vintage, file=p, column=code_col,
                  known_codes=options.known_codes)
    matrix = count_matrix(df, ordered, codes=codes, file=p)
    if total_col:
        total = count_matrix(df, [total_col], codes=codes, file=p)[:, 0]
        check_total(matrix, total, options=options, file=p, codes=codes, total_column=total_col,
                    parts_label="the categories")
    else:
        total = matrix.sum(axis=1)
    names = text(df, name_col).to_numpy(dtype=object) if name_col else None
    return OfficialTable(
        dataset=dataset, kind="counts", level=level, vintage=vintage, topic=topic, scheme=scheme,
        data=counts_long(codes, matrix, scheme),
        areas=areas_frame(codes, level=level, vintage=vintage, names=names, total=total),
        source=source, licence=OGL, path=p, sha256=sha256_of(p), layout=layout.split(" ")[0],
    )


def _clean_label(s: pd.Series) -> pd.Series:
    return s.str.replace(r"\s+", " ", regex=True).str.strip()


def _read_ts021_ltla(p: Path, options: ReadOptions) -> OfficialTable:
    """TS021 at LTLA 2021, long: keep the ``(number)`` rows and pivot to the 19 groups."""
    layout = "census2021_ts021_ltla"
    df = read_csv(p, required=["ltla21_code", "ltla21_name", "ethnic_group", "value"],
                  layout=layout, text_columns=["ltla21_code", "ltla21_name", "ethnic_group"])
    label = _clean_label(df["ethnic_group"].fillna(""))
    is_num = label.str.endswith("(number)").to_numpy()
    is_pct = label.str.endswith("(percent)").to_numpy()
    i = first_true(~(is_num | is_pct))
    if i is not None:
        raise SchemaError(f"ethnic_group {label.iloc[i]!r} is neither a (number) nor a (percent) "
                          "row", file=p, row=i + 1, column="ethnic_group",
                          code=str(df["ltla21_code"].iloc[i]),
                          hint="expected TS021 labels such as 'White: Irish (number)'")
    rows = np.flatnonzero(is_num)
    sub = df.iloc[rows]
    base = label.iloc[rows].str.replace(r"\s*\(number\)$", "", regex=True)
    cats = list(SCHEMES["ethnicity_2021_detailed"])
    cat_idx = base.map({k: cats.index(v) for k, v in TS021_DETAILED.items()})
    j = first_true(cat_idx.isna().to_numpy())
    codes_long = text(sub, "ltla21_code").fillna("").to_numpy(dtype=object)
    if j is not None:
        raise SchemaError(f"unknown ethnic group {base.iloc[j]!r}; expected one of "
                          f"{_preview(list(TS021_DETAILED), 25)}", file=p, row=int(rows[j]) + 1,
                          column="ethnic_group", code=str(codes_long[j]),
                          hint="use the TS021 detailed (19-group) table")
    values = count_matrix(sub, ["value"], codes=codes_long, file=p, rows=rows + 1)[:, 0]
    area_idx, uniques = pd.factorize(pd.Series(codes_long, dtype=object))
    codes = np.asarray(uniques, dtype=object)
    check_codes(codes, level="lad", countries=options.countries, file=p, column="ltla21_code")
    check_vintage(codes, level="lad", vintage=2021, file=p, column="ltla21_code",
                  known_codes=options.known_codes)
    flat = area_idx * len(cats) + cat_idx.to_numpy(dtype=np.int64)
    dup = pd.Series(flat).duplicated().to_numpy()
    j = first_true(dup)
    if j is not None:
        raise InputDataError(f"{codes_long[j]} has {base.iloc[j]!r} twice", file=p,
                             row=int(rows[j]) + 1, column="ethnic_group", code=str(codes_long[j]),
                             hint="each area must have each group once; remove the duplicate")
    cells = np.full(len(codes) * len(cats), -1, dtype=np.int64)
    cells[flat] = values
    matrix = cells.reshape(len(codes), len(cats))
    missing = np.argwhere(matrix < 0)
    if missing.size:
        a, c = missing[0]
        raise InputDataError(f"{codes[a]} has no row for {cats[c]} (number)", file=p,
                             column="ethnic_group", code=str(codes[a]),
                             hint="the long table must give all 19 groups for every area")
    names = sub.groupby(area_idx, sort=True)["ltla21_name"].first().to_numpy(dtype=object)
    return OfficialTable(
        dataset="census2021_ethnicity_lad", kind="counts", level="lad", vintage=2021,
        topic="ethnicity", scheme="ethnicity_2021_detailed",
        data=counts_long(codes, matrix, "ethnicity_2021_detailed"),
        areas=areas_frame(codes, level="lad", vintage=2021, names=names,
                          total=matrix.sum(axis=1)),
        source=_SOURCE21, licence=OGL, path=p, sha256=sha256_of(p), layout=layout,
    )


def read_census2021_ethnicity(path: str | Path, *,
                              options: ReadOptions | None = None) -> OfficialTable:
    """Read Census 2021 TS021 ethnic group counts (LTLA long, MSOA21 6 groups, LSOA21 5 groups).

    The layout is recognised from the header: ``ethnic_group`` (long LTLA table, scheme
    ``ethnicity_2021_detailed``), ``msoa21_code`` (``ethnicity_2021_msoa6``) or ``lsoa21_code``
    (``ethnicity_2021_broad``). Vintage 2021.
    """
    opts = options or CENSUS2021_SMALL_AREA_OPTIONS
    p = Path(path)
    header = csv_header(p)
    if "ethnic_group" in header:
        return _read_ts021_ltla(p, opts)
    if "msoa21_code" in header:
        return read_wide_counts(p, code_col="msoa21_code", total_col="total_residents",
                                columns=TS021_MSOA, scheme="ethnicity_2021_msoa6", level="msoa",
                                vintage=2021, dataset="census2021_ethnicity_msoa",
                                topic="ethnicity", layout="census2021_ts021_msoa (TS021 MSOA21)",
                                source=_SOURCE21, options=opts)
    return read_wide_counts(p, code_col="lsoa21_code", total_col="total_residents",
                            columns=TS021_LSOA, scheme="ethnicity_2021_broad", level="lsoa",
                            vintage=2021, dataset="census2021_ethnicity_lsoa", topic="ethnicity",
                            layout="census2021_ts021_lsoa (TS021 LSOA21)", source=_SOURCE21,
                            options=opts)


def read_census2021_religion(path: str | Path, *,
                             options: ReadOptions | None = None) -> OfficialTable:
    """Read Census 2021 TS030 religion at LSOA21 (scheme ``religion_2021``, 9 categories)."""
    return read_wide_counts(path, code_col="lsoa21_code", total_col="total_residents",
                            columns=TS030_LSOA, scheme="religion_2021", level="lsoa",
                            vintage=2021, dataset="census2021_religion_lsoa", topic="religion",
                            layout="census2021_ts030_lsoa (TS030 LSOA21)", source=_SOURCE21,
                            options=options or CENSUS2021_SMALL_AREA_OPTIONS)


def read_census2021_proficiency(path: str | Path, *,
                                options: ReadOptions | None = None) -> OfficialTable:
    """Read Census 2021 TS029 proficiency in English at MSOA21 (residents aged 3+).

    Scheme ``proficiency_2021``: ``english_main`` and the four levels of speaking English among
    those whose main language is not English; the file's "main language is not English" column
    is checked to equal the four levels (within the options' tolerance). The derived
    "Proportion who cannot speak English (well)" column is not read. ``areas.total`` is the sum
    of the five categories (usual residents aged 3 and over).
    """
    opts = options or CENSUS2021_SMALL_AREA_OPTIONS
    table = read_wide_counts(path, code_col="msoa21_code", total_col=None, columns=TS029_MSOA,
                             scheme="proficiency_2021", level="msoa", vintage=2021,
                             dataset="census2021_proficiency_msoa",
                             topic="proficiency",
                             layout="census2021_ts029_msoa (TS029 MSOA21)", source=_SOURCE21,
                             options=opts)
    df = read_csv(path, required=[_NE], layout="census2021_ts029_msoa",
                  text_columns=["msoa21_code"])
    codes = text(df, "msoa21_code").fillna("").to_numpy(dtype=object)
    not_english = count_matrix(df, [_NE], codes=codes, file=table.path)[:, 0]
    levels = count_matrix(df, [f"{_NE}: {s}" for s in ("Can speak English very well",
                                                       "Can speak English well",
                                                       "Cannot speak English well",
                                                       "Cannot speak English")],
                          codes=codes, file=table.path)
    check_total(levels, not_english, options=opts, file=table.path, codes=codes,
                total_column=_NE, parts_label="the four levels of spoken English")
    return table


_AGES = [*(str(a) for a in range(90)), "90+"]


def read_population_single_year(path: str | Path, *,
                                options: ReadOptions | None = None) -> OfficialTable:
    """Read ONS mid-2019 MSOA11 population estimates by single year of age.

    Scheme ``age_single_year`` (``"0"`` … ``"89"``, ``"90+"``), level msoa, vintage 2011; ages
    are checked to sum exactly to ``total_population`` (the default options), which becomes
    ``areas.total``; ``msoa11_name`` becomes ``areas.area_name``.
    """
    return read_wide_counts(path, code_col="msoa11_code", total_col="total_population",
                            columns={a: a for a in _AGES}, scheme="age_single_year",
                            level="msoa", vintage=2011, dataset="population_mid2019_msoa",
                            topic="age", layout="population_mid2019_msoa11 (SAPE mid-2019)",
                            source=f"{ONS}, mid-2019 small area population estimates",
                            options=options or ReadOptions(), name_col="msoa11_name")



__all__ = ["TS021_DETAILED", "read_census2021_ethnicity", "read_census2021_proficiency",
           "read_census2021_religion", "read_population_single_year", "read_wide_counts"]
