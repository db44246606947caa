"""Official tables read once per session for the covariates tests (skips without shared data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from socint.covariates import DATASETS, collect_tables
from socint.data import OfficialTable


@pytest.fixture(scope="session")
def tables(shared_data: Path) -> dict[str, OfficialTable]:
    """Every table the covariates can use, keyed by dataset id, read from ../shared/data."""
    return collect_tables(shared_data, list(DATASETS), census=2021)
