"""Build the Social Integration Index: model → small-area trust → deciles, classes, ranks.

:func:`build_index` is the one function ``socint.pipeline`` calls; it reads top to bottom like
the method (``docs/methods/index.md``):

1. fit the trust model (the published Model 3 with ``(1 | lad_code) + (1 | msoa_code)``);
2. small-area trust: direct (Wilson), report-style (mean prediction over respondents) and MRP
   for every LA and MSOA with simulation draws;
3. per LA: trust (MRP by default), EDI, ID and their deciles; the report's classification;
4. the continuous composite with its rank, rank interval and P(top decile) from the draws;
5. sensitivity of the ranks, the trust decomposition, and validation when the truth is known.

:func:`socint.composite.outputs.write_index` writes the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from socint.composite.classify import REPORT_RULE, ClassificationRule, classify
from socint.composite.deciles import deciles, ranks
from socint.composite.inputs import IndexInputs
from socint.composite.rank_uncertainty import rank_intervals
from socint.composite.score import EQUAL_WEIGHTS, NORMALISATIONS, check_weights, composite_score
from socint.composite.sensitivity import sensitivity
from socint.errors import InputDataError, ModelError
from socint.estimates.decompose import decompose
from socint.estimates.direct import direct_estimates
from socint.estimates.mrp import MrpResult, mrp
from socint.estimates.posterior import nested_posterior
from socint.estimates.poststrat import DEFAULT_STRATA, build_poststrat_frame
from socint.estimates.report_style import report_style_estimates
from socint.estimates.simulate_draws import draw_parameters, parts_from_result
from socint.estimates.validation import validate
from socint.models import MODEL3_FORMULA

#: The published Model 3 with the survey's area-code columns as grouping factors.
TRUST_FORMULA = MODEL3_FORMULA.replace("(1 | la) + (1 | msoa)", "(1 | lad_code) + (1 | msoa_code)")
METHODS = ("mrp", "report", "direct")


@dataclass(frozen=True)
class IndexConfig:
    """Settings of an index run (all recorded in the manifest).

    Parameters
    ----------
    formula
        Trust model formula (lme4 style; grouping factors ``lad_code`` and ``msoa_code``).
    n_draws, seed
        Simulation draws and the seed (same inputs + seed → byte-identical CSVs).
    min_respondents
        Disclosure / report threshold: direct and report-style estimates of areas with fewer
        respondents are suppressed (withheld, ``suppressed`` = True).
    trust_method
        Which estimate is the index's ``trust``: ``"mrp"`` (default; every LA),
        ``"report"`` or ``"direct"`` (sampled LAs above the threshold only).
    normalisation, weights
        Composite score settings (:mod:`socint.composite.score`).
    rule
        Classification thresholds (default: the report's).
    max_profiles, strata
        Post-stratification frame settings (:mod:`socint.estimates.poststrat`).
    """

    formula: str = TRUST_FORMULA
    n_draws: int = 1000
    seed: int = 2011
    min_respondents: int = 10
    trust_method: str = "mrp"
    normalisation: str = "rank"
    weights: Mapping[str, float] = field(default_factory=lambda: dict(EQUAL_WEIGHTS))
    rule: ClassificationRule = REPORT_RULE
    max_profiles: int = 30
    strata: Mapping[str, tuple[tuple[int, int], ...]] = field(
        default_factory=lambda: dict(DEFAULT_STRATA))

    def check(self) -> None:
        """Refuse settings with no meaning, naming the setting and the allowed values."""
        if self.trust_method not in METHODS:
            raise InputDataError(f"trust method was {self.trust_method!r} but is expected to be "
                                 f"in {METHODS}")
        if self.normalisation not in NORMALISATIONS:
            raise InputDataError(f"normalisation was {self.normalisation!r} but is expected to "
                                 f"be in {NORMALISATIONS}")
        if self.n_draws < 10:
            raise InputDataError(f"n_draws was {self.n_draws}; intervals need at least 10 draws")
        if self.min_respondents < 1:
            raise InputDataError(f"min_respondents was {self.min_respondents}, must be >= 1")
        check_weights(self.weights)

    def as_dict(self) -> dict[str, Any]:
        """Settings as plain JSON-able values."""
        return {"formula": self.formula, "n_draws": self.n_draws, "seed": self.seed,
                "min_respondents": self.min_respondents, "trust_method": self.trust_method,
                "normalisation": self.normalisation, "weights": dict(self.weights),
                "rule": vars(self.rule), "max_profiles": self.max_profiles,
                "strata": {k: [list(b) for b in v] for k, v in self.strata.items()}}


@dataclass(frozen=True)
class IndexResult:
    """Everything an index run produced (tables are aggregates only; no respondent rows)."""

    la: pd.DataFrame
    msoa: pd.DataFrame
    decomposition: pd.DataFrame
    sensitivity_ranks: pd.DataFrame
    validation: pd.DataFrame | None
    la_trust_draws: np.ndarray
    model_table: pd.DataFrame
    model_info: dict[str, Any]
    config: IndexConfig
    inputs: IndexInputs
    mrp: MrpResult = field(repr=False)
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def _trust_columns(method: str, la: pd.DataFrame) -> pd.DataFrame:
    src = {"mrp": "mrp", "report": "report", "direct": "direct"}[method]
    return pd.DataFrame({"trust": la[src], "trust_se": la[f"{src}_se"],
                         "trust_lower": la[f"{src}_lower90"], "trust_upper": la[f"{src}_upper90"],
                         "trust_lower95": la[f"{src}_lower95"],
                         "trust_upper95": la[f"{src}_upper95"]}, index=la.index)


def _fit(inputs: IndexInputs, config: IndexConfig) -> Any:
    from socint.models import fit_glmm

    result = fit_glmm(config.formula, inputs.survey)
    if not result.converged:
        raise ModelError("the trust model did not converge, so no index is published",
                         hint=f"diagnostics: {result.diagnostics.get('message', '')}; check the "
                         "survey (empty categories, separation) or simplify the formula")
    return result


def build_index(inputs: IndexInputs, *, config: IndexConfig | None = None,
                model: Any = None) -> IndexResult:
    """Build the LA and MSOA index tables from the inputs (see the module docstring).

    Parameters
    ----------
    inputs
        The bundle of inputs (:func:`socint.composite.inputs.inputs_from_synthetic` or
        :func:`~socint.composite.inputs.inputs_from_directory`).
    config
        Settings (default :class:`IndexConfig`).
    model
        An already fitted :class:`socint.models.GlmmResult` (skips the fit).
    """
    config = config or IndexConfig()
    config.check()
    inputs.check()
    fit = model if model is not None else _fit(inputs, config)
    parts = parts_from_result(fit)
    frame = build_poststrat_frame(inputs.population, inputs.survey, inputs.msoa_covariates,
                                  inputs.la_covariates, strata=dict(config.strata),
                                  max_profiles=config.max_profiles, seed=config.seed)
    posterior = nested_posterior(parts, inputs.survey)
    est = mrp(parts, frame, n_draws=config.n_draws, seed=config.seed, posterior=posterior)
    rng = np.random.default_rng([config.seed, 1])
    draws = draw_parameters(parts, config.n_draws, rng)
    rep = report_style_estimates(parts, inputs.survey, draws, rng,
                                 areas=("lad_code", "msoa_code"),
                                 min_respondents=config.min_respondents, posterior=posterior)
    rep_la, rep_msoa = rep["lad_code"][0], rep["msoa_code"][0]
    la = _la_table(inputs, config, est, direct_estimates(inputs.survey, "lad_code"), rep_la)
    msoa = _msoa_table(inputs, config, est, direct_estimates(inputs.survey, "msoa_code"),
                       rep_msoa)
    if config.trust_method == "mrp":
        trust_draws: np.ndarray | None = est.la.draws
    elif config.trust_method == "report":
        codes = pd.Index(rep["lad_code"][0].index)
        pos = codes.get_indexer(est.la.codes)
        trust_draws = np.where(pos[:, None] >= 0, rep["lad_code"][1][np.maximum(pos, 0)], np.nan)
    else:
        trust_draws = None  # direct shares have no draws: rank intervals collapse to the rank
    la, sens = _composite(la, trust_draws, config, inputs)
    dec = decompose(parts, frame, split=est.split).reindex(la["lad_code"]).reset_index()
    # The published trust is the mean over simulation draws (it integrates over the uncertainty
    # of the parameters and, for unsampled areas, over the random-effect distribution), while
    # the decomposition works at the fitted values. The difference is its own, explicit line,
    # so that the profile's parts add up to the headline figure a reader sees.
    dec["trust"] = la["trust"].to_numpy()
    dec["uncertainty_adjustment"] = dec["trust"] - dec["predicted"]
    validation = None
    if inputs.truth_la is not None:
        truth = inputs.truth_la.set_index("lad_code")["true_trust"]
        tab = la.set_index("lad_code")
        methods = {}
        for m in METHODS:
            src = tab[[m, f"{m}_lower90", f"{m}_upper90", f"{m}_lower95", f"{m}_upper95"]]
            names = {c: "estimate" if c == m else c.replace(f"{m}_", "") for c in src.columns}
            methods[m] = src.rename(columns=names)
        validation = validate(methods, truth, tab["sampled"])
    table = fit.tidy() if hasattr(fit, "tidy") else pd.DataFrame()
    info = {"nobs": int(fit.nobs), "loglik": float(fit.loglik), "converged": bool(fit.converged),
            "variances": {str(k): float(v) for k, v in fit.variances.items()},
            "n_groups": {str(k): int(v) for k, v in fit.n_groups.items()}}
    return IndexResult(la, msoa, dec, sens, validation, est.la.draws, table, info, config,
                       inputs, est, MappingProxyType({"model": fit}))


def _la_table(inputs: IndexInputs, config: IndexConfig, est: MrpResult, direct: pd.DataFrame,
              rep: pd.DataFrame) -> pd.DataFrame:
    names = inputs.las.drop_duplicates("lad_code").set_index("lad_code")
    codes = est.la.codes
    missing = codes.difference(names.index)
    if len(missing):
        raise InputDataError(f"{len(missing)} LA(s) of the frame have no name in `las`",
                             code=str(missing[0]), hint="add every LA to the las table")
    la = pd.DataFrame(index=pd.Index(codes, name="lad_code"))
    la["lad_name"] = names["lad_name"].reindex(codes).to_numpy()
    for col in ("region_code", "region_name"):
        if col in names.columns:
            la[col] = names[col].reindex(codes).to_numpy()
    la["n_respondents"] = direct["n_respondents"].reindex(codes).fillna(0).astype(np.int64)
    la["sampled"] = est.la.sampled
    la["suppressed"] = la["n_respondents"] < config.min_respondents
    la = la.join(est.la.table.drop(columns=["sampled"]))
    d = direct.drop(columns=["n_respondents", "n_effective"]).reindex(codes)
    la = la.join(d)
    la = la.join(rep.drop(columns=["n_respondents", "suppressed"]).reindex(codes))
    # short names of the direct 95% interval, as the dashboard reads them
    la["direct_lower"] = la["direct_lower95"]
    la["direct_upper"] = la["direct_upper95"]
    for col in [c for c in la.columns if c.startswith(("direct", "report"))]:
        la.loc[la["suppressed"], col] = np.nan
    return pd.concat([la, _trust_columns(config.trust_method, la)], axis=1)


def _msoa_table(inputs: IndexInputs, config: IndexConfig, est: MrpResult, direct: pd.DataFrame,
                rep: pd.DataFrame) -> pd.DataFrame:
    names = inputs.msoas.drop_duplicates("msoa_code").set_index("msoa_code")
    codes = est.msoa.codes
    m = pd.DataFrame(index=pd.Index(codes, name="msoa_code"))
    m["msoa_name"] = names["msoa_name"].reindex(codes).to_numpy()
    m["lad_code"] = est.msoa.table["lad_code"].to_numpy()
    m["n_respondents"] = direct["n_respondents"].reindex(codes).fillna(0).astype(np.int64)
    m["sampled"] = est.msoa.sampled
    m["suppressed"] = m["n_respondents"] < config.min_respondents
    m = m.join(est.msoa.table.drop(columns=["sampled", "lad_code"]))
    m = m.join(direct.drop(columns=["n_respondents", "n_effective"]).reindex(codes))
    m = m.join(rep.drop(columns=["n_respondents", "suppressed"]).reindex(codes))
    for col in [c for c in m.columns if c.startswith(("direct", "report"))]:
        m.loc[m["suppressed"], col] = np.nan
    m = pd.concat([m, _trust_columns(config.trust_method, m)], axis=1)
    m["trust_decile"] = deciles(m["trust"]).to_numpy()
    comps = {"trust": m["trust"].to_numpy(dtype=float)}
    if inputs.msoa_measures is not None:
        mm = inputs.msoa_measures.drop_duplicates("msoa_code").set_index("msoa_code")
        for col in ("edi", "dissimilarity"):
            m[col] = mm[col].reindex(codes).to_numpy(dtype=float)
            m[f"{col}_decile"] = deciles(m[col]).to_numpy()
            comps[col] = m[col].to_numpy(dtype=float)
    ok = np.all([np.isfinite(v) for v in comps.values()], axis=0)
    w = {k: v for k, v in config.weights.items() if k in comps}
    score = np.full(len(m), np.nan)
    if ok.any() and w:
        score[ok] = composite_score({k: v[ok] for k, v in comps.items()}, weights=w,
                                    normalisation=config.normalisation)
    m["composite"] = score
    m["rank"] = ranks(score).to_numpy()
    m["composite_note"] = np.where(ok, "", "not ranked: a component is missing or suppressed")
    if {"edi_decile", "dissimilarity_decile"} <= set(m.columns):
        cls = classify(m["trust_decile"], m["edi_decile"], m["dissimilarity_decile"],
                       config.rule)
        for col in cls.columns:
            m[col] = cls[col].to_numpy()
    # Rank uncertainty for MSOAs too, from the same MRP draws (rows in est.msoa.codes order).
    for col in ("rank_lower", "rank_upper", "rank_median", "p_top_decile", "p_most_integrated"):
        m[col] = np.nan
    if config.trust_method == "mrp" and ok.any() and w and len(comps) > 1:
        ri = rank_intervals(est.msoa.draws[ok], {c: v[ok] for c, v in comps.items()
                                                 if c != "trust" and c in w},
                            weights=w, normalisation=config.normalisation,
                            edi_decile=m.loc[ok, "edi_decile"].to_numpy(dtype=float),
                            dissimilarity_decile=m.loc[ok, "dissimilarity_decile"]
                            .to_numpy(dtype=float), rule=config.rule)
        for col in ri.columns:
            m.loc[ok, col] = ri[col].to_numpy()
    for col in ("rank_lower", "rank_upper"):
        m[col] = m[col].astype("Int64")
    return m.reset_index()


def _composite(la: pd.DataFrame, trust_draws: np.ndarray | None, config: IndexConfig,
               inputs: IndexInputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    meas = inputs.la_measures.drop_duplicates("lad_code").set_index("lad_code")
    for col in ("edi", "dissimilarity"):
        la[col] = meas[col].reindex(la.index).to_numpy(dtype=float)
    comps = ["trust", "edi", "dissimilarity"]
    if inputs.deprivation is not None:
        dep = inputs.deprivation.drop_duplicates("lad_code").set_index("lad_code")["deprivation"]
        la["deprivation"] = dep.reindex(la.index).to_numpy(dtype=float)
        comps.append("deprivation")
    for col in ("trust", "edi", "dissimilarity"):
        la[f"{col}_decile"] = deciles(la[col]).to_numpy()
    cls = classify(la["trust_decile"], la["edi_decile"], la["dissimilarity_decile"], config.rule)
    for col in cls.columns:
        la[col] = cls[col].to_numpy()
    values = {c: la[c].to_numpy(dtype=float) for c in comps}
    w = dict(config.weights)
    absent = sorted(set(w) - set(values))
    if absent:
        raise InputDataError(f"the composite weights component(s) {absent} but the inputs have "
                             "no such column", hint="supply inputs.deprivation or drop its weight")
    ok = np.all([np.isfinite(values[c]) for c in {*w, "trust"}], axis=0)
    la["composite"] = np.nan
    la["rank"] = pd.array([pd.NA] * len(la), dtype="Int64")
    for col in ("rank_lower", "rank_upper", "rank_median", "p_top_decile", "p_most_integrated",
                "rank_volatility"):
        la[col] = np.nan
    sens = pd.DataFrame(index=la.index[ok])
    if ok.any():
        sub = {c: v[ok] for c, v in values.items()}
        score = composite_score(sub, weights=w, normalisation=config.normalisation)
        la.loc[ok, "composite"] = score
        la.loc[ok, "rank"] = ranks(score).to_numpy()
        if trust_draws is not None:
            tdraws = trust_draws[ok]
        else:
            tdraws = np.repeat(sub["trust"][:, None], 2, axis=1)
        ri = rank_intervals(tdraws, {c: sub[c] for c in w if c != "trust"}, weights=w,
                            normalisation=config.normalisation,
                            edi_decile=la.loc[ok, "edi_decile"].to_numpy(dtype=float),
                            dissimilarity_decile=la.loc[ok, "dissimilarity_decile"]
                            .to_numpy(dtype=float), rule=config.rule)
        for col in ri.columns:
            la.loc[ok, col] = ri[col].to_numpy()
        s_ranks, vol = sensitivity(sub)
        sens = s_ranks.set_index(la.index[ok])
        la.loc[ok, "rank_volatility"] = vol["rank_range"].to_numpy()
    la["composite_note"] = np.where(ok, "", "not ranked: a component is missing or suppressed")
    for col in ("rank_lower", "rank_upper"):
        la[col] = la[col].astype("Int64")
    return la.reset_index(), sens.reset_index()


__all__ = ["METHODS", "TRUST_FORMULA", "IndexConfig", "IndexResult", "build_index"]
