"""Where the shared open data live for the tests (``../shared/data``), and ``shared_path``.

Kept out of ``conftest.py`` so that test folders with their own ``conftest.py`` can re-export
``shared_path`` (pytest imports every ``conftest.py`` as the module ``conftest``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SOCINT_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def shared_path(*parts: str) -> Path:
    """Path of a file under ``../shared/data``; skips the calling test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the shared open data ({path} not found; set SOCINT_SHARED_DATA)")
    return path
