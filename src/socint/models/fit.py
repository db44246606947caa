"""``fit_glmm``: lme4's four stages in order — frame → deviance → optimiser → frozen result.

Reference: Bates, Mächler, Bolker & Walker (2015), *Fitting linear mixed-effects models using
lme4*, J. Stat. Softw. 67(1) — the modular ``glFormula`` / ``mkGlmerDevfun`` /
``optimizeGlmer`` / ``mkMerMod`` decomposition mirrored here. See ``docs/methods/glmm.md``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import ModelError
from socint.models.blocks import NestedBlocks
from socint.models.checks import (
    EIGEN_RATIO_TOL,
    act,
    aliased_pairs,
    eigen_ratio,
    separating_columns,
    validate_level,
)
from socint.models.formula import parse_formula
from socint.models.frame import FloatArray, ModelFrame, build_frame, check_separation
from socint.models.laplace import LINKS, LaplaceProblem
from socint.models.memory import release_free_memory
from socint.models.optimize import (
    Control,
    Optimum,
    fit_laplace,
    fit_nagq0,
    glm_start,
    intercept_start,
)
from socint.models.result import GlmmResult
from socint.models.weights import scale_weights

_CONTROLLER: list[Any] = []
#: Column labels of each ``ranef`` table (viewed, never shared, by each result).
_RANEF_COLUMNS = pd.Index(["mode", "condvar"])
#: Designs (rows × columns) below this size leave the BLAS threads alone.
SMALL_DESIGN = 50_000
#: Newton decrement at which the starting joint PIRLS (σ = 0.5) stops: a start, not a fit.
#: (Model 3 at 10×: the decrements run 31006, 690, 3.4, so 10 saves the fourth iteration;
#: the Newton phase then takes the same number of steps.)
START_TOL = 10.0


@contextlib.contextmanager
def _single_thread_blas(size: int | None = None) -> Iterator[None]:
    """Run BLAS single-threaded: our products are small, and threads only contend.

    The threadpoolctl controller (which scans the loaded libraries, ~2 ms) is made once.
    For a design of fewer than ``SMALL_DESIGN`` entries (``size``) nothing is changed:
    BLAS does not thread products that small, and setting the limit costs ~0.5 ms.
    """
    if size is not None and size < SMALL_DESIGN:
        yield
        return
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: without it BLAS keeps its default
        yield
        return
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    with _CONTROLLER[0].limit(limits=1):
        yield


def _check_after(frame: ModelFrame, opt_beta: FloatArray, se_int: FloatArray,
                 level: str) -> None:
    """Detect separation after the fit: exploding coefficients on the internal scale.

    The columns named are those of the separating direction found by the linear programme of
    :func:`checks.separating_columns`, not every coefficient that grew with them (those along
    a separating direction drag correlated ones, e.g. an interaction, with them).
    """
    bad = [frame.columns[k] for k in range(opt_beta.size)
           if frame.columns[k] != "Intercept" and (abs(opt_beta[k]) > 15 or se_int[k] > 50)]
    if not bad:
        return
    sep = separating_columns(frame.columns, frame.X.toarray(), frame.y, frame.trials)
    if sep:
        raise ModelError(
            "the fit diverged for design column(s) " + ", ".join(repr(b) for b in sep)
            + ": they separate the outcome (quasi-complete separation, Albert & Anderson "
            "1984), so their coefficients have no finite maximum likelihood estimate",
            column=sep[0],
            hint="merge sparse categories, drop the term(s), or check the coding of the outcome",
        )
    act(level,
        "the model is nearly unidentifiable: huge coefficient or standard error for design "
        "column(s) " + ", ".join(repr(b) for b in bad) + " although no covariate separates "
        "the outcome (nearly collinear covariates?)",
        column=bad[0], stacklevel=5,
        hint="remove nearly collinear covariates or merge sparse categories")


def _check_fit(frame: ModelFrame, opt: Optimum, control: Control) -> None:
    """Singular fit and near-unidentifiability (lme4's ``check.conv.singular`` and
    ``check.conv.hess``), reported as the ``Control`` check levels say."""
    p = frame.X.shape[1]
    zero = [frame.factor_names[f] for f, bd in enumerate(opt.boundary) if bd]
    if zero:
        act(control.check_singular,
            "singular fit: the variance of " + ", ".join(repr(z) for z in zero)
            + f" is at the boundary (standard deviation < {control.boundary_tol:g}); the data "
            "show no variation between those groups beyond the other terms",
            hint="the fit is usable (the variance is estimated as 0); drop the term for a "
                 "simpler model, or check that the groups are coded as intended")
    if opt.hessian is None or not opt.hessian_pd:
        return
    free = np.array([True] * p + [not b for b in opt.boundary])
    H = opt.hessian[np.ix_(free, free)]
    ratio = eigen_ratio(H)
    if ratio < EIGEN_RATIO_TOL:
        names = [*frame.columns, *(f"sd {n}" for n in frame.factor_names)]
        names = [n for n, f in zip(names, free, strict=True) if f]
        _, vec = np.linalg.eigh(H)
        load = np.abs(vec[:, 0])
        worst = [names[k] for k in np.argsort(-load)[:3] if load[k] > 0.2]
        act(control.check_identifiable,
            f"the model is nearly unidentifiable: the Hessian's eigenvalue ratio is {ratio:.2g} "
            f"(< {EIGEN_RATIO_TOL:g}); poorly determined along "
            + ", ".join(repr(w) for w in worst),
            hint="remove nearly collinear covariates or aliased grouping factors, or merge "
                 "sparse categories")


@functools.lru_cache(maxsize=256)
def _labels(names: tuple[str, ...]) -> pd.Index:
    """An Index of ``names``, made once per distinct tuple and shared (an Index is immutable;
    callers take views): pandas 3 builds an arrow-backed string Index from a list in 30-60 µs,
    a tenth of a small fit's result."""
    return pd.Index(list(names))


