"""The fixed-effects design matrix ``X`` of a GLMM, with its area-level columns kept per area.

In a survey of respondents in areas, many covariates are properties of the area (Model 3's
deprivation deciles, diversity, % aged 65+, rural, the change in the White British share: with
the intercept, 11 of its 26 columns). Such a column is constant within each group of the finest
grouping factor (the MSOA), so it is held once per group (``G``: groups × g) instead of once per
row. Only the columns that vary within groups are held per row (``R``: n × r, column-major).

The dummy columns of a categorical covariate that varies within groups (Model 3's ethnicity
and NS-SEC) are held the same way, as a lookup: one integer code per row and a small table
``T`` (levels × columns), ``X[:, kcols] = T[code]`` (:class:`Indicator` marks such a column for
the builder). Centring and scaling change ``T`` only.

This is what makes a 2.9-million-row fit (100× the published Model 3 survey) fit in memory:
of its 26 columns, 11 are held per area and 8 (two categoricals) by their codes, so 7 are
held per row (161 MB and two 23 MB code arrays instead of 600 MB), and the design is never
materialised in full (:class:`XBuilder` fills one column at a time). It also saves work: the
group-level columns enter ``X'WX`` and ``Z'WX`` through the group sums of ``W`` alone, the
coded ones through the sums of ``W`` per group and level (:meth:`XMatrix.cross`); the chunked
products (:meth:`XMatrix.row_gram`) gather the coded columns of each block of rows.

``XMatrix`` answers the few operations the engine needs — ``X @ v``, ``r @ X``, a column, a
block of rows, weighted cross-products — and ``toarray()`` gives the dense matrix (for checks
of rare cases, and tests). Column ``k`` keeps its place ``k`` in every result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg.blas

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

#: Rows per chunk of the chunked products (a chunk of ``X`` and of ``√W∘X`` stay in cache).
CHUNK = 1 << 14

#: A categorical with at most this many levels is held by its codes (its sums per group and
#: level are a groups × levels array: 15 MB for 6 levels at 100× Model 3)
CODED_MAX_LEVELS = 16

#: A design of at most this many cells (512 KB) also keeps its dense copy, and the products
#: use it: on small data numpy's per-call cost dominates, and one BLAS call beats the split
#: storage's several (2,000 × 2: ``X v`` 1.9 vs 9.0 µs, ``r X`` 1.4 vs 7.4 µs, ``X'WX`` with
#: ``Z'WX`` 19 vs 52 µs)
DENSE_CELLS = 1 << 16


class Indicator:
    """A column filler for the dummy of level ``level`` of a categorical with integer
    ``codes`` (0 to n_levels - 1 per row): :class:`XBuilder` keeps such columns by their codes
    instead of writing them (unless they are constant within groups)."""

    def __init__(self, codes: IntArray, level: int, n_levels: int) -> None:
        self.codes, self.level, self.n_levels = codes, level, n_levels

    def __call__(self, out: FloatArray) -> None:
        np.equal(self.codes, self.level, out=out, casting="unsafe")


class Coded:
    """Columns ``cols`` of ``X`` held as ``T[codes]`` (``T``: levels × len(cols))."""

    def __init__(self, codes: IntArray, T: FloatArray, cols: IntArray) -> None:
        self.codes, self.T, self.cols = codes, T, cols
        self.n_levels = int(T.shape[0])
        self._counts: FloatArray | None = None

    @property
    def T_cols(self) -> FloatArray:
        """``T``'s columns as contiguous rows (for gathering one column at a time)."""
        return np.ascontiguousarray(self.T.T)

    def counts(self) -> FloatArray:
        """Rows per level."""
        if self._counts is None:
            self._counts = np.bincount(self.codes, minlength=self.n_levels).astype(np.float64)
        return self._counts


