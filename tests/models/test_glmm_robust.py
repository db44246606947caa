"""Cluster-robust (sandwich) SEs for weighted pseudo-ML fits (issue 13 item 5).

References: (1) the per-cluster scores are checked against finite differences of each
cluster's own Laplace objective (the likelihood splits over top-level groups); (2) at σ = 0 the
model is a logistic GLM and the β block of the sandwich must equal statsmodels' cluster-robust
GLM covariance (``use_correction=False``) times C/(C−1); (3) a small coverage study under
informative sampling (the large one is ``benchmarks/sim_glmm_robust.py``).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from socint.errors import ModelError, ModelWarning
from socint.models import Control, fit_glmm, simulate_model3
from socint.models.formula import parse_formula
from socint.models.frame import build_frame, detect_nesting
from socint.models.laplace import LaplaceProblem
from socint.models.robust import cluster_scores, sandwich
from socint.models.simulate import simulate_informative_sample
from socint.models.xmatrix import XMatrix

F = "trust ~ female + age + (1 | la) + (1 | msoa)"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    df = simulate_model3(1200, 120, 24, seed=8)
    df["w"] = np.random.default_rng(2).uniform(0.5, 3.0, len(df))
    return df


def _subproblem(frame: object, rows: np.ndarray) -> LaplaceProblem:
    """The Laplace problem of some rows only, on the same design columns and scaling."""
    codes, labels = [], []
    for c, lab in zip(frame.codes, frame.labels, strict=True):  # type: ignore[attr-defined]
        u, inv = np.unique(c[rows], return_inverse=True)
        codes.append(inv.astype(np.int64))
        labels.append(lab[u])
    n_groups = tuple(len(lab) for lab in labels)
    sub = dataclasses.replace(
        frame, y=frame.y[rows], trials=frame.trials[rows],  # type: ignore[attr-defined]
        weights=frame.weights[rows], X=XMatrix.dense(frame.X.toarray()[rows]), codes=tuple(codes),  # type: ignore[attr-defined]
        labels=tuple(labels), nesting=detect_nesting(tuple(codes), n_groups),
        index=frame.index[rows])  # type: ignore[attr-defined]
    return LaplaceProblem(sub)


def test_cluster_scores_are_gradients_of_each_clusters_likelihood(data: pd.DataFrame) -> None:
    frame = build_frame(parse_formula(F), data, "w")
    problem = LaplaceProblem(frame)
    beta, sigma = np.array([-0.4, -0.1, 0.3]), np.array([0.3, 0.5])
    la = frame.factor_names.index("la")
    cl = frame.codes[la]
    S = cluster_scores(problem, beta, sigma, cl, frame.n_groups[la])
    np.testing.assert_allclose(S.sum(axis=0), problem.evaluate(beta, sigma).grad, rtol=1e-8,
                               atol=1e-8)
    x = np.concatenate([beta, sigma])
    for c in (0, 7, 23):
        sub = _subproblem(frame, np.flatnonzero(cl == c))
        fd = np.empty(x.size)
        for j in range(x.size):
            e = np.zeros(x.size)
            e[j] = 1e-5
            fd[j] = (sub.evaluate((x + e)[:3], (x + e)[3:]).value
                     - sub.evaluate((x - e)[:3], (x - e)[3:]).value) / 2e-5
        np.testing.assert_allclose(S[c], fd, rtol=1e-5, atol=1e-6)


def test_sandwich_at_sigma_zero_is_statsmodels_cluster_glm(data: pd.DataFrame) -> None:
    frame = build_frame(parse_formula("trust ~ female + age + (1 | la)"), data)
    X = frame.X.toarray()
    glm = sm.GLM(frame.y, X, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": frame.codes[0], "use_correction": False},
        tol=1e-12)
    problem = LaplaceProblem(frame)
    C = frame.n_groups[0]
    S = cluster_scores(problem, glm.params, np.zeros(1), frame.codes[0], C)
    p = X.shape[1]
    mu = 1 / (1 + np.exp(-X @ glm.params))
    A = np.zeros((p + 1, p + 1))
    A[:p, :p] = X.T @ (X * (mu * (1 - mu))[:, None])  # −∂²ℓ/∂β² of the GLM
    free = np.array([True] * p + [False])
    V = sandwich(A, S, free)
    np.testing.assert_allclose(V[:p, :p], glm.cov_params() * C / (C - 1), rtol=1e-6)


def test_robust_fit_reports_both_covariances(data: pd.DataFrame) -> None:
    ctl = Control(weights_scaling="size")
    model = fit_glmm(F, data, weights="w", control=ctl)
    rob = fit_glmm(F, data, weights="w", control=ctl, robust=True)
    assert rob.vcov_model is not None and model.vcov_model is None
    np.testing.assert_allclose(rob.vcov_model, model.vcov, rtol=1e-10)
    np.testing.assert_allclose(rob.fixef, model.fixef, rtol=1e-12)
    assert not np.allclose(rob.se, model.se, rtol=0.02)
    assert "cluster-robust (sandwich) at 'la', 24 clusters" in rob.diagnostics["vcov"]
    # a PSU holding whole LAs (here: the LA code itself, renamed) gives the same sandwich
    psu = fit_glmm(F, data.assign(psu="P" + data["la"].astype(str)), weights="w", control=ctl,
                   robust="psu")
    np.testing.assert_allclose(psu.vcov, rob.vcov, rtol=1e-10)


def test_psu_splitting_a_top_level_group_is_refused(data: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match=r"PSU 'msoa' splits top-level group .* of 'la'"):
        fit_glmm(F, data, robust="msoa")
    with pytest.raises(ModelError, match="PSU column 'nope' is not a column"):
        fit_glmm(F, data, robust="nope")
    with pytest.raises(ModelError, match="Laplace"):
        fit_glmm(F, data, robust=True, control=Control(nagq=0))


def test_coverage_under_informative_sampling_small() -> None:
    """40 replicates (the benchmark runs 500): robust SEs cover, model-based ones do not."""
    hits = {"model": 0, "robust": 0}
    ses, est = [], []
    for r in range(40):
        df = simulate_informative_sample(30, 600, seed=100 + r)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            fit = fit_glmm("y ~ x + (1 | cluster)", df, weights="w",
                           control=Control(weights_scaling="size"), robust=True)
        assert fit.vcov_model is not None
        b = fit.fixef["x"]
        hits["robust"] += abs(b - 0.6) <= 1.96 * fit.se["x"]
        hits["model"] += abs(b - 0.6) <= 1.96 * np.sqrt(fit.vcov_model.loc["x", "x"])
        ses.append(fit.se["x"])
        est.append(b)
    assert hits["robust"] / 40 >= 0.85
    assert hits["model"] < hits["robust"]
    assert 0.8 < np.mean(ses) / np.std(est, ddof=1) < 1.4
