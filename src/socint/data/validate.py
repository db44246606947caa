"""Reusable, vectorised checks of official tables.

Every check raises :class:`~socint.errors.InputDataError` (or its subclass
:class:`~socint.errors.SchemaError` for layout problems) naming the file, the 1-based data row
(header excluded), the column and the area code of the *first* offending cell, and how to fix it.
The first bad row is found with numpy (``np.flatnonzero``), never with a per-row Python loop, so
that checking the 181,408-row Census 2011 OA file costs milliseconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import (
    GeographyError,
    GeographyWarning,
    InputDataError,
    SchemaError,
    _preview,
)
from socint.geo.codes import SYNTHETIC_INSTANCE_MIN, validate_codes

#: Largest code of each 2011 small-area level by country (ONS Code History Database). Codes above
#: these were first issued for the 2021 geography (e.g. LSOA21 ``E01033769`` onwards), so a code
#: beyond the range in a file declared 2011 is reliably of a later vintage. No such rule is
#: reliable for LAs (codes are re-used across vintages); there a lookup is needed.
MAX_2011_CODE: dict[str, dict[str, int]] = {
    "oa": {"E": 176774, "W": 10265},
    "lsoa": {"E": 33768, "W": 1958},
    "msoa": {"E": 6934, "W": 423},
}


#: Largest count of persons (or households) accepted in one cell: 10 billion, more than everyone
#: alive (about 8.1 billion in 2024, UN World Population Prospects). A larger value is a corrupted
#: or mis-typed cell (e.g. ``1e20``), and casting it to int64 would overflow into a negative
#: number, so it is refused before any cast.
MAX_COUNT = 10_000_000_000


#: English LA codes created by the 2019-2023 mergers: new code -> (name, year of 1 April it took
#: effect, the LA codes it replaced). Public facts of the ONS Code History Database (also in
#: ``ons_uk_topojson_lad_2014_2025/ltla_changes_2014_2025.csv``). A code exists in LA vintage
#: ``V`` only from its year on, and the codes it replaced end that year.
LA_MERGERS_2019_2023: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "E06000058": ("Bournemouth, Christchurch and Poole", 2019,
                  ("E06000028", "E06000029", "E07000048")),
    "E06000059": ("Dorset", 2019,
                  ("E07000049", "E07000050", "E07000051", "E07000052", "E07000053")),
    "E07000244": ("East Suffolk", 2019, ("E07000205", "E07000206")),
    "E07000245": ("West Suffolk", 2019, ("E07000201", "E07000204")),
    "E07000246": ("Somerset West and Taunton", 2019, ("E07000190", "E07000191")),
    "E06000060": ("Buckinghamshire", 2020,
                  ("E07000004", "E07000005", "E07000006", "E07000007")),
    "E06000061": ("North Northamptonshire", 2021,
                  ("E07000150", "E07000152", "E07000153", "E07000156")),
    "E06000062": ("West Northamptonshire", 2021, ("E07000151", "E07000154", "E07000155")),
    "E06000063": ("Cumberland", 2023, ("E07000026", "E07000028", "E07000029")),
    "E06000064": ("Westmorland and Furness", 2023, ("E07000027", "E07000030", "E07000031")),
    "E06000065": ("North Yorkshire", 2023, ("E07000163", "E07000164", "E07000165", "E07000166",
                                            "E07000167", "E07000168", "E07000169")),
    "E06000066": ("Somerset", 2023, ("E07000187", "E07000188", "E07000189", "E07000246")),
}
#: The six 2011 LA codes re-issued on 1 April 2013 (same areas; ONS Code History Database).
LA_ENDED_2013: frozenset[str] = frozenset({"E06000048", "E08000020", "E07000097", "E07000100",
                                           "E07000101", "E07000104"})
#: LA code -> (year it ended, the code that replaced it), from the two constants above.
LA_ENDED: dict[str, tuple[int, str]] = {
    old: (year, new) for new, (_, year, olds) in LA_MERGERS_2019_2023.items() for old in olds}


def check_la_vintage(codes: np.ndarray, *, vintage: int, file: str | Path, column: str) -> None:
    """Compare LA codes with the LA set of ``vintage`` (see :data:`LA_MERGERS_2019_2023`).

    * A table declared before 2019 (Census 2011, on 2011 or 2013 codes) holding a code created by
      the 2019-2023 mergers gets a :class:`~socint.errors.GeographyWarning`: the rows are
      probably re-aggregated to later LAs (as ONS does for some 2011 outputs), so they will not
      join 2011 lookups.
    * A table declared 2019 or later is refused (:class:`InputDataError`) for a code created
      after its vintage, a code that had ended by its vintage, or a pre-2013 code: such a code
      is certainly of another vintage.
    """
    found = pd.Series(codes, dtype=object).astype(str).to_numpy()
    later = np.array([c in LA_MERGERS_2019_2023 and LA_MERGERS_2019_2023[c][1] > vintage
                      for c in found], dtype=bool)
    if vintage < 2019:
        hits = np.flatnonzero(later)
        if hits.size:
            listed = ", ".join(f"{found[i]} ({LA_MERGERS_2019_2023[found[i]][0]}, created "
                               f"{LA_MERGERS_2019_2023[found[i]][1]}, row {i + 1})"
                               for i in hits[:8])
            warnings.warn(GeographyWarning(
                f"{file}: a {vintage} LA table holds {hits.size} LA code(s) created after "
                f"{vintage} by the 2019-2023 mergers: {listed}. These rows are in later LA "
                f"geography and will not join {vintage} lookups or boundaries. How to fix: use "
                f"the table published on {vintage} LAs, or move the whole analysis to the later "
                "LA set (socint.geo.vintages) so every table uses the same codes."), stacklevel=3)
        return
    ended = np.array([(c in LA_ENDED and LA_ENDED[c][0] <= vintage) or c in LA_ENDED_2013
                      for c in found], dtype=bool)
    i = first_true(later | ended)
    if i is None:
        return
    c = found[i]
    if later[i]:
        name, year, olds = LA_MERGERS_2019_2023[c]
        what = (f"LA code {c} ({name}) was created in {year} (replacing {', '.join(olds)}), so "
                f"it cannot be in a {vintage} LA table: the file mixes {vintage} and {year} LA "
                "codes")
    elif c in LA_ENDED_2013:
        what = (f"LA code {c} is a 2011 code re-issued in 2013, so it cannot be in a {vintage} "
                f"LA table: the file mixes 2011 and {vintage} LA codes")
    else:
        year, new = LA_ENDED[c]
        what = (f"LA code {c} ended in {year} (merged into {new} "
                f"{LA_MERGERS_2019_2023[new][0]}), so it cannot be in a {vintage} LA table: the "
                f"file mixes pre-{year} and {vintage} LA codes")
    raise InputDataError(what, file=file, row=i + 1, column=column, code=c,
                         hint=f"use the table published on {vintage} LAs, or convert the older "
                              "rows with socint.geo.vintages before reading them together")


@dataclass(frozen=True)
class ReadOptions:
    """How strict a reader is.

    Parameters
    ----------
    total_tolerance_abs, total_tolerance_rel
        A row passes the "categories sum to the total" check when
        ``|Σ categories − total| <= abs + rel * total``. Exact (0, 0) by default, which is right
        for Census 2011 tables; see :data:`CENSUS2021_SMALL_AREA_OPTIONS` for Census 2021.
    countries
        Country letters of GSS codes accepted (``"EW"`` = England and Wales).
    known_codes
        Optional set of the valid codes of the declared level and vintage (e.g. the LSOA11
        codes of a lookup). Codes not in it are reported as an unexpected vintage.
    """

    total_tolerance_abs: float = 0.0
    total_tolerance_rel: float = 0.0
    countries: str = "EW"
    known_codes: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.total_tolerance_abs < 0 or self.total_tolerance_rel < 0:
            raise ValueError("total_tolerance_abs and total_tolerance_rel must be >= 0, got "
                             f"{self.total_tolerance_abs} and {self.total_tolerance_rel}")
        if not self.countries or set(self.countries) - set("EWSNK"):
            raise ValueError(f"countries was {self.countries!r} but is expected to be letters "
                             "from 'EWSNK', e.g. 'EW' or 'E'")


#: Default for Census 2021 small-area tables. ONS protects Census 2021 outputs with cell-key
#: perturbation ("Protecting personal data in Census 2021 results", ONS 2022): each cell may be
#: moved by a few persons, so category cells need not add exactly to a separately protected total.
#: We allow 10 persons plus 0.5 % of the total, far below any real layout error. The shared TS021/
#: TS030 files happen to add up exactly, which the tests check with exact options.
CENSUS2021_SMALL_AREA_OPTIONS = ReadOptions(total_tolerance_abs=10.0, total_tolerance_rel=0.005)


def first_true(mask: np.ndarray) -> int | None:
    """Index of the first True of a boolean array (``None`` if there is none)."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def require_columns(found: Sequence[str], expected: Sequence[str], *, file: str | Path,
                    layout: str) -> None:
    """Raise :class:`SchemaError` if any expected header is missing."""
    missing = [c for c in expected if c not in set(found)]
    if missing:
        raise SchemaError(
            f"{layout}: missing column(s) {_preview(missing)}; expected headers: "
            f"{_preview(expected, 40)}; found: {_preview(found, 40)}",
            file=file, column=missing[0],
            hint=f"use the unmodified {layout} file, or rename the columns to the expected "
                 "headers",
        )


