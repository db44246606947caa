"""Linear algebra of the random-effects Hessian ``H = I + Λ Z' W Z Λ``.

Two implementations share one small interface (factor, solve, log-determinant, and the
selected entries of ``H⁻¹`` that the Laplace gradient needs):

* :class:`NestedBlocks` — for a chain of nested factors (respondents in MSOAs in LAs). ``H`` is
  block-diagonal per top-level group with an arrowhead inside: a group is coupled only to its
  ancestors. Eliminating the finest level first creates no fill-in outside the ancestor chain,
  so an LDLᵀ factorisation, solves, and the selected inverse (Takahashi, Fagan & Chen 1973,
  the entries of ``H⁻¹`` on the factor's pattern) all cost O(number of groups), vectorised with
  ``np.bincount`` — no Python loop over groups.
* :class:`DenseBlocks` — any structure, via a dense Cholesky of the q×q matrix; fine up to a
  few thousand random effects (used with ``Control(dense=True)`` to cross-check).
* :class:`socint.models.crossed.CrossedBlocks` — crossed factors: the largest factor's
  diagonal block is eliminated first and only the other factors' Schur complement is dense.

Notation follows Bates et al. (2015, J. Stat. Softw. 67(1), section 3): spherical random
effects ``b``, relative covariance factor ``Λ = diag(σ_f)`` per factor, ``u = Λ b``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse

from socint.models.crossed import CrossedBlocks
from socint.models.frame import FloatArray, IntArray, Nesting

#: columns per gathered block in the back substitution of many right-hand sides
SOLVE_CHUNK = 8


@dataclass
class NestedBlocks:
    """Tree-structured LDLᵀ of ``H`` for nested random intercepts.

    Parameters
    ----------
    codes
        Group code per observation for each factor, in the frame's factor order.
    n_groups
        Number of groups of each factor.
    nesting
        The chain (finest first) and ancestor maps from :func:`frame.detect_nesting`.
    """

    codes: tuple[IntArray, ...]
    n_groups: tuple[int, ...]
    nesting: Nesting

    def __post_init__(self) -> None:
        self._d: list[FloatArray] = []
        self._c: list[FloatArray] = []
        #: ``Z'W`` summed per finest group at the last factorisation
        self.w_fine: FloatArray = np.zeros(0)
        # "sum into ancestor, weighted by the factor's c" operators (CSC: one entry per
        # column, so the weights are the data in group order), made per factorisation when a
        # solve has many right-hand sides
        self._indptr = [np.arange(anc.shape[0] + 1) for anc in self.nesting.ancestors]
        self._aggc: dict[tuple[int, int], scipy.sparse.csc_matrix] = {}

    def factor(self, W: FloatArray, sigma: FloatArray) -> None:
        """Factor ``H`` for observation weights ``W`` and standard deviations ``sigma``."""
        order = self.nesting.order
        anc = self.nesting.ancestors
        L = len(order)
        # the row sums at the finest level, then summed up the tree (one pass over the rows)
        w_fine: FloatArray = np.asarray(
            np.bincount(self.codes[order[0]], W, self.n_groups[order[0]]), dtype=np.float64)
        self.w_fine = w_fine
        self._aggc = {}
        if L == 1:  # one factor: H is diagonal (the general code's lists cost ~4 µs a call)
            diag = w_fine * float(sigma[order[0]]) ** 2
            diag += 1.0
            self._d = [diag]
            self._c = [np.empty((diag.size, 0))]
            return
        ws = [w_fine] + [np.bincount(anc[0][:, t], w_fine, self.n_groups[order[t + 1]])
                         for t in range(L - 1)]
        sg = [float(sigma[f]) for f in order]
        Hd = [1.0 + sg[lv] ** 2 * ws[lv] for lv in range(L)]
        Ho: list[FloatArray] = []
        for lv in range(L):
            # the off-diagonal entries with each ancestor, filled column by column
            # (np.column_stack of the products costs an extra copy and ~3 µs per call)
            c = np.empty((ws[lv].size, L - lv - 1))
            for t in range(L - lv - 1):
                np.multiply(ws[lv], sg[lv] * sg[lv + 1 + t], out=c[:, t])
            Ho.append(c)
        for lv in range(L):
            d, c = Hd[lv], Ho[lv]
            A = c.shape[1]
            for t in range(A):
                up = lv + 1 + t
                for s in range(t, A):
                    upd = np.bincount(anc[lv][:, t], c[:, t] * c[:, s] / d, Hd[up].size)
                    if s == t:
                        Hd[up] = Hd[up] - upd
                    else:
                        Ho[up][:, s - t - 1] -= upd
        self._d = [np.asarray(d, dtype=np.float64) for d in Hd]  # (no copy: typing)
        self._c = Ho

    def _sum_up(self, lv: int, t: int, z: FloatArray) -> FloatArray:
        """``Σ_g c_t[g] z[g]`` over the groups ``g`` of level ``lv``, into their ancestors at
        level ``lv + 1 + t`` (``z`` a vector or groups × k)."""
        anc = self.nesting.ancestors[lv][:, t]
        c = self._c[lv][:, t]
        n_up = self.n_groups[self.nesting.order[lv + 1 + t]]
        if z.ndim == 1:
            return np.asarray(np.bincount(anc, c * z, n_up), dtype=np.float64)
        op = self._aggc.get((lv, t))
        if op is None:
            op = scipy.sparse.csc_matrix((c, anc, self._indptr[lv]), shape=(n_up, c.size))
            self._aggc[(lv, t)] = op
        return np.asarray(op @ z)

    def logdet(self) -> float:
        """``log |H|`` of the last factorisation."""
        return float(sum(np.log(d).sum() for d in self._d))

    def solve(self, rhs: list[FloatArray]) -> list[FloatArray]:
        """Solve ``H x = rhs``; ``rhs`` and the result are per factor (frame order).

        Each block may be a vector or a matrix of several right-hand sides (columns).
        """
        order = self.nesting.order
        if len(order) == 1:  # diagonal H
            d = self._d[0]
            return [np.divide(rhs[0], d[:, None] if np.ndim(rhs[0]) == 2 else d)]
        anc = self.nesting.ancestors
        L = len(order)
        # in place on one copy of the right-hand side: forward elimination leaves
        # z = D⁻¹L⁻¹ rhs, back substitution x_l = z_l − Σ_t (c_t/d) x_{up_t}[ancestor]
        r = self._forward([np.array(rhs[f], dtype=float) for f in order])
        two_d = r[0].ndim == 2
        for lv in range(L - 2, -1, -1):
            for t in range(self._c[lv].shape[1]):
                a = anc[lv][:, t]
                ratio = self._c[lv][:, t] / self._d[lv]
                src = r[lv + 1 + t]
                if not two_d:
                    r[lv] -= src[a] * ratio
                    continue
                # a few columns at a time: the gathered block is groups × SOLVE_CHUNK, not
                # groups × k (65 MB at 100× Model 3)
                for j in range(0, src.shape[1], SOLVE_CHUNK):
                    up = src[a, j:j + SOLVE_CHUNK]
                    up *= ratio[:, None]
                    r[lv][:, j:j + SOLVE_CHUNK] -= up
        out: list[FloatArray] = [np.empty(0)] * L
        for lv, f in enumerate(order):
            out[f] = r[lv]
        return out

    def _forward(self, r: list[FloatArray]) -> list[FloatArray]:
        """Forward elimination in place on per-level right-hand sides (finest first): leaves
        ``z = D⁻¹L⁻¹ r``, vectors or groups × k."""
        for lv in range(len(r)):
            d = self._d[lv]
            r[lv] /= d[:, None] if r[lv].ndim == 2 else d
            for t in range(self._c[lv].shape[1]):
                r[lv + 1 + t] -= self._sum_up(lv, t, r[lv])
        return r

    def quad_form(self, rhs: list[FloatArray], *, overwrite: bool = False) -> FloatArray:
        """``Σ_f B_f' (H⁻¹B)_f`` for per-factor matrices ``B`` (groups × k), i.e. ``B'H⁻¹B``.

        With ``H = LDLᵀ`` this is ``Y'D⁻¹Y``, ``Y = L⁻¹B``: the forward elimination of
        :meth:`solve` only, with no back substitution and no groups × k solution. With
        ``overwrite`` the float64 blocks of ``rhs`` are worked on in place (their values are
        lost) instead of copied: one groups × k array less.
        """
        z = self._forward([rhs[f] if overwrite and rhs[f].dtype == np.float64
                           and rhs[f].flags.writeable else np.array(rhs[f], dtype=float)
                           for f in self.nesting.order])
        # Y'D⁻¹Y = z'Dz = (√D z)'(√D z), scaled in place: no groups × k temporary
        out = np.zeros((z[0].shape[1], z[0].shape[1]))
        for zl, d in zip(z, self._d, strict=True):
            zl *= np.sqrt(d)[:, None]
            out += zl.T @ zl
        return out

    def p_squared_form(self, m: FloatArray, sigma: FloatArray) -> FloatArray:
        """``Σ_gg' P_gg'² m_g m_g'ᵀ`` over pairs of finest groups, for one or two levels.

        ``P_gg' = z_g'ΛH⁻¹Λz_g'`` (``z_g`` the indicator of finest group ``g`` and its
        ancestor); ``m`` is finest groups × k. One level: ``P`` is diagonal, ``σ²/d_g``. Two
        levels: within a top-level group ``l`` the LDLᵀ factors give
        ``H⁻¹[g, g'] = δ_gg'/d_g + u_g u_g' s_l``, ``H⁻¹[g, l] = −u_g s_l``, ``H⁻¹[l, l] = s_l``
        (``u_g = c_g/d_g``, ``s_l = 1/d_l``), so ``P_gg' = δ_gg' σ_m²/d_g + s_l e_g e_g'`` with
        ``e_g = σ_m u_g − σ_l``: diagonal plus rank one, and the double sum is O(groups).
        """
        order = self.nesting.order
        if len(order) > 2:
            raise ValueError("p_squared_form is for one or two nested levels")
        sm = float(sigma[order[0]])
        d0 = self._d[0]
        diag = sm**2 / d0
        if len(order) == 1:
            return np.asarray(m.T @ ((diag**2)[:, None] * m))
        sl = float(sigma[order[1]])
        top = self.nesting.ancestors[0][:, 0]
        s_l = 1.0 / self._d[1]
        e2 = (sm * self._c[0][:, 0] / d0 - sl) ** 2
        Q = m.T @ ((diag**2 + 2.0 * diag * s_l[top] * e2)[:, None] * m)
        E = np.empty((s_l.size, m.shape[1]))  # Σ_{g∈l} e_g² m_g per top-level group
        for k in range(m.shape[1]):
            E[:, k] = np.bincount(top, e2 * m[:, k], s_l.size)
        return np.asarray(Q + E.T @ ((s_l**2)[:, None] * E))

    def selected_inverse(self) -> list[FloatArray]:
        """Entries of ``H⁻¹`` between each group and itself and its ancestors.

        Returns, per level (finest first), an array ``(n_groups, 1 + n_ancestors)``: column 0
        is the diagonal, column ``1 + t`` the entry with the ancestor at level ``l + 1 + t``.
        """
        anc = self.nesting.ancestors
        L = len(self._d)
        sel: list[FloatArray] = [np.empty(0)] * L
        for lv in range(L - 1, -1, -1):
            d, c = self._d[lv], self._c[lv]
            A = c.shape[1]
            out = np.empty((d.size, 1 + A))

            def p_entry(t: int, s: int, lv: int = lv) -> FloatArray:
                if s < t:
                    t, s = s, t
                up = lv + 1 + t
                col = 0 if s == t else 1 + (s - t - 1)
                return sel[up][anc[lv][:, t], col]

            for s in range(A):
                acc = np.zeros(d.size)
                for t in range(A):
                    acc += c[:, t] * p_entry(t, s)
                out[:, 1 + s] = -acc / d
            diag = 1.0 / d
            for s in range(A):
                diag = diag - c[:, s] * out[:, 1 + s] / d
            out[:, 0] = diag
            sel[lv] = out
        return sel

    def inverse_pairs(self) -> list[list[FloatArray]]:
        """Per observation, ``H⁻¹[(f, g_f(i)), (f', g_f'(i))]`` for every factor pair: the
        entries of :meth:`inverse_pairs_fine` gathered by each row's finest group."""
        rows = self.codes[self.nesting.order[0]]
        fine = self.inverse_pairs_fine()
        F = len(fine)
        pairs: list[list[FloatArray]] = [[np.empty(0)] * F for _ in range(F)]
        for f in range(F):
            for g in range(f, F):
                pairs[f][g] = pairs[g][f] = fine[f][g][rows]
        return pairs

    def inverse_pairs_fine(self) -> list[list[FloatArray]]:
        """As :meth:`inverse_pairs`, per group of the finest factor instead of per row (every
        row of a finest group has the same entries)."""
        order = self.nesting.order
        anc0 = self.nesting.ancestors[0]
        pos = {f: lv for lv, f in enumerate(order)}
        sel = self.selected_inverse()
        F = len(order)
        pairs: list[list[FloatArray]] = [[np.empty(0)] * F for _ in range(F)]
        for f in range(F):
            for g in range(f, F):
                lf, lg = sorted((pos[f], pos[g]))
                col = 0 if lf == lg else 1 + (lg - lf - 1)
                vals = sel[0][:, col] if lf == 0 else sel[lf][anc0[:, lf - 1], col]
                pairs[f][g] = vals
                pairs[g][f] = vals
        return pairs

    def diag_inverse(self) -> list[FloatArray]:
        """Diagonal of ``H⁻¹`` per factor (frame order): conditional variances of ``b``."""
        sel = self.selected_inverse()
        out: list[FloatArray] = [np.empty(0)] * len(sel)
        for lv, f in enumerate(self.nesting.order):
            out[f] = sel[lv][:, 0]
        return out


@dataclass
class DenseBlocks:
    """Dense Cholesky of ``H`` for any (e.g. crossed) structure of random intercepts."""

    codes: tuple[IntArray, ...]
    n_groups: tuple[int, ...]

    def __post_init__(self) -> None:
        self._off = np.concatenate([[0], np.cumsum(self.n_groups)]).astype(np.int64)
        self._chol: tuple[FloatArray, bool] | None = None
        self._inv: FloatArray | None = None

    def factor(self, W: FloatArray, sigma: FloatArray) -> None:
        """Form and factor ``H`` densely."""
        q = int(self._off[-1])
        H = np.eye(q)
        F = len(self.codes)
        for f in range(F):
            for g in range(f, F):
                nf, ng = self.n_groups[f], self.n_groups[g]
                key = self.codes[f] * ng + self.codes[g]
                blk = np.bincount(key, W, nf * ng).reshape(nf, ng) * (sigma[f] * sigma[g])
                sf = slice(self._off[f], self._off[f + 1])
                sg = slice(self._off[g], self._off[g + 1])
                H[sf, sg] += blk
                if f != g:
                    H[sg, sf] += blk.T
        self._chol = scipy.linalg.cho_factor(H, lower=True)
        self._inv = None

    def logdet(self) -> float:
        """``log |H|`` of the last factorisation."""
        assert self._chol is not None
        return float(2.0 * np.log(np.diag(self._chol[0])).sum())

    def solve(self, rhs: list[FloatArray]) -> list[FloatArray]:
        """Solve ``H x = rhs`` (per-factor blocks in and out)."""
        assert self._chol is not None
        x = scipy.linalg.cho_solve(self._chol, np.concatenate(rhs))
        return [x[self._off[f] : self._off[f + 1]] for f in range(len(self.codes))]

    def _inverse(self) -> FloatArray:
        if self._inv is None:
            assert self._chol is not None
            self._inv = scipy.linalg.cho_solve(self._chol, np.eye(int(self._off[-1])))
        return self._inv

    def inverse_pairs(self) -> list[list[FloatArray]]:
        """Per observation, ``H⁻¹[(f, g_f(i)), (f', g_f'(i))]`` for every factor pair."""
        inv = self._inverse()
        F = len(self.codes)
        pairs: list[list[FloatArray]] = [[np.empty(0)] * F for _ in range(F)]
        for f in range(F):
            for g in range(f, F):
                vals = inv[self._off[f] + self.codes[f], self._off[g] + self.codes[g]]
                pairs[f][g] = vals
                pairs[g][f] = vals
        return pairs

    def diag_inverse(self) -> list[FloatArray]:
        """Diagonal of ``H⁻¹`` per factor."""
        dg = np.diag(self._inverse())
        return [dg[self._off[f] : self._off[f + 1]] for f in range(len(self.codes))]


Blocks = NestedBlocks | DenseBlocks | CrossedBlocks

__all__ = ["Blocks", "DenseBlocks", "NestedBlocks"]
