"""Small-area estimates of neighbourhood trust: direct, report-style and MRP, with intervals.

See ``docs/methods/estimates.md``. Built on a fitted :class:`socint.models.GlmmResult`
(via :func:`parts_from_result`) and a census post-stratification frame.
"""

from socint.estimates.decompose import decompose
from socint.estimates.direct import direct_estimates, wilson_interval
from socint.estimates.ipf import frame_from_margins, ipf
from socint.estimates.mrp import MrpResult, mrp, population_probabilities, summarise_draws
from socint.estimates.poststrat import PoststratFrame, build_poststrat_frame
from socint.estimates.report_style import report_style_estimates
from socint.estimates.simulate_draws import (
    FittedParts,
    RandomEffects,
    draw_effects,
    draw_parameters,
    parts_from_result,
)
from socint.estimates.validation import validate

__all__ = [
    "FittedParts",
    "MrpResult",
    "PoststratFrame",
    "RandomEffects",
    "build_poststrat_frame",
    "decompose",
    "direct_estimates",
    "draw_effects",
    "draw_parameters",
    "frame_from_margins",
    "ipf",
    "mrp",
    "parts_from_result",
    "population_probabilities",
    "report_style_estimates",
    "summarise_draws",
    "validate",
    "wilson_interval",
]
