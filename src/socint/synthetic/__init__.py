"""The built-in synthetic England: invented areas, people and a trust survey, fully offline.

``generate_england(seed)`` returns a frozen :class:`SyntheticEngland` with ~310 LAs in the nine
real regions, ~3,000 MSOAs and ~15,000 LSOAs (synthetic GSS codes from instance 900001),
ethnic and proficiency counts, deprivation and rurality, map-like boundaries, a post-
stratification frame, a finite adult population, a clustered survey drawn from the published
Model 3 of Bright Blue (2019), and the truth (parameters, random effects, true area shares) the
later stages are checked against. See ``docs/synthetic.md``.
"""

from __future__ import annotations

from socint.synthetic.england import SyntheticEngland, generate_england
from socint.synthetic.truth import SyntheticTruth
from socint.synthetic.wave import second_wave

__all__ = ["SyntheticEngland", "SyntheticTruth", "generate_england", "second_wave"]
