"""The index at two survey waves and its change per LA, with simulation intervals.

Method (``docs/methods/index.md``, "Change between waves"):

1. build the index for each wave with :func:`socint.composite.run.build_index` — the trust
   model fitted on that wave's survey, MRP on that wave's census population. The second wave
   uses the seed ``config.seed + 1`` so that its simulation draws are independent of the first
   wave's (as the two surveys are), which is what makes the variance of a difference the sum of
   the two variances;
2. the change in trust per LA and its 90% interval come from
   :func:`socint.composite.change.index_change`: per draw, later minus earlier (harmonised LAs);
3. the composite (rank-normalised, so it measures an LA's *relative* position) is recomputed per
   draw of trust in each wave, with EDI and dissimilarity fixed at their census values, and the
   change interval is the central 90% of the per-draw differences;
4. EDI and dissimilarity are computed from complete census counts, so their change carries no
   sampling error and is reported without an interval.

On the synthetic England the true change (wave-2 truth minus wave-1 truth) is known and is
written beside the estimate, so the intervals' coverage can be checked (about 90% expected).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from socint import io
from socint.composite.change import index_change
from socint.composite.inputs import inputs_from_synthetic
from socint.composite.run import IndexConfig, IndexResult, build_index
from socint.composite.score import composite_score
from socint.errors import InputDataError

#: Leading columns of ``change.csv`` (the report reads ``lad_code``, ``trust_change``,
#: ``change_lower``, ``change_upper``, ``vintage_from``, ``vintage_to``).
CHANGE_COLUMNS: tuple[str, ...] = (
    "lad_code", "lad_name", "vintage_from", "vintage_to", "trust_from", "trust_to",
    "trust_change", "change_lower", "change_upper", "p_increase", "edi_from", "edi_to",
    "edi_change", "dissimilarity_from", "dissimilarity_to", "dissimilarity_change",
    "composite_from", "composite_to", "composite_change", "composite_change_lower",
    "composite_change_upper", "harmonised", "true_trust_change", "note",
)


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


def _composite_draws(result: IndexResult) -> pd.DataFrame:
    """Composite score per LA (rows) and trust draw (columns), census measures held fixed."""
    la = result.la.reset_index(drop=True)
    draws = result.la_trust_draws
    w = dict(result.config.weights)
    comps = [c for c in w if c != "trust"]
    ok = np.isfinite(draws).all(axis=1) & np.all(
        [np.isfinite(la[c].to_numpy(dtype=float)) for c in comps], axis=0)
    values = {"trust": draws[ok]}
    for c in comps:
        values[c] = np.repeat(la.loc[ok, c].to_numpy(dtype=float)[:, None], draws.shape[1], 1)
    score = composite_score(values, weights=w, normalisation=result.config.normalisation)
    return pd.DataFrame(score, index=la.loc[ok, "lad_code"].to_numpy())


def change_table(earlier: IndexResult, later: IndexResult, *, level: float = 0.90
                 ) -> pd.DataFrame:
    """Per-LA change between two index runs on the same LA set (columns :data:`CHANGE_COLUMNS`).

    ``trust_change`` with ``change_lower``/``change_upper`` (the ``level`` interval from the
    draws, :func:`socint.composite.change.index_change`), ``p_increase``; EDI and dissimilarity
    at both waves and their change; the composite at both waves and its change with an
    interval from per-draw composites; ``true_trust_change`` when both runs carry the truth.
    """
    if not 0 < level < 1:
        raise InputDataError(f"level was {level!r} but must be in (0, 1)", hint="e.g. 0.90")
    base = index_change(earlier, later, level=level).set_index("lad_code")
    a = earlier.la.set_index("lad_code")
    b = later.la.set_index("lad_code")
    out = pd.DataFrame(index=base.index)
    out["lad_name"] = b["lad_name"].reindex(out.index)
    out["vintage_from"] = earlier.inputs.vintage
    out["vintage_to"] = later.inputs.vintage
    for col in ("trust", "edi", "dissimilarity", "composite"):
        out[f"{col}_from"] = a[col].reindex(out.index).to_numpy(dtype=float)
        out[f"{col}_to"] = b[col].reindex(out.index).to_numpy(dtype=float)
    out["trust_change"] = base["trust_change"]
    out["change_lower"] = base["trust_change_lower"]
    out["change_upper"] = base["trust_change_upper"]
    out["p_increase"] = base["p_increase"]
    out["edi_change"] = out["edi_to"] - out["edi_from"]
    out["dissimilarity_change"] = out["dissimilarity_to"] - out["dissimilarity_from"]
    out["composite_change"] = out["composite_to"] - out["composite_from"]
    ca, cb = _composite_draws(earlier), _composite_draws(later)
    common = out.index.intersection(ca.index).intersection(cb.index)
    diff = cb.loc[common].to_numpy() - ca.loc[common].to_numpy()
    alpha = (1 - level) / 2
    out["composite_change_lower"] = np.nan
    out["composite_change_upper"] = np.nan
    out.loc[common, "composite_change_lower"] = np.quantile(diff, alpha, axis=1)
    out.loc[common, "composite_change_upper"] = np.quantile(diff, 1 - alpha, axis=1)
    out["harmonised"] = base["harmonised"]
    out["true_trust_change"] = np.nan
    if earlier.inputs.truth_la is not None and later.inputs.truth_la is not None:
        ta = earlier.inputs.truth_la.set_index("lad_code")["true_trust"]
        tb = later.inputs.truth_la.set_index("lad_code")["true_trust"]
        out["true_trust_change"] = (tb - ta).reindex(out.index).to_numpy(dtype=float)
    out["note"] = base["note"]
    return out.reset_index()[list(CHANGE_COLUMNS)].sort_values("lad_code", ignore_index=True)


def write_change(table: pd.DataFrame, out_dir: str | Path) -> Path:
    """Write ``change.csv`` (atomic, fixed column order) into ``out_dir``; returns its path."""
    missing = [c for c in ("lad_code", "trust_change", "change_lower", "change_upper")
               if c not in table.columns]
    if missing:
        raise InputDataError(f"the change table lacks column(s) {missing}",
                             hint="build it with socint.composite.timeseries.change_table")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return io.write_csv(table, out / "change.csv")


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


__all__ = ["CHANGE_COLUMNS", "build_wave_indexes", "change_table", "run_change",
           "synthetic_la_measures", "write_change"]
