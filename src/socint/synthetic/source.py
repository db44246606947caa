"""The synthetic England as a source of the pipeline (the validation world).

:func:`synthetic_source` returns the same :class:`socint.sources.SourceData` bundle as the
official files do, plus what only a synthetic world has: survey respondents drawn from the
published model, the truth, a second wave ten years on, and inputs for the instruments.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from socint.composite.inputs import REQUIRED, IndexInputs
from socint.measures.compute import MeasureSpec
from socint.measures.units import UnitCounts
from socint.sources import MeasureInput, Provenance, SourceData


def synthetic_source(seed: int, *, scale: float, survey_size: int) -> SourceData:
    """Generate the synthetic England and describe it as a pipeline source."""
    from socint.synthetic import generate_england

    england = generate_england(seed, scale=scale, survey_size=survey_size)
    return source_from_england(england)


def _sha256(frame: pd.DataFrame) -> str:
    """SHA-256 of a generated table's canonical CSV bytes (identifies it in the manifest)."""
    return hashlib.sha256(frame.to_csv(index=False, lineterminator="\n").encode()).hexdigest()


def source_from_england(england: Any) -> SourceData:
    """A :class:`SourceData` of an already generated :class:`SyntheticEngland`."""
    units = UnitCounts.from_table(england.ethnicity)
    d_spec = MeasureSpec(column="dissimilarity", measure="dissimilarity",
                         scheme="ethnicity_white_british", group="white_british", scale=100.0)
    la_specs = (MeasureSpec(column="edi", measure="simpson", unit_level="msoa",
                            rollup="weighted_mean"), d_spec)
    msoa_specs = (MeasureSpec(column="edi", measure="simpson"), d_spec)
    cov = england.msoa_covariates
    adults = england.poststrat.groupby("msoa_code")["count"].sum()
    dep = cov.assign(w=cov["msoa_code"].map(adults).to_numpy(dtype=float))
    dep = dep.assign(x=dep["w"] * dep["income_decile"]).groupby("lad_code")[["x", "w"]].sum()
    gen = f"socint.synthetic.generate_england(seed={england.seed}, scale={england.scale})"
    return SourceData(
        name=f"synthetic England (seed {england.seed}, scale {england.scale})",
        kind="synthetic", census=2011, lad_vintage=2011,
        measures=(MeasureInput(units, la_specs, msoa_specs,
                               "EDI: Simpson's index of each MSOA over the 18 groups, "
                               "population-weighted mean over the LA's MSOAs; ID: White "
                               "British vs all others across the LA's LSOAs (the synthetic "
                               "England has no OAs), 0-100"),),
        las=england.las[["lad_code", "lad_name", "region_code", "region_name"]],
        msoas=england.msoas[["msoa_code", "msoa_name", "lad_code"]],
        msoa_covariates=cov, la_covariates=england.la_covariates,
        population=england.poststrat,
        deprivation=pd.DataFrame({"lad_code": dep.index,
                                  "deprivation": (dep["x"] / dep["w"]).to_numpy()}),
        la_boundaries=england.la_geojson, msoa_boundaries=england.msoa_geojson,
        survey=england.survey, truth_la=england.truth.true_trust_la,
        truth_msoa=england.truth.true_trust_msoa,
        provenance=tuple(
            Provenance(name=f"synthetic {name}", file=gen, sha256=_sha256(frame),
                       publisher="socint", licence="MIT (generated data)", role=name)
            for name, frame in (("ethnic counts", england.ethnicity.data),
                                ("survey", england.survey),
                                ("MSOA covariates", cov),
                                ("LA covariates", england.la_covariates),
                                ("population frame", england.poststrat))),
        assumptions=(("all", "synthetic data for validation: not real areas or people"),),
        extra={"england": england},
    )


def inputs_from_synthetic(england: Any) -> IndexInputs:
    """Index inputs from a :class:`socint.synthetic.SyntheticEngland` (measures computed here).

    EDI: Simpson's index of each MSOA over the 18 detailed groups, rolled up to the LA as the
    population-weighted mean (the ``bright_blue_2019`` definition); dissimilarity: White British
    vs all others across the LA's LSOAs (the synthetic England has no OAs), 0-100. MSOA
    measures: pooled Simpson of the MSOA and D across its LSOAs.
    """
    from socint.measures.compute import MeasureSpec, compute_measures
    from socint.measures.units import UnitCounts

    units = UnitCounts.from_table(england.ethnicity)
    d_spec = MeasureSpec(column="dissimilarity", measure="dissimilarity",
                         scheme="ethnicity_white_british", group="white_british", scale=100.0)
    la_m = compute_measures(units, (MeasureSpec(column="edi", measure="simpson",
                                                unit_level="msoa", rollup="weighted_mean"),
                                    d_spec), area_level="lad")
    msoa_m = compute_measures(units, (MeasureSpec(column="edi", measure="simpson"), d_spec),
                              area_level="msoa")
    cov = england.msoa_covariates
    adults = england.poststrat.groupby("msoa_code")["count"].sum()
    dep = cov.assign(w=cov["msoa_code"].map(adults).to_numpy(dtype=float))
    dep = (dep.assign(x=dep["w"] * dep["income_decile"]).groupby("lad_code")[["x", "w"]].sum())
    seed = f"socint.synthetic.generate_england(seed={england.seed}, scale={england.scale})"
    return IndexInputs(
        survey=england.survey, msoa_covariates=cov, la_covariates=england.la_covariates,
        population=england.poststrat,
        las=england.las[["lad_code", "lad_name", "region_code", "region_name"]],
        msoas=england.msoas[["msoa_code", "msoa_name", "lad_code"]],
        la_measures=la_m.rename(columns={"area_code": "lad_code"})[
            ["lad_code", "edi", "dissimilarity"]],
        msoa_measures=msoa_m.rename(columns={"area_code": "msoa_code"})[
            ["msoa_code", "edi", "dissimilarity"]],
        deprivation=pd.DataFrame({"lad_code": dep.index,
                                  "deprivation": (dep["x"] / dep["w"]).to_numpy()}),
        la_boundaries=england.la_geojson, msoa_boundaries=england.msoa_geojson,
        truth_la=england.truth.true_trust_la, truth_msoa=england.truth.true_trust_msoa,
        sources={**{name: seed for name in REQUIRED},
                 "la_measures": f"socint.measures (Simpson, MSOA weighted mean; D White British "
                                f"vs others over LSOAs x100) on {seed}",
                 "msoa_measures": f"socint.measures (Simpson pooled; D over LSOAs) on {seed}",
                 "deprivation": f"adult-weighted mean MSOA income_decile of {seed}"},
        vintage=2011,
    )


__all__ = ["inputs_from_synthetic", "source_from_england", "synthetic_source"]
