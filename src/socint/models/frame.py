"""Stage 1 of the GLMM (lme4's ``glFormula``): from formula and data to a model frame.

The model frame holds the binomial response (successes and trials), the fixed-effects design
matrix on an internal centred-and-scaled basis (covariates with very different scales make the
optimiser's job harder; estimates are mapped back to the original scale afterwards, the same
idea as lme4's advice to scale predictors), integer group codes for each random-intercept
factor, and the nesting structure that the fast deviance path exploits.

Reference: Bates, Mächler, Bolker & Walker (2015), *Fitting linear mixed-effects models using
lme4*, J. Stat. Softw. 67(1), section 2 (the "formula module").
"""

from __future__ import annotations

import ast
import itertools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from formulaic import model_matrix

from socint.errors import InputDataError, ModelError
from socint.models.checks import act, constant_columns, nested_parent, one_level_factors
from socint.models.fastdesign import column_values, fast_design, notna_mask
from socint.models.formula import ParsedFormula
from socint.models.xmatrix import XBuilder, XMatrix

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class Nesting:
    """A chain of nested grouping factors, finest first.

    ``order[l]`` is the index (into the frame's factors) of level ``l``; ``ancestors[l]`` has
    shape ``(n_groups[l], L - l - 1)``: column ``t`` is the group, at level ``l + 1 + t``, that
    contains each group of level ``l``.
    """

    order: tuple[int, ...]
    ancestors: tuple[IntArray, ...]


@dataclass(frozen=True)
class ModelFrame:
    """Everything the deviance function needs, plus what the result needs to report."""

    y: FloatArray
    trials: FloatArray
    weights: FloatArray
    X: XMatrix
    columns: tuple[str, ...]
    column_terms: tuple[str, ...]
    to_original: FloatArray
    factor_names: tuple[str, ...]
    factor_columns: tuple[tuple[str, ...], ...]
    codes: tuple[IntArray, ...]
    labels: tuple[pd.Index, ...]
    nesting: Nesting | None
    model_spec: Any
    index: pd.Index
    n_dropped: int
    has_intercept: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def nobs(self) -> int:
        """Number of rows used in the fit."""
        return int(self.y.shape[0])

    @property
    def n_groups(self) -> tuple[int, ...]:
        """Number of groups of each random-intercept factor."""
        return tuple(len(lab) for lab in self.labels)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


_ARITH: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _arith(node: ast.AST, data: pd.DataFrame) -> Any:
    """Evaluate ``+ - * /`` of numeric columns and numbers (None if anything else)."""
    if isinstance(node, ast.Name) and node.id in data.columns:
        col = data[node.id]
        return col.to_numpy() if pd.api.types.is_numeric_dtype(col) and not (
            pd.api.types.is_bool_dtype(col)) else None
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        left, right = _arith(node.left, data), _arith(node.right, data)
        if left is None or right is None:
            return None
        return _ARITH[type(node.op)](left, right)
    return None


def _eval_values(data: pd.DataFrame, expr: str, what: str) -> pd.Series | np.ndarray:
    """Evaluate a column name or a pandas expression on ``data``: a Series, or for arithmetic
    of numeric columns (``size - incidence``) the numpy array itself.

    That arithmetic is done with numpy directly (pandas' ``eval`` costs milliseconds, and a
    Series around the result a few hundred microseconds); anything else goes to
    ``DataFrame.eval``.
    """
    if expr in data.columns:
        return data[expr]
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError:
        tree = None
    val = _arith(tree, data) if tree is not None else None
    if isinstance(val, np.ndarray):
        return val
    try:
        out = data.eval(expr)
    except Exception as exc:  # pandas raises many types here
        raise ModelError(
            f"cannot evaluate {what} {expr!r} on the data: {exc}",
            column=expr,
            hint=f"columns available: {', '.join(map(str, data.columns[:20]))}",
        ) from exc
    return pd.Series(out, index=data.index)


