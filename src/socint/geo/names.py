"""Matching local-authority names to GSS codes, robust to ONS naming variants.

Some official files carry LA *names* only (e.g. the Census 2011 OA/LSOA ethnicity file of the
MLID package). ONS products spell the same LA in several ways — "Bristol, City of", "City of
Bristol", "Bristol"; "King's Lynn and West Norfolk" with a straight or curly apostrophe, or with
"&"; "St Albans" / "St. Albans" / "Saint Albans"; "The Vale of Glamorgan" / "Vale of Glamorgan"
— and a few LAs were renamed (Shepway became Folkestone and Hythe in 2018; Tewkesbury appears as
North Gloucestershire in later ONS lookups; codes unchanged). Names are
reduced to a normalised key (:func:`normalise_la_name`), former names and spelling variants are
folded together by an alias table, and each name is looked up among the reference names' keys.
Anything unmatched or ambiguous is reported in one error with the closest candidates
(``difflib``, Ratcliff-Obershelp similarity), so a file can be fixed in one pass.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping

import pandas as pd

from socint.errors import GeographyError, _preview

#: Former names and spelling variants -> the name used in current ONS products. Keys and values
#: are normalised before use, so either side may be given in any ONS spelling.
DEFAULT_ALIASES: dict[str, str] = {
    "Shepway": "Folkestone and Hythe",  # renamed 1 April 2018, code E07000112 kept
    "Tewkesbury": "North Gloucestershire",  # later name in ONS lookups, code E07000083 kept
    "Rhondda Cynon Taff": "Rhondda Cynon Taf",  # both spellings occur in ONS files
    "Anglesey": "Isle of Anglesey",
    "Hull": "Kingston upon Hull",
    "Durham": "County Durham",
}

_QUALIFIER_SUFFIX = re.compile(r",\s*(the|city of|county of|county|city and county of)$")
_QUALIFIER_PREFIX = re.compile(r"^(the|city of|county of|city and county of)\s+")
_SAINT = re.compile(r"\b(saint|st)\b\.?")


def normalise_la_name(name: str) -> str:
    """Reduce an LA name to a key that is equal for every ONS spelling of the same LA.

    Steps: Unicode compatibility decomposition with accents dropped; lower case; curly
    apostrophes and quotes straightened then dropped; "&" -> "and"; "Saint"/"St." -> "st";
    hyphens and other punctuation -> spaces; a trailing ", City of" / ", County of" / ", The"
    or a leading "City of" / "County of" / "The" dropped; whitespace collapsed.
    "City of London" keeps its "city of" (it is the LA's name, not a qualifier) — it would
    otherwise be reduced to "london".

    Examples
    --------
    >>> normalise_la_name("Bristol, City of") == normalise_la_name("City of Bristol")
    True
    >>> normalise_la_name("King’s Lynn & West Norfolk")
    'kings lynn and west norfolk'
    """
    if not isinstance(name, str):
        raise GeographyError(
            f"an LA name must be text, received {name!r} ({type(name).__name__})",
            hint="drop or fill missing names before matching",
        )
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"['’‘`´\"“”]", "", s)
    s = s.replace("&", " and ")
    s = _SAINT.sub("st ", s)
    s = re.sub(r"\s+", " ", s).strip()
    if s == "city of london" or s == "london, city of":
        return "city of london"
    s = _QUALIFIER_SUFFIX.sub("", s)
    s = _QUALIFIER_PREFIX.sub("", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _alias_keys(aliases: Mapping[str, str]) -> dict[str, str]:
    """Normalised alias key -> canonical normalised key (chains followed)."""
    out = {normalise_la_name(k): normalise_la_name(v) for k, v in aliases.items()}
    for k in list(out):
        seen = {k}
        while out[k] in out and out[k] not in seen:
            seen.add(out[k])
            out[k] = out[out[k]]
    return out


def match_la_names(
    names: Iterable[str] | pd.Series,
    reference: pd.DataFrame,
    *,
    name_col: str = "lad_name",
    code_col: str = "lad_code",
    aliases: Mapping[str, str] | None = None,
) -> pd.Series:
    """Map LA names to codes using a reference table of names and codes.

    Parameters
    ----------
    names
        The names to match (a Series keeps its index; repeats are fine).
    reference
        One row per LA (repeats of the same name-code pair are fine), e.g. QS201EW's
        ``geography``/``geography code`` or an LTLA lookup renamed to ``lad_name``/``lad_code``.
    name_col, code_col
        Columns of ``reference`` holding names and codes.
    aliases
        Extra ``{variant or former name: current name}`` pairs, added to
        :data:`DEFAULT_ALIASES` (e.g. ``{"Shepway": "Folkestone and Hythe"}``).

    Returns
    -------
    pandas.Series
        Codes aligned with ``names``, named ``code_col``.

    Raises
    ------
    GeographyError
        Listing every name that matches no reference name, or matches names with different
        codes (ambiguous — e.g. a reference spanning two vintages), with the closest candidates.
    """
    for col in (name_col, code_col):
        if col not in reference.columns:
            raise GeographyError(
                f"reference has no column {col!r}; it has {', '.join(map(str, reference.columns))}",
                hint="pass name_col= and code_col= naming the reference's name and code columns",
            )
    s = names.copy() if isinstance(names, pd.Series) else pd.Series(list(names), dtype="object")
    alias = _alias_keys({**DEFAULT_ALIASES, **(aliases or {})})

    def key(n: str) -> str:
        k = normalise_la_name(n)
        return alias.get(k, k)

    ref = reference.loc[:, [name_col, code_col]].dropna().drop_duplicates()
    ref_keys = ref[name_col].map(key)
    by_key: dict[str, set[str]] = {}
    shown: dict[str, list[str]] = {}
    for k, n, c in zip(ref_keys, ref[name_col], ref[code_col], strict=True):
        by_key.setdefault(k, set()).add(str(c))
        shown.setdefault(k, []).append(f"{n} ({c})")
    problems: list[str] = []
    found: dict[str, str] = {}
    for n in pd.unique(s.dropna()):
        k = key(n)
        codes = by_key.get(k, set())
        if len(codes) == 1:
            found[n] = next(iter(codes))
        elif len(codes) > 1:
            problems.append(f"{n!r} is ambiguous: {', '.join(sorted(shown[k]))}")
        else:
            near = difflib.get_close_matches(k, list(by_key), n=3, cutoff=0.6)
            cands = "; ".join(", ".join(shown[c]) for c in near) or "no close name"
            problems.append(f"{n!r} (closest: {cands})")
    if s.isna().any():
        problems.append(f"{int(s.isna().sum())} missing name(s)")
    if problems:
        raise GeographyError(
            f"{len(problems)} LA name(s) could not be matched to one code: "
            + _preview(problems, 50),
            column=name_col,
            hint="fix the spelling, restrict the reference to one LA vintage, or pass "
            "aliases={'name in file': 'name in reference'}",
        )
    return s.map(found).rename(code_col)


__all__ = ["DEFAULT_ALIASES", "match_la_names", "normalise_la_name"]
