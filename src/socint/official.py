"""The official-data source: real England from the official tables (placeholder until wired).

Builds :class:`socint.sources.SourceData` for Census 2011 or 2021 from a folder of official
files or the bundled real-England extract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import InputDataError
from socint.sources import SourceData


def official_source(census: int, *, data: Path | None = None,
                    lad_vintage: int | None = None) -> SourceData:
    """Real England for ``census`` from ``data`` (a folder) or the bundled extract."""
    raise InputDataError("the official-data source is not available in this build",
                         hint="run `socint demo` for the synthetic England")


def official_change(config: Any, source: SourceData, index: Any) -> pd.DataFrame | None:
    """2011 → 2021 change on harmonised LAs (official data)."""
    return None


__all__ = ["official_change", "official_source"]
