"""Demo-only stages on the synthetic England: a second wave for the change, the instruments.

The pipeline calls these for the synthetic source only; they reuse the production stages
(measures, survey trust, the index's combine and change table) on a second synthetic wave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from socint.composite.change import index_change  # noqa: F401
from socint.composite.run import IndexConfig, IndexResult, build_index
from socint.composite.timeseries import change_table, write_change
from socint.errors import InputDataError
from socint.sources import SourceData
from socint.synthetic.source import inputs_from_synthetic


def wave_change(source: SourceData, first: IndexResult, la_measures: pd.DataFrame, *,
                draws: int, seed: int, min_respondents: int, years: int = 10) -> pd.DataFrame:
    """Change per LA between the synthetic England and its second wave ``years`` later.

    The second wave's trust model is fitted on its own survey, its draws use ``seed + 1`` (the
    two surveys are independent), and the change table is
    :func:`socint.composite.timeseries.change_table`.
    """
    from socint import pipeline
    from socint.composite.run import combine
    from socint.composite.timeseries import change_table
    from socint.estimates.trust import trust_from_survey
    from socint.synthetic.source import source_from_england
    from socint.synthetic.wave import second_wave

    england = source.extra["england"]
    wave2 = source_from_england(second_wave(england, seed + years, years=years))
    la2, msoa2 = pipeline.area_measures(wave2)
    assert wave2.survey is not None
    fit, _ = pipeline.fit_trust_models(wave2.survey, with_tables=False)
    base = pipeline.IndexConfig()
    trust = trust_from_survey(fit, wave2.survey, wave2.population, wave2.msoa_covariates,
                              wave2.la_covariates, n_draws=draws, seed=seed + 1,
                              min_respondents=min_respondents, strata=base.strata,
                              max_profiles=base.max_profiles)
    inputs = pipeline.index_inputs(wave2, la2, msoa2)
    from dataclasses import replace

    inputs = replace(inputs, vintage=2011 + years)
    second = combine(trust, inputs, pipeline.IndexConfig(n_draws=draws, seed=seed + 1,
                                                         min_respondents=min_respondents))
    first = replace(first, inputs=replace(first.inputs, vintage=2011))
    return change_table(first, second)


def run_demo_instruments(out: Path, seed: int, source: SourceData) -> list[Path]:
    """The four companion instruments on synthetic inputs matching the synthetic England."""
    from socint.instruments.run import run_compare, run_schools, run_scorecard, run_survey_estimate
    from socint.synthetic.instruments import generate_instruments, la_population_from_counts

    england: Any = source.extra["england"]
    x = generate_instruments(seed, england.las, la_population_from_counts(england.ethnicity))
    names = dict(zip(x.schools["new_la_code"], x.schools["lad_name"], strict=False))
    paths = run_schools(x.schools, x.la_population, out)
    paths += run_scorecard(x.indicators, out, reference="white_british", names=names)
    paths += run_compare(
        x.comparison_survey, out,
        outcomes={"cohesion_likert": "likert", "civic_actions": "count",
                  "volunteered": "binary", "thermometer": "thermometer"},
        group="area_group", covariates=["age", "female", "ethnicity", "degree"],
        cluster="lad_code", wave="wave", reference="Other area", before=2016,
        trust_outcome="trust_people", trust=[4, 5], distrust=[1, 2])
    la = str(x.local_survey["lad_code"].iloc[0])
    paths += run_survey_estimate(x.local_survey, x.margins, la, out, tenure=True, trim=5.0)
    return paths


# Older demo helpers, kept for the change tests: two synthetic waves through the survey path.


def synthetic_la_measures(england: Any) -> pd.DataFrame:
    """EDI and dissimilarity per LA of a synthetic wave, as the demo defines them.

    Same definitions as :func:`socint.pipeline.la_measures_from_store` (the ``bright_blue_2019``
    preset): EDI = Simpson's index of each MSOA over the 14 MLID groups (Mixed collapsed,
    Gypsy/Traveller excluded), population-weighted mean over the LA's MSOAs (Bright Blue 2019);
    ID = White British vs all others across LSOAs, 0-100 (Duncan & Duncan 1955).
    """
    from socint.data.table import counts_long, counts_wide
    from socint.measures import MeasureSpec, UnitCounts, compute_measures
    from socint.measures.schemes import collapse

    table = england.ethnicity
    wide = counts_wide(table)
    m, _ = collapse(wide.to_numpy(), [str(c) for c in wide.columns], str(table.scheme),
                    "ethnicity_2011_mlid")
    mlid = replace(table, scheme="ethnicity_2011_mlid",
                   data=counts_long(wide.index.to_numpy(), m, "ethnicity_2011_mlid"))
    units = UnitCounts.from_table(mlid)
    specs = (
        MeasureSpec(column="edi", measure="simpson", unit_level="msoa",
                    scheme="ethnicity_2011_mlid14", rollup="weighted_mean"),
        MeasureSpec(column="dissimilarity", measure="dissimilarity", unit_level=units.level,
                    scheme="ethnicity_white_british", group="white_british", scale=100.0),
    )
    out = compute_measures(units, specs, area_level="lad")
    return out.rename(columns={"area_code": "lad_code"})[["lad_code", "edi", "dissimilarity"]]


def build_wave_indexes(first: Any, second: Any, *, config: IndexConfig | None = None,
                       models: Sequence[Any | None] = (None, None),
                       la_measures: Sequence[pd.DataFrame | None] = (None, None),
                       ) -> tuple[IndexResult, IndexResult]:
    """The index of two synthetic waves (same settings; independent draws).

    Parameters
    ----------
    first, second
        :class:`socint.synthetic.SyntheticEngland` waves on the same areas (e.g. ``second`` from
        :func:`socint.synthetic.wave.second_wave`).
    config
        Index settings of the first wave; the second uses ``seed + 1``.
    models
        Already fitted trust models per wave (``None``: fit on that wave's survey).
    la_measures
        ``lad_code, edi, dissimilarity`` per wave (``None``: the measures of
        :func:`socint.composite.inputs.inputs_from_synthetic`).
    """
    config = config or IndexConfig()
    if len(models) != 2 or len(la_measures) != 2:
        raise InputDataError(f"models and la_measures need one entry per wave (2), got "
                             f"{len(models)} and {len(la_measures)}")
    out = []
    for i, (wave, model, meas) in enumerate(zip((first, second), models, la_measures,
                                                strict=True)):
        inputs = inputs_from_synthetic(wave)
        vintage = 2011 if i == 0 else int(wave.ethnicity.vintage or 2021)
        inputs = replace(inputs, vintage=vintage)
        if meas is not None:
            inputs = replace(inputs, la_measures=meas[["lad_code", "edi", "dissimilarity"]])
        cfg = config if i == 0 else replace(config, seed=config.seed + 1)
        out.append(build_index(inputs, config=cfg, model=model))
    return out[0], out[1]


def run_change(england: Any, la_measures: pd.DataFrame, model: Any, config: Any,
               out: str | Path, *, years: int = 10) -> Path:
    """The demo's change stage: a second synthetic wave, both indexes, ``change.csv``.

    Parameters
    ----------
    england
        The first wave (the demo's synthetic England).
    la_measures
        The first wave's ``lad_code, edi, dissimilarity`` (the demo's store-based measures; the
        second wave's are computed with the same definitions, :func:`synthetic_la_measures`).
    model
        The trust model already fitted on the first wave (the second wave is fitted here).
    config
        The demo's :class:`socint.pipeline.DemoConfig` (``seed``, ``draws``,
        ``min_respondents``); the second wave is drawn with ``seed + years``.
    out
        Output folder of the run; ``change.csv`` is written there.
    """
    from socint.synthetic.wave import second_wave

    wave2 = second_wave(england, config.seed + years, years=years)
    cfg = IndexConfig(n_draws=config.draws, seed=config.seed,
                      min_respondents=config.min_respondents)
    first, second = build_wave_indexes(
        england, wave2, config=cfg, models=(model, None),
        la_measures=(la_measures, synthetic_la_measures(wave2)))
    return write_change(change_table(first, second), out)


__all__ = ["build_wave_indexes", "run_change", "run_demo_instruments", "synthetic_la_measures",
           "wave_change"]
