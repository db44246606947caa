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

Only the entries of ``H⁻¹`` on the pattern of ``H`` are needed (:mod:`socint.models.blocks`,
:mod:`socint.models.crossed`). For the probit link ``s``, ``W`` and ``W'`` are the probit's own
(:mod:`socint.models.links`); with glmer's expected information the trace terms (``h``, and
``W`` in the σ gradient) use ``H_E`` built from the Fisher weights, while the adjoint solve and
``W`` in ``r`` stay observed (they come from the mode's sensitivity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse
from scipy.special import expit, gammaln, log_ndtr, logit, ndtr, ndtri

from socint.errors import ConvergenceError, ModelError
from socint.models.blocks import SOLVE_CHUNK, Blocks, DenseBlocks, NestedBlocks
from socint.models.crossed import MAX_SCHUR, CrossedBlocks
from socint.models.frame import FloatArray, IntArray, ModelFrame
from socint.models.links import (
    INFORMATION,
    LINKS,
    logistic,
    probit_derivatives,
    probit_expected,
)
from socint.models.memory import release_free_memory

#: Largest number of random effects for the dense path (``Control(dense=True)``): O(q³).
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
    link
        ``"logit"`` (canonical) or ``"probit"``; see :mod:`socint.models.links`.
    information
        For the probit: the information in ``log|H|``, ``"observed"`` (the exact Laplace
        approximation, glmmTMB's) or ``"expected"`` (glmer's). The conditional modes are the
        same; only the log-determinant and hence the optimum differ.
    """

    def __init__(self, frame: ModelFrame, *, dense: bool = False, link: str = "logit",
                 information: str = "observed") -> None:
        if link not in LINKS:
            raise ModelError(f"`link` was {link!r} but is expected to be in {list(LINKS)}",
                             hint='use "logit" (default) or "probit"')
        if information not in INFORMATION:
            raise ModelError(
                f"`information` was {information!r} but is expected to be in {list(INFORMATION)}",
                hint='"observed" (exact Laplace, glmmTMB) or "expected" (glmer)')
        self.link = link
        # the logit is canonical (expected = observed): one factorisation serves both
        self.expected = link == "probit" and information == "expected"
        self.y = frame.y
        self.m = frame.trials
        self.w = frame.weights
        self.X = frame.X
        #: data cells, for :func:`release_free_memory` before the large groups × p arrays
        self._cells = int(self.y.size) * int(frame.X.shape[1])
        self.has_intercept = frame.has_intercept
        self.codes = frame.codes
        self.n_groups = frame.n_groups
        self.F = len(frame.codes)
        self.p = frame.X.shape[1]
        self.blocks = self._make_blocks(frame, dense)
        #: ``H`` with the information used in ``log|H|`` (a second factorisation if expected)
        self.blocks_ld = self._make_blocks(frame, dense) if self.expected else self.blocks
        # log binomial coefficients: zero for 0/1 outcomes (no passes over the rows then)
        binary = bool(np.all(self.m == 1.0))
        self.const = 0.0 if binary else float(np.sum(
            self.w * (gammaln(self.m + 1) - gammaln(self.y + 1) - gammaln(self.m - self.y + 1))))
        unit = bool(np.all(self.w == 1.0))  # (no copies of y and m for unweighted fits)
        self.wy = self.y if unit else self.w * self.y
        self.wm = self.m if unit else self.w * self.m
        self._wm_not_one = not bool(np.all(self.wm == 1.0))
        # nested factors: every factor's group is a function of the finest one, so group
        # sums and gathers go through the finest level (one pass over the rows, not F)
        self._fine: IntArray | None = None
        self._fine_f = 0
        self._up: list[IntArray | None] = [None] * self.F
        if frame.nesting is not None and isinstance(self.blocks, NestedBlocks) and (
                isinstance(self.blocks_ld, NestedBlocks)):
            order = frame.nesting.order
            self._fine_f = order[0]
            self._fine = self.codes[order[0]]
            for lv in range(1, len(order)):
                self._up[order[lv]] = frame.nesting.ancestors[0][:, lv - 1]
        nf = self.n_groups[self._fine_f]
        self._agg_up = {f: scipy.sparse.csr_matrix((np.ones(nf), (up, np.arange(nf))),
                                                   shape=(self.n_groups[f], nf))
                        for f, up in enumerate(self._up) if up is not None}
        self.b: list[FloatArray] = [np.zeros(g) for g in self.n_groups]
        #: score and weights of the last gradient evaluation (see :meth:`mode_direction`)
        self._last_weights: tuple[FloatArray, FloatArray] | None = None
        self.last_schur: FloatArray = np.eye(self.p)
        self._xb_beta: FloatArray | None = None
        self._xb = self._xb_base = np.zeros(0)
        self._xb_base_beta = np.zeros(self.p)

    @staticmethod
    def _make_blocks(frame: ModelFrame, dense: bool) -> Blocks:
        """Nested O(n) path, sparse crossed path, or (forced, or one factor) the dense one."""
        F = len(frame.codes)
        q = sum(frame.n_groups)
        if frame.nesting is not None and not dense:
            return NestedBlocks(frame.codes, frame.n_groups, frame.nesting)
        if not dense and F > 1:  # crossed
            r = q - max(frame.n_groups)
            if r > MAX_SCHUR:
                raise ModelError(
                    f"crossed (non-nested) random intercepts with {r} random effects outside "
                    f"the largest factor exceed the crossed path's limit of {MAX_SCHUR} (its "
                    "Schur complement is factored densely)",
                    hint="nest the factors (e.g. (1 | la/msoa)), drop or coarsen a factor, or "
                         "fit crossed designs this large with lme4/glmmTMB",
                )
            return CrossedBlocks(frame.codes, frame.n_groups)
        if q > MAX_DENSE:
            raise ModelError(
                f"random intercepts with {q} random effects in total exceed the dense "
                f"path's limit of {MAX_DENSE}",
                hint="leave Control(dense=False) so that nested or crossed factors use "
                     "their sparse paths",
            )
        return DenseBlocks(frame.codes, frame.n_groups)

    # ---- helpers -----------------------------------------------------------------------
    def zlam(self, b: list[FloatArray], sigma: FloatArray) -> FloatArray:
        """``ZΛb`` (length n)."""
        if self.F == 1:  # (one gather, no accumulator)
            return np.multiply(b[0], sigma[0])[self.codes[0]]
        if self._fine is not None:
            u = np.zeros(self.n_groups[self._fine_f])
            for f in range(self.F):
                if sigma[f] != 0.0:
                    up = self._up[f]
                    u += sigma[f] * (b[f] if up is None else b[f][up])
            return u[self._fine]
        out = np.zeros(self.y.size)
        for f in range(self.F):
            if sigma[f] != 0.0:
                out += sigma[f] * b[f][self.codes[f]]
        return out

    def zt(self, v: FloatArray, f: int) -> FloatArray:
        """``Z_f' v`` (group sums)."""
        return np.bincount(self.codes[f], v, self.n_groups[f]).astype(np.float64, copy=False)

    def zt_all(self, v: FloatArray) -> list[FloatArray]:
        """``Z_f' v`` for every factor; nested factors from the finest level's sums."""
        if self._fine is None:
            return [self.zt(v, f) for f in range(self.F)]
        s: FloatArray = np.asarray(np.bincount(self._fine, v, self.n_groups[self._fine_f]),
                                   dtype=np.float64)
        return [s if up is None else np.asarray(np.bincount(up, s, self.n_groups[f]),
                                                dtype=np.float64)
                for f, up in enumerate(self._up)]

    @staticmethod
    def _neg_softplus(eta: FloatArray) -> FloatArray:
        """``−softplus(η) = −log(1 + e^η) = log expit(|η|) − max(η, 0)``: one logistic and
        one ``log`` (of a value in [½, 1], so finite for any ``η``), about half the cost of
        ``logaddexp``, whose ``log1p`` is slow; the absolute error stays at rounding level."""
        t = np.abs(eta)
        logistic(t, out=t)
        np.log(t, out=t)
        t -= np.maximum(eta, 0.0)
        return t

    def nll_data(self, eta: FloatArray) -> FloatArray:
        """Per-observation ``−ℓ_i`` without the binomial constant."""
        if self.link == "probit":
            return -(self.wy * log_ndtr(eta) + (self.wm - self.wy) * log_ndtr(-eta))
        sp = self._neg_softplus(eta)
        sp *= -self.wm if self._wm_not_one else -1.0
        sp -= self.wy * eta
        return sp

    def nll_sum(self, eta: FloatArray) -> float:
        """``−Σ ℓ_i`` without the binomial constant (the sum of :meth:`nll_data`, with no
        more arrays than one)."""
        if self.link == "probit":
            return float(self.nll_data(eta).sum())
        t = self._neg_softplus(eta)
        if self._wm_not_one:
            t *= self.wm
        return -float(t.sum()) - float(self.wy @ eta)

    def _weights(self, eta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(W', s, W)``: the score ``s = ∂ℓ/∂η``, the observed information
        ``W = −∂²ℓ/∂η²`` and its derivative ``W' = ∂W/∂η`` (needed by the gradient of
        ``log|H|``), per observation."""
        if self.link == "probit":
            return probit_derivatives(eta, self.wy, self.wm)
        p = logistic(eta)
        score = self.wm * p if self._wm_not_one else p.copy()
        np.subtract(self.wy, score, out=score)
        q = np.subtract(1.0, p)
        W = np.multiply(q, p, out=q)  # p(1 − p), in place: these are the hot loops' arrays
        if self._wm_not_one:
            W *= self.wm
        dW = np.multiply(p, -2.0, out=p)
        dW += 1.0
        dW *= W  # W(1 − 2p)
        return dW, score, W

    def factor_ld(self, eta: FloatArray, sigma: FloatArray,
                  W: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
        """Factor :attr:`blocks_ld` (``H`` of ``log|H|``) at ``eta``; return ``(W', W)`` used.

        For the logit or the observed information this is :attr:`blocks`, which PIRLS has
        already factored at the mode when ``W`` is passed; for glmer's expected information a
        second factorisation with ``W_E`` is made.
        """
        if self.expected:
            dWe, We = probit_expected(eta, self.wm)
            self.blocks_ld.factor(We, sigma)
            return dWe, We
        dW, _, Wo = self._weights(eta)
        if W is None:
            self.blocks.factor(Wo, sigma)
        return dW, Wo

    # ---- inner problem -----------------------------------------------------------------
    def xt_matrix(self, D: np.ndarray) -> FloatArray:
        """``X'D`` for an n×k matrix ``D`` (any float type), in row chunks (float64)."""
        return self.X.chunk_product(D)

    def _cross_nested(self, W: FloatArray,
                      sigma: FloatArray) -> tuple[FloatArray, list[FloatArray]]:
        """:meth:`_cross` for nested factors, from :meth:`_fine_cross`."""
        A, Bf, _ = self._fine_cross(W)
        B = self._up_sums(Bf)
        for f in range(self.F):
            B[f] *= sigma[f]  # in place (the finest level's is Bf itself)
        return A, B

    def _up_sums(self, Bf: FloatArray) -> list[FloatArray]:
        """Per factor (frame order), the sums over its groups of per-finest-group rows."""
        return [Bf if up is None else np.asarray(self._agg_up[f] @ Bf)
                for f, up in enumerate(self._up)]

    def _fine_cross(self, W: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``X'WX``, ``Z_fine'WX`` and ``Z_fine'W`` for nested factors
        (:meth:`XMatrix.cross`: the area-level columns through the group sums of ``W``)."""
        assert self._fine is not None
        A, Bf, wsum = self.X.cross(W, self._fine, self.n_groups[self._fine_f])
        assert Bf is not None and wsum is not None
        return A, Bf, wsum

    def _cross(self, W: FloatArray, sigma: FloatArray) -> tuple[FloatArray, list[FloatArray]]:
        """``X'WX`` and ``ΛZ'WX`` in row chunks, so no n×p temporary is ever allocated."""
        if self._fine is not None:
            return self._cross_nested(W, sigma)
        A = self.X.cross(W)[0]
        B = [np.zeros((self.n_groups[f], self.p)) for f in range(self.F)]
        for k in range(self.p):
            wx = W * self.X.column(k)
            for f in range(self.F):
                if sigma[f] != 0.0:
                    B[f][:, k] = np.bincount(self.codes[f], wx, self.n_groups[f])
        return A, [sigma[f] * B[f] for f in range(self.F)]

    def _xbeta(self, beta: FloatArray) -> FloatArray:
        """``Xβ``, updated from the last one when only one or two coefficients changed
        (finite-difference Hessians and σ-only steps would otherwise redo the product)."""
        if self._xb_beta is not None:
            if np.array_equal(beta, self._xb_beta):
                return self._xb
            nz = np.flatnonzero(beta != self._xb_base_beta)
            if nz.size <= 2:
                xb = self._xb_base.copy()
                for k in nz:
                    xb += (beta[k] - self._xb_base_beta[k]) * self.X.column(int(k))
                self._xb_beta, self._xb = beta.copy(), xb
                return xb
        xb = self.X @ beta
        self._xb_beta, self._xb = beta.copy(), xb
        self._xb_base, self._xb_base_beta = xb, beta.copy()
        return xb

    def _penalised(self, eta: FloatArray, b: list[FloatArray]) -> float:
        return self.nll_sum(eta) + 0.5 * sum(float(x @ x) for x in b)

    def pirls(self, beta: FloatArray, sigma: FloatArray, *, tol: float = 1e-22,
              maxit: int = 60) -> tuple[list[FloatArray], FloatArray, FloatArray, FloatArray,
                                        FloatArray]:
        """Conditional modes ``b̂`` by Newton steps with step halving; warm-started.

        The tolerance on the Newton decrement is tight on purpose: the analytic gradient
        assumes an exact mode and its error is linear in the error of ``b̂`` (while the
        objective's is quadratic), and Newton's quadratic convergence makes this cheap. Close
        to the mode (decrement < 1e-3) full steps are taken without evaluating the objective.
        On return the blocks are factored at the returned ``η``; also returned are
        ``W'``, the score and the working weights there (see :meth:`_weights`).
        """
        xb = self._xbeta(beta)
        b = [x.copy() for x in self.b]
        eta = xb + self.zlam(b, sigma)
        obj: float | None = None
        prev_dec = np.inf
        for _ in range(maxit):
            dW, score, W = self._weights(eta)
            zs = self.zt_all(score)
            g = [sigma[f] * zs[f] - b[f] for f in range(self.F)]
            self.blocks.factor(W, sigma)
            step = self.blocks.solve(g)
            dec = sum(float(s @ gg) for s, gg in zip(step, g, strict=True))
            if dec < tol or (dec < 1e-12 and dec > 0.25 * prev_dec):
                # converged (or at the rounding floor): the factorisation matches η
                self.b = b
                return b, eta, dW, score, W
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
    def evaluate(self, beta: FloatArray, sigma: FloatArray, *,
                 at_modes: bool = False, need_value: bool = True) -> LaplaceState:
        """Negative Laplace log-likelihood and its gradient in ``(β, σ)``.

        With ``at_modes`` the modes in :attr:`b` are taken as the conditional modes (no inner
        Newton iterations): used by the finite-difference Hessians, whose perturbed points get
        modes extrapolated to first order by :meth:`mode_sensitivity`. The gradient's error is
        linear in the modes' error, here O(h²) for a step h, so a difference quotient keeps
        the O(h) truncation error of the forward difference itself. Without ``need_value``
        the objective is not computed (NaN).
        """
        st, r = self.gradient_terms(beta, sigma, at_modes=at_modes, need_value=need_value)
        st.grad[: self.p] = r @ self.X
        return st

    def gradient_terms(self, beta: FloatArray, sigma: FloatArray, *, at_modes: bool = False,
                       need_value: bool = True) -> tuple[LaplaceState, FloatArray]:
        """As :meth:`evaluate`, but the β part of the gradient is left as the row terms
        ``r`` (``∂F/∂β = X'r``) and is zero in the state: finite differences of many β
        directions then multiply ``X`` once for all of them."""
        # (the last evaluation's score and weights are replaced below; dropped now, they are
        # two n-vectors fewer at the fit's memory peak: 46 MB at 100× Model 3)
        self._last_weights = None
        if at_modes:
            b = self.b
            eta = self._xbeta(beta) + self.zlam(b, sigma)
            dW, score, W = self._weights(eta)
            self.blocks.factor(W, sigma)
        else:
            b, eta, dW, score, W = self.pirls(beta, sigma)
        # log|H| with W_ld (observed, or glmer's expected information); the mode's
        # sensitivity (adjoint solve for v, and W in r) always uses the observed H
        dW_ld, W_ld = (self.factor_ld(eta, sigma) if self.expected else (dW, W))
        value = (self._penalised(eta, b) + 0.5 * self.blocks_ld.logdet() - self.const
                 if need_value else float("nan"))
        nested = self._fine is not None and isinstance(self.blocks_ld, NestedBlocks)
        if nested:
            assert isinstance(self.blocks_ld, NestedBlocks) and self._fine is not None
            # per finest group: every row of a group has the same entries of H⁻¹
            pairs = self.blocks_ld.inverse_pairs_fine()
        else:
            pairs = self.blocks_ld.inverse_pairs()
        s_f = [sum(sigma[g] * pairs[g][f] for g in range(self.F)) for f in range(self.F)]
        h = sum(sigma[f] * s_f[f] for f in range(self.F))
        if nested:
            assert isinstance(self.blocks_ld, NestedBlocks) and self._fine is not None
            h = np.asarray(h)[self._fine]
            w_ld = self.blocks_ld.w_fine  # Σ W_ld per finest group, from the factorisation
            trace = [float(w_ld @ s_f[f]) for f in range(self.F)]
        else:
            trace = [float(W_ld @ s_f[f]) for f in range(self.F)]
        self._last_weights = (score, W)
        # a = ½ W'_ld h and r = a − s − W ∘ ZΛv, each made in place of the one before (at
        # 100× Model 3 every n-vector is 23 MB, and this is the fit's memory peak)
        a = np.multiply(h, dW_ld, out=h) if isinstance(h, np.ndarray) and h.flags.owndata \
            else np.asarray(dW_ld * h)
        a *= 0.5
        del h, dW, dW_ld, W_ld
        za = self.zt_all(a)
        v = self.blocks.solve([sigma[f] * za[f] for f in range(self.F)])
        r = a
        r -= score
        zv = self.zlam(v, sigma)
        zv *= W
        r -= zv
        del zv
        zr = self.zt_all(r)
        zs = self.zt_all(score)
        g_sigma = np.empty(self.F)
        for f in range(self.F):
            g_sigma[f] = float(b[f] @ zr[f]) + trace[f] + float(v[f] @ zs[f])
        return LaplaceState(b, eta, value, np.concatenate([np.zeros(self.p), g_sigma])), r

    def link_inverse_mean(self, rate: float) -> float:
        """The link of a probability: ``η`` with mean ``rate``."""
        return float(ndtri(rate)) if self.link == "probit" else float(logit(rate))

    def mean(self, eta: FloatArray) -> FloatArray:
        """Inverse link: success probability at linear predictor ``eta``."""
        return ndtr(eta) if self.link == "probit" else expit(eta)

    def loglik_glm(self, eta: FloatArray) -> float:
        """Binomial log-likelihood (with constant) at linear predictor ``eta``."""
        return -self.nll_sum(eta) + self.const

    def schur(self, beta: FloatArray, sigma: FloatArray) -> FloatArray:
        """``X'WX − X'WZΛ H⁻¹ ΛZ'WX`` at the current modes: the β-block of the Laplace
        Hessian without the (small) curvature of ``log|H|``; a cheap Newton matrix."""
        release_free_memory(self._cells)  # (the peak of a Newton step: see models/memory.py)
        eta = self._xbeta(beta) + self.zlam(self.b, sigma)
        W = self._weights(eta)[2]
        del eta
        A, B = self._cross(W, sigma)
        self.blocks.factor(W, sigma)
        del W
        return np.asarray(A - self._bhb(B, overwrite=True))

    def _bhb(self, B: list[FloatArray], *, overwrite: bool = False) -> FloatArray:
        """``B'H⁻¹B`` at the current factorisation (nested: without the groups × p solve;
        with ``overwrite`` on ``B`` itself, whose values are lost)."""
        if isinstance(self.blocks, NestedBlocks):
            return self.blocks.quad_form(B, overwrite=overwrite)
        M = self.blocks.solve(B)
        return np.asarray(sum(B[f].T @ M[f] for f in range(self.F)))

    @property
    def exact_beta_hessian(self) -> bool:
        """Whether :meth:`beta_hessian` applies: nested factors of at most two levels and the
        logit link (whose third derivative it needs)."""
        return (self.link == "logit" and self._fine is not None and self.F <= 2
                and isinstance(self.blocks, NestedBlocks))

    def beta_hessian(self, beta: FloatArray, sigma: FloatArray) -> FloatArray:
        """The β-block of the Hessian of the Laplace objective, exactly (at the current modes).

        ``F = −ℓ(η̂) + ½‖b̂‖² + ψ``, ``ψ = ½ log|H|``. The first two terms are the penalised
        deviance at its mode, whose Hessian in β is the Schur complement
        ``S = X'WX − X'WZΛ H⁻¹ ΛZ'WX``. With nested intercepts ``H`` depends on ``W`` only
        through its sums per finest group ``w_g``, so with ``t_i = ∂η̂_i/∂β = x_i + (ZΛ∂b̂/∂β)_i``
        and ``φ_g = ∂ψ/∂w_g = ½ h_g``:

            ∂²ψ/∂β² = −½ Σ_gg' P_gg'² m_g m_g'ᵀ + Tᵀ diag(φ W'' − (ZΛv) W') T,

        where ``m_g = Σ_{i∈g} W'_i t_i``, ``P_gg' = z_g'ΛH⁻¹Λz_g'`` (``h_g = P_gg``), ``v`` is the
        adjoint solve of the gradient and the second term holds both ``W''`` and the second
        derivative of the modes (``H ∂²b̂ = −ΛZ'(W' t t')``, contracted with ``v``). Within
        a top-level group ``P`` is diagonal plus rank one (one level: diagonal), so the double
        sum costs O(groups) (:meth:`NestedBlocks.p_squared_form`). Replaces ``p`` gradient
        evaluations of a finite-difference Hessian by a few passes over the rows, and is exact.
        See ``docs/methods/glmm.md``.
        """
        assert self.exact_beta_hessian and self._fine is not None
        blocks = self.blocks
        assert isinstance(blocks, NestedBlocks)
        fine = self._fine
        # (the score of the last evaluation is not needed here: 2 n-vectors fewer at the
        # fit's memory peak, 46 MB at 100× Model 3)
        self._last_weights = None
        release_free_memory(self._cells)
        eta = self._xbeta(beta) + self.zlam(self.b, sigma)
        dW, _, W = self._weights(eta)
        del _
        pr = logistic(eta, out=eta)
        W2 = np.subtract(1.0, pr)
        W2 *= pr
        W2 *= -6.0
        W2 += 1.0
        W2 *= W  # W'' = W (1 − 6p + 6p²)
        del pr, eta
        blocks.factor(W, sigma)
        # (the groups × p arrays are made in place and freed early: at 100× Model 3 each
        # is 65 MB)
        A, Bf, _ = self._fine_cross(W)
        del W
        B = self._up_sums(Bf)  # the finest level's is Bf itself, scaled in place here
        for f in range(self.F):
            B[f] *= sigma[f]
        del Bf
        M = blocks.solve(B)  # H⁻¹ΛZ'WX; the modes' sensitivity is −M
        S = A - sum(B[f].T @ M[f] for f in range(self.F))
        del B
        # U = ZΛ ∂b̂/∂β per finest group
        U = M[self._fine_f]
        U *= -sigma[self._fine_f]
        for f, up in enumerate(self._up):
            if up is not None:  # gathered a few columns at a time (no groups × p temporary)
                for j in range(0, self.p, SOLVE_CHUNK):
                    g = M[f][up, j:j + SOLVE_CHUNK]
                    g *= sigma[f]
                    U[:, j:j + SOLVE_CHUNK] -= g
        del M
        pairs = blocks.inverse_pairs_fine()
        h_fine = np.asarray(sum(sigma[f] * sigma[g] * pairs[f][g]
                                for f in range(self.F) for g in range(self.F)))
        phi = 0.5 * h_fine
        za = self.zt_all(dW * phi[fine])
        v = blocks.solve([sigma[f] * za[f] for f in range(self.F)])
        zv = sum(sigma[f] * (v[f] if up is None else v[f][up]) for f, up in enumerate(self._up))
        D = phi[fine]  # D = W'' φ − W' (ZΛv), in place
        D *= W2
        del W2
        t = np.asarray(zv)[fine]
        t *= dW
        D -= t
        del t
        AD, BD, dsum = self._fine_cross(D)
        del D
        BDU = BD.T @ U
        del BD
        TDT = AD + BDU + BDU.T
        for j in range(0, self.p, SOLVE_CHUNK):  # U' diag(dsum) U, a few columns at a time
            TDT[:, j:j + SOLVE_CHUNK] += U.T @ (dsum[:, None] * U[:, j:j + SOLVE_CHUNK])
        # m_g = Σ_{i∈g} W'_i t_i = Z'(W'∘X) + diag(Z'W') U, summed into U itself (U is not
        # needed after: no groups × p array more)
        U *= np.bincount(fine, dW, U.shape[0])[:, None]
        m, _ = self.X.group_sums(dW, fine, U.shape[0], out=U)
        del U
        Q = blocks.p_squared_form(m, sigma)
        H = S + TDT - 0.5 * Q
        return np.asarray(0.5 * (H + H.T))

    def mode_direction(self, beta: FloatArray, sigma: FloatArray, d_beta: FloatArray,
                       d_sigma: FloatArray) -> list[FloatArray]:
        """``db̂/dt`` along ``(β, σ) + t (d_β, d_σ)`` at the current modes (implicit function
        theorem: ``H db = ΛZ'(−W ∘ (X d_β + Z d_Λ b)) + d_Λ Z's``).

        Used to warm-start the modes at a Newton trial point, so the inner iterations there
        start close enough for full steps (no objective evaluations). A warm start need not be
        exact: the weights and the factorisation are the last evaluation's (at these modes, or
        at a finite-difference neighbour of them), so this costs one product with ``X`` and
        one solve.
        """
        b = self.b
        if self._last_weights is None:
            eta = self._xbeta(beta) + self.zlam(b, sigma)
            _, score, W = self._weights(eta)
            self.blocks.factor(W, sigma)
        else:
            score, W = self._last_weights
        d_eta = self.X @ d_beta + self.zlam(b, d_sigma)
        zw = self.zt_all(W * d_eta)
        zs = self.zt_all(score)
        return self.blocks.solve([d_sigma[f] * zs[f] - sigma[f] * zw[f] for f in range(self.F)])

    def mode_sensitivity(self, beta: FloatArray, sigma: FloatArray, *,
                         sigma_only: bool = False) -> list[list[FloatArray]]:
        """``∂b̂/∂(β, σ)`` at the current modes (implicit function theorem), per parameter.

        Used to warm-start the conditional modes at the perturbed points of a
        finite-difference Hessian, which then need one Newton step fewer.
        """
        eta = self._xbeta(beta) + self.zlam(self.b, sigma)
        _, score, W = self._weights(eta)
        self.blocks.factor(W, sigma)
        out: list[list[FloatArray]] = []
        if not sigma_only:
            _, B = self._cross(W, sigma)
            M = self.blocks.solve([-B[f] for f in range(self.F)])
            out = [[M[f][:, j] for f in range(self.F)] for j in range(self.p)]
        zs = self.zt_all(score)
        for g in range(self.F):
            zwb = self.zt_all(W * self.b[g][self.codes[g]])
            rhs = [(zs[f] if f == g else 0.0) - sigma[f] * zwb[f] for f in range(self.F)]
            out.append(self.blocks.solve(rhs))
        return out

    # ---- nAGQ = 0 ----------------------------------------------------------------------
    def pirls_joint(self, sigma: FloatArray, beta0: FloatArray, *, tol: float = 1e-9,
                    maxit: int = 60, need_value: bool = True) -> tuple[FloatArray, float]:
        """Joint modes of ``(β, b)`` at fixed ``σ`` and the nAGQ=0 objective.

        This is glmer's ``nAGQ = 0`` deviance: β is absorbed into the penalised iteratively
        reweighted least squares instead of being integrated over the Laplace approximation.
        Without ``need_value`` (a start for the Laplace fit) the objective is not computed
        (NaN), which saves a factorisation at the joint modes.
        """
        beta = beta0.copy()
        b = [x.copy() for x in self.b]
        eta = (self.X @ beta) + self.zlam(b, sigma)
        obj = self._penalised(eta, b)
        for _ in range(maxit):
            _, score, W = self._weights(eta)
            g_b = [sigma[f] * self.zt(score, f) - b[f] for f in range(self.F)]
            g_beta = (score @ self.X)
            del _, score  # (two n-vectors fewer while the groups × p sums are made)
            release_free_memory(self._cells)
            A, B = self._cross(W, sigma)
            self.blocks.factor(W, sigma)
            del W
            Hinv_gb = self.blocks.solve(g_b)
            S = A - self._bhb(B)
            rhs = g_beta - sum(B[f].T @ Hinv_gb[f] for f in range(self.F))
            self.last_schur = S
            d_beta = np.linalg.solve(S, rhs)
            # d_b = H⁻¹(g_b − B d_β): one more vector solve instead of a groups × p one
            d_b = self.blocks.solve([g_b[f] - B[f] @ d_beta for f in range(self.F)])
            dec = float(d_beta @ g_beta) + sum(float(x @ y) for x, y in zip(d_b, g_b, strict=True))
            if dec < tol:
                break
            t = 1.0
            for _halve in range(30):
                bt = beta + t * d_beta
                bn = [x + t * s for x, s in zip(b, d_b, strict=True)]
                eta_n = (self.X @ bt) + self.zlam(bn, sigma)
                obj_n = self._penalised(eta_n, bn)
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
        if not need_value:
            return beta, float("nan")
        self.factor_ld(eta, sigma)
        value = obj + 0.5 * self.blocks_ld.logdet() - self.const
        return beta, value


__all__ = [
    "LINKS", "CrossedBlocks", "DenseBlocks", "LaplaceProblem", "LaplaceState", "NestedBlocks",
    "probit_derivatives",
]
