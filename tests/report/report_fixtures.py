"""Fixtures of the report tests, imported by each test module that uses them.

(A ``conftest.py`` here would shadow ``tests/conftest.py`` for the other folders' ``from conftest
import shared_path``, because both import as the top-level module ``conftest``.) Test modules
import the ``*_fixture`` functions (registered under the names ``site_inputs``, ``built_site``,
``artifacts``); the site is built once per session even though each module imports the fixture:
the result is cached.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_factory import N_LAS, make_inputs

from socint.report import SiteInputs, SiteResult, build_site

_CACHE: dict[str, object] = {}


@pytest.fixture(scope="session", name="site_inputs")
def site_inputs_fixture() -> SiteInputs:
    """The 40-LA inputs (with every optional table)."""
    if "inputs" not in _CACHE:
        _CACHE["inputs"] = make_inputs(N_LAS)
    inputs = _CACHE["inputs"]
    assert isinstance(inputs, SiteInputs)
    return inputs


@pytest.fixture(scope="session", name="built_site")
def built_site_fixture(site_inputs: SiteInputs, tmp_path_factory: pytest.TempPathFactory
                       ) -> SiteResult:
    """The dashboard of :func:`site_inputs`, figures included, built once per session."""
    if "site" not in _CACHE:
        _CACHE["site"] = build_site(site_inputs, tmp_path_factory.mktemp("report") / "site")
    site = _CACHE["site"]
    assert isinstance(site, SiteResult)
    return site


@pytest.fixture(scope="session", name="artifacts")
def artifacts_fixture() -> Path:
    """``test-artifacts/report`` at the repository root (git-ignored) for screenshots."""
    path = Path(__file__).resolve().parents[2] / "test-artifacts" / "report"
    path.mkdir(parents=True, exist_ok=True)
    return path
