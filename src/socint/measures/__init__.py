"""Diversity and segregation per area: pure vectorised functions, a registry, presets.

Core functions take a ``units x groups`` count matrix and a parent index (0-based area of
each unit) and return one value per area; :func:`compute_measures` runs registered measures on
:class:`UnitCounts` read from any ``socint.data`` counts table. See ``docs/methods/diversity.md``
and ``docs/methods/segregation.md``.
"""

from socint.measures.analysis import (
    Correlation,
    change,
    correlation,
    decile_crosstab,
    recode_parents,
    select_deciles,
)
from socint.measures.bias import (
    bootstrap_corrected_dissimilarity,
    carrington_troske,
    corrected_dissimilarity,
    expected_dissimilarity,
)
from socint.measures.compute import MeasureSpec, compute_measures, rank_and_decile
from socint.measures.diversity import area_diversity, effective_number, shannon, simpson
from socint.measures.presets import BRIGHT_BLUE_2019, PRESETS, Preset, get_preset, run_preset
from socint.measures.registry import MEASURES, Measure, get_measure
from socint.measures.schemes import COLLAPSES, SCHEMES, collapse
from socint.measures.segregation import (
    dissimilarity,
    exposure,
    isolation,
    multigroup_dissimilarity,
    theil_h,
    undefined_reasons,
)
from socint.measures.sources import read_units
from socint.measures.units import MeasureWarning, UnitCounts

__all__ = [
    "BRIGHT_BLUE_2019",
    "COLLAPSES",
    "MEASURES",
    "PRESETS",
    "SCHEMES",
    "Correlation",
    "Measure",
    "MeasureSpec",
    "MeasureWarning",
    "Preset",
    "UnitCounts",
    "area_diversity",
    "bootstrap_corrected_dissimilarity",
    "carrington_troske",
    "change",
    "collapse",
    "compute_measures",
    "corrected_dissimilarity",
    "correlation",
    "decile_crosstab",
    "dissimilarity",
    "effective_number",
    "expected_dissimilarity",
    "exposure",
    "get_measure",
    "get_preset",
    "isolation",
    "multigroup_dissimilarity",
    "rank_and_decile",
    "read_units",
    "recode_parents",
    "run_preset",
    "select_deciles",
    "shannon",
    "simpson",
    "theil_h",
    "undefined_reasons",
]