def _refuse_huge(num: np.ndarray, s: pd.Series, *, col: str, codes: np.ndarray,
                 row_no: np.ndarray, file: str | Path) -> None:
    """Refuse infinite counts and counts above :data:`MAX_COUNT` (before any int64 cast)."""
    i = first_true(~(np.abs(num) <= MAX_COUNT) & ~np.isnan(num))
    if i is not None:
        raw = s.iloc[i]
        shown = (repr(raw) if isinstance(raw, str) else str(int(raw))
                 if isinstance(raw, (int, np.integer)) else f"{float(raw):g}")
        raise InputDataError(
            f"count {shown} is implausibly large (above {MAX_COUNT:,}, more than the "
            "world's population); it cannot be a count of persons", file=file,
            row=int(row_no[i]), column=col, code=str(codes[i]),
            hint="the cell is corrupted or mis-typed (e.g. an exponent such as 1e20); restore it "
                 "from the official file")


def count_matrix(df: pd.DataFrame, columns: Sequence[str], *, codes: np.ndarray,
                 file: str | Path, rows: np.ndarray | None = None) -> np.ndarray:
    """The named columns as an int64 matrix, after checking they hold whole, non-negative numbers.

    ``rows`` gives the 1-based file row of each row of ``df`` when ``df`` is a subset of the file
    (default: position + 1).

    Raises
    ------
    InputDataError
        For the first missing, non-numeric, non-integer or negative cell (row, column, code).
    """
    out = np.empty((len(df), len(columns)), dtype=np.int64)
    row_no = np.arange(1, len(df) + 1) if rows is None else np.asarray(rows)
    for j, col in enumerate(columns):
        s = df[col]
        if pd.api.types.is_integer_dtype(s.dtype) and not s.hasnans:
            _refuse_huge(s.to_numpy(dtype=float), s, col=col, codes=codes, row_no=row_no,
                         file=file)
            values = s.to_numpy(dtype=np.int64)
        else:
            num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            bad = np.isnan(num)
            i = first_true(bad)
            if i is not None:
                raw = s.iloc[i]
                what = "is empty" if pd.isna(raw) or str(raw).strip() == "" else \
                    f"is not a number ({raw!r})"
                raise InputDataError(f"count {what}", file=file, row=int(row_no[i]), column=col,
                                     code=str(codes[i]),
                                     hint="counts must be whole numbers; fix or remove the cell")
            _refuse_huge(num, s, col=col, codes=codes, row_no=row_no, file=file)
            i = first_true(num != np.round(num))
            if i is not None:
                raise InputDataError(f"count is not a whole number ({num[i]:g})", file=file,
                                     row=int(row_no[i]), column=col, code=str(codes[i]),
                                     hint="counts of persons must be integers; percentages or "
                                          "rates belong in another table")
            values = num.astype(np.int64)
        i = first_true(values < 0)
        if i is not None:
            raise InputDataError(f"count is negative ({values[i]})", file=file,
                                 row=int(row_no[i]),
                                 column=col, code=str(codes[i]),
                                 hint="counts cannot be negative; check the file was not altered")
        out[:, j] = values
    return out


