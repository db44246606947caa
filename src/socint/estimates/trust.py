"""Small-area trust from one of three sources, in one shape the index combines.

Every LA (and, where possible, MSOA) gets ``trust`` with a 90% and 95% interval, whatever the
source:

* ``survey`` — survey microdata: the trust model fitted to the respondents and post-stratified
  to the census (MRP), plus direct and report-style estimates (:func:`trust_from_survey`);
* ``published_model`` / ``saved_model`` — a fitted model transported onto the census frame
  (:mod:`socint.estimates.transport`, :func:`trust_from_model`);
* ``table`` — a user's own table of LA trust (:func:`trust_from_table`).

:class:`TrustEstimates` carries the tables, the simulation draws (for rank intervals), the
source in plain words, and every assumption, for the manifest and the methodology page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import InputDataError, ModelError
from socint.estimates.mrp import summarise_draws

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: The sources of trust, and how each is described to the public.
SOURCES: Mapping[str, str] = MappingProxyType({
    "survey": "estimated from survey responses by multilevel regression and "
              "post-stratification to the census",
    "published_model": "model-based estimate from the published model applied to the census; "
                       "not measured by a survey",
    "saved_model": "model-based estimate from a saved socint model applied to the census; "
                   "not measured by a survey in this run",
    "table": "taken from a table supplied by the user",
})

TRUST_COLUMNS = ("trust", "trust_se", "trust_lower90", "trust_upper90", "trust_lower95",
                 "trust_upper95")


@dataclass(frozen=True)
class TrustEstimates:
    """Trust for every LA (and MSOA) from one source.

    Attributes
    ----------
    source
        A key of :data:`SOURCES`.
    description
        The source in words a member of the public understands.
    la, msoa
        ``lad_code`` (``msoa_code, lad_code``) + :data:`TRUST_COLUMNS`, ``n_respondents``
        (nullable; NA when no survey), ``suppressed`` (fewer respondents than the threshold),
        ``sampled`` and any extra columns of the source (``direct*``, ``report*``).
    la_draws, msoa_draws
        Areas × draws of trust in the row order of ``la``/``msoa`` (``None`` if the source
        has none; rank intervals then collapse to the rank).
    adults_la
        Adults per LA (weights for harmonising LAs between vintages), in ``la`` order.
    notes
        Every assumption and proxy, in plain words.
    extra
        Source-specific objects (the fitted model, the MRP result, the decomposition).
    """

    source: str
    description: str
    la: pd.DataFrame
    msoa: pd.DataFrame | None
    la_draws: FloatArray | None
    msoa_draws: FloatArray | None
    adults_la: FloatArray | None = None
    notes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source was {self.source!r} but is expected to be in "
                             f"{sorted(SOURCES)}")


def _with_summary(codes: pd.Index, draws: FloatArray, point: FloatArray | None,
                  key: str) -> pd.DataFrame:
    tab = summarise_draws(draws, prefix="trust")
    if point is not None:
        tab["trust"] = point
    tab.insert(0, key, codes.to_numpy())
    return tab


def trust_from_model(transported: Any, *, source: str, model_name: str) -> TrustEstimates:
    """Trust from a transported model (:func:`socint.estimates.transport.transport`)."""
    la = _with_summary(transported.lad_codes, transported.lad_draws, transported.lad_point,
                       "lad_code")
    la["n_respondents"] = pd.array([pd.NA] * len(la), dtype="Int64")
    la["suppressed"] = False
    msoa = _with_summary(transported.msoa_codes, transported.msoa_draws,
                         transported.msoa_point, "msoa_code")
    msoa.insert(1, "lad_code", transported.msoa_lad)
    msoa["n_respondents"] = pd.array([pd.NA] * len(msoa), dtype="Int64")
    msoa["suppressed"] = False
    desc = SOURCES[source].replace("the published model", model_name).replace(
        "a saved socint model", model_name)
    return TrustEstimates(source, desc, la, msoa, transported.lad_draws,
                          transported.msoa_draws, transported.lad_adults, transported.notes)


def trust_from_table(path: str | Path, las: pd.DataFrame, *, n_draws: int = 500,
                     seed: int = 2011) -> TrustEstimates:
    """Trust from a user's CSV: ``lad_code`` (or ``lad_name``), ``trust``, optional bounds.

    ``trust`` is a share (0-1) or a percentage (0-100, detected when any value exceeds 1).
    Optional ``trust_lower``/``trust_upper`` are read as a 90% interval; draws for the rank
    intervals are simulated from a normal distribution with that width (stated). LAs of the
    run that the table lacks are reported, never filled in.
    """
    p = Path(path)
    try:
        tab = pd.read_csv(p, dtype={"lad_code": str, "lad_name": str})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputDataError(f"cannot read the trust table: {exc}", file=p,
                             hint="a CSV with columns lad_code (or lad_name) and trust") from None
    if "trust" not in tab.columns or not ({"lad_code", "lad_name"} & set(tab.columns)):
        raise InputDataError(f"the trust table has columns {list(tab.columns)}; it needs "
                             "lad_code (or lad_name) and trust", file=p,
                             hint="e.g. lad_code,trust,trust_lower,trust_upper")
    if "lad_code" not in tab.columns:
        from socint.geo.names import match_la_names

        tab["lad_code"] = match_la_names(tab["lad_name"], las, name_col="lad_name",
                                         code_col="lad_code").to_numpy()
    dup = tab["lad_code"].duplicated()
    if dup.any():
        r = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputDataError("the trust table lists an LA twice", file=p, row=r + 1,
                             column="lad_code", code=str(tab["lad_code"].iloc[r]))
    cols = [c for c in ("trust", "trust_lower", "trust_upper") if c in tab.columns]
    values = tab[cols].apply(pd.to_numeric, errors="coerce")
    bad = values.isna().any(axis=1) & tab[cols].notna().any(axis=1)
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError("a trust value is not a number", file=p, row=r + 1,
                             code=str(tab["lad_code"].iloc[r]), column=cols[0])
    scale = 100.0 if float(np.nanmax(values.to_numpy())) > 1 else 1.0
    values = values / scale
    known = pd.Index(las["lad_code"].astype(str))
    codes = tab["lad_code"].astype(str)
    unknown = ~codes.isin(known)
    if unknown.any():
        r = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputDataError(f"{int(unknown.sum())} LA code(s) of the trust table are not LAs "
                             "of this run", file=p, row=r + 1, column="lad_code",
                             code=str(codes.iloc[r]),
                             hint="use LA codes of the run's vintage (see --lad-vintage)")
    idx = pd.Index(codes)
    point = values["trust"].to_numpy(dtype=float)
    rng = np.random.default_rng([seed, 11])
    notes = [f"trust taken from the user's table {p.name}"]
    if {"trust_lower", "trust_upper"} <= set(values.columns):
        sd = (values["trust_upper"] - values["trust_lower"]).to_numpy(dtype=float) / (2 * 1.645)
        draws = np.clip(point[:, None] + sd[:, None] * rng.standard_normal((len(point),
                                                                            n_draws)), 0, 1)
        notes.append("the table's trust_lower/trust_upper read as a 90% interval; rank "
                     "intervals simulate a normal distribution of that width")
        la = _with_summary(idx, draws, point, "lad_code")
        la["trust_lower90"] = values["trust_lower"].to_numpy(dtype=float)
        la["trust_upper90"] = values["trust_upper"].to_numpy(dtype=float)
        la_draws: FloatArray | None = draws
    else:
        la = pd.DataFrame({"lad_code": idx.to_numpy(), "trust": point})
        for c in TRUST_COLUMNS[1:]:
            la[c] = np.nan
        la_draws = None
        notes.append("the table has no interval, so ranks carry no uncertainty")
    la["n_respondents"] = pd.array([pd.NA] * len(la), dtype="Int64")
    la["suppressed"] = False
    missing = known.difference(idx)
    if len(missing):
        notes.append(f"{len(missing)} LA(s) of the run are not in the table and are not "
                     "ranked")
    return TrustEstimates("table", SOURCES["table"] + f" ({p.name})", la, None, la_draws, None,
                          None, tuple(notes))


def fit_trust_model(formula: str, survey: pd.DataFrame) -> Any:
    """Fit the trust model to respondents; refuse a fit that did not converge."""
    from socint.models import fit_glmm

    result = fit_glmm(formula, survey)
    if not result.converged:
        raise ModelError("the trust model did not converge, so no index is published",
                         hint=f"diagnostics: {result.diagnostics.get('message', '')}; check the "
                         "survey (empty categories, separation) or simplify the formula")
    return result


def trust_from_survey(fit: Any, survey: pd.DataFrame, population: pd.DataFrame,
                      msoa_covariates: pd.DataFrame, la_covariates: pd.DataFrame, *,
                      n_draws: int, seed: int, min_respondents: int,
                      strata: Mapping[str, tuple[tuple[int, int], ...]],
                      max_profiles: int) -> TrustEstimates:
    """MRP, direct and report-style trust from a fitted model and its respondents.

    Direct and report-style estimates of areas with fewer than ``min_respondents``
    respondents are withheld (NaN) and flagged ``suppressed``; MRP is published for every area
    and flagged too, so every page can show the flag.
    """
    from socint.estimates.decompose import decompose
    from socint.estimates.direct import direct_estimates
    from socint.estimates.mrp import mrp
    from socint.estimates.posterior import nested_posterior
    from socint.estimates.poststrat import build_poststrat_frame
    from socint.estimates.report_style import report_style_estimates
    from socint.estimates.simulate_draws import draw_parameters, parts_from_result

    parts = parts_from_result(fit)
    frame = build_poststrat_frame(population, survey, msoa_covariates, la_covariates,
                                  strata=dict(strata), max_profiles=max_profiles, seed=seed)
    posterior = nested_posterior(parts, survey)
    est = mrp(parts, frame, n_draws=n_draws, seed=seed, posterior=posterior)
    rng = np.random.default_rng([seed, 1])
    draws = draw_parameters(parts, n_draws, rng)
    rep = report_style_estimates(parts, survey, draws, rng, areas=("lad_code", "msoa_code"),
                                 min_respondents=min_respondents, posterior=posterior)
    tables = {}
    for level, key, area in (("la", "lad_code", est.la), ("msoa", "msoa_code", est.msoa)):
        codes = area.codes
        direct = direct_estimates(survey, key)
        t = pd.DataFrame(index=pd.Index(codes, name=key))
        if level == "msoa":
            t["lad_code"] = area.table["lad_code"].to_numpy()
        t["n_respondents"] = (direct["n_respondents"].reindex(codes).fillna(0)
                              .astype("Int64"))
        t["sampled"] = area.sampled
        t["suppressed"] = (t["n_respondents"] < min_respondents).to_numpy(dtype=bool)
        mrp_tab = area.table.drop(columns=[c for c in ("sampled", "lad_code")
                                           if c in area.table.columns])
        t = t.join(mrp_tab.rename(columns=lambda c: c.replace("mrp", "trust")))
        t = t.join(direct.drop(columns=["n_respondents", "n_effective"]).reindex(codes))
        t = t.join(rep[key][0].drop(columns=["n_respondents", "suppressed"]).reindex(codes))
        for col in [c for c in t.columns if c.startswith(("direct", "report"))]:
            t.loc[t["suppressed"].to_numpy(), col] = np.nan
        tables[level] = t.reset_index()
    dec = decompose(parts, frame, split=est.split).reindex(est.la.codes).reset_index()
    notes = ["trust estimated by multilevel regression and post-stratification (MRP): the "
             "model fitted to the survey respondents, predictions averaged over each area's "
             "census population",
             "covariates the census does not cross-tabulate (income, NS-SEC, married, years at "
             "the address, survey year) integrated over their distribution among respondents "
             "of the same cell and deprivation band",
             f"direct and report-style estimates withheld for areas with fewer than "
             f"{min_respondents} respondents"]
    return TrustEstimates("survey", SOURCES["survey"], tables["la"], tables["msoa"],
                          est.la.draws, est.msoa.draws, est.la.adults, tuple(notes),
                          MappingProxyType({"model": fit, "mrp": est, "decomposition": dec,
                                            "report_draws": rep}))


__all__ = ["SOURCES", "TRUST_COLUMNS", "TrustEstimates", "fit_trust_model", "trust_from_model",
           "trust_from_survey", "trust_from_table"]
