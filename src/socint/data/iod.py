"""English Indices of Deprivation (IoD) 2015 and 2019, as attributes of LSOAs, MSOAs and LAs.

Source: MHCLG, *The English Indices of Deprivation 2015* (30 Sep 2015) and *2019* (26 Sep 2019),
files as packaged by the R package IMD (humaniverse) and Trafford Data Lab.

Conventions (MHCLG, IoD2019 Technical Report, ch. 3): rank 1 is the **most** deprived area;
decile 1 holds the **most** deprived 10 % of LSOAs in England, decile 10 the least deprived. LA
and MSOA "score" columns are population-weighted averages of LSOA scores; ``proportion`` is the
share of the area's LSOAs in the most deprived 10 % nationally; ``extent`` the share of the
population living in the most deprived 30 %.

Canonical columns: ``<domain>_<measure>`` with domains ``imd, income, employment, education,
health, crime, housing, environment, idaci, idaopi`` and measures ``score, rank, decile,
proportion, extent`` (plus, for the Trafford LA summaries, ``average_rank``,
``rank_of_average_rank``, ``rank_of_average_score``, ``rank_of_proportion``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from socint.data.source import csv_header, read_csv, sha256_of, text
from socint.data.table import MHCLG, OGL, OfficialTable, areas_frame
from socint.data.validate import (
    ReadOptions,
    check_codes,
    check_unique,
    check_vintage,
    first_true,
    numeric_column,
)
from socint.errors import InputDataError, SchemaError, _preview

#: Domain prefixes of the humaniverse files -> canonical domain.
DOMAINS: dict[str, str] = {
    "IMD": "imd", "Income": "income", "Employment": "employment", "Education": "education",
    "Health": "health", "Crime": "crime", "Housing_and_Access": "housing",
    "Environment": "environment",
}
#: Trafford ``index_domain`` -> canonical domain.
TRAFFORD_DOMAINS: dict[str, str] = {
    "Index of Multiple Deprivation": "imd", "Income": "income", "Employment": "employment",
    "Education, Skills and Training": "education", "Health and Disability": "health",
    "Crime": "crime", "Barriers to Housing and Services": "housing",
    "Living Environment": "environment", "Income Deprivation Affecting Children": "idaci",
    "Income Deprivation Affecting Older People": "idaopi",
}
TRAFFORD_MEASURES: dict[str, str] = {
    "average_rank": "average_rank", "rank_average_rank": "rank_of_average_rank",
    "average_score": "score", "rank_average_score": "rank_of_average_score",
    "proportion_bottom_decile": "proportion",
    "rank_proportion_bottom_decile": "rank_of_proportion",
}
_SOURCE = f"{MHCLG}, English Indices of Deprivation"


def _canonical(col: str) -> str | None:
    """Canonical name of a humaniverse IoD column (``Crime_decile`` -> ``crime_decile``)."""
    if col in ("Score", "Proportion", "Extent"):
        return f"imd_{col.lower()}"
    for prefix, dom in DOMAINS.items():
        for measure in ("score", "rank", "decile", "proportion", "extent"):
            if col.lower() == f"{prefix}_{measure}".lower():
                return f"{dom}_{measure}"
    return None


def _edition_from_name(p: Path) -> int | None:
    m = re.search(r"(?:iod|imd)(2015|2019)", p.name.lower())
    return int(m.group(1)) if m else None


def _check_measure(df: pd.DataFrame, src: str, canon: str, codes: np.ndarray, p: Path,
                   rows: np.ndarray | None = None) -> np.ndarray:
    measure = canon.rsplit("_", 1)[1]
    if measure == "decile":
        return numeric_column(df, src, codes=codes, file=p, integer=True, lo=1, hi=10, rows=rows)
    if "rank" in canon:
        whole = (canon.endswith("_rank") and not canon.endswith("average_rank")) \
            or "rank_of" in canon
        return numeric_column(df, src, codes=codes, file=p, integer=whole, lo=1, rows=rows)
    if measure in ("proportion", "extent"):
        return numeric_column(df, src, codes=codes, file=p, lo=0, hi=1, rows=rows)
    return numeric_column(df, src, codes=codes, file=p, rows=rows)


def _finish(p: Path, *, data: pd.DataFrame, codes: np.ndarray, level: str, vintage: int,
            edition: int, names: np.ndarray | None, parents: dict[str, np.ndarray],
            layout: str, meta: dict[str, object]) -> OfficialTable:
    unit = {"lsoa": "lsoa", "msoa": "msoa", "lad": "lad"}[level]
    return OfficialTable(
        dataset=f"iod{edition}_{unit}" + ("_summaries" if "trafford" in layout else ""),
        kind="attributes", level=level, vintage=vintage, topic=None, scheme=None, data=data,
        areas=areas_frame(codes, level=level, vintage=vintage, names=names, parents=parents),
        source=f"{_SOURCE} {edition}", licence=OGL, path=p, sha256=sha256_of(p), layout=layout,
        meta={"edition": edition, "decile_convention": "1 = most deprived 10% of LSOAs",
              **meta},
    )


def _read_wide(p: Path, header: list[str], opts: ReadOptions, edition: int | None) -> OfficialTable:
    code_col = next(c for c in ("lsoa11_code", "msoa11_code", "ltla19_code") if c in header)
    level, vintage = {"lsoa11_code": ("lsoa", 2011), "msoa11_code": ("msoa", 2011),
                      "ltla19_code": ("lad", 2019)}[code_col]
    name_col = "lsoa11_name" if "lsoa11_name" in header else None
    parent_cols = {c: c.replace("13", "") for c in ("lad13_code", "lad13_name") if c in header}
    value_cols = {c: canon for c in header if (canon := _canonical(c)) is not None}
    if not value_cols:
        raise SchemaError(f"no IoD measure columns; found {_preview(header)}", file=p,
                          hint="expected columns like IMD_score, IMD_decile, Score, Crime_Score")
    if edition is None:
        edition = _edition_from_name(p) or (2015 if "IMD_score" in header or (
            level == "msoa" and "Income_Score" not in header) else 2019)
    df = read_csv(p, required=[code_col, *value_cols], layout=f"IoD {level.upper()} table",
                  text_columns=[code_col, *([name_col] if name_col else []), *parent_cols])
    codes = text(df, code_col).fillna("").to_numpy(dtype=object)
    check_codes(codes, level=level, countries=opts.countries, file=p, column=code_col)
    check_unique(codes, file=p, column=code_col)
    check_vintage(codes, level=level, vintage=vintage, file=p, column=code_col,
                  known_codes=opts.known_codes)
    data = pd.DataFrame({"area_code": codes})
    for src, canon in value_cols.items():
        data[canon] = _check_measure(df, src, canon, codes, p)
    names = text(df, name_col).to_numpy(dtype=object) if name_col else None
    parents = {canon: text(df, src).to_numpy(dtype=object) for src, canon in parent_cols.items()}
    unit = {"lsoa": "lsoa11", "msoa": "msoa11", "lad": "lad19"}[level]
    meta: dict[str, object] = {"vintages": {"lad_code": 2013}} if parent_cols else {}
    return _finish(p, data=data, codes=codes, level=level, vintage=vintage, edition=edition,
                   names=names, parents=parents, layout=f"iod{edition}_{unit}", meta=meta)


def _read_trafford(p: Path, header: list[str], opts: ReadOptions) -> OfficialTable:
    measures = [m for m in TRAFFORD_MEASURES if m in header]
    df = read_csv(p, required=["lad19cd", "lad19nm", "index_domain", "year", *measures[:1]],
                  layout="Trafford Data Lab IoD LA summaries",
                  text_columns=["lad19cd", "lad19nm", "index_domain"])
    long_codes = text(df, "lad19cd").fillna("").to_numpy(dtype=object)
    years = numeric_column(df, "year", codes=long_codes, file=p, integer=True)
    i = first_true(years != years[0])
    if i is not None:
        raise InputDataError(f"the file mixes IoD editions {years[0]} and {years[i]}", file=p,
                             row=i + 1, column="year", code=str(long_codes[i]),
                             hint="read one IoD edition per file")
    domain = text(df, "index_domain").map(TRAFFORD_DOMAINS)
    i = first_true(domain.isna().to_numpy())
    if i is not None:
        raise SchemaError(f"unknown index_domain {df['index_domain'].iloc[i]!r}; expected one of "
                          f"{_preview(list(TRAFFORD_DOMAINS))}", file=p, row=i + 1,
                          column="index_domain", code=str(long_codes[i]))
    dup = pd.DataFrame({"c": long_codes, "d": domain}).duplicated().to_numpy()
    i = first_true(dup)
    if i is not None:
        raise InputDataError(f"{long_codes[i]} has index_domain {domain.iloc[i]!r} twice",
                             file=p, row=i + 1, column="index_domain", code=str(long_codes[i]),
                             hint="remove the duplicated row")
    long = pd.DataFrame({"area_code": long_codes, "domain": domain.to_numpy(dtype=object)})
    for m in measures:
        long[m] = _check_measure(df, m, f"x_{TRAFFORD_MEASURES[m]}", long_codes, p)
    wide = long.pivot(index="area_code", columns="domain", values=measures)
    order = pd.unique(long_codes)
    wide = wide.reindex(order)
    data = pd.DataFrame({"area_code": np.asarray(order, dtype=object)})
    for dom in TRAFFORD_DOMAINS.values():
        for m in measures:
            if (m, dom) in wide.columns:
                values = wide[(m, dom)]
                whole = "rank_of" in TRAFFORD_MEASURES[m]
                data[f"{dom}_{TRAFFORD_MEASURES[m]}"] = (
                    pd.array(values.to_numpy(), dtype="Int64") if whole else values.to_numpy())
    codes = data["area_code"].to_numpy(dtype=object)
    check_codes(codes, level="lad", countries=opts.countries, file=p, column="lad19cd")
    check_vintage(codes, level="lad", vintage=2019, file=p, column="lad19cd",
                  known_codes=opts.known_codes)
    by_code = pd.Series(text(df, "lad19nm").to_numpy(dtype=object), index=long_codes)
    names = by_code[~by_code.index.duplicated()].reindex(order).to_numpy(dtype=object)
    edition = int(years[0])
    return _finish(p, data=data, codes=codes, level="lad", vintage=2019, edition=edition,
                   names=names, parents={}, layout=f"iod{edition}_lad19_trafford", meta={})


def read_iod(path: str | Path, *, edition: int | None = None,
             options: ReadOptions | None = None) -> OfficialTable:
    """Read an English Indices of Deprivation file as area attributes.

    Recognises (by header) the IoD2015 LSOA file (score/rank/decile, with the LAD13 parent),
    the IoD2019 LSOA file (domain ranks and deciles), MSOA aggregates (IoD2015: IMD only;
    IoD2019: all domains), the IoD2019 LAD19 summaries, and the Trafford Data Lab long LA
    summaries (pivoted wide, one column per domain × measure).

    Parameters
    ----------
    edition
        2015 or 2019. Default: the ``year`` column (Trafford), else a year in the file name
        (``imd2015_…``), else the header (IoD2015 files carry ``IMD_score`` or only the overall
        MSOA measures).

    Returns
    -------
    OfficialTable
        kind ``attributes``; dataset e.g. ``iod2019_lsoa``, ``iod2019_lad``,
        ``iod2019_lad_summaries``; ``meta["edition"]``. Decile 1 = most deprived.
    """
    if edition not in (None, 2015, 2019):
        raise ValueError(f"edition was {edition!r} but is expected to be 2015, 2019 or None")
    p = Path(path)
    header = csv_header(p)
    opts = options or ReadOptions()
    if "index_domain" in header:
        table = _read_trafford(p, header, opts)
        if edition is not None and table.meta["edition"] != edition:
            raise InputDataError(f"edition {edition} was asked for but the file's year column "
                                 f"says {table.meta['edition']}", file=p, column="year")
        return table
    return _read_wide(p, header, opts, edition)


__all__ = ["DOMAINS", "TRAFFORD_DOMAINS", "read_iod"]
