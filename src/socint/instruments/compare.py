"""Demographically adjusted comparison of area groups (e.g. Integration Areas vs other areas).

Following the Belong / University of Kent comparison of the Integration Areas with other areas,
each outcome is modelled on the area-group (× survey wave) cells plus respondent demographics:
a linear model for continuous, 5-point Likert, count and 0-100 thermometer outcomes, a logistic
model for binary outcomes. Estimated marginal means (EMMs) are obtained by marginal
standardisation: every respondent is assigned to a cell in turn and the predictions averaged
(Graubard & Korn 1999, *Biometrics* 55:652; the "counterfactual" EMMs of R's ``marginaleffects``),
so each group is compared on the pooled demographic mix. Standard errors are cluster-robust by
area (Liang & Zeger 1986; CR1 small-sample factor G/(G-1)·(N-1)/(N-K), as Stata and statsmodels)
and carried to EMMs and contrasts by the delta method. With a before wave, the
difference-in-differences is ``(T_after - T_before) - (C_after - C_before)`` of the EMMs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm

from socint.errors import ConvergenceError, InputDataError, ModelError, _preview
from socint.instruments._common import MIN_COUNT, Z95, require_columns

KINDS: tuple[str, ...] = ("likert", "count", "binary", "thermometer", "continuous")


@dataclass(frozen=True)
class Fit:
    """A fitted model: coefficients, cluster-robust covariance, design column names."""

    beta: np.ndarray
    cov: np.ndarray
    columns: tuple[str, ...]
    family: str
    n: int
    n_clusters: int


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare_groups`: EMMs per cell and contrasts (no respondent rows)."""

    means: pd.DataFrame
    contrasts: pd.DataFrame
    fits: dict[str, Fit]


def _cluster_cov(X: np.ndarray, scores: np.ndarray, bread: np.ndarray,
                 clusters: np.ndarray) -> np.ndarray:
    """CR1 sandwich: c · B (Σ_g s_g s_gᵀ) B with c = G/(G-1)·(N-1)/(N-K)."""
    codes, uniq = pd.factorize(clusters)
    g = len(uniq)
    if g < 2:
        raise ModelError("cluster-robust standard errors need at least 2 areas (clusters)",
                         hint="check the cluster column; each area needs its own code")
    sums = np.zeros((g, X.shape[1]))
    np.add.at(sums, codes, scores)
    meat = sums.T @ sums
    n, k = X.shape
    c = g / (g - 1) * (n - 1) / (n - k)
    return np.asarray(c * bread @ meat @ bread)


def fit_ols(X: np.ndarray, y: np.ndarray, clusters: np.ndarray,
            columns: Sequence[str] = ()) -> Fit:
    """Least squares with cluster-robust (CR1) covariance."""
    xtx = X.T @ X
    if np.linalg.matrix_rank(xtx) < X.shape[1]:
        raise ModelError("the design matrix is rank-deficient (a covariate is constant or "
                         "collinear with the group cells)",
                         hint="drop constant or duplicated covariates")
    bread = np.linalg.inv(xtx)
    beta = bread @ X.T @ y
    resid = y - X @ beta
    cov = _cluster_cov(X, X * resid[:, None], bread, clusters)
    return Fit(beta, cov, tuple(columns), "gaussian", len(y), len(np.unique(clusters)))


