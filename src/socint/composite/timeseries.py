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

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from socint import io
from socint.composite.change import index_change
from socint.composite.run import IndexResult
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


def _harmonised_la(result: IndexResult, mapping: Mapping[str, str] | None) -> pd.DataFrame:
    """The earlier run's LA table on the later LA set: merged LAs adult-weighted (trust, EDI,
    dissimilarity, composite); unchanged LAs as they are."""
    la = result.la.set_index("lad_code")
    if not mapping:
        return la
    codes = la.index.astype(str)
    new = pd.Index([mapping.get(c, c) for c in codes], name="lad_code")
    adults = (pd.Series(result.trust.adults_la, index=result.trust.la["lad_code"].astype(str))
              .reindex(codes).to_numpy(dtype=float) if result.trust.adults_la is not None
              else np.ones(len(la)))
    cols = [c for c in ("trust", "edi", "dissimilarity", "composite") if c in la.columns]
    vals = la[cols].to_numpy(dtype=float) * adults[:, None]
    num = pd.DataFrame(vals, index=new, columns=cols).groupby(level=0).sum(min_count=1)
    den = pd.Series(adults, index=new).groupby(level=0).sum()
    return num.div(den, axis=0)


def _composite_draws(result: IndexResult) -> pd.DataFrame:
    """Composite score per LA (rows) and trust draw (columns), census measures held fixed."""
    la = result.la.reset_index(drop=True)
    draws = result.la_trust_draws
    if draws is None:
        raise InputDataError("the composite's change needs trust draws")
    w = dict(result.config.weights)
    comps = [c for c in w if c != "trust"]
    ok = np.isfinite(draws).all(axis=1) & np.all(
        [np.isfinite(la[c].to_numpy(dtype=float)) for c in comps], axis=0)
    values = {"trust": draws[ok]}
    for c in comps:
        values[c] = np.repeat(la.loc[ok, c].to_numpy(dtype=float)[:, None], draws.shape[1], 1)
    score = composite_score(values, weights=w, normalisation=result.config.normalisation)
    return pd.DataFrame(score, index=la.loc[ok, "lad_code"].to_numpy())


def change_table(earlier: IndexResult, later: IndexResult, *, level: float = 0.90,
                 mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per-LA change between two index runs on the same LA set (columns :data:`CHANGE_COLUMNS`).

    ``trust_change`` with ``change_lower``/``change_upper`` (the ``level`` interval from the
    draws, :func:`socint.composite.change.index_change`), ``p_increase``; EDI and dissimilarity
    at both waves and their change; the composite at both waves and its change with an
    interval from per-draw composites; ``true_trust_change`` when both runs carry the truth.
    """
    if not 0 < level < 1:
        raise InputDataError(f"level was {level!r} but must be in (0, 1)", hint="e.g. 0.90")
    base = index_change(earlier, later, level=level, mapping=mapping).set_index("lad_code")
    a = _harmonised_la(earlier, mapping)
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


__all__ = ["CHANGE_COLUMNS", "change_table", "write_change"]
