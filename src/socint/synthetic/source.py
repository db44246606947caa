"""The synthetic England as a source of the pipeline (the validation world).

:func:`synthetic_source` returns the same :class:`socint.sources.SourceData` bundle as the
official files do, plus what only a synthetic world has: survey respondents drawn from the
published model, the truth, a second wave ten years on, and inputs for the instruments.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from socint.composite.inputs import IndexInputs
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
    """Index inputs of a :class:`socint.synthetic.SyntheticEngland` (``socint index``, tests).

    The same data flow as ``socint demo``: the England described as a pipeline source
    (:func:`source_from_england`), its measures computed by the pipeline's measures stage
    (EDI: Simpson's index of each MSOA over the 18 detailed groups, population-weighted mean
    over the LA; dissimilarity: White British vs all others across the LA's LSOAs, 0-100).
    """
    from socint.pipeline import area_measures, index_inputs

    source = source_from_england(england)
    la_measures, msoa_measures = area_measures(source)
    return index_inputs(source, la_measures, msoa_measures)


__all__ = ["inputs_from_synthetic", "source_from_england", "synthetic_source"]
