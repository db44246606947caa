"""Load small-area counts for the measures from a file or from the built-in synthetic England.

Files are recognised by their header and read with the ``socint.data`` readers (MLID OA/LSOA
files, Nomis bulk tables). Any other CSV is read as a *wide counts table*: a unit code column
(``area_code`` or ``<level>_code`` of the finest level present), optional parent columns
(``<level>_code`` / ``<level>_name``), an optional ``total`` column and one column per category
of a known scheme (detected from the category names, or given).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from socint.errors import SchemaError, _preview
from socint.geo.codes import LEVEL_ORDER
from socint.measures.schemes import SCHEMES
from socint.measures.units import UnitCounts

SYNTHETIC = "synthetic"


def read_units(source: str | Path, *, scheme: str | None = None, seed: int = 2011) -> UnitCounts:
    """Read counts from ``source``: a file path, or ``"synthetic"`` for synthetic England.

    Parameters
    ----------
    source
        Path of a counts file, or ``"synthetic"``.
    scheme
        Category scheme of a generic wide CSV (detected from the column names when omitted).
    seed
        Seed of the synthetic England.
    """
    if str(source) == SYNTHETIC:
        # the synthetic England is a pipeline source: only the pipeline imports it
        from socint.pipeline import synthetic_unit_counts

        return synthetic_unit_counts(seed)
    from socint.data.source import csv_header

    path = Path(source)
    header = csv_header(path)
    if "Persons" in header and "WhiteBrit" in header:
        from socint.data.census2011 import read_census2011_ethnicity_small_area

        return UnitCounts.from_table(read_census2011_ethnicity_small_area(path))
    if "geography code" in header:
        from socint.data.nomis import read_census2011_nomis

        return UnitCounts.from_table(read_census2011_nomis(path))
    if {"ltla21_code", "msoa21_code", "lsoa21_code"} & set(header):
        return census2021_units(path)
    return _read_wide(path, header, scheme)


def census2021_units(path: str | Path) -> UnitCounts:
    """Census 2021 TS021 counts (LTLA21 19 groups, MSOA21 6 groups, LSOA21 5 broad groups).

    The files carry no parent codes, so LSOA21 and MSOA21 units get ``msoa_code``/``lad_code``
    from the bundled ONS lookup (``socint.extract``: LSOA21 -> MSOA21 -> LTLA21); units of
    Wales, absent from the England lookup, keep no LA and are dropped by the England presets.
    """
    from socint.data import read_official

    table = read_official(path)
    units = UnitCounts.from_table(table)
    if table.level == "lad":  # each unit is its own LA: key the output on its code
        from dataclasses import replace as _replace

        parents = units.parents.copy()
        parents["lad_code"] = pd.Series(units.codes, dtype=object).to_numpy()
        return _replace(units, parents=parents)
    if table.level in ("lsoa", "msoa") and "lad_code" not in units.parents.columns:
        from socint.extract import load

        lk = load("lookup_lsoa21_msoa21_lad21")
        assert isinstance(lk, pd.DataFrame)
        key = f"{table.level}_code"
        lk = lk.drop_duplicates(key).set_index(key)
        parents = units.parents.copy()
        codes = pd.Series(units.codes, dtype=object)
        if table.level == "lsoa":
            parents["msoa_code"] = codes.map(lk["msoa_code"]).to_numpy(dtype=object)
        parents["lad_code"] = codes.map(lk["lad_code"]).to_numpy(dtype=object)
        parents["lad_name"] = codes.map(lk["lad_name"]).to_numpy(dtype=object)
        keep = codes.map(lambda c: str(c).startswith("E")).to_numpy(dtype=bool)
        from dataclasses import replace

        units = replace(units, parents=parents).only(keep)
    return units


def _read_wide(path: Path, header: list[str], scheme: str | None) -> UnitCounts:
    structural = {f"{lv}_{kind}" for lv in LEVEL_ORDER for kind in ("code", "name")}
    structural |= {"area_code", "area_name", "total"}
    cats = [h for h in header if h not in structural]
    if scheme is None:
        fits = [s for s, allowed in SCHEMES.items() if cats and set(cats) <= set(allowed)]
        if not fits:
            raise SchemaError(
                f"cannot tell the category scheme of {_preview(cats)}; they are not all "
                f"canonical category names of one scheme", file=path, column=cats[0] if cats
                else None, hint="rename the columns to canonical category names (see "
                "docs/architecture.md) or pass the scheme explicitly")
        scheme = min(fits, key=lambda s: len(SCHEMES[s]))
    levels = [lv for lv in LEVEL_ORDER if f"{lv}_code" in header]
    if "area_code" in header:
        code_col = "area_code"
        from socint.geo.codes import levels_of

        first = pd.read_csv(path, usecols=["area_code"], nrows=1, dtype=str)["area_code"]
        level = str(levels_of(first).iloc[0]) if len(first) else "oa"
    elif levels:
        code_col, level = f"{levels[0]}_code", levels[0]
    else:
        raise SchemaError("no unit code column (area_code or <level>_code)", file=path,
                          hint="add an area_code column with the units' GSS codes")
    parents = [h for h in header if h in structural and h not in (code_col, "total",
                                                                  "area_name")]
    text_cols = {c: "string" for c in [code_col, *parents]}
    df = pd.read_csv(path, dtype=text_cols, encoding="utf-8-sig")
    return UnitCounts.from_frame(
        df, level=level, scheme=scheme, code_col=code_col, categories=cats,
        total_col="total" if "total" in header else None, parent_cols=parents, file=str(path))


__all__ = ["SYNTHETIC", "census2021_units", "read_units"]
