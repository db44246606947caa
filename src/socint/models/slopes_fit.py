"""Fit a GLMM with random slopes (see :mod:`.slopes`) into the same :class:`GlmmResult`.

Reported parameters, as lme4's ``VarCorr`` and glmmTMB's ``sdreport``: per factor the standard
deviation of each random coefficient (the intercept under the factor's name, a slope ``x`` as
``"x|g"``) and, for ``(x | g)``, the correlations (``"cor(1, x|g)"``). Their SEs come from the
finite-difference Hessian of the Laplace objective in exactly that parametrisation; a standard
deviation at 0 or a correlation at ±1 is a singular fit (lme4's ``isSingular``) and is left out
of the Hessian (NaN SEs), as for the intercept engine.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import scipy.optimize

from socint.errors import ConvergenceError
from socint.models.checks import act
from socint.models.frame import FloatArray, ModelFrame
from socint.models.optimize import Control
from socint.models.result import GlmmResult
from socint.models.slopes import SlopeProblem, SlopeTerm, fd_grad, fd_hess


def _psd_chol(S: FloatArray) -> FloatArray:
    """Lower Cholesky factor of a positive semi-definite matrix (zero columns where singular)."""
    m = S.shape[0]
    L = np.zeros_like(S)
    for j in range(m):
        d = S[j, j] - float(L[j, :j] @ L[j, :j])
        if d <= 1e-14 * max(1.0, abs(S[j, j])):
            continue
        L[j, j] = np.sqrt(d)
        for i in range(j + 1, m):
            L[i, j] = (S[i, j] - float(L[i, :j] @ L[j, :j])) / L[j, j]
    return L


def component_names(terms: list[SlopeTerm]) -> tuple[list[str], list[str]]:
    """Names of the standard deviations and of the correlations, in parameter order."""
    sds, cors = [], []
    for t in terms:
        short = ["1" if c == "(Intercept)" else c for c in t.coefs]
        sds += [t.name if a == 0 else f"{t.coefs[a]}|{t.name}" for a in range(t.m)]
        if t.correlated:
            cors += [f"cor({short[a]}, {short[c]}|{t.name})"
                     for a in range(t.m) for c in range(a + 1, t.m)]
    return sds, cors


def theta_to_phi(terms: list[SlopeTerm], slices: list[slice], theta: FloatArray) -> FloatArray:
    """``θ`` (Cholesky entries) → standard deviations then correlations."""
    sds, cors = [], []
    for t, sl in zip(terms, slices, strict=True):
        L = t.lower(theta[sl])
        S = L @ L.T
        sd = np.sqrt(np.diag(S))
        sds += list(sd)
        if t.correlated:
            for a in range(t.m):
                for c in range(a + 1, t.m):
                    den = sd[a] * sd[c]
                    cors.append(S[a, c] / den if den > 0 else 0.0)
    return np.array(sds + cors)


def phi_to_theta(terms: list[SlopeTerm], phi: FloatArray) -> FloatArray:
    """Standard deviations and correlations → ``θ`` (inverse of :func:`theta_to_phi`)."""
    n_sd = sum(t.m for t in terms)
    sd_all, cor_all = phi[:n_sd], phi[n_sd:]
    out: list[float] = []
    o_sd = o_c = 0
    for t in terms:
        sd = np.abs(sd_all[o_sd:o_sd + t.m])
        o_sd += t.m
        if not t.correlated:
            out += list(sd)
            continue
        R = np.eye(t.m)
        for a in range(t.m):
            for c in range(a + 1, t.m):
                R[a, c] = R[c, a] = cor_all[o_c]
                o_c += 1
        L = _psd_chol(sd[:, None] * R * sd[None, :])
        out += list(L[np.tril_indices(t.m)])
    return np.array(out)


def fit_slopes(formula: str, frame: ModelFrame, terms: list[SlopeTerm], control: Control,
               link: str, data: pd.DataFrame, t0: float) -> GlmmResult:
    """Maximise the Laplace likelihood of a model with random slopes; the frozen result."""
    problem = SlopeProblem(frame, terms, link)
    p, k_theta = problem.p, problem.n_theta

    def f(x: FloatArray) -> float:
        try:
            return problem.value(x[:p], x[p:])
        except (ConvergenceError, np.linalg.LinAlgError):
            return np.inf

    # start: every standard deviation 0.5, correlations 0 (the intercept engine's σ = 0.5)
    theta0 = np.concatenate([0.5 * np.eye(t.m)[np.tril_indices(t.m)] if t.correlated
                             else np.full(t.m, 0.5) for t in terms])
    ybar = float(np.clip(frame.y.sum() / frame.trials.sum(), 1e-3, 1 - 1e-3))
    beta0 = np.zeros(p)
    if frame.has_intercept:
        beta0[0] = np.log(ybar / (1 - ybar))
    x = np.concatenate([beta0, theta0])
    lo = np.full(x.size, -np.inf)
    for t, sl in zip(terms, problem.theta_slices, strict=True):
        for d in t.diag_positions():
            lo[p + sl.start + d] = 0.0
    bounds = [(None if np.isinf(a) else a, None) for a in lo]
    n_evals = 0

    def fg(z: FloatArray) -> tuple[float, FloatArray]:
        nonlocal n_evals
        n_evals += 2 * z.size + 1
        return f(z), fd_grad(f, z, 1e-6)

    res = scipy.optimize.minimize(fg, x, jac=True, method="L-BFGS-B", bounds=bounds,
                                  options={"maxiter": control.maxiter, "ftol": 1e-15,
                                           "gtol": 1e-7, "maxcor": 20})
    x = np.asarray(res.x, dtype=float)
    message = f"L-BFGS-B: {res.message}"
    # Newton polish with the finite-difference Hessian in (β, θ) off the boundary
    for _ in range(8):
        free = ~((lo == 0.0) & (x < control.boundary_tol))
        H = fd_hess(f, x)[np.ix_(free, free)]
        n_evals += 2 * x.size**2
        g = fd_grad(f, x, 1e-6)[free]
        if np.linalg.eigvalsh(H).min() <= 0:
            break
        step = np.zeros_like(x)
        step[free] = np.linalg.solve(H, g)
        if float(np.max(np.abs(step))) < 1e-9:
            break
        xn = x - step
        xn = np.maximum(xn, np.where(np.isinf(lo), -np.inf, 0.0))
        if f(xn) <= f(x):
            x = xn
        else:
            break
    value = f(x)
    theta = x[p:]
    phi = theta_to_phi(terms, problem.theta_slices, theta)
    sd_names, cor_names = component_names(terms)
    n_sd = len(sd_names)
    at_zero = phi[:n_sd] < control.boundary_tol
    at_one = np.abs(phi[n_sd:]) > 1 - 1e-6
    # correlations of a coefficient with zero variance are not identified either
    cor_free = ~at_one
    o = 0
    ci = 0
    for t in terms:
        if t.correlated:
            for a in range(t.m):
                for c in range(a + 1, t.m):
                    if at_zero[o + a] or at_zero[o + c]:
                        cor_free[ci] = False
                    ci += 1
        o += t.m
    free_phi = np.concatenate([np.ones(p, bool), ~at_zero, cor_free])
    full = np.concatenate([x[:p], phi])

    def f_phi(z: FloatArray) -> float:
        y = full.copy()
        y[free_phi] = z
        return f(np.concatenate([y[:p], phi_to_theta(terms, y[p:])]))

    Hphi = fd_hess(f_phi, full[free_phi])
    n_evals += 2 * int(free_phi.sum()) ** 2
    lam = np.linalg.eigvalsh(Hphi)
    pd_ok = bool(lam.min() > 0)
    kfree = int(free_phi.sum())
    cov = np.full((full.size, full.size), np.nan)
    scaled = np.inf
    g_phi = fd_grad(f_phi, full[free_phi], 1e-6)
    if pd_ok:
        cov_free = np.linalg.inv(Hphi)
        cov[np.ix_(free_phi, free_phi)] = cov_free
        scaled = float(np.max(np.abs(cov_free @ g_phi)))
    converged = bool(pd_ok and scaled < control.tol_grad and np.isfinite(value))
    if not converged:
        message += "; convergence checks failed (see scaled_grad_max and hessian_pd)"
    # back to the original covariate scale
    A = frame.to_original
    T = np.eye(full.size)
    T[:p, :p] = A
    cov_full = T @ np.nan_to_num(cov) @ T.T
    cov_full[~np.isfinite(cov)] = np.nan
    beta = A @ x[:p]
    names = list(frame.columns)
    problem.value(x[:p], theta)  # modes and H at the optimum
    Hinv = problem.hinv()
    ranef: dict[str, pd.DataFrame] = {}
    for t, sl, off in zip(terms, problem.theta_slices, problem.offsets[:-1], strict=True):
        L = t.lower(theta[sl])
        bk = problem.b[off:off + t.m * t.n_groups].reshape(t.n_groups, t.m)
        u = bk @ L.T
        blocks = np.stack([Hinv[off + j * t.m: off + (j + 1) * t.m,
                                off + j * t.m: off + (j + 1) * t.m] for j in range(t.n_groups)])
        cv = np.einsum("ab,jbc,dc->jad", L, blocks, L)
        cols: dict[str, Any] = {"mode": u[:, 0], "condvar": cv[:, 0, 0]}
        for a in range(1, t.m):
            cols[f"mode:{t.coefs[a]}"] = u[:, a]
            cols[f"condvar:{t.coefs[a]}"] = cv[:, a, a]
            for c in range(a):
                short = "1" if c == 0 else t.coefs[c]
                cols[f"condcov:{short},{t.coefs[a]}"] = cv[:, c, a]
        ranef[t.name] = pd.DataFrame(cols, index=frame.labels[frame.factor_names.index(t.name)])
    sd = pd.Series(phi[:n_sd], index=sd_names, name="sd")
    sd_se = np.sqrt(np.abs(np.diag(cov_full)[p:p + n_sd]))
    cor = pd.Series(phi[n_sd:], index=cor_names, name="correlation", dtype=float)
    cor_se = pd.Series(np.sqrt(np.abs(np.diag(cov_full)[p + n_sd:])), index=cor_names,
                       name="correlation_se", dtype=float)
    singular = [n for n, z in zip(sd_names, at_zero, strict=True) if z]
    singular += [n for n, z in zip(cor_names, at_one, strict=True) if z]
    if singular:
        act(control.check_singular,
            "singular fit: " + ", ".join(repr(s) for s in singular)
            + " at the boundary (a standard deviation at 0 or a correlation at ±1)",
            hint="simplify the random-effects structure, e.g. (x || g) or (1 | g)", stacklevel=4)
    diagnostics = {
        "criterion": "Hessian in (β, sd, cor) positive definite and lme4's scaled gradient "
                     "max|H⁻¹g| < tol_grad",
        "grad_max": float(np.max(np.abs(g_phi))), "scaled_grad_max": scaled,
        "hessian_pd": pd_ok, "hessian_eigen_ratio": float(lam.min() / lam.max()),
        "n_free": kfree, "boundary": dict(zip(sd_names, at_zero.tolist(), strict=True)),
        "message": message, "n_evals": n_evals, "re_path": "SlopeProblem (dense)",
        "nested_fast_path": False, "n_theta": k_theta,
        "seconds_total": time.perf_counter() - t0,
    }
    slopes = {t.name: t.coefs[1:] for t in terms}
    return GlmmResult(
        formula=formula, nagq=1,
        fixef=pd.Series(beta, index=names, name="estimate"),
        vcov=pd.DataFrame(cov_full[:p, :p], index=names, columns=names),
        sd=sd, variances=pd.Series(phi[:n_sd] ** 2, index=sd_names, name="variance"),
        variances_se=pd.Series(2 * phi[:n_sd] * sd_se, index=sd_names, name="variance_se"),
        loglik=-value, nobs=frame.nobs,
        n_groups=dict(zip(frame.factor_names, frame.n_groups, strict=True)), ranef=ranef,
        converged=converged, diagnostics=diagnostics, cov_full=cov_full,
        n_dropped=frame.n_dropped, weighted=bool(np.any(frame.weights != 1.0)), link=link,
        correlations=cor, correlations_se=cor_se,
        _spec={"model_spec": frame.model_spec, "factor_columns": frame.factor_columns,
               "slopes": slopes},
        _data=data.loc[frame.index] if frame.n_dropped else data,
    )


__all__ = ["component_names", "fit_slopes", "phi_to_theta", "theta_to_phi"]