class XMatrix:
    """``X`` (n × p) as row-varying columns ``R`` and per-group columns ``G``.

    ``X[:, rcols[j]] = R[:, j]`` and ``X[:, gcols[j]] = G[fine, j]``, where ``fine`` holds the
    group (of the finest grouping factor) of each row. Without ``fine`` every column is in
    ``R``.
    """

    __array_ufunc__ = None  # ``ndarray @ XMatrix`` defers to :meth:`__rmatmul__`

    def __init__(self, R: FloatArray, G: FloatArray, rcols: IntArray, gcols: IntArray,
                 fine: IntArray | None, coded: list[Coded] | None = None) -> None:
        self.R, self.G = R, G
        self.rcols = np.asarray(rcols, dtype=np.int64)
        self.gcols = np.asarray(gcols, dtype=np.int64)
        self.coded = coded or []
        self.fine = fine
        self.n = int(R.shape[0])
        #: the columns that vary within groups, in the order of :meth:`_row_block`
        self.lcols = np.concatenate([self.rcols] + [c.cols for c in self.coded]).astype(
            np.int64)
        self.p = int(self.lcols.size + self.gcols.size)
        if self.gcols.size and fine is None:
            raise ValueError("group-level columns need the rows' groups (`fine`)")
        self.n_fine = int(G.shape[0])
        self._where = np.empty(self.p, dtype=np.int64)  # column k → its index in R, G or T
        self._where[self.rcols] = np.arange(self.rcols.size)
        self._where[self.gcols] = np.arange(self.gcols.size)
        self._in_g = np.zeros(self.p, dtype=bool)
        self._in_g[self.gcols] = True
        self._block = np.full(self.p, -1, dtype=np.int64)  # coded column k → its block
        for b, c in enumerate(self.coded):
            self._where[c.cols] = np.arange(c.cols.size)
            self._block[c.cols] = b
        self._dense: FloatArray | None = None

    def _check_grouping(self, fine: IntArray) -> None:
        """Group sums of the group-level columns exist only over this design's grouping."""
        if self.gcols.size and fine is not self.fine:
            raise ValueError("group sums over another grouping than the design's")

    def _small(self) -> FloatArray | None:
        """The dense copy of a design of at most :data:`DENSE_CELLS` cells (made on first
        use, dropped when the columns change), else None."""
        if self.n * self.p > DENSE_CELLS:
            return None
        if self._dense is None:
            self._dense = self.rows(0, self.n)
        return self._dense

    # ---- construction ------------------------------------------------------------------
    @classmethod
    def dense(cls, X: np.ndarray) -> XMatrix:
        """Every column per row (no grouping known)."""
        Xf = np.asfortranarray(X, dtype=np.float64)
        return cls(Xf, np.zeros((0, 0)), np.arange(Xf.shape[1]), np.zeros(0, np.int64), None)

    @classmethod
    def split(cls, X: np.ndarray, fine: IntArray | None, n_fine: int, *,
              in_place: bool = False) -> XMatrix:
        """``X`` with its columns that are constant within the groups ``fine`` moved to ``G``.

        With ``in_place`` a column-major float64 ``X`` is compacted in place (its memory
        becomes ``R``'s) instead of copied.
        """
        Xf = np.array(X, dtype=np.float64, order="F", copy=not in_place)
        b = XBuilder(Xf, fine, n_fine)
        for k in range(Xf.shape[1]):
            b.add(_copier(Xf, k))
        return b.build()

    # ---- shape -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.p)

    @property
    def size(self) -> int:
        return self.n * self.p

    ndim = 2

    # ---- access ------------------------------------------------------------------------
    def column(self, k: int) -> FloatArray:
        """Column ``k`` (a view of ``R``, or gathered from ``G`` or a coded table)."""
        d = self._small()
        if d is not None:
            return np.asarray(d[:, k])
        j = int(self._where[k])
        if self._block[k] >= 0:
            c = self.coded[int(self._block[k])]
            return np.asarray(c.T[:, j][c.codes])
        if self._in_g[k]:
            assert self.fine is not None
            return np.asarray(self.G[:, j][self.fine])
        return np.asarray(self.R[:, j])

    def is_group_level(self, k: int) -> bool:
        """Whether column ``k`` is held once per group."""
        return bool(self._in_g[k])

    def group_values(self, k: int) -> FloatArray:
        """A group-level column's value in each group."""
        if not self._in_g[k]:
            raise ValueError(f"column {k} varies within groups")
        return np.asarray(self.G[:, int(self._where[k])])

    def rows(self, lo: int, hi: int) -> FloatArray:
        """Rows ``lo:hi`` as a dense (hi − lo) × p block."""
        out = np.empty((hi - lo, self.p), order="F")
        out[:, self.rcols] = self.R[lo:hi]
        for c in self.coded:
            out[:, c.cols] = c.T[c.codes[lo:hi]]
        if self.gcols.size:
            assert self.fine is not None
            out[:, self.gcols] = self.G[self.fine[lo:hi]]
        return out

    def _row_block(self, lo: int, hi: int, scale: FloatArray | None = None,
                   buf: FloatArray | None = None) -> FloatArray:
        """Rows ``lo:hi`` of the columns that vary within groups (:attr:`lcols` order),
        times ``scale`` (per row) if given, written into ``buf`` (column-major, at least
        hi − lo rows) if given; without either and with no coded column, a view of ``R``."""
        if not self.coded and scale is None:
            return self.R[lo:hi]
        m = hi - lo
        out = (np.empty((m, self.lcols.size), order="F") if buf is None else buf[:m])
        r = self.rcols.size
        if scale is None:
            out[:, :r] = self.R[lo:hi]
        else:
            np.multiply(self.R[lo:hi], scale[:, None], out=out[:, :r])
        for c in self.coded:
            # one gathered column at a time, straight into the block (no m × k temporary)
            codes = c.codes[lo:hi]
            for j in range(c.cols.size):
                col = c.T_cols[j].take(codes)
                if scale is None:
                    out[:, r + j] = col
                else:
                    np.multiply(col, scale, out=out[:, r + j])
            r += c.cols.size
        return out

    def toarray(self) -> FloatArray:
        """The dense n × p matrix (column-major)."""
        return self.rows(0, self.n)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        X = self.toarray()
        return X if dtype is None else X.astype(dtype)

    def __getitem__(self, key: Any) -> np.ndarray:
        """``X[:, k]`` (a column), ``X[lo:hi]`` (a block of rows); anything else from the
        dense matrix."""
        if isinstance(key, tuple) and len(key) == 2 and key[0] == slice(None):
            k = key[1]
            if isinstance(k, (int, np.integer)):
                return self.column(int(k))
            if isinstance(k, np.ndarray) and k.ndim == 1 and k.dtype != bool:
                return np.column_stack([self.column(int(j)) for j in k]) if k.size else (
                    np.empty((self.n, 0)))
        if isinstance(key, slice) and key.step in (None, 1):
            lo, hi, _ = key.indices(self.n)
            return self.rows(lo, max(lo, hi))
        return self.toarray()[key]

    # ---- products ----------------------------------------------------------------------
    def matvec(self, v: FloatArray) -> FloatArray:
        """``X v``."""
        d = self._small()
        if d is not None:
            return np.asarray(d @ v, dtype=np.float64)
        out: FloatArray = np.asarray(self.R @ v[self.rcols], dtype=np.float64)
        for c in self.coded:
            out += (c.T @ v[c.cols])[c.codes]
        if self.gcols.size:
            assert self.fine is not None
            out += (self.G @ v[self.gcols])[self.fine]
        return out

    def rmatvec(self, r: FloatArray) -> FloatArray:
        """``X' r`` (i.e. ``r @ X``)."""
        d = self._small()
        if d is not None:
            return np.asarray(r @ d, dtype=np.float64)
        out = np.empty(self.p)
        out[self.rcols] = r @ self.R
        for c in self.coded:
            out[c.cols] = np.bincount(c.codes, r, c.n_levels) @ c.T
        if self.gcols.size:
            out[self.gcols] = self.group_sum(r) @ self.G
        return out

    def __matmul__(self, v: FloatArray) -> FloatArray:
        if np.ndim(v) != 1:
            return np.asarray(self.toarray() @ v)
        return self.matvec(np.asarray(v, dtype=np.float64))

    def __rmatmul__(self, r: FloatArray) -> FloatArray:
        if np.ndim(r) != 1:
            return np.asarray(r @ self.toarray())
        return self.rmatvec(np.asarray(r, dtype=np.float64))

    def group_sum(self, v: FloatArray) -> FloatArray:
        """``Σ_{i∈g} v_i`` per finest group."""
        assert self.fine is not None
        return np.asarray(np.bincount(self.fine, v, self.n_fine), dtype=np.float64)

    def row_gram(self, W: FloatArray) -> FloatArray:
        """``L' diag(W) L`` for the columns ``L`` that vary within groups (:attr:`lcols`), in
        row chunks (no n × r temporary); with ``W ≥ 0`` by the symmetric rank-k update of
        ``√W∘L`` (half the flops of a product)."""
        r = self.lcols.size
        out = np.zeros((r, r))
        sw = np.sqrt(W) if bool(np.all(W >= 0.0)) else None
        buf = np.empty((min(CHUNK, self.n), r), order="F")  # √W∘L, one chunk at a time
        for lo in range(0, self.n, CHUNK):
            hi = min(lo + CHUNK, self.n)
            if sw is not None:
                out += scipy.linalg.blas.dsyrk(1.0, self._row_block(lo, hi, sw[lo:hi], buf),
                                               trans=1)
            else:
                Rc = self._row_block(lo, hi)
                out += Rc.T @ (W[lo:hi, None] * Rc)
        if sw is not None:  # dsyrk filled the upper triangle
            out = np.triu(out) + np.triu(out, 1).T
        return out

    def group_sums(self, W: FloatArray, fine: IntArray, n_fine: int, *,
                   out: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
        """``Z'(W∘X)`` (groups × p) and ``Z'W`` for the groups ``fine``.

        ``fine`` must be this matrix's grouping (or any grouping when every column is per
        row). The row-varying columns are summed over rows, column by column (O(n) whatever
        the number of groups); the group-level ones are ``diag(Z'W) G``; the coded ones
        ``N T`` with ``N`` the sums of ``W`` per group and level (one pass for all the
        columns of a categorical). With ``out`` (groups × p) the sums are added to it, which
        is returned (no groups × p array more).
        """
        self._check_grouping(fine)
        Bf = np.empty((n_fine, self.p)) if out is None else out

        def store(cols: Any, val: np.ndarray) -> None:
            # (assigned into a fresh array: adding into np.zeros costs a second page fault
            # per page, +22 ms per call at 100× Model 3)
            if out is None:
                Bf[:, cols] = val
            else:
                Bf[:, cols] += val

        d = self._small()
        if d is not None:  # a small design: every column from its dense copy
            store(slice(None), _column_group_sums(d * W[:, None], fine, n_fine))
            return Bf, np.asarray(np.bincount(fine, W, n_fine), dtype=np.float64)
        wc = np.empty(self.n)
        for j, k in enumerate(self.rcols):
            np.multiply(W, self.R[:, j], out=wc)
            store(k, np.bincount(fine, wc, n_fine))
        for c in self.coded:
            key = np.multiply(fine, c.n_levels, out=wc.view(np.int64))  # (wc's memory)
            key += c.codes
            N = np.bincount(key, W, n_fine * c.n_levels).reshape(n_fine, c.n_levels)
            store(c.cols, N @ c.T)
        del wc
        wsum: FloatArray = np.asarray(np.bincount(fine, W, n_fine), dtype=np.float64)
        if self.gcols.size:
            store(self.gcols, wsum[:, None] * self.G)
        return Bf, wsum

    def cross(self, W: FloatArray, fine: IntArray | None = None, n_fine: int = 0
              ) -> tuple[FloatArray, FloatArray | None, FloatArray | None]:
        """``X'WX`` and, for groups ``fine`` (default: the design's), ``Z'WX`` and ``Z'W``.

        Only the row-varying columns ``R`` are summed over rows; for the group-level ones
        ``R'WX_G = (Z'WR)'G`` and ``X_G'WX_G = G' diag(Z'W) G`` come from the group sums.
        Without any grouping, ``X'WX`` alone (``None`` for the sums).
        """
        if fine is None:
            fine, n_fine = self.fine, self.n_fine
        d = self._small()
        if d is not None:  # a small design: one product (made exactly symmetric), and W∘X once
            WX = d * W[:, None]
            A = d.T @ WX
            A += A.T
            A *= 0.5
            if fine is None:
                return A, None, None
            self._check_grouping(fine)
            return (A, _column_group_sums(WX, fine, n_fine),
                    np.asarray(np.bincount(fine, W, n_fine), dtype=np.float64))
        A = np.empty((self.p, self.p))
        R, Gc = self.lcols, self.gcols
        if fine is None:
            A[np.ix_(R, R)] = self.row_gram(W)
            return A, None, None
        Bf, wsum = self.group_sums(W, fine, n_fine)
        if R.size:
            A[np.ix_(R, R)] = self.row_gram(W)
        if Gc.size:
            GB = self.G.T @ Bf  # (no groups × r copy of Bf[:, R])
            A[np.ix_(Gc, R)] = GB[:, R]
            A[np.ix_(R, Gc)] = GB[:, R].T
            A[np.ix_(Gc, Gc)] = GB[:, Gc]
        return A, Bf, wsum

    def gram(self) -> FloatArray:
        """``X'X``, by the symmetric rank-k update of dense row blocks."""
        out = np.zeros((self.p, self.p))
        for lo in range(0, self.n, CHUNK):
            out += scipy.linalg.blas.dsyrk(1.0, self.rows(lo, min(lo + CHUNK, self.n)), trans=1)
        return np.triu(out) + np.triu(out, 1).T

    def chunk_product(self, D: np.ndarray) -> FloatArray:
        """``X'D`` for an n × k matrix ``D`` (any float type), in row chunks (float64)."""
        d = self._small()
        if d is not None:
            return np.asarray(d.T @ np.asarray(D, dtype=np.float64))
        out = np.zeros((self.p, D.shape[1]))
        for lo in range(0, self.n, CHUNK * 4):
            hi = min(lo + CHUNK * 4, self.n)
            out[self.lcols] += self._row_block(lo, hi).T @ D[lo:hi].astype(np.float64)
        if self.gcols.size:
            assert self.fine is not None
            S = np.stack([self.group_sum(np.asarray(D[:, c], dtype=np.float64))
                          for c in range(D.shape[1])], axis=1)
            out[self.gcols] = self.G.T @ S
        return out

    # ---- scaling -----------------------------------------------------------------------
    def standardise(self, has_intercept: bool, intercept: int = 0) -> FloatArray:
        """Centre (with an intercept) and scale every column in place; return ``A`` with
        ``β = A β'`` (coefficients on the scaled columns back to the original ones).

        A column is centred in place first, so its mean square is the variance; a group-level
        column's mean and variance over rows are the group-size-weighted ones of its values.
        """
        self._dense = None  # (the columns change)
        A = np.eye(self.p)
        counts = (np.bincount(self.fine, minlength=self.n_fine).astype(np.float64)
                  if self.fine is not None and self.gcols.size else np.zeros(0))
        for k in range(self.p):
            if has_intercept and k == intercept:
                continue
            j = int(self._where[k])
            if self._in_g[k] or self._block[k] >= 0:
                if self._in_g[k]:
                    x, w = self.G[:, j], counts
                else:
                    cb = self.coded[int(self._block[k])]
                    x, w = cb.T[:, j], cb.counts()
                c = float(w @ x) / self.n if has_intercept else 0.0
                if has_intercept:
                    x -= c
                sc = float(np.sqrt(float(w @ (x * x)) / self.n))
            else:
                x = self.R[:, j]
                c = float(x.mean()) if has_intercept else 0.0
                if has_intercept:
                    x -= c
                sc = float(np.sqrt((x @ x) / self.n))
            s = sc if sc > 0 else 1.0
            x /= s
            A[k, k] = 1.0 / s
            if has_intercept:
                A[intercept, k] = -c / s
        return A


def _column_group_sums(M: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """``Z'M``: the sums of each column of ``M`` (n × k) per group (groups × k)."""
    out = np.empty((n_groups, M.shape[1]))
    for k in range(M.shape[1]):
        out[:, k] = np.bincount(groups, M[:, k], n_groups)
    return out


def _copier(X: FloatArray, k: int) -> Callable[[FloatArray], None]:
    """A column filler that copies ``X[:, k]`` (see :meth:`XBuilder.add`)."""
    def fill(out: FloatArray) -> None:
        out[:] = X[:, k]  # (out may be X[:, j], j ≤ k: column j is already consumed)
    return fill


class XBuilder:
    """Builds an :class:`XMatrix` one column at a time, into one column-major buffer.

    Each column is written into the next free column of ``buffer``; if it is constant within
    the groups ``fine`` its group values go to ``G`` and the buffer column is reused. So only
    the row-varying columns (and one more) are ever written: the untouched part of a freshly
    allocated buffer costs no memory (its pages are never touched). ``buffer`` may also be a
    filled dense matrix whose column ``k`` is the ``k``-th added (it is compacted in place).
    """

    def __init__(self, buffer: FloatArray, fine: IntArray | None, n_fine: int) -> None:
        self.buf, self.fine, self.n_fine = buffer, fine, n_fine
        self.n = int(buffer.shape[0])
        self.k = 0
        self.rcols: list[int] = []
        self.gcols: list[int] = []
        self.gvals: list[FloatArray] = []
        #: coded columns per categorical (keyed by its codes array): codes, levels, columns
        self.coded: dict[int, tuple[IntArray, int, list[int], list[int]]] = {}
        self._varies: dict[int, bool] = {}
        self.first: IntArray | None = None
        if fine is not None and self.n:
            first = np.empty(n_fine, dtype=np.int64)
            first[fine[::-1]] = np.arange(self.n - 1, -1, -1)  # each group's first row
            self.first = first

    def _codes_vary(self, codes: IntArray) -> bool:
        """Whether a categorical's codes vary within the groups (checked once per codes)."""
        key = id(codes)
        if key not in self._varies:
            self._varies[key] = not (self.first is not None and self.fine is not None
                                     and np.array_equal(codes[self.first][self.fine], codes))
        return self._varies[key]

    def add(self, fill: Callable[[FloatArray], None]) -> None:
        """Add the next column: ``fill(out)`` writes it into ``out`` (length n); an
        :class:`Indicator` that varies within groups is kept by its codes, unwritten."""
        if (isinstance(fill, Indicator) and fill.n_levels <= CODED_MAX_LEVELS
                and fill.codes.dtype == np.int64 and self._codes_vary(fill.codes)):
            entry = self.coded.setdefault(id(fill.codes), (fill.codes, fill.n_levels, [], []))
            entry[2].append(fill.level)
            entry[3].append(self.k)
            self.k += 1
            return
        slot = self.buf[:, len(self.rcols)]
        fill(slot)
        if self.first is not None and self.fine is not None:
            g = slot[self.first]
            m = min(self.n, CHUNK)  # a row-varying column usually shows it in the first rows
            if np.array_equal(g[self.fine[:m]], slot[:m]) and np.array_equal(g[self.fine], slot):
                self.gcols.append(self.k)
                self.gvals.append(g)
                self.k += 1
                return
        self.rcols.append(self.k)
        self.k += 1

    def build(self) -> XMatrix:
        R = self.buf[:, : len(self.rcols)]
        G = (np.column_stack(self.gvals) if self.gvals
             else np.zeros((self.n_fine if self.fine is not None else 0, 0)))
        coded = [Coded(codes, (np.arange(L)[:, None] == np.array(levels)[None, :]).astype(
                     np.float64), np.array(cols, dtype=np.int64))
                 for codes, L, levels, cols in self.coded.values()]
        return XMatrix(R, np.ascontiguousarray(G), np.array(self.rcols, dtype=np.int64),
                       np.array(self.gcols, dtype=np.int64), self.fine, coded)


__all__ = ["CHUNK", "CODED_MAX_LEVELS", "Coded", "Indicator", "XBuilder", "XMatrix"]
