"""One exception hierarchy for socint.

Every error says what was received, where (file, row, column, area code) and how to fix it,
so that a user can act on the message without reading the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def _preview(items: Iterable[object], limit: int = 20) -> str:
    """Render up to ``limit`` items and say how many more there are."""
    items = list(items)
    shown = ", ".join(repr(i) if not isinstance(i, str) else i for i in items[:limit])
    if len(items) > limit:
        shown += f", … ({len(items) - limit} more)"
    return shown


class SocintError(Exception):
    """Base class of every error socint raises on purpose.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    file, row, column, code
        Where it is wrong, when known. ``row`` is the 1-based data row (header excluded).
    hint
        How to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.code = code
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.code is not None:
            where.append(f"area code {self.code}")
        text = self.message
        if where:
            text += " [" + ", ".join(where) + "]"
        if self.hint:
            text += f"\nHow to fix: {self.hint}"
        return text


class InputDataError(SocintError):
    """A table's content is wrong: bad counts, duplicates, totals that do not add up."""


class SchemaError(InputDataError):
    """A file's layout is not one socint knows, or required columns are missing."""


class GeographyError(SocintError):
    """Area codes, levels, vintages or lookups do not fit together."""


class StoreError(SocintError):
    """The embedded store refused an operation (e.g. a conflicting re-ingest)."""


class ModelError(SocintError):
    """The multilevel model cannot be fitted as specified (empty category, separation…)."""


class ConvergenceError(ModelError):
    """An optimiser or iterative procedure did not converge."""


class SocintWarning(UserWarning):
    """Base class of socint's warnings: suspicious but usable input, said once, with a fix."""


class InputDataWarning(SocintWarning):
    """A table was read, but something in it looks wrong (encoding, totals, excess persons)."""


class ExcessPersonsWarning(InputDataWarning):
    """A total exceeds its categories by more than a derived category can plausibly hold."""


class GeographyWarning(SocintWarning):
    """Area codes that do not belong to the table's stated vintage (e.g. a 2021 LA in 2011)."""


class ModelWarning(SocintWarning):
    """A fitted model is usable with care: a singular fit (a variance at the boundary), a
    grouping factor with one level, aliased grouping factors, near-unidentifiable parameters,
    or a prediction on categories not seen in the fit."""


__all__ = [
    "ConvergenceError",
    "ExcessPersonsWarning",
    "GeographyError",
    "GeographyWarning",
    "InputDataError",
    "InputDataWarning",
    "ModelError",
    "ModelWarning",
    "SchemaError",
    "SocintError",
    "SocintWarning",
    "StoreError",
    "_preview",
]