def _eval(data: pd.DataFrame, expr: str, what: str) -> pd.Series:
    """:func:`_eval_values` as a Series (on the data's index)."""
    val = _eval_values(data, expr, what)
    return pd.Series(val, index=data.index) if isinstance(val, np.ndarray) else val


def _plain_float(val: pd.Series | np.ndarray) -> FloatArray:
    """Values as float64 numbers; plain numpy columns without pandas' ``astype``."""
    if isinstance(val, np.ndarray):
        return np.asarray(val, dtype=np.float64)
    if isinstance(val.dtype, np.dtype) and val.dtype.kind in "biuf":
        return np.asarray(val.to_numpy(), dtype=np.float64)
    return np.asarray(val.astype(float).to_numpy(dtype=float), dtype=np.float64)


def _ones(n: int) -> FloatArray:
    """``n`` ones as a read-only broadcast of one value (no memory per row)."""
    return np.broadcast_to(np.float64(1.0), (n,))


def _factorize(values: Any, name: str) -> tuple[IntArray, pd.Index]:
    """Sorted integer codes and labels of one column's values, as ``pd.factorize`` gives them
    for the Series (the labels keep its dtype: object stays object)."""
    codes, uniques = pd.factorize(values, sort=True)
    obj = isinstance(values, np.ndarray) and values.dtype == object
    return (np.asarray(codes, dtype=np.int64),
            pd.Index(uniques, name=name, dtype=object if obj else None))


def _group_codes(data: Mapping[str, pd.Series], cols: tuple[str, ...],
                 pos: IntArray | None = None) -> tuple[IntArray, pd.Index]:
    """Integer codes 0..G-1 and labels of a (possibly interacted) grouping factor, on the rows
    ``pos`` (all rows when None)."""
    if len(cols) == 1:
        vals = column_values(data[cols[0]])
        return _factorize(vals if pos is None else vals[pos], cols[0])
    key = pd.DataFrame({c: data[c] if pos is None else data[c].iloc[pos] for c in cols}
                       ).astype(str).agg(":".join, axis=1)
    codes, uniques = pd.factorize(key, sort=True)
    return codes.astype(np.int64), pd.Index(uniques, name=":".join(cols))


def detect_nesting(codes: tuple[IntArray, ...], n_groups: tuple[int, ...]) -> Nesting | None:
    """Return the nesting chain if every factor is nested in the next coarser one, else None.

    Factor A is nested in B when every group of A lies inside a single group of B (lme4 calls
    this "implicit nesting"); codes need not be unique across parents because ``a/b`` factors
    are built as interactions.
    """
    order = tuple(sorted(range(len(codes)), key=lambda f: -n_groups[f]))
    parents: list[IntArray] = []
    for fine, coarse in itertools.pairwise(order):
        parent = nested_parent(codes[fine], codes[coarse], n_groups[fine])
        if parent is None:
            return None
        parents.append(parent)
    L = len(order)
    ancestors: list[IntArray] = []
    for level in range(L):
        cols = []
        cur = np.arange(n_groups[order[level]], dtype=np.int64)
        for up in range(level, L - 1):
            cur = parents[up][cur]
            cols.append(cur)
        anc = np.column_stack(cols) if cols else np.empty((cur.size, 0), dtype=np.int64)
        ancestors.append(anc.astype(np.int64))
    return Nesting(order, tuple(ancestors))


def _zero_one(x: FloatArray) -> bool:
    """Whether every value is 0 or 1 (``np.all((x == 0) | (x == 1))`` with fewer passes)."""
    if x.size == 0:
        return True
    lo, hi = x.min(), x.max()
    if not (lo >= 0 and hi <= 1):  # also False for NaN
        return False
    # within [0, 1], every value is 0 or 1 exactly when the non-zero ones are all 1
    return bool(np.count_nonzero(x) == np.count_nonzero(x == 1))


