"""socint: measure social integration across England's local areas.

The data flow (see ``socint.pipeline``) runs from official tables to the published index:
``data`` (readers) -> ``geo`` (codes, vintages) -> ``measures`` (diversity, segregation) ->
``models`` (multilevel trust model) -> ``estimates`` (small-area trust) -> ``composite``
(Social Integration Index) -> ``report`` (exports, figures, dashboard).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
