"""The Social Integration Index: small-area trust + census measures → deciles, classes, ranks.

:func:`combine` is the index stage of ``socint.pipeline``: it takes small-area trust from its
stage (:mod:`socint.estimates.trust`: survey MRP, a transported model or a user table) and the
LA measures, and reads top to bottom like the method (``docs/methods/index.md``):

1. per LA: trust, EDI, ID and their deciles; the report's classification;
2. the continuous composite with its rank, rank interval and P(top decile) from the trust draws;
3. sensitivity of the ranks, the trust decomposition (survey source), and validation when the
   truth is known (synthetic England).

:func:`build_index` is the survey path in one call (fit → MRP → combine), used by
``socint index``. :func:`socint.composite.outputs.write_index` writes the result.
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
from socint.errors import InputDataError
from socint.estimates.mrp import MrpResult
from socint.estimates.poststrat import DEFAULT_STRATA
from socint.estimates.trust import (
    TRUST_COLUMNS,
    TrustEstimates,
    fit_trust_model,
    trust_from_survey,
)
from socint.estimates.validation import validate
from socint.published import model3_formula

#: The published Model 3 with the survey's area-code columns as grouping factors.
TRUST_FORMULA = model3_formula()
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
    la_trust_draws: np.ndarray | None
    model_table: pd.DataFrame
    model_info: dict[str, Any]
    config: IndexConfig
    inputs: IndexInputs
    trust: TrustEstimates = field(repr=False)
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def mrp(self) -> MrpResult | None:
        """The MRP result when trust came from a survey, else ``None``."""
        out = self.trust.extra.get("mrp")
        return out if isinstance(out, MrpResult) else None


def build_index(inputs: IndexInputs, *, config: IndexConfig | None = None,
                model: Any = None) -> IndexResult:
    """Survey path: fit the trust model (unless given), estimate small-area trust, combine.

    Parameters
    ----------
    inputs
        The bundle of inputs, with survey respondents.
    config
        Settings (default :class:`IndexConfig`).
    model
        An already fitted :class:`socint.models.GlmmResult` (skips the fit).
    """
    config = config or IndexConfig()
    config.check()
    inputs.check()
    if inputs.survey is None:
        raise InputDataError("the survey path needs respondents (inputs.survey)",
                             hint="use combine() with trust from a model or a table")
    fit = model if model is not None else fit_trust_model(config.formula, inputs.survey)
    trust = trust_from_survey(fit, inputs.survey, inputs.population, inputs.msoa_covariates,
                              inputs.la_covariates, n_draws=config.n_draws, seed=config.seed,
                              min_respondents=config.min_respondents,
                              strata=config.strata, max_profiles=config.max_profiles)
    return combine(trust, inputs, config)


def _select_trust(t: pd.DataFrame, method: str) -> pd.DataFrame:
    """Make ``method``'s estimate the table's ``trust`` (survey source: mrp/report/direct)."""
    t = t.copy()
    for c in TRUST_COLUMNS:
        t[c.replace("trust", "mrp")] = t[c]
    if method != "mrp":
        for c in TRUST_COLUMNS:
            src = c.replace("trust", method)
            t[c] = t[src] if src in t.columns else np.nan
    return t


def combine(trust: TrustEstimates, inputs: IndexInputs,
            config: IndexConfig | None = None) -> IndexResult:
    """The Social Integration Index from small-area trust and the census measures.

    Nothing is estimated here: trust comes from its stage (:mod:`socint.estimates.trust`),
    the measures from theirs; this adds deciles, the report's classification, the composite
    with its rank, rank interval and P(top decile) from the trust draws, and the sensitivity.
    """
    config = config or IndexConfig()
    config.check()
    names = inputs.las.drop_duplicates("lad_code").set_index("lad_code")
    tla = trust.la.set_index("lad_code")
    missing = tla.index.difference(names.index)
    if len(missing):
        raise InputDataError(f"{len(missing)} LA(s) with trust have no name in `las`",
                             code=str(missing[0]), hint="add every LA to the las table")
    codes = names.index
    la = pd.DataFrame(index=pd.Index(codes, name="lad_code"))
    la["lad_name"] = names["lad_name"].to_numpy()
    for col in ("region_code", "region_name"):
        if col in names.columns:
            la[col] = names[col].to_numpy()
    if inputs.lad_vintage is not None:
        la["lad_vintage"] = inputs.lad_vintage
    la = la.join(tla)
    la["suppressed"] = la["suppressed"].fillna(False).astype(bool)
    survey = trust.source == "survey"
    if survey:
        la = _select_trust(la, config.trust_method)
    la["trust_source"] = trust.source
    draws: np.ndarray | None = None
    if trust.la_draws is not None:
        pos = tla.index.get_indexer(codes)
        draws = np.where(pos[:, None] >= 0, trust.la_draws[np.maximum(pos, 0)], np.nan)
        if survey and config.trust_method == "report":
            rep = trust.extra["report_draws"]["lad_code"]
            rpos = pd.Index(rep[0].index).get_indexer(codes)
            draws = np.where(rpos[:, None] >= 0, rep[1][np.maximum(rpos, 0)], np.nan)
        elif survey and config.trust_method == "direct":
            draws = None
    la, sens = _composite(la, draws, config, inputs)
    msoa = _msoa_table(trust, inputs, config) if trust.msoa is not None else pd.DataFrame(
        {"msoa_code": pd.Series(dtype=str), "lad_code": pd.Series(dtype=str)})
    dec = trust.extra.get("decomposition")
    if isinstance(dec, pd.DataFrame):
        # The published trust is the mean over simulation draws, while the decomposition works
        # at the fitted values; the difference is its own, explicit line, so that the
        # profile's parts add up to the headline figure a reader sees.
        dec = dec.set_index("lad_code").reindex(la["lad_code"]).reset_index()
        dec["trust"] = la["trust"].to_numpy()
        dec["uncertainty_adjustment"] = dec["trust"] - dec["predicted"]
    else:
        dec = pd.DataFrame({"lad_code": pd.Series(dtype=str)})
    validation = None
    if inputs.truth_la is not None and survey:
        truth = inputs.truth_la.set_index("lad_code")["true_trust"]
        tab = la.set_index("lad_code")
        methods = {}
        for m in METHODS:
            src = tab[[m, f"{m}_lower90", f"{m}_upper90", f"{m}_lower95", f"{m}_upper95"]]
            names_ = {c: "estimate" if c == m else c.replace(f"{m}_", "") for c in src.columns}
            methods[m] = src.rename(columns=names_)
        validation = validate(methods, truth, tab["sampled"])
    fit = trust.extra.get("model")
    table = fit.tidy() if fit is not None and hasattr(fit, "tidy") else pd.DataFrame()
    info: dict[str, Any] = {"trust_source": trust.source, "trust_description": trust.description,
                            "trust_notes": list(trust.notes)}
    if fit is not None:
        info.update({"nobs": int(fit.nobs), "loglik": float(fit.loglik),
                     "converged": bool(fit.converged),
                     "variances": {str(k): float(v) for k, v in fit.variances.items()},
                     "n_groups": {str(k): int(v) for k, v in fit.n_groups.items()}})
    return IndexResult(la, msoa, dec, sens, validation, draws, table, info, config, inputs,
                       trust, MappingProxyType({"model": fit} if fit is not None else {}))


def _msoa_table(trust: TrustEstimates, inputs: IndexInputs,
                config: IndexConfig) -> pd.DataFrame:
    assert trust.msoa is not None
    names = inputs.msoas.drop_duplicates("msoa_code").set_index("msoa_code")
    m = trust.msoa.set_index("msoa_code")
    codes = m.index
    m.insert(0, "msoa_name", names["msoa_name"].reindex(codes).to_numpy())
    if inputs.lad_vintage is not None:
        m.insert(2, "lad_vintage", inputs.lad_vintage)
    if trust.source == "survey":
        m = _select_trust(m, config.trust_method)
    m["trust_source"] = trust.source
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
    for col in ("rank_lower90", "rank_upper90", "rank_median", "p_top_decile", "p_most_integrated"):
        m[col] = np.nan
    draws = trust.msoa_draws
    if (draws is not None and config.trust_method == "mrp" and ok.any() and w
            and len(comps) > 1):
        ri = rank_intervals(draws[ok], {c: v[ok] for c, v in comps.items()
                                        if c != "trust" and c in w},
                            weights=w, normalisation=config.normalisation,
                            edi_decile=m.loc[ok, "edi_decile"].to_numpy(dtype=float),
                            dissimilarity_decile=m.loc[ok, "dissimilarity_decile"]
                            .to_numpy(dtype=float), rule=config.rule)
        for col in ri.columns:
            m.loc[ok, col] = ri[col].to_numpy()
    for col in ("rank_lower90", "rank_upper90"):
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
    for col in ("rank_lower90", "rank_upper90", "rank_median", "p_top_decile", "p_most_integrated",
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
    for col in ("rank_lower90", "rank_upper90"):
        la[col] = la[col].astype("Int64")
    return la.reset_index(), sens.reset_index()


__all__ = ["METHODS", "TRUST_FORMULA", "IndexConfig", "IndexResult", "build_index", "combine"]