def check_separation(columns: tuple[str, ...], terms: tuple[str, ...],
                     X: FloatArray | XMatrix, y: FloatArray, trials: FloatArray) -> None:
    """Raise if a 0/1 design column has only successes or only failures where it is 1.

    That is (quasi-)complete separation for a category: its odds ratio is 0 or infinite and
    the maximum likelihood estimate does not exist (Albert & Anderson 1984, *Biometrika* 71:1).
    """
    sums: tuple[FloatArray, FloatArray, FloatArray] | None = None
    for k, col in enumerate(columns):
        if col == "Intercept":
            continue
        if isinstance(X, XMatrix) and X.is_group_level(k):
            # an area-level column: its group values against the groups' sums (one row per
            # group, weighted by the rows in it), with no gathering to rows
            if sums is None:
                sums = (X.group_sum(y), X.group_sum(trials), X.group_sum(np.ones(y.size)))
            x, yk, mk, nk = X.group_values(k), sums[0], sums[1], sums[2]
        else:
            x, yk, mk, nk = X[:, k], y, trials, None
        if not _zero_one(x):
            continue
        # screen with two dot products (exact for whole-number counts); the sums that decide
        # are those of the rows where x = 1, as they always were
        sd, md = float(x @ yk), float(x @ mk)
        if sd != 0 and abs(md - sd) > 1e-9 * md:
            continue
        on = x == 1
        s_, m_ = float(yk[on].sum()), float(mk[on].sum())
        if s_ == 0 or s_ == m_:
            outcome = "0" if s_ == 0 else "1"
            rows = int(on.sum()) if nk is None else int(nk[on].sum())
            raise ModelError(
                f"complete separation: every one of the {rows} rows with design column "
                f"{col!r} (term {terms[k]!r}) = 1 has outcome {outcome}",
                column=col,
                hint="merge this category with another one or drop the term",
            )


class LazyModelSpec:
    """formulaic's ``ModelSpec`` of a formula of plain numeric columns, built on first use.

    Such a design is assembled directly with numpy (formulaic's materialiser costs a few
    milliseconds, most of a small fit); the spec, needed only to encode new data for
    predictions, is made from one fitted row when first asked for. Attribute access is
    forwarded, so it behaves as the spec itself.
    """

    def __init__(self, fixed: str, sample: Callable[[], pd.DataFrame]) -> None:
        self._fixed, self._sample = fixed, sample
        self._spec: Any = None

    def _real(self) -> Any:
        if self._spec is None:
            self._spec = model_matrix(self._fixed, self._sample()).model_spec
        return self._spec

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._real(), name)


def _fixed_design(fixed: str, df: pd.DataFrame, keep: np.ndarray) -> tuple[
        IntArray, list[Callable[[np.ndarray], None]] | FloatArray, tuple[str, ...],
        dict[str, str], Any]:
    """Positions of the rows kept, the design's column fillers (or its matrix), column names,
    terms, spec.

    Simple formulas (numeric columns, ``I(x ** k)``, numeric interactions, categorical main
    effects; :mod:`socint.models.fastdesign`) take a numpy fast path with the same columns,
    names and missing-value rule as formulaic, returning one filler per column (the matrix is
    assembled later by :class:`~socint.models.xmatrix.XBuilder`, area-level columns once per
    area); anything else goes through formulaic, whose matrix is returned column-major.
    """
    fast = fast_design(fixed, df, keep)
    if fast is not None:
        fpos, fills, fcols, fterms, sample, base = fast
        rows = fpos[sample]
        return fpos, fills, fcols, fterms, LazyModelSpec(fixed, lambda: df.iloc[rows][base])
    kp = np.flatnonzero(keep)
    try:
        mm = model_matrix(fixed, df.iloc[kp].reset_index(drop=True), na_action="drop")
    except Exception as exc:  # formulaic raises many types for bad formulas
        raise ModelError(
            f"cannot build the fixed-effects design from {fixed!r}: {exc}",
            hint="check the variable names and the formulaic syntax of the fixed part",
        ) from exc
    col_terms: dict[str, str] = {}
    for ts in mm.model_spec.structure:
        for c in ts.columns:
            col_terms[str(c)] = str(ts.term)
    # our own column-major copy (compacted and scaled in place later); the model matrix
    # itself is released
    X_raw = np.array(mm.to_numpy(dtype=float), dtype=np.float64, order="F", copy=True)
    pos = kp[mm.index.to_numpy()].astype(np.int64)
    return pos, X_raw, tuple(str(c) for c in mm.columns), col_terms, mm.model_spec


