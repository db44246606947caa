"""Random slopes ``(x | g)`` and ``(x || g)``: the Laplace likelihood with vector random effects.

Each grouping factor ``k`` has ``m_k`` coefficients per group (the intercept and the slopes),
``u_kj ~ N(0, Σ_k)`` with ``Σ_k = L_k L_kᵀ``; ``L_k`` is lower triangular (lme4's θ, an
unstructured covariance, for ``|``) or diagonal (``||``). With spherical ``b`` and
``u = Λ b`` (Bates et al. 2015, *J. Stat. Softw.* 67(1), sections 2.2 and 3), the Laplace
objective is that of the random-intercept engine,
``−ℓ(y | Xβ + ZΛb̂) + ½‖b̂‖² + ½ log|I + ΛᵀZᵀWZΛ|``, here with a dense Cholesky of the q×q
matrix ``H`` (q = Σ_k m_k G_k), so nested and crossed factors are handled alike up to a few
thousand random effects. The conditional modes come from Newton steps (PIRLS with the observed
information); the outer optimisation over ``(β, θ)`` is L-BFGS-B on central-difference
gradients, then Newton steps with a finite-difference Hessian; standard errors come from the
Hessian in the reported parametrisation (β, standard deviations, correlations), as glmmTMB's
``sdreport`` does for its (log-sd, correlation) parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse
from scipy.special import expit, gammaln, log_ndtr

from socint.errors import ConvergenceError, ModelError
from socint.models.frame import FloatArray, IntArray, ModelFrame
from socint.models.links import probit_derivatives

#: Largest number of random effects of the dense slope path (its H is factored densely).
MAX_SLOPE_Q = 4000


@dataclass(frozen=True)
class SlopeTerm:
    """One grouping factor with its random coefficients (column 0 of ``Z`` is the intercept)."""

    name: str
    codes: IntArray
    n_groups: int
    Z: FloatArray
    coefs: tuple[str, ...]
    correlated: bool

    @property
    def m(self) -> int:
        """Random coefficients per group."""
        return int(self.Z.shape[1])

    @property
    def n_theta(self) -> int:
        """Free entries of ``L``."""
        return self.m * (self.m + 1) // 2 if self.correlated else self.m

    def lower(self, theta: FloatArray) -> FloatArray:
        """``L`` from its free entries (lower triangle row by row, or the diagonal)."""
        if not self.correlated:
            return np.diag(theta)
        L = np.zeros((self.m, self.m))
        L[np.tril_indices(self.m)] = theta
        return L

    def diag_positions(self) -> list[int]:
        """Positions of the diagonal of ``L`` among the free entries."""
        if not self.correlated:
            return list(range(self.m))
        r, c = np.tril_indices(self.m)
        return [int(k) for k in np.flatnonzero(r == c)]


def slope_terms(frame: ModelFrame, slopes: tuple[tuple[str, ...], ...],
                correlated: tuple[bool, ...], values: list[FloatArray]) -> list[SlopeTerm]:
    """The :class:`SlopeTerm` of every factor (``values[k]``: its slope columns, n × s_k)."""
    out = []
    for k, name in enumerate(frame.factor_names):
        Z = np.column_stack([np.ones(frame.nobs), values[k]]) if slopes[k] else np.ones(
            (frame.nobs, 1))
        out.append(SlopeTerm(name, frame.codes[k], frame.n_groups[k], Z,
                             ("(Intercept)", *slopes[k]), correlated[k]))
    return out


class SlopeProblem:
    """The Laplace objective over ``(β, θ)`` for :class:`SlopeTerm` random effects."""

    def __init__(self, frame: ModelFrame, terms: list[SlopeTerm], link: str) -> None:
        self.X, self.terms, self.link = frame.X, terms, link
        self.w, self.y, self.m = frame.weights, frame.y, frame.trials
        self.wy, self.wm = self.w * self.y, self.w * self.m
        self.p = self.X.shape[1]
        self.const = float(np.sum(self.w * (gammaln(self.m + 1) - gammaln(self.y + 1)
                                            - gammaln(self.m - self.y + 1))))
        sizes = [t.m * t.n_groups for t in terms]
        self.q = int(sum(sizes))
        if self.q > MAX_SLOPE_Q:
            raise ModelError(
                f"random slopes with {self.q} random effects exceed the slope path's limit of "
                f"{MAX_SLOPE_Q} (its Hessian is factored densely)",
                hint="coarsen the grouping factor, drop a slope, or fit with lme4/glmmTMB")
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.theta_slices: list[slice] = []
        o = 0
        for t in terms:
            self.theta_slices.append(slice(o, o + t.n_theta))
            o += t.n_theta
        self.n_theta = o
        n = self.y.size
        self._rows = [np.repeat(np.arange(n), t.m) for t in terms]
        self._cols = [(off + t.codes[:, None] * t.m + np.arange(t.m)[None, :]).ravel()
                      for off, t in zip(self.offsets[:-1], terms, strict=True)]
        self.b = np.zeros(self.q)
        self.chol: tuple[FloatArray, bool] | None = None

    def zlam(self, theta: FloatArray) -> scipy.sparse.csr_matrix:
        """``ZΛ`` (n × q, sparse)."""
        vals = [(t.Z @ t.lower(theta[sl])).ravel()
                for t, sl in zip(self.terms, self.theta_slices, strict=True)]
        return scipy.sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(self._rows), np.concatenate(self._cols))),
            shape=(self.y.size, self.q))

    def _nll(self, eta: FloatArray) -> float:
        if self.link == "probit":
            return float(-(self.wy * log_ndtr(eta) + (self.wm - self.wy) * log_ndtr(-eta)).sum())
        sp = np.log1p(np.exp(-np.abs(eta))) + np.maximum(eta, 0.0)
        return float((self.wm * sp - self.wy * eta).sum())

    def _score_w(self, eta: FloatArray) -> tuple[FloatArray, FloatArray]:
        if self.link == "probit":
            _, score, W = probit_derivatives(eta, self.wy, self.wm)
            return score, W
        pr = expit(eta)
        return self.wy - self.wm * pr, self.wm * pr * (1.0 - pr)

    def value(self, beta: FloatArray, theta: FloatArray) -> float:
        """Negative Laplace log-likelihood (conditional modes warm-started from the last)."""
        ZL = self.zlam(theta)
        xb = self.X @ beta
        b = self.b.copy()
        eta = xb + ZL @ b
        obj = self._nll(eta) + 0.5 * float(b @ b)
        for _ in range(60):
            score, W = self._score_w(eta)
            g = ZL.T @ score - b
            H = (ZL.T @ ZL.multiply(W[:, None])).toarray()
            H[np.diag_indices_from(H)] += 1.0
            self.chol = scipy.linalg.cho_factor(H, lower=True)
            step = scipy.linalg.cho_solve(self.chol, g)
            dec = float(step @ g)
            if dec < 1e-20:
                break
            t = 1.0
            for _h in range(30):
                bn = b + t * step
                eta_n = xb + ZL @ bn
                obj_n = self._nll(eta_n) + 0.5 * float(bn @ bn)
                if obj_n <= obj + 1e-13 * abs(obj):
                    break
                t *= 0.5
            else:
                if dec < 1e-12:
                    break
                raise ConvergenceError(
                    "the conditional modes of the random slopes failed to converge",
                    hint="check for separation or rescale the slope covariates")
            b, eta, obj = bn, eta_n, obj_n
        else:
            raise ConvergenceError("the conditional modes did not converge in 60 iterations")
        self.b = b
        assert self.chol is not None
        logdet = 2.0 * float(np.log(np.diag(self.chol[0])).sum())
        return obj + 0.5 * logdet - self.const

    def hinv(self) -> FloatArray:
        """``H⁻¹`` at the last evaluation (conditional covariance of ``b``)."""
        assert self.chol is not None
        return np.asarray(scipy.linalg.cho_solve(self.chol, np.eye(self.q)))


def fd_grad(fn: Callable[[FloatArray], float], x: FloatArray, h: float = 1e-5) -> FloatArray:
    """Central-difference gradient of ``fn`` (steps relative to ``max(1, |x|)``)."""
    g = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h * max(1.0, abs(x[j]))
        g[j] = (fn(x + e) - fn(x - e)) / (2 * e[j])
    return g


def fd_hess(fn: Callable[[FloatArray], float], x: FloatArray, h: float = 1e-4) -> FloatArray:
    """Hessian of ``fn`` by second central differences."""
    k = x.size
    H = np.empty((k, k))
    f0 = fn(x)
    step = h * np.maximum(1.0, np.abs(x))
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = step[i]
        H[i, i] = (fn(x + ei) - 2 * f0 + fn(x - ei)) / step[i] ** 2
        for j in range(i):
            ej = np.zeros(k)
            ej[j] = step[j]
            H[i, j] = H[j, i] = (fn(x + ei + ej) - fn(x + ei - ej) - fn(x - ei + ej)
                                 + fn(x - ei - ej)) / (4 * step[i] * step[j])
    return H


__all__ = ["MAX_SLOPE_Q", "SlopeProblem", "SlopeTerm", "fd_grad", "fd_hess", "slope_terms"]
