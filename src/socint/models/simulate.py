"""Simulate survey data from the published trust model ("Model 3", Bright Blue 2019).

Respondents are nested in MSOAs nested in LAs, with realistic individual, MSOA and LA covariates
and the outcome drawn from the three-level random-intercept logistic model with the published
odds ratios and variances (:mod:`socint.published`). The intercept is calibrated so that mean
trust matches the published 0.39. Used by the tests (parameter recovery), by the R reference
script (via the CSV written by :func:`write_csv`) and by the benchmarks at 1×, 10× and 100×.
The generator is deterministic given the seed (numpy's PCG64), so the CSV's SHA-256 can be
stored in a fixture and checked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.optimize
from scipy.special import expit

from socint.errors import ModelError
from socint.published import (
    ETHNICITY_SURVEY6,
    MODEL3_COEFFICIENTS,
    MODEL3_MEAN_TRUST,
    MODEL3_N_LA,
    MODEL3_N_MSOA,
    MODEL3_N_RESPONDENTS,
    MODEL3_VARIANCES,
    NSSEC_GROUPS,
    WB_CHANGE_BANDS,
)

#: The published Model 3 in socint's formula syntax (reference categories as published).
MODEL3_FORMULA = (
    "trust ~ female + year_2010 + age + income + I(income**2)"
    ' + C(ethnicity, Treatment("White")) + married + years5'
    ' + C(nssec, Treatment("Managerial")) + div_decile * poor_english + family_pct'
    " + income_decile + crime_decile + pct65 + rural"
    ' + C(wb_change, Treatment("<-5%")) + (1 | la) + (1 | msoa)'
)


def canonical_term_name(column: str) -> str:
    """Map a formulaic column name to the published term name.

    ``C(ethnicity, Treatment('White'))[T.Asian]`` → ``ethnicity[Asian]``,
    ``I(income ** 2)`` → ``income_sq``; other names are returned unchanged.
    """
    m = re.match(r"^C\((\w+),.*\)\[T\.(.+)\]$", column)
    if m:
        return f"{m.group(1)}[{m.group(2)}]"
    m = re.match(r"^I\((\w+) \*\* 2\)$", column)
    if m:
        return f"{m.group(1)}_sq"
    return column


def _linear_predictor(df: pd.DataFrame, coef: Mapping[str, float]) -> np.ndarray:
    eta = np.zeros(len(df))
    for name, b in coef.items():
        m = re.match(r"^(\w+)\[(.+)\]$", name)
        if m:
            x = (df[m.group(1)] == m.group(2)).to_numpy(dtype=float)
        elif name.endswith("_sq"):
            x = df[name[:-3]].to_numpy(dtype=float) ** 2
        elif ":" in name:
            a, c = name.split(":")
            x = df[a].to_numpy(dtype=float) * df[c].to_numpy(dtype=float)
        else:
            x = df[name].to_numpy(dtype=float)
        eta += b * x
    return eta


def simulate_model3(
    n_respondents: int = MODEL3_N_RESPONDENTS,
    n_msoa: int = MODEL3_N_MSOA,
    n_la: int = MODEL3_N_LA,
    *,
    seed: int = 0,
    coefficients: Mapping[str, float] = MODEL3_COEFFICIENTS,
    variances: Mapping[str, float] = MODEL3_VARIANCES,
    mean_trust: float = MODEL3_MEAN_TRUST,
) -> pd.DataFrame:
    """Simulate respondents from the published Model 3 design.

    Parameters
    ----------
    n_respondents, n_msoa, n_la
        Sizes; every LA has at least one MSOA and every MSOA at least one respondent.
    seed
        Seed of numpy's default generator; the output is a deterministic function of it.
    coefficients, variances, mean_trust
        True log-odds coefficients by published term name, variances ``{"la", "msoa"}`` and the
        target mean of the outcome (the intercept is calibrated to it).

    Returns
    -------
    DataFrame
        One row per respondent: ``trust`` (0/1), the individual covariates, the MSOA and LA
        covariates, and the group ids ``msoa`` and ``la``.
    """
    if not (n_respondents >= n_msoa >= n_la >= 1):
        raise ModelError(
            f"need n_respondents >= n_msoa >= n_la >= 1, received {n_respondents}, {n_msoa}, "
            f"{n_la}",
            hint="every LA needs an MSOA and every MSOA a respondent",
        )
    rng = np.random.default_rng(seed)
    la_w = rng.gamma(2.0, 1.0, n_la)
    la_of_msoa = np.concatenate(
        [np.arange(n_la), rng.choice(n_la, n_msoa - n_la, p=la_w / la_w.sum())])
    la_of_msoa = rng.permutation(la_of_msoa)
    ms_w = rng.gamma(3.0, 1.0, n_msoa)
    msoa = np.concatenate([np.arange(n_msoa),
                           rng.choice(n_msoa, n_respondents - n_msoa, p=ms_w / ms_w.sum())])
    msoa = np.sort(msoa)
    la = la_of_msoa[msoa]
    n = n_respondents
    # LA covariate
    wb = rng.choice(len(WB_CHANGE_BANDS), n_la, p=[0.3, 0.35, 0.35])
    # MSOA covariates (diversity raises poor English, lowers rurality)
    div = rng.integers(1, 11, n_msoa)
    poor = (rng.random(n_msoa) < np.where(div >= 8, 0.25, 0.02)).astype(int)
    family = np.round(np.clip(rng.normal(20.0, 5.0, n_msoa), 3.0, 45.0), 1)
    inc_dec = rng.integers(1, 11, n_msoa)
    crime = np.clip(inc_dec + rng.integers(-3, 4, n_msoa), 1, 10)
    pct65 = np.round(np.clip(rng.normal(17.0, 5.0, n_msoa), 3.0, 40.0), 1)
    rural = (rng.random(n_msoa) < np.where(div <= 3, 0.35, 0.08)).astype(int)
    # individual covariates
    p_white = np.clip(0.97 - 0.07 * (div[msoa] - 1), 0.3, 0.97)
    other = np.array([0.45, 0.25, 0.15, 0.05, 0.10])
    u = rng.random(n)
    cum = p_white[:, None] + (1 - p_white)[:, None] * np.cumsum(other)[None, :]
    eth_idx = (u[:, None] >= np.column_stack([p_white, cum[:, :-1]])).sum(axis=1)
    df = pd.DataFrame({
        "female": (rng.random(n) < 0.54).astype(int),
        "year_2010": (rng.random(n) < 0.5).astype(int),
        "age": rng.integers(16, 91, n),
        "income": rng.integers(1, 16, n),
        "ethnicity": np.asarray(ETHNICITY_SURVEY6, dtype=object)[eth_idx],
        "married": (rng.random(n) < 0.5).astype(int),
        "years5": (rng.random(n) < 0.65).astype(int),
        "nssec": np.asarray(NSSEC_GROUPS, dtype=object)[
            rng.choice(4, n, p=[0.35, 0.25, 0.30, 0.10])],
        "div_decile": div[msoa],
        "poor_english": poor[msoa],
        "family_pct": family[msoa],
        "income_decile": inc_dec[msoa],
        "crime_decile": crime[msoa],
        "pct65": pct65[msoa],
        "rural": rural[msoa],
        "wb_change": np.asarray(WB_CHANGE_BANDS, dtype=object)[wb[la]],
        "msoa": np.char.add("M", np.char.zfill(msoa.astype(str), 6)),
        "la": np.char.add("L", np.char.zfill(la.astype(str), 4)),
    })
    v_la = rng.normal(0.0, np.sqrt(variances["la"]), n_la)
    u_ms = rng.normal(0.0, np.sqrt(variances["msoa"]), n_msoa)
    eta = _linear_predictor(df, coefficients) + u_ms[msoa] + v_la[la]
    b0 = scipy.optimize.brentq(lambda c: float(expit(eta + c).mean()) - mean_trust, -30, 30)
    df.insert(0, "trust", (rng.random(n) < expit(eta + b0)).astype(int))
    df.attrs["intercept"] = float(b0)
    return df


def simulate_crossed(n: int = 3000, n_school: int = 40, n_area: int = 30, *,
                     seed: int = 0) -> pd.DataFrame:
    """Pupils in schools crossed with home areas (no nesting), for the crossed-factor path.

    ``y ~ x + girl + (1 | school) + (1 | area)`` with β = (−0.3, 0.6, 0.25) and variances
    0.5 (school) and 0.3 (area); pupils from an area attend several schools.
    """
    rng = np.random.default_rng(seed)
    school = rng.integers(0, n_school, n)
    area = (school * n_area // n_school + rng.integers(-3, 4, n)) % n_area
    x = np.round(rng.normal(size=n), 3)
    girl = rng.integers(0, 2, n)
    eta = (-0.3 + 0.6 * x + 0.25 * girl + rng.normal(0, np.sqrt(0.5), n_school)[school]
           + rng.normal(0, np.sqrt(0.3), n_area)[area])
    return pd.DataFrame({
        "y": (rng.random(n) < expit(eta)).astype(int), "x": x, "girl": girl,
        "school": np.char.add("S", school.astype(str)), "area": np.char.add("A", area.astype(str)),
    })


def simulate_slopes(design: str = "single", n: int = 1500, *, seed: int = 0) -> pd.DataFrame:
    """Data with random intercepts and slopes of ``x`` (the fixtures of the slope path).

    ``design``: "single" — 40 groups ``g``, ``(x | g)`` with SDs 0.8 and 0.5, correlation
    0.3; "nested" — 12 LAs × 5 MSOAs, ``(x | la) + (x | la:msoa)`` with SDs (0.5, 0.3) and
    (0.6, 0.4), correlations 0.4 and −0.3; "crossed" — 30 schools × 20 areas, ``(x | school)``
    (SDs 0.7, 0.4, correlation 0.5) and ``(1 | area)`` (SD 0.5). Fixed part −0.3 + 0.6 x +
    0.25 z. Values are rounded to 3 decimals so that the CSV given to R is exact.
    """
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=n), 3)
    z = rng.integers(0, 2, n)
    eta = -0.3 + 0.6 * x + 0.25 * z

    def effects(k: int, sd: tuple[float, float], rho: float) -> np.ndarray:
        cov = np.array([[sd[0] ** 2, rho * sd[0] * sd[1]], [rho * sd[0] * sd[1], sd[1] ** 2]])
        return rng.multivariate_normal(np.zeros(2), cov, k)

    cols: dict[str, object] = {}
    if design == "single":
        g = rng.integers(0, 40, n)
        u = effects(40, (0.8, 0.5), 0.3)
        eta = eta + u[g, 0] + u[g, 1] * x
        cols = {"g": np.char.add("G", g.astype(str))}
    elif design == "nested":
        la = rng.integers(0, 12, n)
        msoa = la * 5 + rng.integers(0, 5, n)
        u_la, u_m = effects(12, (0.5, 0.3), 0.4), effects(60, (0.6, 0.4), -0.3)
        eta = eta + u_la[la, 0] + u_la[la, 1] * x + u_m[msoa, 0] + u_m[msoa, 1] * x
        cols = {"la": np.char.add("L", la.astype(str)),
                "msoa": np.char.add("M", (msoa % 5).astype(str))}
    elif design == "crossed":
        school = rng.integers(0, 30, n)
        area = (school * 20 // 30 + rng.integers(-3, 4, n)) % 20
        u_s = effects(30, (0.7, 0.4), 0.5)
        eta = eta + u_s[school, 0] + u_s[school, 1] * x + rng.normal(0, 0.5, 20)[area]
        cols = {"school": np.char.add("S", school.astype(str)),
                "area": np.char.add("A", area.astype(str))}
    else:
        raise ModelError(f'`design` was "{design}" but is expected to be in '
                         '["single", "nested", "crossed"]')
    return pd.DataFrame({"y": (rng.random(n) < expit(eta)).astype(int), "x": x, "z": z,
                         **cols})


def simulate_one_factor(n_groups: int = 150, size: int = 8, sd: float = 1.5, *,
                        seed: int = 0) -> pd.DataFrame:
    """Small groups with a large random-intercept SD, where quadrature differs from Laplace.

    ``y ~ x + (1 | g)`` with β = (−0.5, 0.7), ``size`` rows per group (the fixture of the
    adaptive Gauss-Hermite path). ``x`` is rounded to 3 decimals for an exact CSV.
    """
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), size)
    x = np.round(rng.normal(size=g.size), 3)
    eta = -0.5 + 0.7 * x + rng.normal(0, sd, n_groups)[g]
    return pd.DataFrame({"y": (rng.random(g.size) < expit(eta)).astype(int), "x": x,
                         "g": np.char.add("G", g.astype(str))})


def simulate_informative_sample(n_clusters: int = 50, cluster_size: int = 200, *,
                                sd: float = 0.7, seed: int = 0) -> pd.DataFrame:
    """A two-stage sample drawn informatively from a simulated population, with weights.

    Population: ``n_clusters`` clusters of ``cluster_size`` people, ``y ~ x + (1 | cluster)``
    with β = (−0.5, 0.6), cluster SD ``sd`` and ``x`` partly cluster-level (so its SE depends
    on the between-cluster information). Sample: every cluster, people with inclusion
    probability 0.05, or 0.35 for ``y = 1`` and ``x > 0`` (selection on the outcome jointly with
    x: informative, an unweighted fit overstates β_x); ``w`` is the inverse probability. The
    sandwich coverage study uses it (``benchmarks/sim_glmm_robust.py``).
    """
    rng = np.random.default_rng(seed)
    c = np.repeat(np.arange(n_clusters), cluster_size)
    xbar = rng.normal(0, 0.7, n_clusters)
    x = xbar[c] + rng.normal(0, 0.7, c.size)
    eta = -0.5 + 0.6 * x + rng.normal(0, sd, n_clusters)[c]
    y = (rng.random(c.size) < expit(eta)).astype(int)
    pi = np.where((y == 1) & (x > 0), 0.35, 0.05)
    take = rng.random(c.size) < pi
    return pd.DataFrame({"y": y[take], "x": x[take], "cluster": c[take], "w": 1 / pi[take]})


def write_csv(df: pd.DataFrame, path: Path) -> str:
    """Write simulated data as CSV (stable format) and return its SHA-256."""
    df.to_csv(path, index=False, lineterminator="\n")
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


__all__ = [
    "MODEL3_FORMULA",
    "canonical_term_name",
    "simulate_crossed",
    "simulate_informative_sample",
    "simulate_model3",
    "simulate_one_factor",
    "simulate_slopes",
    "write_csv",
]