def numeric_column(df: pd.DataFrame, column: str, *, codes: np.ndarray, file: str | Path,
                   integer: bool = False, lo: float | None = None, hi: float | None = None,
                   rows: np.ndarray | None = None) -> np.ndarray:
    """An attribute column as float (or int64 when ``integer``), checked for type and range.

    Raises
    ------
    InputDataError
        First empty, non-numeric, non-integer (when ``integer``) or out-of-range cell.
    """
    row_no = np.arange(1, len(df) + 1) if rows is None else np.asarray(rows)
    s = df[column]
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    problems: list[tuple[np.ndarray, str]] = [(np.isnan(num), "is empty or not a number")]
    if integer:
        problems.append((num != np.round(num), "is not a whole number"))
    if lo is not None:
        problems.append((num < lo, f"is below {lo:g}"))
    if hi is not None:
        problems.append((num > hi, f"is above {hi:g}"))
    for mask, what in problems:
        i = first_true(mask)
        if i is not None:
            raise InputDataError(f"value {s.iloc[i]!r} {what}", file=file, row=int(row_no[i]),
                                 column=column, code=str(codes[i]),
                                 hint=f"{column} must be a number"
                                      + (f" between {lo:g} and {hi:g}" if lo is not None
                                         and hi is not None else ""))
    return num.astype(np.int64) if integer else num


