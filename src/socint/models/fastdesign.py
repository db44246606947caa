"""A numpy fast path for the fixed-effects design of simple formulas (formulaic's result).

formulaic's materialiser costs several milliseconds per call whatever the data size (most of a
small fit) and, on large data, a pandas copy of the rows and of the model matrix. The formulas
of survey models are simple, so this module builds their design directly, giving the same
columns, names, order and missing-value rule as ``formulaic.model_matrix(fixed, df,
na_action="drop")``. Accepted terms (joined by ``+``):

* ``1`` (the intercept, implied anyway);
* a numeric (non-boolean) column ``x``;
* ``I(x ** k)`` with ``x`` a numeric column and ``k`` a whole number;
* interactions ``a:b`` and products ``a * b`` (``a + b + a:b``) of the numeric atoms above;
* categorical main effects: a string or integer column ``g``, ``C(g)`` or
  ``C(g, Treatment("ref"))`` — treatment (dummy) coding against the first sorted level or
  ``ref``, columns ``g[T.lev]`` / ``C(g)[T.lev]`` / ``C(g, Treatment('ref'))[T.lev]``.

Anything else (``0 +``, ``-``, categoricals in interactions, pandas categorical or boolean
columns, other transforms) returns ``None`` and the caller uses formulaic. Terms are ordered as
formulaic orders them: the intercept, then by degree (number of factors), stable otherwise.
The tests check the equality against formulaic on many formulas.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import ModelError
from socint.models.formula import _split_top
from socint.models.xmatrix import Indicator

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_POW = re.compile(r"^I\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\*\*\s*(\d+)\s*\)$")
_CAT = re.compile(r"^C\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*Treatment\(\s*(.+?)\s*\)\s*)?\)$")


@dataclass(frozen=True)
class _Atom:
    """One factor of a term: a numeric column, a power of one, or a categorical column."""

    name: str          # formulaic's name of the factor
    column: str        # the data column
    power: int = 1
    categorical: bool = False
    ref: Any = None    # reference level (None: the first sorted level)
    has_ref: bool = False


class _Columns:
    """The data's columns, each fetched (and its kind found) once: ``df[c]`` and pandas'
    dtype tests cost tens of microseconds each, many times over for a long formula."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self._series: dict[str, pd.Series] = {}
        self._kinds: dict[str, str] = {}

    def __contains__(self, c: str) -> bool:
        return c in self._series or c in self.df.columns

    def __getitem__(self, c: str) -> pd.Series:
        s = self._series.get(c)
        if s is None:
            s = self._series[c] = self.df[c]
        return s

    def kind(self, c: str) -> str:
        k = self._kinds.get(c)
        if k is None:
            k = self._kinds[c] = _kind_of(self[c].dtype)
        return k


def _atom(text: str, df: _Columns) -> _Atom | None:
    text = text.strip()
    if _NAME.match(text):
        if text not in df:
            return None
        kind = df.kind(text)
        if kind == "numeric":
            return _Atom(text, text)
        if kind == "categorical":
            return _Atom(text, text, categorical=True)
        return None
    m = _POW.match(text)
    if m:
        col, k = m.group(1), int(m.group(2))
        if col not in df or df.kind(col) != "numeric" or k < 1:
            return None
        return _Atom(f"I({col} ** {k})", col, power=k)
    m = _CAT.match(text)
    if m:
        col = m.group(1)
        if col not in df or df.kind(col) not in ("numeric_int", "categorical", "numeric"):
            return None
        if df.kind(col) == "numeric" and not pd.api.types.is_integer_dtype(df[col].dtype):
            return None  # float levels: names depend on formatting, leave them to formulaic
        if m.group(2) is None:
            return _Atom(f"C({col})", col, categorical=True)
        try:
            ref = ast.literal_eval(m.group(2))
        except (ValueError, SyntaxError):
            return None
        if not isinstance(ref, str) or "'" in ref or "\\" in ref:
            return None
        return _Atom(f"C({col}, Treatment({ref!r}))", col, categorical=True, ref=ref,
                     has_ref=True)
    return None


def column_values(s: pd.Series) -> Any:
    """A column's values without the Series: the numpy array, or the extension array."""
    return s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array


def notna_mask(s: pd.Series) -> np.ndarray:
    """``s.notna()`` as a numpy array, without building a Series."""
    return ~np.asarray(pd.isna(column_values(s)), dtype=bool)


def _kind_of(dtype: Any) -> str:
    """"numeric", "categorical" (object or string columns) or "other" (left to formulaic),
    from the dtype alone (an object column counts as categorical whatever it holds, so its
    values need not be inspected)."""
    if pd.api.types.is_bool_dtype(dtype):
        return "other"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if (isinstance(dtype, np.dtype) and dtype.kind == "O") or pd.api.types.is_string_dtype(dtype):
        if isinstance(dtype, pd.CategoricalDtype):
            return "other"
        return "categorical"
    return "other"