def _slope_columns(parsed: ParsedFormula, df: pd.DataFrame) -> dict[str, FloatArray]:
    """Numeric values of every random-slope column (NaN where missing)."""
    out: dict[str, FloatArray] = {}
    for sl in parsed.slopes:
        for c in sl:
            if c in out:
                continue
            if c not in df.columns:
                raise ModelError(f"random slope {c!r} is not a column of the data", column=c,
                                 hint=f"columns available: {', '.join(map(str, df.columns[:20]))}")
            v = pd.to_numeric(df[c], errors="coerce")
            if (v.isna() & df[c].notna()).any():
                raise ModelError(f"random slope {c!r} must be numeric", column=c,
                                 hint="random slopes take numeric columns; code a category "
                                      "as a 0/1 column")
            out[c] = v.to_numpy(dtype=float)
    return out


def _check_variation(parsed: ParsedFormula, y: FloatArray, trials: FloatArray) -> None:
    """Raise if the outcome is all successes or all failures (no model can be fitted)."""
    s, m = float(y.sum()), float(trials.sum())
    if s > 0 and s < m:
        return
    what = parsed.response or f"cbind({parsed.successes}, {parsed.failures})"
    outcome = "0 (no successes)" if s == 0 else "1 (no failures)"
    raise ModelError(
        f"the outcome {what!r} has no variation: every one of the {y.size} rows is {outcome}",
        column=parsed.response,
        hint="a binomial model needs both outcomes; check the coding of the outcome and the "
             "filter that selected the rows",
    )


def _check_one_level(parsed: ParsedFormula, labels: list[pd.Index], columns: tuple[str, ...],
                     X: XMatrix, level: str) -> None:
    """A grouping factor with one level has no between-group variance to estimate (lme4's
    ``check.nlev.gtr.1``); say so, and which covariates are then constant."""
    names = parsed.random_names
    one = one_level_factors(names, labels)
    if not one:
        return
    const = constant_columns(columns, X)
    which = ", ".join(f"{names[f]!r} (only {labels[f][0]!r})" for f in one)
    msg = (f"grouping factor {which} has one level: its variance cannot be estimated")
    if const:
        msg += ("; covariates constant over all rows (not estimable from these data): "
                + ", ".join(repr(c) for c in const))
    act(level, msg, column=parsed.random[one[0]][0], stacklevel=5,
        hint="fit data covering several groups, or drop the factor's random term"
             + (" and the constant covariates" if const else "")
             + ' (Control(check_nlev="warn") fits anyway)')


