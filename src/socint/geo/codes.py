"""ONS GSS area codes: validation and level detection.

A GSS code is nine characters: a three-character entity code (country letter + two digits)
and a six-digit instance number, e.g. ``E01000001`` (an English LSOA). The entity tells the
level; see ONS, *Code History Database* / "A beginner's guide to UK geography".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from socint.errors import GeographyError, _preview

#: Entity prefix -> level, for England (E) and Wales (W).
ENTITY_LEVELS: dict[str, str] = {
    "E00": "oa", "W00": "oa",
    "E01": "lsoa", "W01": "lsoa",
    "E02": "msoa", "W02": "msoa",
    "E06": "lad", "E07": "lad", "E08": "lad", "E09": "lad", "W06": "lad",
    "E10": "utla", "E11": "utla",
    "E12": "region",
    "E92": "country", "W92": "country",
}

#: Levels from finest to coarsest.
LEVEL_ORDER: tuple[str, ...] = ("oa", "lsoa", "msoa", "lad", "utla", "region", "country")

_GSS = re.compile(r"^[EWSNK]\d{8}$")

#: Instance numbers from this value up are reserved by socint for synthetic areas (the built-in
#: synthetic England uses E01900001, E02900001, E06900001…). No ONS code comes near them
#: (the highest real LSOA instance is below 040000), so they never clash with real areas and
#: vintage checks treat them as synthetic, not as a later vintage.
SYNTHETIC_INSTANCE_MIN = 900_000


def is_gss(code: object) -> bool:
    """True if ``code`` has the shape of a GSS code (letter + eight digits)."""
    return isinstance(code, str) and bool(_GSS.match(code))


def is_synthetic(code: object) -> bool:
    """True for a well-formed GSS code in socint's synthetic range (instance ≥ 900000)."""
    return is_gss(code) and int(str(code)[3:]) >= SYNTHETIC_INSTANCE_MIN


def detect_level(code: str) -> str:
    """Return the geography level of one GSS code.

    Raises
    ------
    GeographyError
        If the code is malformed or its entity is not one socint handles.
    """
    if not is_gss(code):
        raise GeographyError(
            f"{code!r} is not a GSS area code (expected a letter and 8 digits, e.g. E01000001)",
            code=str(code),
        )
    level = ENTITY_LEVELS.get(code[:3])
    if level is None:
        raise GeographyError(
            f"area code {code} has entity {code[:3]}, which socint does not handle; "
            f"known entities: {', '.join(sorted(ENTITY_LEVELS))}",
            code=code,
        )
    return level


def levels_of(codes: Iterable[str] | pd.Series) -> pd.Series:
    """Vectorised level detection: a Series of levels (NA for unknown or malformed codes)."""
    s = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes, dtype="object")
    ok = s.map(is_gss).astype(bool)
    return s.str.slice(0, 3).map(ENTITY_LEVELS).where(ok)


def validate_codes(
    codes: Iterable[str] | pd.Series,
    *,
    level: str | None = None,
    countries: str = "EW",
    file: str | None = None,
    column: str | None = None,
) -> None:
    """Check that every code is a well-formed GSS code of ``level`` in ``countries``.

    Every offending code is listed (with its 1-based row) in a single error, so that a user can
    fix a file in one pass.
    """
    s = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes.to_list(),
                  dtype="object")
    detected = levels_of(s)
    bad_shape = detected.isna()
    bad_country = ~s.astype(str).str.slice(0, 1).isin(list(countries))
    bad_level = (detected != level) if level is not None else pd.Series(False, index=s.index)
    bad = bad_shape | bad_country | bad_level
    if bad.any():
        idx = np.flatnonzero(bad.to_numpy())
        items = [f"{s.iloc[i]!r} (row {i + 1}, {detected.iloc[i] or 'unrecognised'})" for i in idx]
        want = f"{level} codes" if level else "GSS codes"
        raise GeographyError(
            f"{len(idx)} value(s) are not {want} of countries {countries}: {_preview(items)}",
            file=file,
            column=column,
            code=str(s.iloc[idx[0]]),
            hint="check the column holds area codes of the expected level and country",
        )


__all__ = [
    "ENTITY_LEVELS",
    "LEVEL_ORDER",
    "SYNTHETIC_INSTANCE_MIN",
    "detect_level",
    "is_gss",
    "is_synthetic",
    "levels_of",
    "validate_codes",
]