def _terms(fixed: str, df: _Columns) -> list[tuple[_Atom, ...]] | None:
    """The terms (tuples of atoms) in formulaic's order, or None if any is unsupported."""
    try:
        parts = _split_top(fixed, "+")
    except ModelError:  # malformed: let formulaic report it
        return None
    terms: list[tuple[_Atom, ...]] = []
    for part in parts:
        if part == "1":
            continue
        bare = _QUOTED.sub("''", part).replace("**", "^")
        if not part or part in ("0", "-1") or "-" in bare:
            return None
        star = _split_top(part, "*") if "*" in bare else [part]
        if len(star) > 1 and any(s == "" for s in star):
            return None
        groups: list[list[_Atom]] = []
        for s in star:
            if "**" in _QUOTED.sub("''", s) and not s.startswith("I("):
                return None
            atoms = []
            for a in _split_top(s, ":"):
                at = _atom(a, df)
                if at is None:
                    return None
                atoms.append(at)
            groups.append(atoms)
        # a * b * c: every non-empty subset of the groups, in formulaic's expansion order
        n = len(groups)
        subsets = sorted((m for m in range(1, 1 << n)), key=lambda m: (bin(m).count("1"),
                                                                      [-(m >> i & 1)
                                                                       for i in range(n)]))
        for m in subsets:
            atoms = [a for i in range(n) if m >> i & 1 for a in groups[i]]
            terms.append(tuple(atoms))
    seen: dict[frozenset[str], tuple[_Atom, ...]] = {}
    out: list[tuple[_Atom, ...]] = []
    for t in terms:
        key = frozenset(a.name for a in t)
        if len(key) != len(t):
            return None  # a:a
        if key in seen:
            if tuple(a.name for a in seen[key]) != tuple(a.name for a in t):
                return None  # a:b and b:a: leave the naming to formulaic
            continue
        if len(t) > 1 and any(a.categorical for a in t):
            return None
        seen[key] = t
        out.append(t)
    return sorted(out, key=len)  # stable: by degree


def fast_design(fixed: str, df: pd.DataFrame, keep: np.ndarray) -> tuple[
        np.ndarray, list[Callable[[np.ndarray], None]], tuple[str, ...], dict[str, str],
        np.ndarray, list[str]] | None:
    """Rows kept, column fillers, names, term per column, sample rows, data columns.

    The design is not built here: ``fills[k](out)`` writes column ``k`` (of the rows kept)
    into ``out``, so the caller decides where each column goes (an area-level one is stored
    once per area, :class:`socint.models.xmatrix.XBuilder`) and the n × p matrix is never
    materialised.

    ``sample`` holds positions of rows (among those kept) that together show every level of
    every categorical factor, enough for formulaic to rebuild the same ``ModelSpec``. Returns
    ``None`` when the formula is outside this fast path.
    """
    cache = _Columns(df)
    terms = _terms(fixed, cache)
    if terms is None:
        return None
    cols = list(dict.fromkeys(a.column for t in terms for a in t))
    ok = keep.copy()
    values: dict[str, Any] = {}  # categorical columns' values (arrays: no object copy)
    for c in cols:
        s = cache[c]
        if cache.kind(c) == "categorical" or any(a.categorical and a.column == c
                                                 for t in terms for a in t):
            if any(not a.categorical and a.column == c for t in terms for a in t):
                return None
            ok &= notna_mask(s)
            values[c] = column_values(s)
        elif not pd.api.types.is_integer_dtype(s.dtype):  # integers hold no missing values
            ok &= np.isfinite(s.to_numpy(dtype=float))
    pos = np.flatnonzero(ok).astype(np.int64)
    n = pos.size
    if n == 0:
        return None
    levels: dict[str, tuple[list[Any], np.ndarray, np.ndarray]] = {}
    for c in values:
        vals = values[c] if n == len(df) else values[c][pos]
        codes, uniq = pd.factorize(vals, sort=True)
        lv = uniq.tolist()  # Python scalars, as iterating the Series' uniques gives
        if any(type(x) is not type(lv[0]) for x in lv) and not all(
                isinstance(x, (int, np.integer)) for x in lv):
            return None  # mixed types: formulaic's sort may differ
        first = np.full(len(lv), -1, dtype=np.int64)
        # first position of each level (reverse assignment keeps the smallest index)
        first[codes[::-1]] = np.arange(n - 1, -1, -1)
        levels[c] = (lv, codes, first)
    names: list[str] = ["Intercept"]
    term_of: dict[str, str] = {"Intercept": "1"}
    blocks: list[tuple[str, Any]] = []
    for t in terms:
        if len(t) == 1 and t[0].categorical:
            a = t[0]
            lv, _, _ = levels[a.column]
            if a.has_ref:
                if a.ref not in lv:
                    return None  # formulaic reports the missing reference
                refi = lv.index(a.ref)
            else:
                refi = 0
            for i, lev in enumerate(lv):
                if i != refi:
                    nm = f"{a.name}[T.{lev}]"
                    names.append(nm)
                    term_of[nm] = a.name
                    blocks.append(("cat", (a.column, i)))
        else:
            nm = ":".join(a.name for a in t)
            names.append(nm)
            term_of[nm] = nm
            blocks.append(("num", t))
    if len(set(names)) != len(names):
        return None
    del values
    full = n == len(df)

    def num(c: str) -> np.ndarray:
        """A numeric column of the rows kept (one column at a time: no copy of the data)."""
        v = cache[c].to_numpy(dtype=float)
        return v if full else v[pos]

    def filler(kind: str, spec: Any) -> Callable[[np.ndarray], None]:
        """Writes one design column (of the rows kept) into its ``out`` argument."""
        def fill(out: np.ndarray) -> None:
            if kind == "one":
                out.fill(1.0)
            else:
                v = num(spec[0].column)
                if spec[0].power != 1:
                    v = v ** spec[0].power
                for a in spec[1:]:
                    u = num(a.column)
                    v = v * (u if a.power == 1 else u ** a.power)
                out[:] = v
        return fill

    fills: list[Callable[[np.ndarray], None]] = [filler("one", None)] + [
        Indicator(levels[spec[0]][1], spec[1], len(levels[spec[0]][0])) if kind == "cat"
        else filler(kind, spec) for kind, spec in blocks]
    sample = np.unique(np.concatenate([np.zeros(min(n, 1), dtype=np.int64)]
                                      + [levels[c][2] for c in levels]))
    return pos, fills, tuple(names), term_of, sample, cols


__all__ = ["column_values", "fast_design", "notna_mask"]