def build_frame(
    parsed: ParsedFormula,
    data: pd.DataFrame,
    weights: FloatArray | str | None = None,
    *,
    check_nlev: str = "raise",
) -> ModelFrame:
    """Build the model frame: response, scaled design matrix, group codes, nesting.

    Rows with a missing value in any variable of the model are dropped (lme4's ``na.omit``),
    and their number is kept in ``n_dropped``.

    Raises
    ------
    ModelError
        For no rows, an outcome without variation, a response that is not 0/1 (or not valid
        successes/failures), a missing column, a grouping factor with one level (unless
        ``check_nlev`` is "warn" or "ignore"), an all-zero design column (empty category), or a
        rank-deficient design.
    """
    if not isinstance(data, pd.DataFrame):
        raise ModelError(
            f"data must be a pandas DataFrame, received {type(data).__name__}",
            hint="pass the survey as a DataFrame with one row per respondent",
        )
    for cols in parsed.random:
        for c in cols:
            if c not in data.columns:
                raise ModelError(
                    f"grouping factor {c!r} is not a column of the data",
                    column=c,
                    hint=f"columns available: {', '.join(map(str, data.columns[:20]))}",
                )
    df = data
    if parsed.successes is not None and parsed.failures is not None:
        succ_a = _plain_float(_eval_values(df, parsed.successes, "cbind() successes"))
        fail_a = _plain_float(_eval_values(df, parsed.failures, "cbind() failures"))
    else:
        assert parsed.response is not None
        resp_v = _eval_values(df, parsed.response, "response")
        resp = resp_v if isinstance(resp_v, pd.Series) else pd.Series(resp_v, index=df.index)
        if resp.dtype == bool:
            resp = resp.astype(float)
        if pd.api.types.is_numeric_dtype(resp.dtype) and not isinstance(
                resp.dtype, pd.api.extensions.ExtensionDtype):
            # plain numpy numbers (the usual case): the same checks without pandas overhead
            succ_a = np.asarray(resp.to_numpy(dtype=float), dtype=np.float64)
            bad_np = ~np.isnan(succ_a) & (succ_a != 0.0) & (succ_a != 1.0)
        else:
            succ = pd.to_numeric(resp, errors="coerce").astype(float)
            bad_np = (resp.notna() & (succ.isna() | ~succ.isin([0.0, 1.0]))).to_numpy()
            succ_a = np.asarray(succ.to_numpy(dtype=float), dtype=np.float64)
        if bad_np.any():
            row = int(np.flatnonzero(bad_np)[0])
            raise ModelError(
                f"response {parsed.response!r} must be 0/1 for a binomial model; row {row + 1} "
                f"holds {_plain(resp.iloc[row])!r}",
                row=row + 1,
                column=parsed.response,
                hint="code the outcome 1 = yes, 0 = no, or use cbind(successes, failures)",
            )
        fail_a = 1.0 - succ_a
    keep = ~np.isnan(succ_a) & ~np.isnan(fail_a)
    gcols_all = list(dict.fromkeys(c for g in parsed.random for c in g))
    gser = {c: df[c] for c in gcols_all}
    for c in gcols_all:
        keep &= notna_mask(gser[c])
    slope_vals = _slope_columns(parsed, df)
    for v in slope_vals.values():
        keep &= np.isfinite(v)
    if len(df) == 0:
        raise ModelError(
            "the data have no rows (a header-only survey file?): there is nothing to fit",
            hint="check that the survey file holds respondents, and the filter that selected them",
        )
    w_arr: FloatArray | None = None
    if weights is not None:
        w_ser = df[weights] if isinstance(weights, str) else pd.Series(np.asarray(weights))
        if len(w_ser) != len(df):
            raise ModelError(
                f"weights have {len(w_ser)} values but the data have {len(df)} rows",
                hint="pass one weight per row (or the name of a weight column)",
            )
        w_arr = pd.to_numeric(w_ser, errors="coerce").to_numpy(dtype=float)
        bad_w = ~np.isfinite(w_arr) | (w_arr <= 0)
        if bad_w.any():
            row = int(np.flatnonzero(bad_w)[0])
            raise InputDataError(
                f"sampling weights must be positive and finite; row {row + 1} holds "
                f"{float(w_arr[row])!r}",
                row=row + 1,
                column=weights if isinstance(weights, str) else None,
                hint="drop rows with zero or missing weights before fitting",
            )
    pos, design, columns, col_terms, spec = _fixed_design(parsed.fixed, df, keep)
    if pos.size == 0:
        raise ModelError(
            f"none of the {len(df)} rows is complete: every row has a missing value in the "
            "outcome, a covariate or a grouping factor of the model",
            hint="check the missing-value coding of the model's columns",
        )
    full = pos.size == len(df)
    if not full:
        y, f_arr = succ_a[pos], fail_a[pos]
    else:  # (no copy of the whole outcome, unless it is a view of the caller's data)
        y = succ_a if succ_a.flags.owndata else succ_a.copy()
        f_arr = fail_a
    trials = y + f_arr
    bad_n = (y < 0) | (f_arr < 0) | (trials <= 0) | (np.abs(y - np.round(y)) > 1e-8)
    if bad_n.any():
        at = int(np.flatnonzero(bad_n)[0])
        row = int(pos[at])
        raise ModelError(
            f"binomial counts must be non-negative whole numbers with at least one trial; "
            f"row {row + 1} has successes={float(y[at])!r}, failures={float(f_arr[at])!r}",
            row=row + 1,
            hint="check the cbind(successes, failures) expressions",
        )
    _check_variation(parsed, y, trials)
    del f_arr, succ_a, fail_a
    if bool(np.all(trials == 1.0)):
        trials = _ones(pos.size)
    codes: list[IntArray] = []
    labels: list[pd.Index] = []
    for gcols in parsed.random:
        gc, lab = _group_codes(gser, gcols, None if full else pos)
        codes.append(gc)
        labels.append(lab)
    n_groups = tuple(len(lab) for lab in labels)
    nesting = detect_nesting(tuple(codes), n_groups)
    # the design, its area-level columns (constant within the finest groups) once per group
    fine = None if nesting is None else codes[nesting.order[0]]
    n_fine = 0 if nesting is None else n_groups[nesting.order[0]]
    if isinstance(design, np.ndarray):
        X = XMatrix.split(design, fine, n_fine, in_place=True)
    else:
        # (the buffer's columns beyond the row-varying ones are never written, so never
        # become resident memory)
        builder = XBuilder(np.empty((pos.size, len(columns)), order="F"), fine, n_fine)
        for fill in design:
            builder.add(fill)
        X = builder.build()
    del design
    _check_one_level(parsed, labels, columns, X, check_nlev)
    has_intercept = "Intercept" in columns
    for k, c in enumerate(columns):
        if c != "Intercept" and not X[:, k].any():
            raise ModelError(
                f"design column {c!r} (term {col_terms.get(c, c)!r}) is all zero: an empty "
                "category or a constant-zero covariate",
                column=c,
                hint="drop the unused category (e.g. remove unused pandas categories) or the term",
            )
    column_terms = tuple(col_terms.get(c, c) for c in columns)
    check_separation(columns, column_terms, X, y, trials)
    # centred and scaled in place
    A = X.standardise(has_intercept, columns.index("Intercept") if has_intercept else 0)
    # rank check on the Gram matrix of the scaled columns (p×p, one pass over the data)
    gram = X.gram() / X.shape[0]
    lam, vec = np.linalg.eigh(gram)
    null = lam < 1e-10 * max(float(lam.max()), 1.0)
    rank = int(X.shape[1] - null.sum())
    if null.any():
        involved = np.abs(vec[:, null]).max(axis=1) > 1e-3
        weak = [columns[k] for k in np.flatnonzero(involved)]
        raise ModelError(
            f"the fixed-effects design is rank deficient (rank {rank} < {X.shape[1]} columns); "
            f"collinear column(s): {', '.join(weak) or 'unknown'}",
            hint="remove a redundant covariate or category",
        )
    # all-ones weights and trials (the usual survey case) take no memory: a read-only view
    # of one number (at 100× Model 3 each would be 23 MB)
    w = _ones(pos.size) if w_arr is None else w_arr[pos]
    kept = pos
    extra: dict[str, Any] = {}
    if parsed.has_slopes:
        extra["slope_values"] = [
            np.column_stack([slope_vals[c][kept] for c in sl]) if sl
            else np.empty((len(kept), 0))
            for sl in parsed.slopes]
    return ModelFrame(
        y=y,
        trials=trials,
        weights=w,
        X=X,
        columns=columns,
        column_terms=column_terms,
        to_original=A,
        factor_names=parsed.random_names,
        factor_columns=parsed.random,
        codes=tuple(codes),
        labels=tuple(labels),
        nesting=nesting,
        model_spec=spec,
        index=data.index if full else pd.Index(data.index[pos]),
        n_dropped=int(len(df) - pos.size),
        has_intercept=has_intercept,
        extra=extra,
    )


__all__ = [
    "FloatArray", "IntArray", "ModelFrame", "Nesting", "build_frame", "check_separation",
    "detect_nesting",
]
