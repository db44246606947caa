"""Apply a mapping to a survey file: the canonical respondent table and its validation report.

Each mapped variable is translated on its own (missing codes → missing, ``codes`` → canonical
values, unmapped codes → an error naming them, values outside the canonical range → dropped),
the area codes are checked against the stated vintage's lookup, and a row is kept only when every
mapped variable is usable (complete cases, as the model fit needs).
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import GeographyError, InputDataError, SocintWarning, _preview
from socint.microdata.areas import LookupArg, lookups_by_vintage, resolve_areas
from socint.microdata.read import Microdata, read_microdata
from socint.microdata.report import DROP_REASONS, ImportReport, kish_deff
from socint.microdata.spec import CANONICAL, SurveyMapping, VariableMap, load_mapping

#: Default largest share of rows whose area code may be unknown for the stated vintage before
#: the import stops (above it the vintage or the column is almost surely wrong).
MAX_UNKNOWN_AREA_SHARE = 0.05


@dataclass(frozen=True)
class ImportResult:
    """The canonical respondent table (an input: never publish it) and its report."""

    table: pd.DataFrame
    report: ImportReport


@dataclass
class _Column:
    values: pd.Series
    missing: pd.Series
    unmapped: pd.Series
    out_of_range: pd.Series


def _keys(col: pd.Series) -> pd.Series:
    """Source values as comparable keys: numbers as float, text stripped (numeric text → float)."""
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return col.astype(float)
    text = col.astype(object).where(col.notna()).map(
        lambda v: v.strip() if isinstance(v, str) else v)
    text = text.where(text != "")
    num = pd.to_numeric(text, errors="coerce")
    return num.astype(object).where(num.notna(), text)


def _absent(data: Microdata, column: str, what: str) -> InputDataError:
    close = difflib.get_close_matches(column, list(map(str, data.frame.columns)), n=3,
                                      cutoff=0.6)
    close += [c for c in data.frame.columns if str(c).lower() == column.lower()
              and c not in close]
    return InputDataError(
        f"{what} names the variable {column!r}, which is not in the file "
        f"({data.frame.shape[1]} variables)", file=data.path, column=column,
        hint=(f"did you mean {', '.join(map(repr, close))}? " if close else "")
        + "correct `column:` in the mapping (socint survey map-template FILE lists the file's "
          "variables)")


def _unmapped_error(data: Microdata, var: VariableMap, keys: pd.Series,
                    unmapped: pd.Series) -> InputDataError:
    counts = keys[unmapped].value_counts()
    labels = data.value_labels.get(var.column, {})
    parts = []
    for code, n in counts.items():
        label = labels.get(code)
        shown = f"{code:g}" if isinstance(code, float) else repr(code)
        parts.append(f"{shown}" + (f" ({label!r})" if label else "") + f": {n} row(s)")
    first = counts.index[0]
    return InputDataError(
        f"variable {var.name!r}: {len(counts)} code(s) in the file are not covered by the "
        f"mapping's codes: {_preview(parts, 10)}", file=data.path, column=var.column,
        hint=f"add them under `variables: {var.name}: codes:` (e.g. `{first}: <value>`, or "
             "null to treat as missing), list them in `missing:`, or set `unmapped: drop` to "
             "drop and count those rows")


def _translate(data: Microdata, var: VariableMap, mapping: SurveyMapping) -> _Column:
    """Translate one mapped variable; raise on codes the mapping does not cover."""
    if var.column not in data.frame.columns:
        raise _absent(data, var.column, f"the mapping's `{var.name}`")
    keys = _keys(data.frame[var.column])
    miss = keys.isna() | keys.isin([*mapping.missing, *var.missing])
    none = pd.Series(False, index=keys.index)
    if var.codes is not None:
        covered = keys.isin(list(var.codes))
        unmapped = ~miss & ~covered
        if unmapped.any() and mapping.unmapped == "error":
            raise _unmapped_error(data, var, keys, unmapped)
        values = keys.map(var.codes)  # uncovered and null-mapped codes → NaN
        miss = miss | (covered & values.isna())
        return _Column(values.where(~miss & ~unmapped), miss, unmapped, none)
    canon = CANONICAL.get(var.name)
    values = keys.where(~miss)
    if canon is not None and canon.values is not None:
        if isinstance(canon.values[0], str):
            ok = values.isin(canon.values)
        else:
            ok = pd.to_numeric(values, errors="coerce").isin(canon.values)
    elif canon is not None:
        num = pd.to_numeric(values, errors="coerce")
        low = -np.inf if canon.low is None else canon.low
        high = np.inf if canon.high is None else canon.high
        ok = (num >= low) & (num <= high)
        if canon.integer:
            ok &= np.mod(num, 1) == 0
    elif var.name == "weight":
        num = pd.to_numeric(values, errors="coerce")
        ok = num.notna() & np.isfinite(num) & (num > 0)
    else:
        ok = pd.Series(True, index=keys.index)
    out = ~miss & ~ok.astype(bool)
    return _Column(values.where(~out), miss, none, out)


def _tidy(series: pd.Series, name: str) -> pd.Series:
    """Give a kept column its canonical dtype (ints for codes, str for categories)."""
    canon = CANONICAL.get(name)
    if canon is not None and canon.values is not None and isinstance(canon.values[0], str):
        return pd.Series(series.astype(str).to_numpy(dtype=object), name=name)
    num = pd.to_numeric(series, errors="coerce")
    if num.notna().all() and series.map(lambda v: not isinstance(v, str)).all():
        if name != "weight" and np.all(np.mod(num, 1) == 0):
            return pd.Series(num.to_numpy(dtype=np.int64), name=name)
        return pd.Series(num.to_numpy(dtype=float), name=name)
    return pd.Series(series.astype(str).to_numpy(dtype=object), name=name)


def _areas(data: Microdata, mapping: SurveyMapping, lookup: LookupArg,
           max_unknown_share: float) -> tuple[pd.DataFrame, pd.Series, pd.Series, dict[int, int]]:
    col = mapping.area_column
    if col not in data.frame.columns:
        raise _absent(data, col, f"the mapping's `area: {mapping.area_level}`")
    keys = _keys(data.frame[col])
    missing = keys.isna() | keys.isin(mapping.missing)
    codes = keys.where(~missing).map(lambda v: str(v).strip().upper(), na_action="ignore")
    lookups = lookups_by_vintage(lookup, mapping.vintage)
    areas, known, other = resolve_areas(codes, mapping.area_level, mapping.vintage, lookups)
    unknown = ~missing & ~known
    n_unknown = int(unknown.sum())
    if n_unknown:
        distinct = codes[unknown].value_counts()
        match = "; ".join(f"{n} of these rows' codes are known {v} codes"
                          for v, n in other.items() if n) or (
            "none is known in the other vintage's lookup" if other else
            "give the other vintage's lookup too (--lookup) to check whether they fit it")
        fits = [v for v, n in other.items() if n]
        msg = (f"{n_unknown} of {len(codes)} rows have {mapping.area_level} codes unknown for "
               f"vintage {mapping.vintage} ({len(distinct)} distinct code(s)); {match}")
        hint = (f"set `area: vintage: {fits[0]}` in the mapping if the file's codes are "
                f"{fits[0]} codes" if fits else
                "check the area column and the vintage stated in the archive's documentation")
        if n_unknown > max_unknown_share * len(codes):
            # the error (not the log) names a few codes so the user can look them up
            raise GeographyError(f"{msg}; e.g. {_preview(list(distinct.index[:3]))}",
                                 file=data.path, column=col, hint=hint)
        warnings.warn(f"{msg}; these rows are dropped. {hint}", SocintWarning, stacklevel=3)
    return areas, missing, unknown, other


def apply_mapping(data: Microdata, mapping: SurveyMapping, *, lookup: LookupArg = None,
                  max_unknown_area_share: float = MAX_UNKNOWN_AREA_SHARE) -> ImportResult:
    """Apply a checked mapping to a read survey file (see :func:`import_survey`)."""
    if mapping.area_column not in data.frame.columns:
        raise _absent(data, mapping.area_column, f"the mapping's `area: {mapping.area_level}`")
    for name, var in mapping.variables.items():
        if var.column not in data.frame.columns:
            raise _absent(data, var.column, f"the mapping's `{name}`")
    for key, column in mapping.design.items():
        if column not in data.frame.columns:
            raise _absent(data, column, f"the mapping's `{key}:`")
    specs = dict(mapping.variables)
    for key, column in mapping.design.items():
        specs[key] = VariableMap(key, column)
    columns = {name: _translate(data, var, mapping) for name, var in specs.items()}
    areas, area_missing, area_unknown, other = _areas(data, mapping, lookup,
                                                      max_unknown_area_share)
    reasons = {"missing_area_code": area_missing, "area_code_unknown": area_unknown}
    for attr, key in (("missing", "missing_value"), ("unmapped", "unmapped_code"),
                      ("out_of_range", "out_of_range")):
        reasons[key] = pd.concat([getattr(c, attr) for c in columns.values()], axis=1).any(
            axis=1)
    taken = pd.Series(False, index=data.frame.index)
    dropped = {}
    for key in DROP_REASONS:
        dropped[key] = int((reasons[key] & ~taken).sum())
        taken |= reasons[key]
    keep = ~taken
    by_var = {name: {k: int(getattr(c, a).sum()) for a, k in (
        ("missing", "missing_value"), ("unmapped", "unmapped_code"),
        ("out_of_range", "out_of_range")) if getattr(c, a).any()}
        for name, c in columns.items()}
    by_var = {k: v for k, v in by_var.items() if v}
    n = len(data.frame)
    share = {mapping.area_level: float(area_missing.mean())}
    share.update({name: float(c.missing.mean()) for name, c in columns.items()})

    level_cols = [c for c in ("lsoa_code", "msoa_code", "lad_code") if c in areas.columns]
    parts = [pd.Series(areas.loc[keep, c].to_numpy(dtype=object), name=c) for c in level_cols]
    order = [*[c for c in CANONICAL if c in columns], *[c for c in ("weight", "psu", "strata")
                                                        if c in columns],
             *[c for c in columns if c not in CANONICAL and c not in ("weight", "psu", "strata")]]
    parts += [_tidy(columns[c].values[keep].reset_index(drop=True), c) for c in order]
    table = pd.concat(parts, axis=1) if parts else pd.DataFrame()
    deff = eff = None
    if "weight" in table.columns and len(table):
        deff = kish_deff(table["weight"].to_numpy())
        eff = float(len(table) / deff)
    not_mapped = tuple(c for c in CANONICAL if c not in columns)
    if not_mapped:
        warnings.warn(f"the mapping gives no {', '.join(not_mapped)}: the trust model "
                      "(Model 3) needs them all", SocintWarning, stacklevel=2)
    report = ImportReport(
        survey=mapping.survey, file=str(data.path), format=data.format,
        area_level=mapping.area_level, vintage=mapping.vintage, rows_read=n,
        rows_kept=int(keep.sum()), dropped=dropped, dropped_by_variable=by_var,
        share_missing=share, other_vintage_matches=other, kish_deff=deff, effective_n=eff,
        not_mapped=not_mapped)
    if table.empty:
        raise InputDataError(
            f"no respondent is left after the mapping: {n} row(s) read, dropped "
            + ", ".join(f"{DROP_REASONS[k]}: {v}" for k, v in dropped.items() if v),
            file=data.path, hint="check the codes, `missing:` and the area column of the mapping")
    return ImportResult(table, report)


def import_survey(path: str | Path, mapping: str | Path | SurveyMapping | dict[str, Any], *,
                  lookup: LookupArg = None,
                  max_unknown_area_share: float = MAX_UNKNOWN_AREA_SHARE) -> ImportResult:
    """Read a survey file, apply a mapping and validate: the canonical respondent table.

    Parameters
    ----------
    path
        ``.sav``/``.dta`` (read with pyreadstat, value labels kept), ``.csv``, ``.tsv``/``.tab``.
    mapping
        A mapping YAML path, its loaded dict, or a :class:`SurveyMapping`.
    lookup
        Area lookup for the mapping's vintage (``msoa_code``, ``lad_code``; for LSOA codes
        ``lsoa_code``, ``msoa_code``, ``lad_code``), or ``{2011: ..., 2021: ...}`` to also say
        which vintage unknown codes belong to. ``None`` uses the bundled lookup
        (:func:`socint.microdata.areas._default_lookup`).
    max_unknown_area_share
        Above this share of rows with area codes unknown for the vintage, stop with an error;
        below it, drop and count them.

    Returns
    -------
    ImportResult
        ``table`` (canonical columns, file order, one row per kept respondent) and ``report``.
    """
    parsed = mapping if isinstance(mapping, SurveyMapping) else load_mapping(mapping)
    return apply_mapping(read_microdata(path), parsed, lookup=lookup,
                         max_unknown_area_share=max_unknown_area_share)


__all__ = ["MAX_UNKNOWN_AREA_SHARE", "ImportResult", "apply_mapping", "import_survey"]
