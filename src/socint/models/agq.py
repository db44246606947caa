"""Adaptive Gauss-Hermite quadrature (``nagq > 1``) for one grouping factor, as glmer's nAGQ.

With a single random-intercept factor the likelihood is a product of one-dimensional integrals,
one per group ``j``: ``L_j = ∫ Π_{i∈j} p(y_i | x_iβ + σb) φ(b) db``. Centre the rule at the
conditional mode ``b̂_j`` (PIRLS) and scale it by the curvature there, ``h_j = 1 + σ² Σ_{i∈j}
W_i``: with Gauss-Hermite nodes ``z_k`` and weights ``w_k`` for the standard normal,
``L_j ≈ h_j^{-1/2} Σ_k w_k f_j(b̂_j + z_k/√h_j) φ(b̂_j + z_k/√h_j) / φ(z_k)``; one node is the
Laplace approximation (Pinheiro & Bates 1995, *J. Comput. Graph. Stat.* 4:12; lme4's
``GHrule`` and ``glmer(nAGQ = )``). β and σ are optimised jointly on this objective (lme4
also does, in its second stage), starting at the Laplace optimum; standard errors come from the
finite-difference Hessian of the same objective.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from scipy.special import logsumexp

from socint.errors import ConvergenceError, ModelError
from socint.models.frame import FloatArray
from socint.models.laplace import LaplaceProblem
from socint.models.optimize import Control, Optimum
from socint.models.slopes import fd_grad, fd_hess

#: Largest number of quadrature nodes accepted (glmer allows up to 25).
MAX_NAGQ = 25


def agq_value(problem: LaplaceProblem, beta: FloatArray, sigma: FloatArray, nagq: int) -> float:
    """Negative log-likelihood by adaptive Gauss-Hermite quadrature with ``nagq`` nodes."""
    z, w = np.polynomial.hermite_e.hermegauss(nagq)
    logw = np.log(w / w.sum())
    b, eta, _, _, W = problem.pirls(beta, sigma)
    codes, G = problem.codes[0], problem.n_groups[0]
    s = float(sigma[0])
    h = 1.0 + s * s * np.bincount(codes, W, G)
    xb = eta - s * b[0][codes]
    bk = b[0][:, None] + z[None, :] / np.sqrt(h)[:, None]          # G × K nodes
    eta_k = xb[:, None] + s * bk[codes]                              # n × K
    out = np.empty((G, z.size))
    for k in range(z.size):
        out[:, k] = -np.bincount(codes, problem.nll_data(eta_k[:, k]), G)
    out += -0.5 * bk**2 + 0.5 * z[None, :] ** 2 + logw[None, :]
    return float(-(logsumexp(out, axis=1) - 0.5 * np.log(h)).sum() - problem.const)


def fit_agq(problem: LaplaceProblem, start: Optimum, control: Control) -> Optimum:
    """Maximise the AGQ likelihood over ``(β, σ)`` from the Laplace optimum ``start``."""
    if problem.F != 1:
        raise ModelError(
            f"adaptive Gauss-Hermite quadrature (nagq={control.nagq}) needs exactly one "
            f"grouping factor; the model has {problem.F}",
            hint="use nagq=1 (Laplace) for nested or crossed factors, as glmer requires")
    if control.nagq > MAX_NAGQ:
        raise ModelError(f"`nagq` was {control.nagq} but at most {MAX_NAGQ} nodes are allowed",
                         hint="use e.g. nagq=7 or 15")
    p = problem.p

    def f(x: FloatArray) -> float:
        try:
            return agq_value(problem, x[:p], x[p:], control.nagq)
        except ConvergenceError:
            return np.inf

    n_evals = 0

    def fg(x: FloatArray) -> tuple[float, FloatArray]:
        nonlocal n_evals
        n_evals += 2 * x.size + 1
        return f(x), fd_grad(f, x, 1e-6)

    x0 = np.concatenate([start.beta, np.abs(start.sigma)])
    res = scipy.optimize.minimize(fg, x0, jac=True, method="L-BFGS-B",
                                  bounds=[(None, None)] * p + [(0.0, None)],
                                  options={"maxiter": control.maxiter, "ftol": 1e-15,
                                           "gtol": 1e-8})
    x = np.asarray(res.x, dtype=float)
    boundary = (bool(x[p] < control.boundary_tol),)
    free = np.array([True] * p + [not boundary[0]])
    for _ in range(5):  # Newton polish with the finite-difference Hessian
        H = fd_hess(f, x)
        n_evals += 2 * x.size**2
        Hf = H[np.ix_(free, free)]
        if np.linalg.eigvalsh(Hf).min() <= 0:
            break
        step = np.zeros_like(x)
        step[free] = np.linalg.solve(Hf, fd_grad(f, x, 1e-6)[free])
        if float(np.max(np.abs(step))) < 1e-10 or f(x - step) > f(x):
            break
        x = x - step
    H = fd_hess(f, x)
    g = fd_grad(f, x, 1e-6)
    Hf = H[np.ix_(free, free)]
    pd_ok = bool(np.linalg.eigvalsh(Hf).min() > 0)
    scaled = float(np.max(np.abs(np.linalg.solve(Hf, g[free])))) if pd_ok else np.inf
    value = f(x)
    st_b = problem.pirls(x[:p], x[p:])[0]
    return Optimum(
        beta=x[:p], sigma=x[p:], value=value, grad=g, hessian=H,
        converged=bool(pd_ok and scaled < control.tol_grad and np.isfinite(value)),
        message=f"AGQ ({control.nagq} nodes), L-BFGS-B: {res.message}", n_evals=n_evals,
        grad_max=float(np.max(np.abs(g[free]))), scaled_grad_max=scaled, hessian_pd=pd_ok,
        boundary=boundary, b=st_b)


__all__ = ["MAX_NAGQ", "agq_value", "fit_agq"]