def fit_logit(X: np.ndarray, y: np.ndarray, clusters: np.ndarray,
              columns: Sequence[str] = (), *, tol: float = 1e-10, max_iter: int = 100) -> Fit:
    """Logistic regression by Newton-Raphson with cluster-robust (CR1) covariance.

    Raises
    ------
    ConvergenceError
        Newton's method did not converge (e.g. complete separation).
    """
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = expit(X @ beta)
        w = p * (1 - p)
        hess = X.T @ (X * w[:, None])
        step = np.linalg.solve(hess, X.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    else:
        raise ConvergenceError(
            f"the logistic model did not converge in {max_iter} Newton steps",
            hint="an outcome may be (almost) perfectly predicted by a group or covariate; "
            "collapse sparse categories",
        )
    if np.max(np.abs(beta)) > 30:
        raise ConvergenceError("the logistic model shows separation (a coefficient beyond ±30)",
                               hint="collapse the categories that predict the outcome exactly")
    p = expit(X @ beta)
    bread = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    cov = _cluster_cov(X, X * (y - p)[:, None], bread, clusters)
    return Fit(beta, cov, tuple(columns), "binomial", len(y), len(np.unique(clusters)))


def _design(data: pd.DataFrame, cells: pd.Series, levels: Sequence[int],
            covariates: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Intercept + cell dummies (first cell = reference) + covariates (categorical → dummies)."""
    parts: dict[str, np.ndarray] = {"Intercept": np.ones(len(data))}
    cell_cols = []
    for lev in levels[1:]:
        name = f"cell[{lev}]"
        parts[name] = (cells == lev).to_numpy(dtype=float)
        cell_cols.append(name)
    frame = pd.DataFrame(parts, index=data.index)
    for cov in covariates:
        col = data[cov]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            frame[cov] = col.astype(float)
        else:
            cats = sorted(col.astype(str).unique())
            for lev in cats[1:]:
                frame[f"{cov}[{lev}]"] = (col.astype(str) == lev).to_numpy(dtype=float)
    return frame, cell_cols


def _emms(fit: Fit, X: pd.DataFrame, cell_cols: Sequence[str],
          levels: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """EMM per cell by marginal standardisation, and their delta-method covariance."""
    base = X.to_numpy(dtype=float).copy()
    idx = [list(X.columns).index(c) for c in cell_cols]
    est, grads = [], []
    for j, _lev in enumerate(levels):
        Xc = base.copy()
        Xc[:, idx] = 0.0
        if j > 0:
            Xc[:, idx[j - 1]] = 1.0
        eta = Xc @ fit.beta
        if fit.family == "gaussian":
            est.append(eta.mean())
            grads.append(Xc.mean(axis=0))
        else:
            p = expit(eta)
            est.append(p.mean())
            grads.append((Xc * (p * (1 - p))[:, None]).mean(axis=0))
    G = np.array(grads)
    return np.array(est), G @ fit.cov @ G.T


def compare_groups(
    data: pd.DataFrame,
    *,
    outcomes: dict[str, str],
    group: str,
    covariates: Sequence[str],
    cluster: str,
    wave: str | None = None,
    reference: str | None = None,
    before: object | None = None,
    z: float = Z95,
) -> Comparison:
    """Adjusted means of each outcome by area group (and wave), gaps and difference-in-differences.

    Parameters
    ----------
    data
        Respondent-level table (never written to outputs).
    outcomes
        Outcome column → kind, one of :data:`KINDS` (``binary`` → logistic, else linear).
    group, covariates, cluster, wave
        Area-group label, demographic adjusters, area (cluster) code, survey wave (optional).
    reference
        Comparison group for gaps and DiD (default: the first group in sorted order).
    before
        The wave before the intervention; with it, DiD of every later wave against it.

    Returns
    -------
    Comparison
        ``means``: outcome, kind, group, wave, n, raw_mean, emm, se, lower, upper, suppressed
        (cells with fewer than 10 respondents are blanked). ``contrasts``: outcome, contrast
        (``gap`` = group − reference within a wave; ``did``), group, wave, estimate, se, lower,
        upper, p_value, suppressed (a contrast involving a suppressed cell is blanked).
    """
    need = [group, cluster, *covariates, *outcomes, *([wave] if wave else [])]
    require_columns(data, need, what="survey table")
    bad = {o: k for o, k in outcomes.items() if k not in KINDS}
    if bad:
        raise InputDataError(f"unknown outcome kind(s) {bad}; allowed: {', '.join(KINDS)}")
    groups = sorted(data[group].dropna().astype(str).unique())
    if len(groups) < 2:
        raise InputDataError(f"column {group!r} has {len(groups)} group(s); need at least 2",
                             column=group)
    ref = reference if reference is not None else groups[0]
    if ref not in groups:
        raise InputDataError(f"reference group {ref!r} is not in column {group!r} "
                             f"({_preview(groups)})", column=group)
    order = [ref, *[g for g in groups if g != ref]]
    waves = sorted(data[wave].dropna().unique()) if wave else [None]
    if before is not None and before not in waves:
        raise InputDataError(f"before wave {before!r} is not among the waves {_preview(waves)}",
                             column=wave)
    levels = [(g, w) for w in waves for g in order]
    pos = {lev: j for j, lev in enumerate(levels)}
    labels = [f"{g}, wave {w}" if wave else g for g, w in levels]
    mean_rows: list[dict[str, object]] = []
    con_rows: list[dict[str, object]] = []
    fits: dict[str, Fit] = {}
    for outcome, kind in outcomes.items():
        d = data.dropna(subset=[group, cluster, *covariates, outcome, *([wave] if wave else [])])
        y = pd.to_numeric(d[outcome], errors="coerce")
        if y.isna().any():
            i = int(np.flatnonzero(y.isna().to_numpy())[0])
            raise InputDataError(f"outcome {outcome!r} holds non-numeric value "
                                 f"{d[outcome].iloc[i]!r}", column=outcome)
        if kind == "binary" and not y.isin([0, 1]).all():
            raise InputDataError(f"binary outcome {outcome!r} must be coded 0/1", column=outcome)
        keys = zip(d[group].astype(str), d[wave] if wave else [None] * len(d), strict=True)
        cells = pd.Series([pos.get(k, -1) for k in keys], index=d.index)
        counts = np.bincount(cells[cells >= 0], minlength=len(levels))
        missing = [labels[j] for j in range(len(levels)) if counts[j] == 0]
        if missing:
            raise InputDataError(f"outcome {outcome!r} has no respondents in group/wave "
                                 f"cell(s) {_preview(missing)}", column=outcome)
        X, cell_cols = _design(d, cells, list(range(len(levels))), covariates)
        fitter = fit_logit if kind == "binary" else fit_ols
        fit = fitter(X.to_numpy(dtype=float), y.to_numpy(dtype=float),
                     d[cluster].astype(str).to_numpy(), list(X.columns))
        fits[outcome] = fit
        est, cov = _emms(fit, X, cell_cols, levels)
        se = np.sqrt(np.diag(cov))
        small = counts < MIN_COUNT
        for j, (g, w) in enumerate(levels):
            in_cell = (cells == j).to_numpy()
            hide = bool(small[j])
            mean_rows.append({
                "outcome": outcome, "kind": kind, "group": g, "wave": w,
                "n": np.nan if hide else int(counts[j]),
                "raw_mean": np.nan if hide else float(y[in_cell].mean()),
                "emm": np.nan if hide else est[j], "se": np.nan if hide else se[j],
                "lower": np.nan if hide else est[j] - z * se[j],
                "upper": np.nan if hide else est[j] + z * se[j], "suppressed": hide,
            })

        def contrast(vec: np.ndarray, kind_: str, g: str, w: object,
                     outcome: str = outcome, est: np.ndarray = est,
                     cov: np.ndarray = cov, small: np.ndarray = small) -> None:
            hide = bool(small[vec != 0].any())
            val = np.nan if hide else float(vec @ est)
            s = np.nan if hide else float(np.sqrt(vec @ cov @ vec))
            con_rows.append({"outcome": outcome, "contrast": kind_, "group": g, "wave": w,
                             "estimate": val, "se": s, "lower": val - z * s,
                             "upper": val + z * s,
                             "p_value": np.nan if hide else float(2 * norm.sf(abs(val) / s)),
                             "suppressed": hide})

        for wv in waves:
            for g in order[1:]:
                vec = np.zeros(len(levels))
                vec[pos[(g, wv)]], vec[pos[(ref, wv)]] = 1.0, -1.0
                contrast(vec, "gap", g, wv)
                if before is not None and wv != before:
                    vec = np.zeros(len(levels))
                    vec[pos[(g, wv)]] += 1.0
                    vec[pos[(g, before)]] -= 1.0
                    vec[pos[(ref, wv)]] -= 1.0
                    vec[pos[(ref, before)]] += 1.0
                    contrast(vec, "did", g, wv)
    return Comparison(pd.DataFrame(mean_rows), pd.DataFrame(con_rows), fits)


def trust_distrust_ratio(
    data: pd.DataFrame,
    *,
    outcome: str,
    trust: Sequence[object],
    distrust: Sequence[object],
    group: str,
    wave: str | None = None,
) -> pd.DataFrame:
    """Share trusting over share distrusting, by group (and wave), as in the Belong briefing.

    Cells with fewer than 10 respondents, or no one distrusting, give no ratio
    (``suppressed`` True for the former).
    """
    require_columns(data, [outcome, group, *([wave] if wave else [])], what="survey table")
    keys = [group, *([wave] if wave else [])]
    rows = []
    for key, d in data.dropna(subset=[outcome]).groupby(keys, sort=True):
        key_t: tuple[object, ...] = key if isinstance(key, tuple) else (key,)
        n = len(d)
        t = float(d[outcome].isin(trust).mean())
        dis = float(d[outcome].isin(distrust).mean())
        small = n < MIN_COUNT
        rows.append({"group": key_t[0], "wave": key_t[1] if wave else None,
                     "n": np.nan if small else n, "trust": np.nan if small else t,
                     "distrust": np.nan if small else dis,
                     "ratio": np.nan if small or dis == 0 else t / dis, "suppressed": small})
    return pd.DataFrame(rows)
