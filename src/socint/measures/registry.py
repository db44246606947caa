"""The explicit registry of area measures: name -> function, description, reference.

The CLI (``socint measures``) and the report look measures up here, so a new measure is one
function plus one :class:`Measure` entry. Diversity measures are *row* functions (one value per
unit or area, rolled up by :mod:`socint.measures.compute`); segregation measures take units and
a parent index and return one value per area.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from socint.errors import InputDataError, _preview
from socint.measures import bias, diversity, segregation


@dataclass(frozen=True)
class Measure:
    """One registered measure.

    Parameters
    ----------
    name
        Registry key (also the default output column).
    kind
        ``"diversity"`` (composition of one population; rolled up pooled or as a weighted mean)
        or ``"segregation"`` (unevenness of groups across the units of an area).
    function
        The implementation (see the module docstring for its call convention).
    description
        One line for tables and ``--help``.
    reference
        The source of the definition.
    groups
        Which of ``group``/``other`` the measure takes (two-group indices).
    options
        Other keyword options it accepts (e.g. ``fpc``, ``n_sim``, ``seed``).
    """

    name: str
    kind: Literal["diversity", "segregation"]
    function: Callable[..., Any]
    description: str
    reference: str
    groups: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


_MD = "Massey & Denton (1988), Social Forces 67:281-315"
_RF = "Reardon & Firebaugh (2002), Sociological Methodology 32:33-67"

_ENTRIES = (
    Measure("simpson", "diversity", diversity.simpson,
            "Simpson's diversity: probability two random residents are in different groups",
            "Simpson (1949), Nature 163:688; Bright Blue (2019) Ethnic Diversity Index",
            options=("fpc",)),
    Measure("shannon", "diversity", diversity.shannon,
            "Shannon entropy of the group shares (natural log)",
            "Shannon (1948), Bell System Technical Journal 27:379-423"),
    Measure("effective_number", "diversity", diversity.effective_number,
            "Effective number of groups, exp(Shannon entropy)",
            "Jost (2006), Oikos 113:363-375"),
    Measure("dissimilarity", "segregation", segregation.dissimilarity,
            "Index of Dissimilarity D of a group vs the rest (or vs another group)",
            "Duncan & Duncan (1955), American Sociological Review 20:210-217",
            groups=("group", "other")),
    Measure("multigroup_dissimilarity", "segregation", segregation.multigroup_dissimilarity,
            "Multigroup Index of Dissimilarity over all groups", _RF),
    Measure("isolation", "segregation", segregation.isolation,
            "Isolation index xPx: own-group share in a typical member's unit", _MD,
            groups=("group",)),
    Measure("exposure", "segregation", segregation.exposure,
            "Exposure (interaction) index xPy: other-group share in a typical member's unit",
            _MD, groups=("group", "other")),
    Measure("theil_h", "segregation", segregation.theil_h,
            "Theil's information theory index H (share of entropy between units)",
            "Theil & Finizza (1971), J. Math. Sociology 1:187-193; " + _RF),
    Measure("expected_dissimilarity", "segregation", bias.expected_dissimilarity,
            "Expected D under random (hypergeometric) allocation to units",
            "Carrington & Troske (1997), J. Business & Economic Statistics 15:402-409",
            groups=("group", "other"), options=("n_sim", "seed", "method")),
    Measure("corrected_dissimilarity", "segregation", bias.corrected_dissimilarity,
            "Bias-corrected D, (D - D*) / (1 - D*) against random allocation",
            "Carrington & Troske (1997), J. Business & Economic Statistics 15:402-409",
            groups=("group", "other"), options=("n_sim", "seed")),
    Measure("bootstrap_corrected_dissimilarity", "segregation",
            bias.bootstrap_corrected_dissimilarity,
            "Bootstrap bias-corrected D, 2D - mean(D_b)",
            "Allen, Burgess, Davidson & Windmeijer (2015), Econometrics Journal 18:40-66",
            groups=("group", "other"), options=("n_boot", "seed")),
)

#: name -> :class:`Measure`, in a stable order.
MEASURES: Mapping[str, Measure] = MappingProxyType({m.name: m for m in _ENTRIES})


def get_measure(name: str) -> Measure:
    """Look a measure up by name; the error lists the registered names."""
    try:
        return MEASURES[name]
    except KeyError:
        raise InputDataError(
            f"measure {name!r} is not registered; registered measures: {_preview(MEASURES)}",
            hint="use one of the listed names (see `socint measures --help`)",
        ) from None


__all__ = ["MEASURES", "Measure", "get_measure"]
