"""Local-authority vintages: which LA codes exist in a year, and moving tables between LA sets.

English local government is reorganised every few years (ONS, *Code History Database*; ONS
Open Geography "Local Authority District changes"): districts merge into unitaries (Dorset,
Bournemouth-Christchurch-Poole, Somerset West and Taunton, East/West Suffolk in 2019;
Buckinghamshire 2020; North/West Northamptonshire 2021; Cumberland, Westmorland and Furness,
North Yorkshire and Somerset 2023) and codes are re-issued after minor boundary changes (six
codes in April 2013). A table published on one LA set must be expressed on another before it can
be joined to newer data. A merge is exact for counts (the new area is the union of the old
ones, so counts add); a split is not (an old area's count must be shared out), so it is refused
unless the user supplies an apportionment key.

The change table has the canonical ``changes`` layout of ``docs/architecture.md``: ``old_code,
old_name, new_code, new_name, change_type, year`` where ``year`` is the year the new code takes
effect (1 April). The LA set "of year Y" is the set after that year's changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from socint.errors import GeographyError, _preview
from socint.geo._checks import check_la_table, is_ltla, validate_apportion

#: The 2011 LA codes re-issued on 1 April 2013 after minor boundary changes (same LAs, new
#: codes; ONS Code History Database). Census 2011 tables on "2013 codes" use the right column.
RECODES_2013: dict[str, tuple[str, str]] = {
    "E06000048": ("E06000057", "Northumberland"),
    "E08000020": ("E08000037", "Gateshead"),
    "E07000097": ("E07000242", "East Hertfordshire"),
    "E07000101": ("E07000243", "Stevenage"),
    "E07000100": ("E07000240", "St Albans"),
    "E07000104": ("E07000241", "Welwyn Hatfield"),
}

CHANGE_COLUMNS: tuple[str, ...] = (
    "old_code", "old_name", "new_code", "new_name", "change_type", "year",
)

_HOW = ("sum",)
_PAST, _FUTURE = -(10**9), 10**9  # sentinels for "before the records" / "still in use"


def recode_2011_to_2013(codes: Iterable[str] | pd.Series) -> pd.Series:
    """Replace the six 2011 LA codes re-issued in April 2013 by their 2013 codes.

    Northumberland, Gateshead, East Hertfordshire, Stevenage, St Albans and Welwyn Hatfield
    received new codes after minor boundary orders (ONS Code History Database); every other code
    is returned unchanged, so the function is safe on any LA code list.

    Parameters
    ----------
    codes
        LA codes (a Series keeps its index).

    Returns
    -------
    pandas.Series
        The codes with the 2011 codes replaced.
    """
    s = codes.copy() if isinstance(codes, pd.Series) else pd.Series(list(codes), dtype="object")
    mapping = {old: new for old, (new, _) in RECODES_2013.items()}
    return s.map(lambda c: mapping.get(c, c) if isinstance(c, str) else c)


@dataclass(frozen=True)
class LaChanges:
    """Lower-tier LA changes over time, and the LA codes alive in each year.

    Build it with :meth:`from_frames`. ``changes`` holds only LA-to-LA rows (merges, code
    changes, splits), including the 2013 re-codes; ``universe`` holds every LA code known (empty
    when no code list was given, in which case codes absent from the change table are taken to
    be unaffected by any change).
    """

    changes: pd.DataFrame
    universe: frozenset[str]

    @classmethod
    def from_frames(
        cls,
        changes: pd.DataFrame,
        all_codes: pd.DataFrame | Iterable[str] | None = None,
        *,
        code_col: str = "lad_code",
    ) -> LaChanges:
        """Build from a change table and, optionally, the list of every LA code ever used.

        Parameters
        ----------
        changes
            Canonical change table (``old_code, old_name, new_code, new_name, change_type,
            year``), e.g. ONS's ``changes.csv`` of LTLA/UTLA/combined-authority changes.
            Rows that are not between two lower-tier LAs (terminations of counties, combined
            authorities) are dropped. The six 2013 re-codes are added when absent.
        all_codes
            Every LA code in use since 2011 (a frame with ``code_col`` or an iterable), e.g.
            ``la_all_codes.csv``. Needed for :meth:`alive_in` and to detect unknown codes.
        """
        missing = [c for c in CHANGE_COLUMNS if c not in changes.columns]
        if missing:
            raise GeographyError(
                f"change table lacks column(s) {', '.join(missing)}; it has "
                f"{', '.join(map(str, changes.columns))}",
                hint="rename to the canonical changes layout: " + ", ".join(CHANGE_COLUMNS),
            )
        tab = changes.loc[:, list(CHANGE_COLUMNS)].copy()
        years = pd.to_numeric(tab["year"], errors="coerce")
        if years.isna().any():
            i = int(np.flatnonzero(years.isna().to_numpy())[0])
            raise GeographyError(
                f"change table has a non-numeric year {tab['year'].iloc[i]!r}",
                row=i + 1, column="year", hint="years must be integers such as 2019",
            )
        tab["year"] = years.astype("int64")
        keep = is_ltla(tab["old_code"]) & is_ltla(tab["new_code"])
        tab = tab.loc[keep.to_numpy()].astype({c: "object" for c in CHANGE_COLUMNS[:5]})
        builtin = pd.DataFrame(
            [(old, name, new, name, "new_code", 2013) for old, (new, name) in RECODES_2013.items()],
            columns=list(CHANGE_COLUMNS),
        )
        builtin = builtin[~builtin["old_code"].isin(tab["old_code"])]
        tab = pd.concat([builtin, tab], ignore_index=True).drop_duplicates(
            subset=["old_code", "new_code", "year"]
        )
        tab = tab.sort_values(["year", "old_code", "new_code"], ignore_index=True)
        if all_codes is None:
            universe: frozenset[str] = frozenset()
        else:
            if isinstance(all_codes, pd.DataFrame) and code_col not in all_codes.columns:
                raise GeographyError(
                    f"all_codes has no column {code_col!r}; it has "
                    f"{', '.join(map(str, all_codes.columns))}",
                    hint="pass code_col= naming the column of LA codes",
                )
            raw = all_codes[code_col] if isinstance(all_codes, pd.DataFrame) else all_codes
            universe = frozenset(str(c) for c in raw if isinstance(c, str))
            universe |= frozenset(tab["old_code"]) | frozenset(tab["new_code"])
        return cls(changes=tab, universe=universe)

    # -- life spans ---------------------------------------------------------------------------
    @cached_property
    def _spans(self) -> tuple[dict[str, int], dict[str, int]]:
        """(year each code was created, year each code was replaced), from the change rows."""
        born = self.changes.groupby("new_code")["year"].min()
        died = self.changes.groupby("old_code")["year"].min()
        return ({str(k): int(v) for k, v in born.items()},
                {str(k): int(v) for k, v in died.items()})

    def is_alive(self, code: str, year: int) -> bool:
        """True if ``code`` belongs to the LA set of ``year`` (after that year's changes)."""
        born, died = self._spans
        return born.get(code, _PAST) <= year < died.get(code, _FUTURE)

    def alive_in(self, year: int) -> frozenset[str]:
        """Every LA code of the LA set of ``year`` (needs the ``all_codes`` list)."""
        if not self.universe:
            raise GeographyError(
                "the LA set of a year is unknown without the list of all LA codes",
                hint="build LaChanges.from_frames(changes, all_codes) with e.g. la_all_codes.csv",
            )
        return frozenset(c for c in self.universe if self.is_alive(c, year))

    def infer_vintage(self, codes: Iterable[str]) -> tuple[int | None, int | None]:
        """The range of years ``(first, last)`` in which every one of ``codes`` was in use.

        ``None`` means unbounded: ``first`` is None when no code was created by a recorded
        change (the set predates the records), ``last`` is None when no code has been replaced.

        Raises
        ------
        GeographyError
            If the codes never coexisted (a mixed-vintage table); the message names the codes
            that were replaced before the newest code was created.
        """
        born, died = self._spans
        codes = sorted(set(codes))
        first = max((born.get(c, _PAST) for c in codes), default=_PAST)
        last = min((died.get(c, _FUTURE) - 1 for c in codes), default=_FUTURE - 1)
        if first > last:
            newest = [c for c in codes if born.get(c) == first]
            gone = [f"{c} (replaced {died[c]})" for c in codes if died.get(c, _FUTURE) <= first]
            raise GeographyError(
                f"the LA codes come from incompatible vintages: {_preview(gone)} had been "
                f"replaced by the time {_preview(newest)} came into use in {first}",
                code=newest[0],
                hint="the table mixes LA sets of different years; check its source, or convert "
                "each part separately with convert_la_vintage(..., from_year=...)",
            )
        return (None if first == _PAST else first), (None if last == _FUTURE - 1 else last)

    # -- mapping ------------------------------------------------------------------------------
    def predecessors(
        self, codes: Iterable[str], from_year: int, to_year: int
    ) -> dict[str, set[str]]:
        """For each code of the ``to_year`` set, the ``from_year`` codes that became (part of) it.

        Walks the change rows backwards from ``to_year`` to ``from_year``; a code untouched by
        any change is its own predecessor.
        """
        steps = self.changes[(self.changes["year"] > from_year) & (self.changes["year"] <= to_year)]
        out = {c: {c} for c in codes}
        for year in sorted(set(steps["year"]), reverse=True):
            step = steps[steps["year"] == year]
            back = step.groupby("new_code")["old_code"].agg(set).to_dict()
            for code, preds in out.items():
                out[code] = set().union(*(back.get(p, {p}) for p in preds))
        return out

    def mapping(
        self,
        codes: Iterable[str],
        from_year: int,
        to_year: int,
        apportion: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Where each of ``codes`` (LA set of ``from_year``) goes in the LA set of ``to_year``.

        Returns a frame ``old_code, new_code, share``: one row per (old, new) pair, shares of
        each old code summing to 1. Merges and code changes have share 1; splits take their
        shares from ``apportion`` (``old_code, new_code, share``) and are refused without it.
        """
        if to_year < from_year:
            raise GeographyError(
                f"cannot convert LA codes back from {from_year} to {to_year}: the later "
                "merges would have to be undone",
                hint="convert to a year at or after the table's own vintage",
            )
        dead = sorted(c for c in set(codes) if not self.is_alive(c, from_year))
        if dead:
            raise GeographyError(
                f"{len(dead)} code(s) were not in use in {from_year}: {_preview(dead)}",
                code=dead[0], hint="pass the year of the codes' own LA set as from_year",
            )
        steps = self.changes[(self.changes["year"] > from_year) & (self.changes["year"] <= to_year)]
        key = validate_apportion(apportion, steps) if apportion is not None else None
        cur = pd.DataFrame({"old_code": sorted(set(codes))})
        cur["new_code"] = cur["old_code"]
        cur["share"] = 1.0
        for _year, step in steps.groupby("year", sort=True):
            n_new = step.groupby("old_code")["new_code"].nunique()
            splits = n_new[n_new > 1].index
            hit = sorted(set(splits) & set(cur["new_code"]))
            if hit and (key is None or not set(hit) <= set(key["old_code"])):
                todo = [c for c in hit if key is None or c not in set(key["old_code"])]
                parts = [
                    f"{c} -> {', '.join(sorted(step.loc[step['old_code'] == c, 'new_code']))}"
                    for c in todo
                ]
                raise GeographyError(
                    f"{len(todo)} LA(s) were split in {_year}, so their values cannot be "
                    f"carried over whole: {_preview(parts)}",
                    code=todo[0],
                    hint="pass apportion=DataFrame(old_code, new_code, share) giving each new "
                    "LA's share of the old one (e.g. its population share), shares summing to 1",
                )
            edges = step.loc[~step["old_code"].isin(splits), ["old_code", "new_code"]]
            edges = edges.assign(step_share=1.0)
            if key is not None and len(splits):
                edges = pd.concat(
                    [edges, key[key["old_code"].isin(splits)].rename(
                        columns={"share": "step_share"})],
                    ignore_index=True,
                )
            edges = edges.rename(columns={"old_code": "new_code", "new_code": "next_code"})
            cur = cur.merge(edges, on="new_code", how="left")
            moved = cur["next_code"].notna()
            cur.loc[moved, "new_code"] = cur.loc[moved, "next_code"]
            cur.loc[moved, "share"] = cur.loc[moved, "share"] * cur.loc[moved, "step_share"]
            cur = (
                cur.drop(columns=["next_code", "step_share"])
                .groupby(["old_code", "new_code"])["share"].sum()
                .reset_index()
            )
        return cur.sort_values(["old_code", "new_code"], ignore_index=True)


def convert_la_vintage(
    frame: pd.DataFrame,
    *,
    code_col: str = "area_code",
    value_cols: Iterable[str],
    to_year: int,
    from_year: int | None = None,
    changes: LaChanges,
    apportion: pd.DataFrame | None = None,
    how: str = "sum",
) -> pd.DataFrame:
    """Express a table keyed on LAs of one vintage on the LA set of ``to_year``.

    Counts of merged LAs are added (exact: the new LA is the union of the old ones); code
    changes carry values over; a split LA's values are shared out by ``apportion`` and refused
    without it. Totals are conserved: each column sums to the same total before and after.
    Method: ONS Code History Database change records applied year by year.

    Parameters
    ----------
    frame
        One row per LA, codes in ``code_col``.
    value_cols
        Count columns to carry over (numeric). A missing value makes its new LA's value missing.
    to_year
        Year of the target LA set (e.g. 2019, 2021, 2023).
    from_year
        Vintage of ``frame``; inferred from its codes when omitted (refused if they mix
        incompatible vintages).
    changes
        The change history (:class:`LaChanges`).
    apportion
        ``old_code, new_code, share`` for split LAs; shares sum to 1 per old code.
    how
        Aggregation of merged rows; only ``"sum"`` (counts) is meaningful — convert rates to
        counts first.

    Returns
    -------
    pandas.DataFrame
        ``code_col`` and ``value_cols``, one row per LA of ``to_year`` present, sorted by code.
        Integer columns stay integer unless an apportionment key was used.
    """
    if how not in _HOW:
        raise GeographyError(
            f"`how` was {how!r} but is expected to be in {list(_HOW)}",
            hint="convert rates or means to counts, convert, then recompute the rates",
        )
    value_cols = list(value_cols)
    codes = check_la_table(frame, code_col, value_cols, changes.universe)
    first, last = changes.infer_vintage(codes)
    if from_year is None:
        if first is not None and first > to_year:
            raise GeographyError(
                f"the table's LA codes are of {first} or later, after to_year={to_year}",
                hint="converting backwards would undo merges; pick a later to_year",
            )
        from_year = to_year if last is None else min(last, to_year)
        if first is not None:
            from_year = max(first, from_year)
    elif (first is not None and from_year < first) or (last is not None and from_year > last):
        dead = sorted(c for c in set(codes) if not changes.is_alive(c, from_year))
        span = f"{'before the records' if first is None else first}.." + (
            "now" if last is None else str(last))
        raise GeographyError(
            f"from_year={from_year} but these codes were not in use that year: {_preview(dead)}",
            code=dead[0], hint=f"the codes fit the LA sets of {span}; pass one of those or omit it",
        )
    m = changes.mapping(codes, from_year, to_year, apportion)
    present = set(codes)
    partial = {new: sorted(pre - present) for new, pre in
               changes.predecessors(set(m["new_code"]), from_year, to_year).items()
               if pre - present}
    if partial:
        items = [f"{new} lacks {', '.join(miss)}" for new, miss in sorted(partial.items())]
        raise GeographyError(
            f"{len(partial)} LA(s) of {to_year} would be built from only part of their "
            f"predecessors of {from_year}: {_preview(items)}",
            code=next(iter(sorted(partial))), column=code_col,
            hint="add rows for the missing LAs (0 if truly none), or drop the partial ones",
        )
    vals = frame.loc[:, value_cols].reset_index(drop=True).assign(**{"__old": codes})
    long = m.merge(vals, left_on="old_code", right_on="__old", how="left")
    scaled = (m["share"] != 1.0).any()
    out_cols: dict[str, pd.Series] = {}
    for c in value_cols:
        v = long[c] * long["share"] if scaled else long[c]
        summed = v.groupby(long["new_code"]).sum()
        has_na = long[c].isna().groupby(long["new_code"]).any()
        out_cols[c] = summed.mask(has_na)
        if not scaled and not has_na.any():
            out_cols[c] = out_cols[c].astype(frame[c].dtype)
    out = pd.DataFrame(out_cols)
    out.index.name = code_col
    return out.reset_index()


__all__ = [
    "RECODES_2013",
    "LaChanges",
    "convert_la_vintage",
    "recode_2011_to_2013",
]
