"""Census 2011 small-area ethnic group counts (the MLID OA and LSOA files).

Layout (``census2011_ethnicity_oa_lsoa_mlid/``, from R package MLID, Harris 2017): one row per
OA (``OA`` column) or LSOA, ``Persons`` and 14 group columns (the four Mixed groups collapsed), the
MSOA code and the LA and region *names*. "White: Gypsy or Irish Traveller" is left out of the 14
columns, so it is derived as ``Persons − Σ groups`` (57,680 over E&W, the published count of
Census 2011 table KS201EW); a negative remainder means the groups exceed the total and is
rejected.

The opposite fault - ``Persons`` larger than it should be - cannot be proven from one row, since
the excess flows silently into the derived Gypsy/Traveller count. It is caught with two bounds
taken from the published Census 2011 LA table QS201EW (not tuned on the MLID files):

* **per area**: a single OA or LSOA is part of one LA, so its Gypsy/Traveller count cannot exceed
  the largest LA count in England and Wales, 873 (Basildon, E07000066);
* **per LA** (areas grouped by the file's ``LAD`` name): the share cannot plausibly exceed
  :data:`GYPSY_MAX_LA_SHARE` = 1 %, about twice the highest LA share in 2011 (0.54 %, E07000110),
  nor the LA count exceed 873. The share rule applies only when the file's areas of that LA hold
  at least :data:`SMALLEST_LA_PERSONS` = 2,203 persons (Isles of Scilly, the smallest LA), so a
  handful of areas is not judged by a whole-LA share.

Any area or LA beyond a bound is named in one :class:`~socint.errors.ExcessPersonsWarning` (the
table is still returned: the other 14 groups are unaffected). On the real files no area or LA is
flagged (largest derived counts: 675 in one LSOA; 873 in an LA). Synthetic codes (socint's
synthetic England) are not checked: its invented areas need not follow these bounds.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

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
from socint.errors import ExcessPersonsWarning, InputDataError
from socint.geo.codes import is_synthetic

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
#: Largest White: Gypsy or Irish Traveller count of any LA in Census 2011 (QS201EW, E&W:
#: Basildon E07000066), the upper bound for any OA, LSOA or LA.
GYPSY_MAX_LA_COUNT = 873
#: Largest plausible Gypsy/Traveller share of an LA's persons: about twice the highest share of
#: any LA in QS201EW (0.54 %).
GYPSY_MAX_LA_SHARE = 0.01
#: Usual residents of the smallest LA in Census 2011 (Isles of Scilly, E06000053).
SMALLEST_LA_PERSONS = 2203


def warn_excess_persons(codes: np.ndarray, gypsy: np.ndarray, total: np.ndarray,
                        lad_names: np.ndarray | None, *, file: Path) -> list[str]:
    """Warn when ``Persons − Σ groups`` is too large to be Gypsy/Traveller (see module notes).

    Returns the flagged area codes and LA names (empty when nothing is flagged).
    """
    flagged: list[str] = []
    parts: list[str] = []
    # The bounds are facts about real England; socint's synthetic areas do not follow them.
    real = ~np.fromiter((is_synthetic(c) for c in codes), bool, len(codes))
    row_no = np.flatnonzero(real) + 1
    if not real.all():
        codes, gypsy, total = codes[real], gypsy[real], total[real]
        lad_names = None if lad_names is None else lad_names[real]
    over = np.flatnonzero(gypsy > GYPSY_MAX_LA_COUNT)
    if over.size:
        flagged += [str(codes[i]) for i in over]
        parts.append(f"{over.size} area(s) where Persons exceeds the 14 groups by more than "
                     f"{GYPSY_MAX_LA_COUNT}: " + ", ".join(
                         f"{codes[i]} (row {row_no[i]}, Persons {int(total[i]):,}, excess "
                         f"{int(gypsy[i]):,})" for i in over[:10])
                     + (f", … ({over.size - 10} more)" if over.size > 10 else ""))
    if lad_names is not None:
        by_la = pd.DataFrame({"la": lad_names, "g": gypsy, "t": total}).groupby(
            "la", sort=True, dropna=True)[["g", "t"]].sum()
        share = by_la["g"] / by_la["t"].where(by_la["t"] > 0)
        bad = by_la[(by_la["g"] > GYPSY_MAX_LA_COUNT) | ((share > GYPSY_MAX_LA_SHARE)
                                                     & (by_la["t"] >= SMALLEST_LA_PERSONS))]
        if len(bad):
            flagged += [str(x) for x in bad.index]
            parts.append(f"{len(bad)} LA(s) whose excess over the groups is implausible for "
                         f"Gypsy/Traveller (above {GYPSY_MAX_LA_COUNT} or "
                         f"{GYPSY_MAX_LA_SHARE:.0%} of persons): " + ", ".join(
                             f"{la} (excess {int(r.g):,} of {int(r.t):,} persons, "
                             f"{r.g / max(r.t, 1):.1%})" for la, r in bad.head(10).iterrows()))
    if parts:
        warnings.warn(ExcessPersonsWarning(
            f"{file}: White: Gypsy or Irish Traveller is derived as Persons − Σ 14 groups, and "
            + "; ".join(parts) + f". In Census 2011 no LA had more than {GYPSY_MAX_LA_COUNT} "
            "(QS201EW), so Persons is probably wrong there and the derived Gypsy/Traveller count "
            "(and any index using it) is inflated. How to fix: restore Persons from the official "
            "file (it must be the all-usual-residents total), or set it to the sum of the groups "
            "plus the true Gypsy/Traveller count."), stacklevel=3)
    return flagged


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
    warn_excess_persons(codes, gypsy, total, parent_values.get("lad_name"), file=p)
    return OfficialTable(
        dataset=f"census2011_ethnicity_{level}", kind="counts", level=level, vintage=2011,
        topic="ethnicity", scheme=SCHEME, data=counts_long(codes, full, SCHEME),
        areas=areas_frame(codes, level=level, vintage=2011, total=total, parents=parent_values),
        source=f"{ONS}, Census 2011 (KS201EW/QS201EW categories) via R package MLID",
        licence=OGL, path=p, sha256=sha256_of(p), layout=f"census2011_ethnicity_{level}_mlid",
        meta={"derived": {"white_gypsy_traveller": "Persons - sum of the 14 groups"}},
    )


__all__ = ["GYPSY_MAX_LA_COUNT", "GYPSY_MAX_LA_SHARE", "MLID_GROUPS",
           "read_census2011_ethnicity_small_area", "warn_excess_persons"]