def check_total(parts: np.ndarray, total: np.ndarray, *, options: ReadOptions,
                file: str | Path, codes: np.ndarray, total_column: str,
                parts_label: str) -> None:
    """Check each row's parts sum to its total within the options' tolerance."""
    diff = parts.sum(axis=1) - total
    allowed = options.total_tolerance_abs + options.total_tolerance_rel * np.abs(total)
    i = first_true(np.abs(diff) > allowed)
    if i is not None:
        raise InputDataError(
            f"{parts_label} sum to {int(parts[i].sum())} but {total_column} is {int(total[i])} "
            f"(difference {int(diff[i])}, tolerance {allowed[i]:g})",
            file=file, row=i + 1, column=total_column, code=str(codes[i]),
            hint="the categories must partition the total; check for a missing or duplicated "
                 "category column, or loosen ReadOptions.total_tolerance_abs/_rel for perturbed "
                 "(Census 2021) data",
        )


def check_unique(codes: np.ndarray, *, file: str | Path, column: str) -> None:
    """Raise if an area code occurs twice; names both rows."""
    dup = pd.Series(codes).duplicated(keep=False).to_numpy()
    i = first_true(dup)
    if i is not None:
        rows = np.flatnonzero(codes == codes[i]) + 1
        raise InputDataError(f"area code {codes[i]} occurs {rows.size} times (rows "
                             f"{', '.join(map(str, rows[:10]))})", file=file, row=int(rows[1]),
                             column=column, code=str(codes[i]),
                             hint="each area must appear once; remove the duplicated row")


def check_codes(codes: np.ndarray, *, level: str | None, countries: str, file: str | Path,
                column: str) -> None:
    """Check codes are GSS codes of ``level`` in ``countries`` (via ``validate_codes``).

    The :class:`GeographyError` of ``validate_codes`` (which lists every offending code) is
    re-raised as :class:`InputDataError` with the first offending row, since here the cause is
    the file's content.
    """
    try:
        validate_codes(pd.Series(codes, dtype=object), level=level, countries=countries,
                       file=str(file), column=column)
    except GeographyError as exc:
        from socint.geo.codes import is_gss, levels_of
        lv = levels_of(pd.Series(codes, dtype=object))
        ok_shape = np.fromiter((is_gss(c) for c in codes), bool, len(codes))
        bad = ~ok_shape | lv.isna().to_numpy() | ~np.isin(
            np.array([str(c)[:1] for c in codes], dtype=object), list(countries))
        if level is not None:
            bad |= (lv != level).to_numpy()
        i = first_true(bad)
        raise InputDataError(exc.message, file=file, row=None if i is None else i + 1,
                             column=column, code=exc.code,
                             hint=exc.hint or "check the file holds areas of the expected "
                                              "level") from exc


def check_vintage(codes: np.ndarray, *, level: str, vintage: int, file: str | Path, column: str,
                  known_codes: Collection[str] | None = None) -> None:
    """Detect codes of another vintage than the file declares.

    Two rules: (1) for OA/LSOA/MSOA declared 2011, a code number above the 2011 range
    (:data:`MAX_2011_CODE`) is a 2021 code; (2) when ``known_codes`` (from a lookup of the
    declared vintage) is given, any code not in it is reported.
    """
    if level == "lad":
        check_la_vintage(codes, vintage=vintage, file=file, column=column)
    bad: np.ndarray | None = None
    if vintage == 2011 and level in MAX_2011_CODE:
        s = pd.Series(codes, dtype=object).astype(str)
        first = s.str.slice(0, 1).to_numpy(dtype=object)
        limit = np.full(len(s), np.inf)
        for letter, last in MAX_2011_CODE[level].items():
            limit[first == letter] = last
        number = pd.to_numeric(s.str.slice(3), errors="coerce").to_numpy(dtype=float,
                                                                         na_value=0.0)
        # Codes in socint's synthetic range (geo.codes.SYNTHETIC_INSTANCE_MIN) are not real
        # later-vintage codes: the synthetic England declares itself 2011 geography.
        bad = (number > limit) & (number < SYNTHETIC_INSTANCE_MIN)
        reason = f"is beyond the last {level.upper()} 2011 code, so it is of a later vintage"
    i = first_true(bad) if bad is not None else None
    if i is None and known_codes is not None:
        bad = ~pd.Series(codes, dtype=object).isin(set(known_codes)).to_numpy()
        reason = f"is not in the {level} {vintage} lookup given"
        i = first_true(bad)
    if i is not None:
        raise InputDataError(
            f"area code {codes[i]} {reason}; the file is declared {level} {vintage}",
            file=file, row=i + 1, column=column, code=str(codes[i]),
            hint=f"use the reader for the vintage of the file, or recode the areas to {vintage} "
                 "geography with a lookup first")


__all__ = ["CENSUS2021_SMALL_AREA_OPTIONS", "LA_ENDED", "LA_ENDED_2013", "LA_MERGERS_2019_2023",
           "MAX_2011_CODE", "MAX_COUNT", "ReadOptions", "check_codes", "check_la_vintage",
           "check_total", "check_unique", "check_vintage", "count_matrix", "first_true",
           "numeric_column", "require_columns"]
