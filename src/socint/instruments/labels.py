"""Human labels and number formats of the instrument pages (issue 14: no raw codes on a page).

* :func:`label` turns a canonical name (``black_caribbean``, ``no_qualifications``,
  ``criminal_justice``) into words, from :data:`LABELS` or, failing that, by rule;
* :func:`p_value` prints "<0.001" rather than "0.000";
* :func:`interval` prints "−0.25 to −0.17" with true minus signs.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import pandas as pd

#: Labels that the rule (underscores to spaces, first letter capital) would get wrong.
LABELS: dict[str, str] = {
    "white_british": "White British", "white_irish": "White Irish",
    "white_gypsy_traveller": "Gypsy, Roma or Irish Traveller", "white_roma": "Roma",
    "white_other": "Other White", "white": "White",
    "mixed_white_black_caribbean": "Mixed White and Black Caribbean",
    "mixed_white_black_african": "Mixed White and Black African",
    "mixed_white_asian": "Mixed White and Asian", "mixed_other": "Other Mixed",
    "mixed": "Mixed or multiple", "asian_indian": "Indian", "asian_pakistani": "Pakistani",
    "asian_bangladeshi": "Bangladeshi", "asian_chinese": "Chinese", "asian_other": "Other Asian",
    "asian": "Asian", "black_african": "Black African", "black_caribbean": "Black Caribbean",
    "black_other": "Other Black", "black": "Black", "other": "Other ethnic group",
    "other_arab": "Arab", "other_any": "Any other ethnic group",
    "no_qualifications": "No qualifications", "criminal_justice": "Criminal justice",
    "civic_participation": "Civic participation", "voluntary_sector": "Support for the "
    "voluntary sector", "lad": "district", "utla": "upper-tier authority",
    "edi": "Ethnic diversity (EDI)", "dissimilarity": "Residential segregation (D)",
    "trust": "Neighbourhood trust", "composite": "Composite index score",
    "pupils_in_high_fsm_schools": "Pupils in high-poverty schools",
    "aged_65_plus": "Aged 65 and over", "aged_under_16": "Aged under 16",
    "social_renting": "Social renting",
    "stop_and_search_per_pop": "Stop and search per head of population",
    "councillors_per_pop": "Councillors per head of population",
    "div_decile": "MSOA diversity decile", "poor_english": "MSOAs where >30% cannot speak "
    "English well", "family_pct": "% married households with dependent children",
    "income_decile": "income-deprivation decile", "crime_decile": "crime decile",
    "pct65": "% aged 65+", "rural": "rural share of MSOAs", "deprivation": "deprivation",
    "wb_change": "White British population change",
    "did": "Difference-in-differences", "gap": "Gap", "age_band": "age band",
    "cohesion_likert": "Neighbourhood cohesion (1 to 5)", "civic_actions": "Civic actions",
    "likert": "Agreement scale", "binary": "Yes or no", "count": "Count",
    "thermometer": "Feeling thermometer (0 to 100)", "trust_people": "Trust in people",
}


def label(name: Any) -> str:
    """Words for a canonical name; unknown names lose underscores and get a capital."""
    s = str(name)
    if s in LABELS:
        return LABELS[s]
    words = s.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _minus(text: str) -> str:
    return text.replace("-", "\u2212")


def number(value: Any, digits: int = 2) -> str:
    """A number with true minus sign; blank when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else _minus(f"{v:,.{digits}f}")


def p_value(value: Any) -> str:
    """p as "<0.001", or to 3 decimals (2 above 0.1); blank when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    if v < 0.001:
        return "<0.001"
    return f"{v:.2f}" if v >= 0.1 else f"{v:.3f}"


def interval(lower: Any, upper: Any, digits: int = 2, *, percent: bool = False) -> str:
    """"−0.25 to −0.17" (or "41.2% to 45.0%"); blank when either end is missing."""
    try:
        lo, hi = float(lower), float(upper)
    except (TypeError, ValueError):
        return ""
    if math.isnan(lo) or math.isnan(hi):
        return ""
    if percent:
        return _minus(f"{100 * lo:.{digits}f}% to {100 * hi:.{digits}f}%")
    return f"{number(lo, digits)} to {number(hi, digits)}"


@lru_cache(maxsize=1)
def _bundled_la_names() -> dict[str, str]:
    """LA code → name of the bundled ONS lookups (2011 codes first, 2021 names override)."""
    from socint.extract import load

    names: dict[str, str] = {}
    for table in ("source2011_las", "source2021_las"):
        try:
            las = load(table)
        except Exception:  # a missing or damaged extract only loses the names
            continue
        if isinstance(las, pd.DataFrame):
            names.update(zip(las["lad_code"].astype(str), las["lad_name"].astype(str),
                             strict=True))
    return names


def la_name(code: str) -> str | None:
    """The name of an English LA code from the bundled ONS lookups (2021 names where a code
    is in both vintages); ``None`` for a code they do not hold (the page then shows the code)."""
    return _bundled_la_names().get(str(code))
