"""Carrying 2011 small-area attributes to 2021 areas, and 2021 LAs to the 2023 LA set.

**LSOA11 -> LSOA21** (ONS ``LSOA11_LSOA21_LAD22`` lookup; ``change_code`` U unchanged, S split,
M merged, X complex). Attributes published only on 2011 LSOAs (IoD 2019, RUC 2011) are carried
by one rule, *population-weighted over the 2011 parents*:

* each lookup row (lsoa11, lsoa21) gets the weight ``pop11 / k``: the 2011 population of the
  LSOA11 (Census 2011 usual residents) shared equally among its ``k`` LSOA21 children (how a
  split LSOA's population divides is not published on 2011 bases, so equal shares are assumed);
* a numeric attribute of an LSOA21 is the weighted mean over its rows; a categorical one is the
  category with the largest total weight (ties: the first in sorted order).

So an unchanged or split LSOA21 inherits its one parent's value exactly; a merged one gets the
population-weighted mean (numeric) or the majority class (categorical). A weighted mean of IoD
*ranks* is not itself a rank: re-rank or re-decile after carrying.

**LTLA21 -> LTLA23**: merges sum (Cumberland, Westmorland and Furness, North Yorkshire, Somerset);
no LA was split, and :func:`socint.geo.vintages.convert_la_vintage` refuses splits anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from socint.errors import GeographyError, _preview
from socint.geo.vintages import LaChanges, convert_la_vintage


def _require(frame: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise GeographyError(f"{what} lacks column(s) {_preview(missing)}; it has "
                             f"{_preview(list(frame.columns))}")


def carry_lsoa11_to_lsoa21(values: pd.DataFrame, columns: Iterable[str], *,
                           lookup: pd.DataFrame, population: pd.DataFrame,
                           categorical: Iterable[str] = ()) -> pd.DataFrame:
    """Carry LSOA11 attributes to LSOA21 by the population-weighted rule of the module.

    Parameters
    ----------
    values
        ``lsoa11_code`` and the attribute ``columns``.
    lookup
        ``lsoa11_code, lsoa21_code`` rows (e.g. ``socint.extract.load("lookup_lsoa11_lsoa21")``).
    population
        ``lsoa11_code, population`` (2011 usual residents), the weights.
    categorical
        The columns that are classes (e.g. ``ruc11_code``); the others must be numeric.

    Returns
    -------
    pandas.DataFrame
        ``lsoa21_code``, the columns, and ``n_lsoa11`` (how many 2011 LSOAs fed each one).

    Raises
    ------
    GeographyError
        If an LSOA11 of the lookup has no value or no population (named, first 20), so no
        LSOA21 silently loses a parent.
    """
    cols = list(columns)
    cats = set(categorical)
    _require(values, ["lsoa11_code", *cols], "values")
    _require(lookup, ["lsoa11_code", "lsoa21_code"], "lookup")
    _require(population, ["lsoa11_code", "population"], "population")
    rows = lookup[["lsoa11_code", "lsoa21_code"]].drop_duplicates()
    for name, frame in (("values", values), ("population", population)):
        absent = sorted(set(rows["lsoa11_code"]) - set(frame["lsoa11_code"]))
        if absent:
            raise GeographyError(
                f"{len(absent)} LSOA11 of the lookup have no row in {name}: {_preview(absent)}",
                code=absent[0], hint="give every LSOA11 of the lookup (restrict the lookup to "
                "the country of the values, e.g. England only)")
    k = rows.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    pop = population.set_index("lsoa11_code")["population"].astype(float)
    rows = rows.assign(weight=rows["lsoa11_code"].map(pop).to_numpy() / k.to_numpy())
    rows = rows.merge(values[["lsoa11_code", *cols]], on="lsoa11_code", how="left")
    g = rows.groupby("lsoa21_code", sort=True)
    out = pd.DataFrame({"lsoa21_code": sorted(rows["lsoa21_code"].unique())})
    for c in cols:
        if c in cats:
            tot = rows.groupby(["lsoa21_code", c], sort=True)["weight"].sum().reset_index()
            tot = tot.sort_values(["lsoa21_code", "weight", c], ascending=[True, False, True],
                                  kind="mergesort")
            best = tot.drop_duplicates("lsoa21_code").set_index("lsoa21_code")[c]
            out[c] = out["lsoa21_code"].map(best).to_numpy()
        else:
            v = pd.to_numeric(rows[c], errors="raise").astype(float)
            w = rows["weight"].where(v.notna(), 0.0)
            num = (v.fillna(0.0) * w).groupby(rows["lsoa21_code"]).sum()
            den = w.groupby(rows["lsoa21_code"]).sum()
            mean = (num / den.where(den > 0)).reindex(out["lsoa21_code"])
            # an LSOA21 with one parent keeps its value exactly (no float round trip)
            single = g[c].first().reindex(out["lsoa21_code"])
            one = g["lsoa11_code"].nunique().reindex(out["lsoa21_code"]) == 1
            out[c] = np.where(one.to_numpy(), single.to_numpy(dtype=float), mean.to_numpy())
    out["n_lsoa11"] = g["lsoa11_code"].nunique().reindex(out["lsoa21_code"]).to_numpy()
    return out


def la_changes_2021_2023(lookup: pd.DataFrame | None = None) -> LaChanges:
    """The LA changes of 1 April 2023 as :class:`LaChanges`, from the LAD22 -> LAD23 lookup.

    ``lookup`` has ``ltla22_code, ltla22_name, ltla23_code, ltla23_name`` (ONS; default the
    bundled ``lookup_lad22_lad23``). LAD22 codes equal LTLA21 codes. Rows whose code does not
    change are kept in the universe so :meth:`LaChanges.alive_in` works for 2021 and 2023.
    """
    if lookup is None:
        from socint.extract import load

        loaded = load("lookup_lad22_lad23")
        assert isinstance(loaded, pd.DataFrame)
        lookup = loaded
    _require(lookup, ["ltla22_code", "ltla22_name", "ltla23_code", "ltla23_name"],
             "LAD22 -> LAD23 lookup")
    moved = lookup[lookup["ltla22_code"] != lookup["ltla23_code"]]
    changes = pd.DataFrame({
        "old_code": moved["ltla22_code"], "old_name": moved["ltla22_name"],
        "new_code": moved["ltla23_code"], "new_name": moved["ltla23_name"],
        "change_type": "merge", "year": 2023})
    codes = set(lookup["ltla22_code"]) | set(lookup["ltla23_code"])
    return LaChanges.from_frames(changes, sorted(codes))


def lad21_to_lad23(frame: pd.DataFrame, value_cols: Iterable[str], *,
                   code_col: str = "lad_code", changes: LaChanges | None = None
                   ) -> pd.DataFrame:
    """Express counts on LTLA21 (309 English LAs) on the 2023 LA set (296): merges sum.

    Only counts may be converted (rates: convert the numerator and denominator, then divide).
    """
    return convert_la_vintage(frame, code_col=code_col, value_cols=value_cols, to_year=2023,
                              from_year=2021, changes=changes or la_changes_2021_2023())


__all__ = ["carry_lsoa11_to_lsoa21", "la_changes_2021_2023", "lad21_to_lad23"]
