"""Stage 3 of the GLMM (lme4's ``optimizeGlmer``): find the maximum of the Laplace likelihood.

Start at σ = 0.5 (lme4 starts at θ = 1) with β from a joint PIRLS there (started at the
intercept-only logit, stopped at a Newton decrement of 10: a start, not a fit). Then Newton on
the Laplace objective over ``(β, σ)``: the Newton matrix is the Schur complement of the joint
(β, b) system for β (the Laplace Hessian without the small curvature of ``log|H|``) and
finite differences of the analytic gradient for σ, refreshed while steps are large and
secant-updated (BFGS) once they are small; step halving and a trust region keep it
safe, and L-BFGS-B (analytic gradient) takes over if Newton stalls. Finally the Hessian is
taken at the optimum: its β-block exactly (:meth:`LaplaceProblem.beta_hessian`, nested factors
of up to two levels with the logit link) and the rest by finite differences of the analytic
gradient (all of it by finite differences otherwise). It gives a last Newton check and the
standard errors, as in glmer (``use.hessian = TRUE``) and glmmTMB (``sdreport``).
glmer's fast ``nAGQ = 0`` fit (β absorbed into PIRLS, only σ optimised) is
:func:`fit_nagq0`.

Convergence is checked and reported, never assumed: the largest absolute gradient, lme4's
scaled gradient ``max |H⁻¹g|`` (Bates et al., ``lme4::checkConv``), positive definiteness of the
Hessian and standard deviations on the boundary (σ = 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize

from socint.errors import ConvergenceError
from socint.models.frame import FloatArray
from socint.models.laplace import LaplaceProblem, LaplaceState


@dataclass(frozen=True)
class Control:
    """Options of :func:`socint.models.fit_glmm`.

    Attributes
    ----------
    nagq
        1 for the Laplace approximation (default), 0 for glmer's fast ``nAGQ = 0`` fit, 2-25
        for adaptive Gauss-Hermite quadrature with that many nodes (one grouping factor only,
        as glmer; :mod:`socint.models.agq`).
    maxiter
        Maximum L-BFGS-B iterations if the Newton phase stalls.
    tol_grad
        Convergence criterion on lme4's scaled gradient ``max |H⁻¹ g|`` (lme4 uses 0.002).
    newton_steps
        Maximum Newton steps before L-BFGS-B takes over.
    boundary_tol
        A standard deviation below this is reported as a boundary (singular) fit.
    dense
        Use the dense random-effects path even when factors are nested (for checking).
    weights_scaling
        Scaling of level-1 sampling weights: "none", "size" or "effective" (see
        :func:`socint.models.weights.scale_weights`).
    information
        Probit link only: the information in the Laplace ``log|H|``, "observed" (the exact
        Laplace approximation, as glmmTMB) or "expected" (glmer's Fisher weights).
    check_nlev, check_singular, check_aliased, check_identifiable
        What to do, "raise" (a :class:`~socint.errors.ModelError`), "warn" (a
        :class:`~socint.errors.ModelWarning`) or "ignore", when a grouping factor has one level
        (lme4's ``check.nlev.gtr.1``, default raise), a variance is at the boundary (lme4's
        ``check.conv.singular``), two grouping factors define the same groups, or the Hessian
        at the optimum is nearly singular (lme4's ``check.conv.hess``: "nearly unidentifiable").
    """

    nagq: int = 1
    maxiter: int = 500
    tol_grad: float = 2e-3
    newton_steps: int = 30
    boundary_tol: float = 1e-4
    dense: bool = False
    weights_scaling: str = "none"
    information: str = "observed"
    check_nlev: str = "raise"
    check_singular: str = "warn"
    check_aliased: str = "warn"
    check_identifiable: str = "warn"


@dataclass(frozen=True)
class Optimum:
    """What the optimiser found, with honest diagnostics."""

    beta: FloatArray
    sigma: FloatArray
    value: float
    grad: FloatArray
    hessian: FloatArray | None
    converged: bool
    message: str
    n_evals: int
    grad_max: float
    scaled_grad_max: float
    hessian_pd: bool
    boundary: tuple[bool, ...]
    b: list[FloatArray]


def glm_start(problem: LaplaceProblem) -> FloatArray:
    """Plain logistic-regression estimate (all σ = 0) as the first start."""
    zero = np.zeros(problem.F)
    beta, _ = problem.pirls_joint(zero, np.zeros(problem.p), tol=1e-6)
    return beta


def intercept_start(problem: LaplaceProblem) -> FloatArray:
    """β with only the intercept (if any) at the logit of the mean outcome (on the internal
    centred basis the intercept is the first column)."""
    beta = np.zeros(problem.p)
    if problem.has_intercept:
        rate = float(np.sum(problem.wy) / np.sum(problem.wm))
        beta[0] = problem.link_inverse_mean(min(max(rate, 1e-6), 1 - 1e-6))
    return beta


def fit_nagq0(problem: LaplaceProblem, beta0: FloatArray, sigma0: FloatArray,
              ftol: float = 1e-12,
              maxiter: int = 200) -> tuple[FloatArray, FloatArray, float, int, bool]:
    """Optimise glmer's ``nAGQ = 0`` objective over σ; β comes from the joint PIRLS.

    Returns β, σ, the objective, the number of PIRLS calls and whether L-BFGS-B reported
    success. ``ftol`` is L-BFGS-B's relative reduction tolerance.
    """
    beta = beta0.copy()
    calls = 0

    def fun(sig: FloatArray) -> float:
        nonlocal beta, calls
        beta, val = problem.pirls_joint(np.asarray(sig), beta)
        calls += 1
        return val

    res = scipy.optimize.minimize(
        fun, sigma0, method="L-BFGS-B", bounds=[(0.0, None)] * problem.F,
        options={"maxiter": maxiter, "ftol": ftol, "gtol": 1e-5, "eps": 1e-5},
    )
    sigma = np.asarray(res.x, dtype=float)
    beta, val = problem.pirls_joint(sigma, beta)
    return beta, sigma, float(val), calls + 1, bool(res.success)


def hessian_fd(problem: LaplaceProblem, x: FloatArray,
               columns: list[int] | None = None, *, central: bool = False,
               base_out: list[LaplaceState] | None = None) -> FloatArray:
    """Hessian (or some of its columns) by finite differences of the analytic gradient.

    Forward differences with a small step (1e-5, relative) by default: the analytic gradient is
    accurate to ~1e-9 (the conditional modes are solved to machine precision), so truncation
    error dominates and is ~1e-5 relative; ``central=True`` halves nothing but the error and
    doubles the cost. The Laplace objective is even in each σ (``b`` and ``−b`` have the same
    prior), so it is smooth through σ = 0 and differences are valid there too.

    The perturbed points take the conditional modes extrapolated to first order by their
    sensitivity (implicit function theorem) and no inner Newton iterations: their O(h²) error
    moves the gradient by O(h²), i.e. the quotient by O(h), the order of the forward
    difference itself. The β rows are ``X'(r_j − r_0)/h`` for the row terms ``r`` of
    :meth:`LaplaceProblem.gradient_terms`, taken for 8 directions per pass over ``X``.
    ``base_out`` receives the state at ``x`` (value and full gradient).
    """
    p = problem.p
    k = x.size
    cols = list(range(k)) if columns is None else columns
    H = np.zeros((k, k))
    b_save = [bb.copy() for bb in problem.b]
    if central:
        sens = problem.mode_sensitivity(x[:p], x[p:])
        for j in cols:
            h = 1e-4 * max(1.0, abs(x[j]))
            e = np.zeros(k)
            e[j] = h
            problem.b = [bb + h * d for bb, d in zip(b_save, sens[j], strict=True)]
            gp = problem.evaluate(x[:p] + e[:p], x[p:] + e[p:], at_modes=True,
                                  need_value=False).grad
            problem.b = [bb - h * d for bb, d in zip(b_save, sens[j], strict=True)]
            gm = problem.evaluate(x[:p] - e[:p], x[p:] - e[p:], at_modes=True,
                                  need_value=False).grad
            H[:, j] = (gp - gm) / (2 * h)
    else:
        st0, r0 = problem.gradient_terms(x[:p], x[p:])
        if base_out is not None:  # the state at x itself, for the caller (saves a re-evaluation)
            base = LaplaceState([bb.copy() for bb in st0.b], st0.eta, st0.value, st0.grad.copy())
            base.grad[:p] = r0 @ problem.X
            base_out.append(base)
        b_save = [bb.copy() for bb in problem.b]
        sens = problem.mode_sensitivity(x[:p], x[p:])
        # the β rows are X'(r_j − r_0)/h: the row terms of up to 8 directions are kept
        # (float32: they are differences, needed to ~1e-7 relative) and multiplied by X
        # together, so X is read once per 8 directions instead of once per direction
        for lo in range(0, len(cols), 8):
            group = cols[lo:lo + 8]
            D = np.empty((r0.size, len(group)), dtype=np.float32)
            hs = np.empty(len(group))
            for c, j in enumerate(group):
                h = 1e-5 * max(1.0, abs(x[j]))
                hs[c] = h
                xp = x.copy()
                xp[j] += h
                problem.b = [bb + h * d for bb, d in zip(b_save, sens[j], strict=True)]
                st, r = problem.gradient_terms(xp[:p], xp[p:], at_modes=True,
                                               need_value=False)
                H[p:, j] = (st.grad[p:] - st0.grad[p:]) / h
                D[:, c] = r - r0
            H[:p, group] = problem.xt_matrix(D) / hs
    problem.b = [bb.copy() for bb in b_save]
    if columns is None:
        return 0.5 * (H + H.T)
    return H


def _sigma_columns(problem: LaplaceProblem, x: FloatArray, grad: FloatArray,
                   H: FloatArray) -> None:
    """Fill the σ columns (and rows) of ``H`` by forward differences of the analytic gradient
    (one evaluation per σ, at modes extrapolated by their sensitivity, as in
    :func:`hessian_fd`); ``grad`` is the gradient at ``x``, whose modes are in ``problem.b``."""
    p = problem.p
    b_save = [bb.copy() for bb in problem.b]
    # modes at the perturbed σ extrapolated to first order: no inner Newton iterations
    sens = problem.mode_sensitivity(x[:p], x[p:], sigma_only=True)
    for j in range(p, x.size):
        h = 1e-5 * max(1.0, abs(x[j]))
        xp = x.copy()
        xp[j] += h
        problem.b = [bb + h * d for bb, d in zip(b_save, sens[j - p], strict=True)]
        H[:, j] = (problem.evaluate(xp[:p], xp[p:], at_modes=True, need_value=False).grad
                   - grad) / h
    problem.b = b_save
    H[p:, :p] = H[:p, p:].T
    H[p:, p:] = 0.5 * (H[p:, p:] + H[p:, p:].T)


def exact_hessian(problem: LaplaceProblem, x: FloatArray, base_out: list[LaplaceState],
                  state: LaplaceState | None = None) -> FloatArray:
    """Hessian at ``x`` with the exact β-block (:meth:`LaplaceProblem.beta_hessian`) and the
    σ columns by forward differences: ``F`` gradient evaluations (one more without the
    ``state`` at ``x``) instead of the ``p + F + 1`` of :func:`hessian_fd`. ``base_out``
    receives the state at ``x``."""
    p = problem.p
    if state is None:
        st = problem.evaluate(x[:p], x[p:])
    else:
        st = state
        problem.b = [bb.copy() for bb in st.b]
    base_out.append(LaplaceState([bb.copy() for bb in st.b], st.eta, st.value, st.grad.copy()))
    H = np.zeros((x.size, x.size))
    H[:p, :p] = problem.beta_hessian(x[:p], x[p:])
    _sigma_columns(problem, x, st.grad, H)
    return H


def approx_hessian(problem: LaplaceProblem, x: FloatArray, grad: FloatArray,
                   schur: FloatArray | None = None) -> FloatArray:
    """Cheap Newton matrix at ``x`` (the modes in ``problem.b`` must be those at ``x``).

    The β block is the Schur complement ``X'WX − X'WZΛ H⁻¹ ΛZ'WX`` (the Laplace Hessian
    without the small curvature of ``log|H|``); the σ rows and columns are forward differences
    of the analytic gradient (:func:`_sigma_columns`). A ``schur`` already at hand (the start's
    joint PIRLS ends with one) is used instead of recomputing it. Eigenvalues are floored so
    that the Newton direction is a descent direction.
    """
    p = problem.p
    H = np.zeros((x.size, x.size))
    H[:p, :p] = problem.schur(x[:p], x[p:]) if schur is None else schur
    _sigma_columns(problem, x, grad, H)
    lam, V = np.linalg.eigh(H)
    floor = 1e-8 * float(np.max(np.abs(lam)))
    if lam.min() < floor:
        H = (V * np.maximum(np.abs(lam), floor)) @ V.T
    return H


#: Newton steps larger than this (max |step|) refresh the Newton matrix at the next point;
#: after smaller ones the matrix is kept and given the BFGS secant update of the step taken
#: (no evaluation), so the iteration converges superlinearly instead of at the linear rate of
#: the approximation's error (~1%). Measured in one process against refreshing above 1e-2
#: with no update: evaluations per fit two-level 2,000 rows 8 → 7, cbpp 17 → 14, crossed
#: 3,000 pupils 17 → 14, Model 3 1× 13 → 12 and 10× 13 → 11 (fit 873 → 774 ms); with no
#: refresh at all cbpp takes 13 but Model 3 more than 0.1 does.
REFRESH_STEP = 0.1
#: Newton steps stop once the largest step is below this: the exact-Hessian Newton step at the
#: optimum (:func:`fit_laplace`) then takes the rest, with quadratic instead of linear
#: convergence. 1e-4 instead of 1e-7 saves one to two evaluations per fit (two-level 2,000
#: rows 9 → 8, cbpp 19 → 17) and moves the optimum by < 1e-8 in β and σ, the log-likelihood
#: by < 1e-12 and the SEs by < 2e-5 relative (measured on the benchmark's small cases).
NEWTON_TOL = 1e-4


def bfgs_update(H: FloatArray, s: FloatArray, y: FloatArray) -> FloatArray:
    """The BFGS update of a Hessian approximation ``H`` for a step ``s`` and the change ``y``
    of the gradient along it: ``H + yy'/y's − Hss'H/s'Hs`` (Nocedal & Wright 2006, eq. 6.19),
    which satisfies the secant equation ``H₊s = y``. A positive definite ``H`` stays so; the
    update is skipped (``H`` returned) unless the curvature ``s'y`` is positive."""
    sy = float(s @ y)
    Hs = H @ s
    sHs = float(s @ Hs)
    if not (sHs > 0 and sy > 1e-12 * sHs):
        return H
    return np.asarray(H + np.outer(y, y) / sy - np.outer(Hs, Hs) / sHs)


def newton_refresh(problem: LaplaceProblem, x: FloatArray, maxit: int = 50,
                   tol: float = NEWTON_TOL,
                   schur: FloatArray | None = None
                   ) -> tuple[FloatArray, int, bool, LaplaceState]:
    """Newton iterations on the Laplace objective with :func:`approx_hessian`.

    The matrix is refreshed while steps are large (above :data:`REFRESH_STEP`); once they are
    small it is kept and given the BFGS secant update of each step (Nocedal & Wright 2006,
    *Numerical Optimization*, eq. 6.19), which turns the linear rate of a fixed approximation
    into a superlinear one at no cost in evaluations.
    ``schur`` is a β-block for the first matrix (see :func:`approx_hessian`). Returns the
    point, the number of evaluations, whether the steps converged, and the state at the point
    (whose modes are left in ``problem.b``).
    """
    p = problem.p
    st = problem.evaluate(x[:p], x[p:])
    n = 1
    H: FloatArray | None = None
    last = np.inf
    for _ in range(maxit):
        if H is None or last > REFRESH_STEP:
            H = approx_hessian(problem, x, st.grad, schur)
            schur = None
            n += problem.F
        step = np.linalg.solve(H, st.grad)
        last = float(np.max(np.abs(step)))
        if last < tol:
            return x, n, True, st
        # trust region: at most 2 (scaled β units) or 0.5 (σ) per step
        t = min(1.0, 2.0 / max(float(np.max(np.abs(step[:p]))), 1e-300),
                0.5 / max(float(np.max(np.abs(step[p:]))), 1e-300))
        # σ = 0 is always a stationary point (the objective is even in σ): never jump onto
        # it; a σ may at most halve per step, so a boundary optimum is approached geometrically
        toward = (step[p:] * x[p:] > 0) & (x[p:] != 0)
        if np.any(toward):
            t = min(t, float(np.min(0.5 * x[p:][toward] / step[p:][toward])))
        # the modes at the trial points extrapolated along the step (first order)
        b_here = problem.b
        back = np.negative(step, dtype=np.float64)
        db = problem.mode_direction(x[:p], x[p:], back[:p], back[p:])
        for _h in range(30):
            xn = x - t * step
            b_save = b_here
            problem.b = [bb + t * d for bb, d in zip(b_here, db, strict=True)]
            try:
                stn = problem.evaluate(xn[:p], xn[p:])
                better = stn.value <= st.value + 1e-9
            except ConvergenceError:
                better = False
            n += 1
            if better:
                break
            problem.b = b_save
            t *= 0.5
        else:
            st = problem.evaluate(x[:p], x[p:])
            return x, n + 1, False, st
        if last <= REFRESH_STEP:  # the kept matrix learns from the step taken
            H = bfgs_update(H, xn - x, stn.grad - st.grad)
        x, st = xn, stn
    return x, n, False, st


def fit_laplace(problem: LaplaceProblem, beta0: FloatArray, sigma0: FloatArray,
                control: Control, schur: FloatArray | None = None) -> Optimum:
    """Minimise the negative Laplace log-likelihood over ``(β, σ)``.

    Newton steps with :func:`approx_hessian` from the start; if they stall, L-BFGS-B with the
    analytic gradient takes over. The exact (finite-difference) Hessian is then taken at the
    optimum, a last Newton check is made with it, and it gives the standard errors. σ is
    optimised on the real line and reported as ``|σ|`` (the objective is even in σ), which
    handles fits on the boundary σ = 0 without a kink.
    """
    p = problem.p
    n_evals = 0
    x = np.concatenate([beta0, sigma0])
    x, ne, ok, at = newton_refresh(problem, x, control.newton_steps, schur=schur)
    state: LaplaceState | None = at  # the state at x, while the modes in problem.b are x's
    n_evals += ne
    message = "Newton iterations converged" if ok else "Newton stalled"
    if not ok:
        def fg(z: FloatArray) -> tuple[float, FloatArray]:
            nonlocal n_evals
            n_evals += 1
            s = problem.evaluate(z[:p], z[p:])
            return s.value, s.grad

        res = scipy.optimize.minimize(
            fg, x, jac=True, method="L-BFGS-B",
            options={"maxiter": control.maxiter, "ftol": 1e-15, "gtol": 1e-8, "maxcor": 30},
        )
        x = np.asarray(res.x, dtype=float)
        message = f"L-BFGS-B: {res.message}"
        state = problem.evaluate(x[:p], x[p:])
    # a σ at zero must be a minimum along σ, not the saddle that σ = 0 always is
    for _ in range(problem.F):
        moved = False
        for f in range(problem.F):
            if abs(x[p + f]) < control.boundary_tol:
                trial = x.copy()
                trial[p + f] = 0.3
                if problem.evaluate(trial[:p], trial[p:]).value < problem.evaluate(
                        x[:p], x[p:]).value:
                    x, ne, ok, state = newton_refresh(problem, trial, control.newton_steps)
                    n_evals += ne + 2
                    moved = True
                    break
                n_evals += 2
                state = None  # evaluated elsewhere since
        if not moved:
            break
    # the exact Hessian at the optimum: convergence check, last Newton polish, and the SEs
    boundary = tuple(bool(abs(s) < control.boundary_tol) for s in x[p:])
    free = np.array([True] * p + [not bd for bd in boundary])
    at_x: list[LaplaceState] = []
    if problem.exact_beta_hessian:
        H = exact_hessian(problem, x, at_x, state)
        n_evals += problem.F + (state is None)
    else:
        H = hessian_fd(problem, x, base_out=at_x)
        n_evals += x.size + 1
    Hf = H[np.ix_(free, free)]
    pd_ok = bool(np.linalg.eigvalsh(Hf).min() > 0)
    st = at_x[0]
    if pd_ok:
        step = np.zeros_like(x)
        step[free] = np.linalg.solve(Hf, st.grad[free])
        # (a step below the Newton tolerance would move nothing that is reported)
        if float(np.max(np.abs(step))) > 1e-7:
            b_save = problem.b
            stn = problem.evaluate(x[:p] - step[:p], x[p:] - step[p:])
            n_evals += 1
            if stn.value <= st.value:
                x, st = x - step, stn
            else:
                problem.b = b_save
    sign = np.where(x[p:] < 0, -1.0, 1.0)
    D = np.concatenate([np.ones(p), sign])
    x = x * D
    H = H * np.outer(D, D)
    g = st.grad * D
    st.b = [bb * sg for bb, sg in zip(st.b, sign, strict=True)]
    problem.b = st.b
    try:
        scaled = (float(np.max(np.abs(np.linalg.solve(H[np.ix_(free, free)], g[free]))))
                  if pd_ok else np.inf)
    except np.linalg.LinAlgError:
        scaled = np.inf
    # a σ on the boundary is a proper optimum only if the objective curves up along it there
    # (σ = 0 is always stationary, the objective being even in σ)
    hscale = max(float(np.max(np.abs(np.diag(H)))), 1.0)
    bnd_ok = all(H[p + f, p + f] > -1e-6 * hscale for f in range(problem.F) if boundary[f])
    converged = bool(pd_ok and bnd_ok and scaled < control.tol_grad
                     and np.isfinite(st.value))
    if not converged:
        message += ("; convergence checks failed (see scaled_grad_max and hessian_pd)" if bnd_ok
                    else "; a standard deviation at 0 is a saddle, not a minimum")
    return Optimum(
        beta=x[:p], sigma=x[p:], value=st.value, grad=g, hessian=H, converged=converged,
        message=message, n_evals=n_evals, grad_max=float(np.max(np.abs(g[free]))),
        scaled_grad_max=scaled, hessian_pd=pd_ok, boundary=boundary, b=st.b,
    )


__all__ = [
    "Control", "Optimum", "approx_hessian", "bfgs_update", "exact_hessian", "fit_laplace",
    "fit_nagq0", "glm_start", "hessian_fd", "intercept_start", "newton_refresh",
]