def _result(formula: str, frame: ModelFrame, problem: LaplaceProblem, opt: Optimum,
            nagq: int, data: pd.DataFrame, extra: dict[str, Any],
            check_identifiable: str = "warn", robust: bool | str = False) -> GlmmResult:
    p = problem.p
    F = problem.F
    A = frame.to_original
    free = np.array([True] * p + [not b for b in opt.boundary])
    cov = np.full((p + F, p + F), np.nan)
    if nagq >= 1 and opt.hessian is not None and opt.hessian_pd:
        cov_free = np.linalg.inv(opt.hessian[np.ix_(free, free)])
        cov[np.ix_(free, free)] = cov_free
    elif nagq == 0:
        # glmer's nAGQ=0: β's covariance from the joint PIRLS system, conditional on σ
        cov[:p, :p] = np.linalg.inv(problem.last_schur)
    # otherwise (Hessian not positive definite) the SEs stay NaN: there are none to report
    se_int = np.sqrt(np.abs(np.diag(cov[:p, :p])))
    _check_after(frame, opt.beta, se_int, check_identifiable)
    T = np.eye(p + F)
    T[:p, :p] = A

    def original(c: FloatArray) -> FloatArray:
        out = T @ np.nan_to_num(c, nan=0.0) @ T.T
        out[~np.isfinite(c)] = np.nan
        out[p:, :p][~free[p:]] = np.nan
        return out

    # the labels as Index objects made once per distinct set of names (:func:`_labels`);
    # every table gets its own view, so renaming one axis of one table leaves the others
    # alone, as with Indexes built separately
    names_ix = _labels(tuple(frame.columns))
    fnames = list(frame.factor_names)
    fnames_ix = _labels(tuple(fnames))
    vcov_model = None
    if robust is not False:
        from socint.models.robust import cluster_codes, cluster_scores, sandwich

        if opt.hessian is None or not opt.hessian_pd:
            raise ModelError("cluster-robust SEs need a positive definite Hessian at the "
                             "optimum; the fit has none", hint="see result.diagnostics")
        cl, cname = cluster_codes(frame, data, robust if isinstance(robust, str) else None)
        n_cl = int(cl.max()) + 1
        vcov_model = pd.DataFrame(original(cov)[:p, :p], index=names_ix.view(),
                                  columns=names_ix.view())
        cov = sandwich(opt.hessian, cluster_scores(problem, opt.beta, opt.sigma, cl, n_cl), free)
        extra = {**extra, "vcov": f"cluster-robust (sandwich) at {cname!r}, {n_cl} clusters, "
                                  "factor C/(C-1)"}
    cov_full = original(cov)
    beta = A @ opt.beta
    sd = pd.Series(opt.sigma, index=fnames_ix.view(), name="sd")
    sd_se = np.sqrt(np.abs(np.diag(cov_full)[p:]))
    var_se = pd.Series(2 * opt.sigma * sd_se, index=fnames_ix.view(), name="variance_se")
    ranef: dict[str, pd.DataFrame] = {}
    problem.factor_ld((problem.X @ opt.beta) + problem.zlam(opt.b, opt.sigma), opt.sigma)
    dinv = problem.blocks_ld.diag_inverse()
    for f, name in enumerate(fnames):
        # from one 2-column array: a DataFrame from a dict of columns costs ~0.2 ms
        ranef[name] = pd.DataFrame(
            np.column_stack([opt.sigma[f] * opt.b[f], opt.sigma[f] ** 2 * dinv[f]]),
            index=frame.labels[f], columns=_RANEF_COLUMNS.view(),
        )
    diagnostics = {
        "criterion": "optimum accepted when the Hessian is positive definite and lme4's scaled "
                     "gradient max|H⁻¹g| < tol_grad",
        "grad_max": opt.grad_max,
        "scaled_grad_max": opt.scaled_grad_max,
        "hessian_pd": opt.hessian_pd,
        "boundary": dict(zip(fnames, opt.boundary, strict=True)),
        "message": opt.message,
        "n_evals": opt.n_evals,
        "nested_fast_path": isinstance(problem.blocks, NestedBlocks),
        "re_path": type(problem.blocks).__name__,
        **extra,
    }
    return GlmmResult(
        formula=formula, nagq=nagq,
        fixef=pd.Series(beta, index=names_ix.view(), name="estimate"),
        vcov=pd.DataFrame(cov_full[:p, :p], index=names_ix.view(), columns=names_ix.view()),
        sd=sd, variances=pd.Series(opt.sigma**2, index=fnames_ix.view(), name="variance"),
        variances_se=var_se, loglik=-opt.value, nobs=frame.nobs,
        n_groups=dict(zip(fnames, frame.n_groups, strict=True)), ranef=ranef,
        converged=opt.converged, diagnostics=diagnostics, cov_full=cov_full,
        n_dropped=frame.n_dropped, weighted=bool(np.any(frame.weights != 1.0)),
        link=problem.link, vcov_model=vcov_model,
        _spec={"model_spec": frame.model_spec, "factor_columns": frame.factor_columns},
        _data=data.loc[frame.index] if frame.n_dropped else data,
    )


