"""Stage 2 of the GLMM (lme4's ``mkGlmerDevfun``): the Laplace deviance and its gradient.

For the binomial-logit GLMM ``η = Xβ + ZΛb``, ``b ~ N(0, I)``, ``Λ = diag(σ_f)`` per grouping
factor, the Laplace approximation to the marginal log-likelihood (glmer's ``nAGQ = 1``) is

    log L(β, σ) ≈ ℓ(y | η̂) − ½‖b̂‖² − ½ log|H|,   H = I + ΛZ'WZΛ,

where ``b̂`` is the conditional mode (found by penalised Newton steps, "PIRLS") and ``W`` the
binomial working weights at the mode (Bates et al. 2015, J. Stat. Softw. 67(1); Pinheiro &
Bates 2000, section 7). For the canonical logit link observed and expected information agree,
so this is also glmmTMB's Laplace objective (Kristensen et al. 2016, *TMB*, J. Stat. Softw.
70(5)).

The gradient is analytic. Because ``b̂`` is a mode, ``−ℓ + ½‖b̂‖²`` has no implicit term; the
log-determinant's dependence on ``b̂`` is handled by one adjoint solve (the implicit function
theorem, as in TMB): with ``h_i = z_iΛH⁻¹Λz_i'`` and ``a_i = ½ W'_i h_i``,
``v = H⁻¹ΛZ'a``, ``r = −s + a − W∘(ZΛv)`` (``s`` the score ``∂ℓ/∂η``):

    ∂F/∂β = X'r,
    ∂F/∂σ_f = Σ_g b_fg (Z_f'r)_g + Σ_i W_i Σ_f' σ_f' H⁻¹[f'(i), f(i)] + v_f'(Z_f's).

Only the entries of ``H⁻¹`` on the pattern of ``H`` are needed (:mod:`socint.models.blocks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse
from scipy.special import expit, gammaln

from socint.errors import ConvergenceError, ModelError
from socint.models.blocks import Blocks, DenseBlocks, NestedBlocks
from socint.models.frame import FloatArray, ModelFrame

#: Largest number of random effects for the dense (crossed-factor) path: its Cholesky is O(q³).
MAX_DENSE = 6000


@dataclass
class LaplaceState:
    """Conditional modes and quantities at the last evaluation."""

    b: list[FloatArray]
    eta: FloatArray
    value: float
    grad: FloatArray


class LaplaceProblem:
    """The deviance function of one model frame.

    Parameters
    ----------
    frame
        The model frame (stage 1).
    dense
        Force the dense path even for nested factors (used to cross-check the nested path).
    """

    def __init__(self, frame: ModelFrame, *, dense: bool = False) -> None:
        self.y = frame.y
        self.m = frame.trials
        self.w = frame.weights
        self.X = frame.X
        self.codes = frame.codes
        self.n_groups = frame.n_groups
        self.F = len(frame.codes)
        self.p = frame.X.shape[1]
        self.blocks: Blocks
        if frame.nesting is not None and not dense:
            self.blocks = NestedBlocks(frame.codes, frame.n_groups, frame.nesting)
        else:
            q = sum(frame.n_groups)
            if q > MAX_DENSE:
                raise ModelError(
                    f"crossed (non-nested) random intercepts with {q} random effects in total "
                    f"exceed the dense path's limit of {MAX_DENSE}",
                    hint="nest the factors (e.g. (1 | la/msoa)) or fit crossed designs this "
                         "large with lme4/glmmTMB",
                )
            self.blocks = DenseBlocks(frame.codes, frame.n_groups)
        self.const = float(np.sum(self.w * (gammaln(self.m + 1) - gammaln(self.y + 1)
                                            - gammaln(self.m - self.y + 1))))
        self.wy = self.w * self.y
        self.wm = self.w * self.m
        n = self.y.size
        self._Zt = [
            scipy.sparse.csc_matrix((np.ones(n), (c, np.arange(n))), shape=(g, n))
            for c, g in zip(self.codes, self.n_groups, strict=True)
        ]
        self.b: list[FloatArray] = [np.zeros(g) for g in self.n_groups]
        self.last_schur: FloatArray = np.eye(self.p)
        self._xb_beta: FloatArray | None = None
        self._xb = self._xb_base = np.zeros(0)
        self._xb_base_beta = np.zeros(self.p)

    # ---- helpers -----------------------------------------------------------------------
    def zlam(self, b: list[FloatArray], sigma: FloatArray) -> FloatArray:
        """``ZΛb`` (length n)."""
        out = np.zeros(self.y.size)
        for f in range(self.F):
            if sigma[f] != 0.0:
                out += sigma[f] * b[f][self.codes[f]]
        return out

    def zt(self, v: FloatArray, f: int) -> FloatArray:
        """``Z_f' v`` (group sums)."""
        return np.bincount(self.codes[f], v, self.n_groups[f]).astype(np.float64, copy=False)

    def nll_data(self, eta: FloatArray) -> FloatArray:
        """Per-observation ``−ℓ_i`` without the binomial constant."""
        # softplus(η) = log(1 + e^η), computed stably
        sp = np.log1p(np.exp(-np.abs(eta)))
        sp += np.maximum(eta, 0.0)
        return self.wm * sp - self.wy * eta

    def _weights(self, eta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        p = expit(eta)
        score = self.wy - self.wm * p
        W = self.wm * p * (1.0 - p)
        return p, score, W

    # ---- inner problem -----------------------------------------------------------------
    def _cross(self, W: FloatArray, sigma: FloatArray) -> tuple[FloatArray, list[FloatArray]]:
        """``X'WX`` and ``ΛZ'WX`` in row chunks, so no n×p temporary is ever allocated."""
        A = np.zeros((self.p, self.p))
        B = [np.zeros((self.n_groups[f], self.p)) for f in range(self.F)]
        step = 1 << 16
        for lo in range(0, self.y.size, step):
            hi = min(lo + step, self.y.size)
            Xc = self.X[lo:hi]
            WXc = W[lo:hi, None] * Xc
            A += Xc.T @ WXc
            for f in range(self.F):
                if sigma[f] != 0.0:
                    B[f] += self._Zt[f][:, lo:hi] @ WXc
        return A, [sigma[f] * B[f] for f in range(self.F)]

    def _xbeta(self, beta: FloatArray) -> FloatArray:
        """``Xβ``, updated from the last one when only one or two coefficients changed
        (finite-difference Hessians and σ-only steps would otherwise redo the product)."""
        if self._xb_beta is not None:
            if np.array_equal(beta, self._xb_beta):
                return self._xb
            nz = np.flatnonzero(beta != self._xb_base_beta)
            if nz.size <= 2:
                xb = self._xb_base + self.X[:, nz] @ (beta[nz] - self._xb_base_beta[nz])
                self._xb_beta, self._xb = beta.copy(), xb
                return xb
        xb = self.X @ beta
        self._xb_beta, self._xb = beta.copy(), xb
        self._xb_base, self._xb_base_beta = xb, beta.copy()
        return xb

    def _penalised(self, eta: FloatArray, b: list[FloatArray]) -> float:
        return float(self.nll_data(eta).sum()) + 0.5 * sum(float(x @ x) for x in b)

    def pirls(self, beta: FloatArray, sigma: FloatArray, *, tol: float = 1e-22,
              maxit: int = 60) -> tuple[list[FloatArray], FloatArray, FloatArray, FloatArray,
                                        FloatArray]:
        """Conditional modes ``b̂`` by Newton steps with step halving; warm-started.

        The tolerance on the Newton decrement is tight on purpose: the analytic gradient
        assumes an exact mode and its error is linear in the error of ``b̂`` (while the
        objective's is quadratic), and Newton's quadratic convergence makes this cheap. Close
        to the mode (decrement < 1e-3) full steps are taken without evaluating the objective.
        On return the blocks are factored at the returned ``η``; also returned are
        ``p``, the score and the working weights there.
        """
        xb = self._xbeta(beta)
        b = [x.copy() for x in self.b]
        eta = xb + self.zlam(b, sigma)
        obj: float | None = None
        prev_dec = np.inf
        for _ in range(maxit):
            p, score, W = self._weights(eta)
            g = [sigma[f] * self.zt(score, f) - b[f] for f in range(self.F)]
            self.blocks.factor(W, sigma)
            step = self.blocks.solve(g)
            dec = sum(float(s @ gg) for s, gg in zip(step, g, strict=True))
            if dec < tol or (dec < 1e-12 and dec > 0.25 * prev_dec):
                # converged (or at the rounding floor): the factorisation matches η
                self.b = b
                return b, eta, p, score, W
            prev_dec = dec
            if dec < 1e-3:
                b = [x + s for x, s in zip(b, step, strict=True)]
                eta = xb + self.zlam(b, sigma)
                obj = None
                continue
            if obj is None:
                obj = self._penalised(eta, b)
            t = 1.0
            for _halve in range(30):
                bn = [x + t * s for x, s in zip(b, step, strict=True)]
                eta_n = xb + self.zlam(bn, sigma)
                obj_n = self._penalised(eta_n, bn)
                if obj_n <= obj + 1e-12 * abs(obj):
                    break
                t *= 0.5
            else:
                raise ConvergenceError(
                    "the inner Newton iterations for the conditional modes failed to decrease "
                    "the penalised deviance",
                    hint="check for separation or extreme covariate values",
                )
            b, eta, obj = bn, eta_n, obj_n
        raise ConvergenceError(
            f"the conditional modes did not converge in {maxit} Newton iterations",
            hint="check for separation or extreme covariate values",
        )

    # ---- Laplace objective -------------------------------------------------------------
    def evaluate(self, beta: FloatArray, sigma: FloatArray) -> LaplaceState:
        """Negative Laplace log-likelihood and its gradient in ``(β, σ)``."""
        b, eta, p, score, W = self.pirls(beta, sigma)
        value = self._penalised(eta, b) + 0.5 * self.blocks.logdet() - self.const
        pairs = self.blocks.inverse_pairs()
        s_f = [sum(sigma[g] * pairs[g][f] for g in range(self.F)) for f in range(self.F)]
        h = sum(sigma[f] * s_f[f] for f in range(self.F))
        dW = W * (1.0 - 2.0 * p)
        a = 0.5 * dW * h
        v = self.blocks.solve([sigma[f] * self.zt(a, f) for f in range(self.F)])
        r = -score + a - W * self.zlam(v, sigma)
        g_beta = (r @ self.X)
        g_sigma = np.empty(self.F)
        for f in range(self.F):
            g_sigma[f] = (float(b[f] @ self.zt(r, f)) + float(W @ s_f[f])
                          + float(v[f] @ self.zt(score, f)))
        return LaplaceState(b, eta, value, np.concatenate([g_beta, g_sigma]))

    def loglik_glm(self, eta: FloatArray) -> float:
        """Binomial log-likelihood (with constant) at linear predictor ``eta``."""
        return float(-self.nll_data(eta).sum() + self.const)

    def schur(self, beta: FloatArray, sigma: FloatArray) -> FloatArray:
        """``X'WX − X'WZΛ H⁻¹ ΛZ'WX`` at the current modes: the β-block of the Laplace
        Hessian without the (small) curvature of ``log|H|``; a cheap Newton matrix."""
        eta = self._xbeta(beta) + self.zlam(self.b, sigma)
        _, _, W = self._weights(eta)
        A, B = self._cross(W, sigma)
        self.blocks.factor(W, sigma)
        M = self.blocks.solve(B)
        return np.asarray(A - sum(B[f].T @ M[f] for f in range(self.F)))

    def mode_sensitivity(self, beta: FloatArray, sigma: FloatArray) -> list[list[FloatArray]]:
        """``∂b̂/∂(β, σ)`` at the current modes (implicit function theorem), per parameter.

        Used to warm-start the conditional modes at the perturbed points of a
        finite-difference Hessian, which then need one Newton step fewer.
        """
        eta = self._xbeta(beta) + self.zlam(self.b, sigma)
        _, score, W = self._weights(eta)
        _, B = self._cross(W, sigma)
        self.blocks.factor(W, sigma)
        M = self.blocks.solve([-B[f] for f in range(self.F)])
        out = [[M[f][:, j] for f in range(self.F)] for j in range(self.p)]
        for g in range(self.F):
            wb = W * self.b[g][self.codes[g]]
            rhs = [(self.zt(score, f) if f == g else 0.0) - sigma[f] * self.zt(wb, f)
                   for f in range(self.F)]
            out.append(self.blocks.solve(rhs))
        return out

    # ---- nAGQ = 0 ----------------------------------------------------------------------
    def pirls_joint(self, sigma: FloatArray, beta0: FloatArray, *, tol: float = 1e-9,
                    maxit: int = 60) -> tuple[FloatArray, float]:
        """Joint modes of ``(β, b)`` at fixed ``σ`` and the nAGQ=0 objective.

        This is glmer's ``nAGQ = 0`` deviance: β is absorbed into the penalised iteratively
        reweighted least squares instead of being integrated over the Laplace approximation.
        """
        beta = beta0.copy()
        b = [x.copy() for x in self.b]
        eta = (self.X @ beta) + self.zlam(b, sigma)
        obj = float(self.nll_data(eta).sum()) + 0.5 * sum(float(x @ x) for x in b)
        for _ in range(maxit):
            _, score, W = self._weights(eta)
            g_b = [sigma[f] * self.zt(score, f) - b[f] for f in range(self.F)]
            g_beta = (score @ self.X)
            A, B = self._cross(W, sigma)
            self.blocks.factor(W, sigma)
            M = self.blocks.solve(B)
            Hinv_gb = self.blocks.solve(g_b)
            S = A - sum(B[f].T @ M[f] for f in range(self.F))
            rhs = g_beta - sum(B[f].T @ Hinv_gb[f] for f in range(self.F))
            self.last_schur = S
            d_beta = np.linalg.solve(S, rhs)
            d_b = [Hinv_gb[f] - M[f] @ d_beta for f in range(self.F)]
            dec = float(d_beta @ g_beta) + sum(float(x @ y) for x, y in zip(d_b, g_b, strict=True))
            if dec < tol:
                break
            t = 1.0
            for _halve in range(30):
                bt = beta + t * d_beta
                bn = [x + t * s for x, s in zip(b, d_b, strict=True)]
                eta_n = (self.X @ bt) + self.zlam(bn, sigma)
                obj_n = float(self.nll_data(eta_n).sum()) + 0.5 * sum(float(x @ x) for x in bn)
                if obj_n <= obj + 1e-12 * abs(obj):
                    break
                t *= 0.5
            else:
                raise ConvergenceError(
                    "the nAGQ=0 iterations failed to decrease the penalised deviance",
                    hint="check for separation (a category with all 0 or all 1 outcomes)",
                )
            beta, b, eta, obj = bt, bn, eta_n, obj_n
        else:
            raise ConvergenceError(f"nAGQ=0 iterations did not converge in {maxit} steps")
        self.b = b
        _, _, W = self._weights(eta)
        self.blocks.factor(W, sigma)
        value = obj + 0.5 * self.blocks.logdet() - self.const
        return beta, value


__all__ = ["DenseBlocks", "LaplaceProblem", "LaplaceState", "NestedBlocks"]
