"""Shared test fixtures.

Real open data live in ``../shared/data`` beside the repository (never copied into it). Tests that
need them use the ``shared_data`` fixture, which skips with a clear reason when the folder is
absent. ``SOCINT_SHARED_DATA`` overrides the location.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _shared_data import REPO_ROOT, SHARED_DATA, shared_path  # noqa: F401


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ``../shared/data`` folder; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the shared open data folder {SHARED_DATA} (absent on this machine)")
    return SHARED_DATA


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests that use ``shared_data`` so ``-m 'not shared_data'`` works."""
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared_data)
