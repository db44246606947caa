"""Census 2011 DC2101EW "Ethnic group by sex by age": the Nomis wide files and the tidy long file.

DC2101EW cross-tabulates usual residents by 3 sexes (all persons, males, females) × 22 ages
(all ages + 21 bands of unequal width: 0-4, 5-7, 8-9, 10-14, 15, 16-17, 18-19, 20-24, …, 85+)
× 24 ethnic categories (all, 5 broad totals, 18 detailed groups) for LAs, regions and countries
of England and Wales. It is the joint table from which the 2011 post-stratification frame is
built (``socint.covariates.frame``).

Two layouts are read:

* the Nomis bulk wide CSV (``date, geography, geography code`` then 1,584 cells headed
  ``Sex: …; Age: …; Ethnic Group: …; measures: Value``), for LAs, regions or countries;
* the tidy long LA file of the shared data (``geography_code, sex, age_band,
  ethnic_group_code, count``; detailed cells only, ``sex`` ``M``/``F``, three-letter ethnic
  codes WBI … OOT), and its code list ``ethnic_group_codes.csv``.

Both give an :class:`~socint.data.OfficialTable` of kind ``counts``, topic
``ethnicity_sex_age``, scheme ``ethnicity_2011_detailed``, whose ``data`` is long with two
extra dimension columns: ``area_code, sex ("male"/"female"), age_band, category, count``
(``meta["dimensions"]``). ``counts_wide`` of it is the all-ages, all-persons ethnic table
(QS201EW), because it sums over the extra dimensions.

The wide reader checks every sum the table publishes, exactly (Census 2011 tables are
additive): males + females = all persons, the 21 bands = all ages, the 18 groups = all groups and
each broad total = its groups, in every row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from socint.data.nomis import LAD_2011_ONLY, LAD_2013_NEW, NOMIS_TOPICS
from socint.data.source import csv_header, read_csv, sha256_of, text
from socint.data.table import OGL, ONS, SCHEMES, OfficialTable, areas_frame
from socint.data.validate import (
    ReadOptions,
    check_codes,
    check_unique,
    count_matrix,
    first_true,
)
from socint.errors import InputDataError, SchemaError, _preview
from socint.geo.codes import levels_of

#: DC2101EW age bands: Nomis label -> canonical band label (file order).
DC2101_AGES: dict[str, str] = {
    "Age 0 to 4": "0-4", "Age 5 to 7": "5-7", "Age 8 to 9": "8-9", "Age 10 to 14": "10-14",
    "Age 15": "15", "Age 16 to 17": "16-17", "Age 18 to 19": "18-19", "Age 20 to 24": "20-24",
    **{f"Age {a} to {a + 4}": f"{a}-{a + 4}" for a in range(25, 85, 5)},
    "Age 85 and over": "85+",
}
AGE_BANDS_DC2101: tuple[str, ...] = tuple(DC2101_AGES.values())
SEXES: dict[str, str] = {"Males": "male", "Females": "female"}
#: Three-letter codes of the tidy long file -> canonical ``ethnicity_2011_detailed`` category.
DC2101_ETHNIC_CODES: dict[str, str] = {
    "WBI": "white_british", "WIR": "white_irish", "WGT": "white_gypsy_traveller",
    "WHO": "white_other", "MWC": "mixed_white_black_caribbean",
    "MWF": "mixed_white_black_african", "MWA": "mixed_white_asian", "MOM": "mixed_other",
    "IND": "asian_indian", "PAK": "asian_pakistani", "BAN": "asian_bangladeshi",
    "CHI": "asian_chinese", "OAS": "asian_other", "BAF": "black_african",
    "BCA": "black_caribbean", "OBL": "black_other", "ARB": "other_arab", "OOT": "other_any",
}
SCHEME = "ethnicity_2011_detailed"
TOPIC = "ethnicity_sex_age"
DIMENSIONS = ("sex", "age_band", "category")
_SOURCE = f"{ONS}, Census 2011 table DC2101EW via Nomis"
_ETH = NOMIS_TOPICS["Ethnic Group"]
_BROAD = {"White": "White", "Mixed/multiple ethnic group": "Mixed",
          "Asian/Asian British": "Asian", "Black/African/Caribbean/Black British": "Black",
          "Other ethnic group": "Other"}
_ALL_SEX, _ALL_AGE, _ALL_ETH = "All persons", "All categories: Age", _ETH.total
_COUNTRY_EW = "K04000001"


def is_dc2101_header(header: list[str]) -> bool:
    """True for a Nomis wide CSV whose cells are ``Sex: …; Age: …; Ethnic Group: …``."""
    return "geography code" in header and any(
        h.startswith("Sex: ") and "; Age: " in h and "; Ethnic Group: " in h for h in header)


def _cell(sex: str, age: str, eth: str) -> str:
    return f"Sex: {sex}; Age: {age}; Ethnic Group: {eth}; measures: Value"


def _long_frame(codes: np.ndarray, cube: np.ndarray) -> pd.DataFrame:
    """Long ``area_code, sex, age_band, category, count`` from an area × 2 × 21 × 18 cube.

    Rows run area, then category, then sex, then age band: with the category *not* varying
    fastest, :func:`~socint.data.counts_wide` takes its pivot (summing) path and returns the
    all-ages, all-persons ethnic table instead of mistaking each block of 18 rows for an area.
    """
    n, s, a, e = cube.shape
    cube = np.transpose(cube, (0, 3, 1, 2))
    idx = np.indices((n, e, s, a)).reshape(4, -1)
    sexes = pd.Index(list(SEXES.values()))
    bands = pd.Index(list(AGE_BANDS_DC2101))
    cats = pd.Index(list(SCHEMES[SCHEME]))
    return pd.DataFrame({
        "area_code": np.asarray(codes, dtype=object)[idx[0]],
        "sex": pd.Categorical.from_codes(idx[2], categories=sexes),
        "age_band": pd.Categorical.from_codes(idx[3], categories=bands),
        "category": pd.Categorical.from_codes(idx[1], categories=cats),
        "count": cube.reshape(-1).astype(np.int64),
    })


def _level_and_vintage(codes: np.ndarray, file: Path, options: ReadOptions) -> tuple[str, int]:
    real = codes[codes != _COUNTRY_EW]
    found_levels = levels_of(pd.Series(real, dtype=object))
    levels = set(found_levels.dropna().unique())
    # Nomis region files list Wales (W92000004, a country) beside the English regions.
    level = ("region" if "region" in levels else str(next(iter(levels))) if len(levels) == 1
             else "country" if not levels else str(found_levels.dropna().iloc[0]))
    keep = (found_levels != "country").to_numpy() if level == "region" else slice(None)
    check_codes(real[keep], level=level, countries=options.countries, file=file,
                column="geography code")
    found = set(codes.tolist())
    vintage = 2011 if (level == "lad" and found & LAD_2011_ONLY) else (
        2013 if level == "lad" and found & LAD_2013_NEW else 2011)
    return level, vintage


def _check_sum(parts: np.ndarray, total: np.ndarray, codes: np.ndarray, file: Path,
               column: str, what: str) -> None:
    """Exact additivity check over a (rows × cells) pair; first offending row and cell named."""
    bad = parts != total
    i = first_true(bad.any(axis=tuple(range(1, bad.ndim))))
    if i is not None:
        raise InputDataError(f"{what} do not add up ({int(parts[i][bad[i]].ravel()[0])} vs "
                             f"{int(total[i][bad[i]].ravel()[0])})", file=file, row=i + 1,
                             column=column, code=str(codes[i]),
                             hint="DC2101EW cells are additive; the file looks altered or "
                                  "truncated: download the table again from Nomis")


def read_census2011_dc2101_wide(path: str | Path, *,
                                options: ReadOptions | None = None) -> OfficialTable:
    """Read a DC2101EW Nomis bulk wide CSV (LAs, regions or countries of England and Wales).

    Every one of the 1,584 cells must be present; all published sums are checked exactly.
    Dataset id ``census2011_ethnicity_sex_age_<level>`` (``lad``, ``region``, ``country``).
    ``areas.total`` is the all-persons, all-ages total.

    Raises
    ------
    SchemaError
        A missing or unknown cell header (names the first and the expected form).
    InputDataError
        Non-integer or negative counts, sums that do not add up, bad or duplicated codes.
    """
    opts = options or ReadOptions()
    p = Path(path)
    header = csv_header(p)
    sexes = [_ALL_SEX, *SEXES]
    ages = [_ALL_AGE, *DC2101_AGES]
    eths = [_ALL_ETH, *(f"{b}: Total" for b in _BROAD), *_ETH.categories]
    expected = [_cell(s, a, e) for s in sexes for a in ages for e in eths]
    cells = [h for h in header if h.startswith("Sex: ")]
    unknown = sorted(set(cells) - set(expected))
    if unknown:
        raise SchemaError(f"unknown DC2101EW column(s) {_preview(unknown)}; expected headers "
                          f"like {expected[1]!r}", file=p, column=unknown[0],
                          hint="read the DC2101EW table as downloaded from Nomis")
    df = read_csv(p, required=["geography", "geography code", *expected],
                  layout="Nomis DC2101EW table", text_columns=["geography", "geography code"])
    codes = text(df, "geography code").fillna("").to_numpy(dtype=object)
    check_unique(codes, file=p, column="geography code")
    level, vintage = _level_and_vintage(codes, p, opts)
    flat = count_matrix(df, expected, codes=codes, file=p)
    cube = flat.reshape(len(df), len(sexes), len(ages), len(eths))
    col0 = expected[0]
    _check_sum(cube[:, 1] + cube[:, 2], cube[:, 0], codes, p, col0, "males + females and "
               "all persons")
    _check_sum(cube[:, :, 1:].sum(axis=2), cube[:, :, 0], codes, p, col0, "the 21 age bands "
               "and all ages")
    det0 = 1 + len(_BROAD)
    _check_sum(cube[..., det0:].sum(axis=3), cube[..., 0], codes, p, col0, "the 18 ethnic "
               "groups and all groups")
    cats = list(SCHEMES[SCHEME])
    det_cats = [_ETH.categories[lab] for lab in eths[det0:]]
    for j, (label, broad) in enumerate(_BROAD.items()):
        members = [det0 + det_cats.index(c) for c in _ETH.subtotals[broad]]
        _check_sum(cube[..., members].sum(axis=3), cube[..., 1 + j], codes, p,
                   _cell(_ALL_SEX, _ALL_AGE, f"{label}: Total"), f"the {broad} groups and "
                   "their total")
    detailed = cube[:, 1:, 1:, det0:]
    order = [det_cats.index(c) for c in cats]
    detailed = detailed[..., order]
    return OfficialTable(
        dataset=f"census2011_ethnicity_sex_age_{level}", kind="counts", level=level,
        vintage=vintage, topic=TOPIC, scheme=SCHEME, data=_long_frame(codes, detailed),
        areas=areas_frame(codes, level=level, vintage=vintage,
                          names=text(df, "geography").to_numpy(dtype=object),
                          total=cube[:, 0, 0, 0]),
        source=_SOURCE, licence=OGL, path=p, sha256=sha256_of(p), layout="census2011_dc2101_wide",
        meta={"dimensions": DIMENSIONS, "table": "DC2101EW", "census": 2011,
              "age_bands": AGE_BANDS_DC2101},
    )


_LONG_COLUMNS = ("geography_code", "sex", "age_band", "ethnic_group_code", "count")


def read_census2011_dc2101_long(path: str | Path, *,
                                options: ReadOptions | None = None) -> OfficialTable:
    """Read the tidy long DC2101EW LA file (detailed cells only, one row per cell).

    Every LA must have each of the 2 × 21 × 18 cells exactly once. Dataset id
    ``census2011_ethnicity_sex_age_lad_long`` (the same numbers as the wide LA file, kept apart
    so that the store never confuses the two files).

    Raises
    ------
    InputDataError
        Unknown sex, age band or ethnic code (row and value named); a duplicated or missing cell;
        bad counts or codes.
    """
    opts = options or ReadOptions()
    p = Path(path)
    df = read_csv(p, required=list(_LONG_COLUMNS), layout="DC2101EW long",
                  text_columns=["geography_code", "sex", "age_band", "ethnic_group_code"])
    code_long = text(df, "geography_code").fillna("").to_numpy(dtype=object)
    dims = []
    for col, allowed in (("sex", {"M": 0, "F": 1}),
                         ("age_band", {a: i for i, a in enumerate(AGE_BANDS_DC2101)}),
                         ("ethnic_group_code", {c: list(SCHEMES[SCHEME]).index(v)
                                                for c, v in DC2101_ETHNIC_CODES.items()})):
        raw = text(df, col).fillna("")
        idx = raw.map(allowed)
        i = first_true(idx.isna().to_numpy())
        if i is not None:
            raise InputDataError(f"{col} {raw.iloc[i]!r} is not one of {_preview(list(allowed))}",
                                 file=p, row=i + 1, column=col, code=str(code_long[i]),
                                 hint="use the labels of the DC2101EW long file's README")
        dims.append(idx.to_numpy(dtype=np.int64))
    counts = count_matrix(df, ["count"], codes=code_long, file=p)[:, 0]
    area_idx, uniques = pd.factorize(pd.Series(code_long, dtype=object), sort=False)
    codes = np.asarray(uniques, dtype=object)
    level, vintage = _level_and_vintage(codes, p, opts)
    shape = (len(codes), 2, len(AGE_BANDS_DC2101), len(DC2101_ETHNIC_CODES))
    flat = np.ravel_multi_index((area_idx, *dims), shape)
    dup = pd.Series(flat).duplicated().to_numpy()
    i = first_true(dup)
    if i is not None:
        raise InputDataError("this cell occurs twice", file=p, row=i + 1, column="count",
                             code=str(code_long[i]), hint="keep one row per area × sex × age × "
                                                          "ethnic group")
    cube = np.full(int(np.prod(shape)), -1, dtype=np.int64)
    cube[flat] = counts
    if (cube < 0).any():
        a = int(np.flatnonzero(cube < 0)[0]) // int(np.prod(shape[1:]))
        raise InputDataError(f"{codes[a]} lacks some of its {np.prod(shape[1:])} cells", file=p,
                             code=str(codes[a]), hint="the long file must give every "
                                                      "sex × age band × ethnic group cell")
    cube = cube.reshape(shape)
    return OfficialTable(
        dataset=f"census2011_ethnicity_sex_age_{level}_long", kind="counts", level=level,
        vintage=vintage, topic=TOPIC, scheme=SCHEME, data=_long_frame(codes, cube),
        areas=areas_frame(codes, level=level, vintage=vintage, total=cube.sum(axis=(1, 2, 3))),
        source=f"{_SOURCE} (reshaped long)", licence=OGL, path=p, sha256=sha256_of(p),
        layout="census2011_dc2101_long",
        meta={"dimensions": DIMENSIONS, "table": "DC2101EW", "census": 2011,
              "age_bands": AGE_BANDS_DC2101},
    )


def read_dc2101_ethnic_codes(path: str | Path) -> OfficialTable:
    """Read ``ethnic_group_codes.csv``: the long file's three-letter codes and Nomis labels.

    Checked against :data:`DC2101_ETHNIC_CODES` and the Nomis labels of QS201EW, so a file whose
    codes mean something else is refused. Kind ``lookup`` (``ethnic_group_code``,
    ``ethnic_group_label``, ``category``), dataset ``census2011_dc2101_ethnic_codes``.
    """
    p = Path(path)
    df = read_csv(p, required=["ethnic_group_code", "ethnic_group"], layout="DC2101EW codes",
                  text_columns=["ethnic_group_code", "ethnic_group"])
    code = text(df, "ethnic_group_code").fillna("")
    label = text(df, "ethnic_group").fillna("")
    canon = code.map(DC2101_ETHNIC_CODES)
    by_label = label.map(_ETH.categories)
    i = first_true((canon.isna() | (canon != by_label)).to_numpy())
    if i is not None:
        raise InputDataError(f"code {code.iloc[i]!r} with label {label.iloc[i]!r} is not a "
                             "DC2101EW ethnic group code", file=p, row=i + 1,
                             column="ethnic_group_code", code=str(code.iloc[i]),
                             hint=f"known codes: {', '.join(DC2101_ETHNIC_CODES)}")
    data = pd.DataFrame({"ethnic_group_code": code.to_numpy(dtype=object),
                         "ethnic_group_label": label.to_numpy(dtype=object),
                         "category": canon.to_numpy(dtype=object)})
    return OfficialTable(
        dataset="census2011_dc2101_ethnic_codes", kind="lookup", level=None, vintage=None,
        topic=None, scheme=None, data=data, areas=None, source=_SOURCE, licence=OGL, path=p,
        sha256=sha256_of(p), layout="census2011_dc2101_codes", meta={"vintages": {}})


__all__ = ["AGE_BANDS_DC2101", "DC2101_AGES", "DC2101_ETHNIC_CODES", "is_dc2101_header",
           "read_census2011_dc2101_long", "read_census2011_dc2101_wide",
           "read_dc2101_ethnic_codes"]