def fit_glmm(formula: str, data: pd.DataFrame, *, weights: FloatArray | str | None = None,
             control: Control | None = None, family: str = "binomial",
             link: str = "logit", robust: bool | str = False) -> GlmmResult:
    """Fit a binomial GLMM (logit or probit link) with nested or crossed random intercepts.

    Parameters
    ----------
    formula
        lme4-style formula, e.g. ``"trust ~ female + age + I(income**2)
        + C(ethnicity, Treatment('White')) + div_decile * poor_english + (1 | la) + (1 | msoa)"``
        or ``"cbind(incidence, size - incidence) ~ period + (1 | herd)"``.
    data
        One row per respondent (or per binomial cell with ``cbind``).
    weights
        Level-1 sampling weights (array or column name) for pseudo-maximum likelihood; scaled
        within the lowest-level groups according to ``control.weights_scaling``.
    control
        :class:`Control` options (nAGQ, tolerances, weight scaling, dense path).
    family
        Only ``"binomial"`` (Bernoulli or ``cbind`` trials).
    link
        ``"logit"`` (default) or ``"probit"``; the probit's Laplace objective uses its observed
        information, as glmmTMB (glmer uses the expected one; see ``docs/methods/glmm.md``).
    robust
        Cluster-robust (sandwich) standard errors, as survey analysts use with weighted
        (pseudo-ML) fits: ``True`` clusters at the top-level grouping factor, a column name at
        that PSU (which must contain whole top-level groups). ``vcov``, ``se`` and the tables
        then hold the robust ones and ``vcov_model`` the model-based ones
        (:mod:`socint.models.robust`). Laplace (nagq=1) fits of nested intercepts only.

    Returns
    -------
    GlmmResult
        Frozen result; ``converged`` tells whether the convergence checks passed.

    Raises
    ------
    ModelError
        Bad formula or data, empty category, separation (naming the term).
    """
    control = control or Control()
    for name in ("check_nlev", "check_singular", "check_aliased", "check_identifiable"):
        validate_level(name, getattr(control, name))
    if not isinstance(control.nagq, int) or not 0 <= control.nagq <= 25:
        raise ModelError(
            f"`nagq` was {control.nagq} but is expected to be an integer in [0, 25]",
            hint="use 1 (Laplace, default), 0 (fast approximate fit) or 2-25 quadrature nodes "
                 "(one grouping factor only)",
        )
    if family != "binomial":
        raise ModelError(
            f"`family` was {family!r} but is expected to be in ['binomial']",
            hint="socint fits binomial GLMMs only",
        )
    if link not in LINKS:
        raise ModelError(f"`link` was {link!r} but is expected to be in {list(LINKS)}",
                         hint='use "logit" (default) or "probit"')
    t0 = time.perf_counter()
    parsed = parse_formula(formula)
    if robust is not False and (control.nagq != 1 or parsed.has_slopes):
        raise ModelError("cluster-robust SEs are available for Laplace (nagq=1) fits of "
                         "random intercepts", hint="use Control(nagq=1) without random slopes")
    if parsed.has_slopes and control.nagq != 1:
        raise ModelError(f"random slopes are fitted by the Laplace approximation only; `nagq` "
                         f"was {control.nagq}", hint="use Control(nagq=1) with random slopes")
    # the frame's Gram matrix (rank check) is a BLAS product too: multi-threaded on a busy
    # machine it took seconds instead of milliseconds (measured at 10× Model 3)
    # large data: the heap the caller's reading freed, then the frame's temporaries, go back
    # to the system before the fit's arrays are made (see models/memory.py)
    cells = int(data.size) if isinstance(data, pd.DataFrame) else 0
    release_free_memory(cells)
    with _single_thread_blas(len(data) * 8):
        frame = build_frame(parsed, data, weights, check_nlev=control.check_nlev)
    release_free_memory(cells)
    if control.nagq > 1 and len(frame.codes) != 1:
        raise ModelError(
            f"adaptive Gauss-Hermite quadrature (nagq={control.nagq}) needs exactly one "
            f"grouping factor; the model has {len(frame.codes)}",
            hint="use nagq=1 (Laplace) for nested or crossed factors, as glmer requires")
    for a, b in aliased_pairs(frame.factor_names, frame.codes, frame.n_groups):
        act(control.check_aliased,
            f"grouping factors {a!r} and {b!r} are aliased: every group of one holds exactly "
            "one group of the other, so only the sum of their variances is identified",
            hint=f"drop one of the random terms (1 | {a}) or (1 | {b})", stacklevel=3)
    if weights is not None:
        finest = int(np.argmax(frame.n_groups))
        w = scale_weights(frame.weights, frame.codes[finest], control.weights_scaling)
        frame = dataclasses.replace(frame, weights=w)
    elif control.weights_scaling != "none":
        raise ModelError(
            f"weights_scaling={control.weights_scaling!r} was given without weights",
            hint="pass weights= or leave weights_scaling at 'none'",
        )
    if parsed.has_slopes:
        from socint.models.slopes import slope_terms
        from socint.models.slopes_fit import fit_slopes

        terms = slope_terms(frame, parsed.slopes, parsed.correlated,
                            frame.extra["slope_values"])
        with _single_thread_blas():
            return fit_slopes(formula, frame, terms, control, link, data, t0)
    with _single_thread_blas(frame.X.size):
        problem = LaplaceProblem(frame, dense=control.dense, link=link,
                                 information=control.information)
        if control.nagq == 0:
            beta_glm = glm_start(problem)
            beta0, sigma0, _, n0, ok0 = fit_nagq0(problem, beta_glm, np.full(problem.F, 0.5))
            st = problem.evaluate(beta0, sigma0)
            opt = Optimum(
                beta=beta0, sigma=sigma0, value=st.value, grad=st.grad, hessian=None,
                converged=ok0, message="nAGQ=0 optimum over σ (β by joint PIRLS)"
                + ("" if ok0 else "; L-BFGS-B did not report convergence"),
                n_evals=n0, grad_max=float("nan"), scaled_grad_max=float("nan"),
                hessian_pd=False, boundary=tuple(bool(s < control.boundary_tol)
                                                 for s in sigma0), b=st.b,
            )
        else:
            # start: σ = 0.5 for every factor (typical of area effects in surveys; lme4 uses
            # θ = 1), β from one joint PIRLS there, itself started at the intercept-only
            # logit (a GLM start first would cost as many passes as it saves)
            sigma0 = np.full(problem.F, 0.5)
            beta0, _ = problem.pirls_joint(sigma0, intercept_start(problem), tol=START_TOL,
                                           need_value=False)
            # the start's last Schur complement (at β0, σ0 and the start's joint modes) serves
            # as the first Newton matrix's β-block
            opt = fit_laplace(problem, beta0, sigma0, control, schur=problem.last_schur)
            if control.nagq > 1:
                from socint.models.agq import fit_agq

                opt = fit_agq(problem, opt, control)
        t1 = time.perf_counter()
        _check_fit(frame, opt, control)
        result = _result(formula, frame, problem, opt, control.nagq, data, {
            "seconds_total": t1 - t0,
        }, control.check_identifiable, robust)
    return result


__all__ = ["check_separation", "fit_glmm"]
