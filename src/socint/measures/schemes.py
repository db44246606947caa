"""Category schemes for ethnicity and religion counts, and how to collapse one into another.

A *scheme* is an ordered tuple of canonical category names (see ``docs/architecture.md``).
Counts read in a fine scheme (e.g. the 18 detailed 2011 Census groups) can be collapsed into a
coarser one (the five broad groups, the trust survey's six groups, White British vs all others)
by summing columns. A mapping may also *exclude* a category (map it to ``None``): the Bright Blue
(2019) Ethnic Diversity Index, for instance, is computed over the 14 groups of the MLID file,
without the derived Gypsy/Irish Traveller group (see ``docs/methods/diversity.md``).

Sources: ONS 2011 Census table QS201EW / KS201EW ethnic group classification; ONS Census 2021
TS021 ethnic group classification; Bright Blue (2019) for the survey's six groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from socint.data.table import SCHEMES as _DATA_SCHEMES
from socint.errors import InputDataError, _preview

_MLID_2011 = _DATA_SCHEMES["ethnicity_2011_mlid"]

#: Every scheme socint knows: name -> ordered canonical categories. The schemes the readers
#: produce are defined once, in :data:`socint.data.table.SCHEMES`; measures add the two
#: analysis schemes (MLID without Gypsy/Traveller, and White British vs all others).
SCHEMES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **_DATA_SCHEMES,
        "ethnicity_2011_mlid14": tuple(c for c in _MLID_2011 if c != "white_gypsy_traveller"),
        "ethnicity_white_british": ("white_british", "other"),
    }
)


def _broad_of(category: str) -> str:
    """Broad 2011/2021 group of a detailed category (``asian_indian`` -> ``asian``)."""
    return category.split("_", 1)[0]


def _survey6_of(category: str) -> str:
    """Survey group of a detailed category: the broad group, with Chinese on its own."""
    return "chinese" if category == "asian_chinese" else _broad_of(category)


def _white_british_of(category: str) -> str:
    return "white_british" if category == "white_british" else "other"


def _build_maps() -> dict[tuple[str, str], dict[str, str | None]]:
    maps: dict[tuple[str, str], dict[str, str | None]] = {}
    fine = ("ethnicity_2011_detailed", "ethnicity_2011_mlid", "ethnicity_2021_detailed")
    for src in fine:
        cats = SCHEMES[src]
        maps[(src, "ethnicity_broad")] = {c: _broad_of(c) for c in cats}
        maps[(src, "ethnicity_white_british")] = {c: _white_british_of(c) for c in cats}
        if src != "ethnicity_2021_detailed":
            maps[(src, "ethnicity_survey6")] = {c: _survey6_of(c) for c in cats}
        else:
            maps[(src, "ethnicity_2021_broad")] = {c: _broad_of(c) for c in cats}
    maps[("ethnicity_2011_detailed", "ethnicity_2011_mlid")] = {
        c: ("mixed" if c.startswith("mixed") else c)
        for c in _DATA_SCHEMES["ethnicity_2011_detailed"]
    }
    drop_gt = {c: (None if c == "white_gypsy_traveller" else c) for c in _MLID_2011}
    maps[("ethnicity_2011_mlid", "ethnicity_2011_mlid14")] = drop_gt
    maps[("ethnicity_2021_msoa6", "ethnicity_2021_broad")] = {
        "asian": "asian", "black_african": "black", "black_caribbean": "black",
        "mixed": "mixed", "white": "white", "other": "other",
    }
    for name, cats in SCHEMES.items():
        maps[(name, name)] = {c: c for c in cats}
    return maps


#: Supported collapses: (from scheme, to scheme) -> {category: target category or None}.
COLLAPSES: Mapping[tuple[str, str], Mapping[str, str | None]] = MappingProxyType(_build_maps())


def check_scheme(name: str) -> tuple[str, ...]:
    """Return the categories of scheme ``name``; raise a clear error for an unknown name."""
    if name not in SCHEMES:
        raise InputDataError(
            f"category scheme {name!r} is unknown; known schemes: {_preview(sorted(SCHEMES))}",
            hint="use one of the listed scheme names",
        )
    return SCHEMES[name]


def check_categories(categories: Sequence[str], scheme: str, *, file: str | None = None) -> None:
    """Check that every category name belongs to ``scheme`` (and none is repeated)."""
    allowed = check_scheme(scheme)
    unknown = [c for c in categories if c not in allowed]
    if unknown:
        raise InputDataError(
            f"{len(unknown)} category name(s) are not in scheme {scheme!r}: {_preview(unknown)}; "
            f"allowed: {_preview(allowed, limit=30)}",
            file=file,
            column=unknown[0],
            hint="rename the categories to the canonical names of the scheme, or pick the "
            "scheme the table really uses",
        )
    dup = sorted({c for c in categories if list(categories).count(c) > 1})
    if dup:
        raise InputDataError(
            f"category name(s) appear more than once: {_preview(dup)}",
            file=file,
            column=dup[0],
            hint="each category must be a single column",
        )


def collapse(
    counts: npt.ArrayLike,
    categories: Sequence[str],
    from_scheme: str,
    to_scheme: str,
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Collapse a units x categories count matrix from one scheme into another.

    Parameters
    ----------
    counts
        Matrix of shape ``(n_units, len(categories))``.
    categories
        Column names of ``counts``, all in ``from_scheme`` (a subset is allowed).
    from_scheme, to_scheme
        Scheme names; the pair must be in :data:`COLLAPSES`.

    Returns
    -------
    matrix, categories
        The collapsed matrix (columns in ``to_scheme`` order) and its categories. Categories
        mapped to ``None`` (excluded) are dropped.
    """
    check_categories(categories, from_scheme)
    check_scheme(to_scheme)
    mapping = COLLAPSES.get((from_scheme, to_scheme))
    if mapping is None:
        targets = sorted(t for (s, t) in COLLAPSES if s == from_scheme and t != s)
        raise InputDataError(
            f"cannot collapse scheme {from_scheme!r} into {to_scheme!r}; from {from_scheme!r} "
            f"socint can collapse into: {_preview(targets) or 'nothing'}",
            hint="choose a coarser scheme reachable from the table's scheme",
        )
    m = np.asarray(counts, dtype=np.int64)
    target_cats = SCHEMES[to_scheme]
    out = np.zeros((m.shape[0], len(target_cats)), dtype=np.int64)
    pos = {c: i for i, c in enumerate(target_cats)}
    for j, cat in enumerate(categories):
        tgt = mapping[cat]
        if tgt is not None:
            out[:, pos[tgt]] += m[:, j]
    return out, target_cats


__all__ = ["COLLAPSES", "SCHEMES", "check_categories", "check_scheme", "collapse"]
