"""Fixtures of the microdata tests: a synthetic survey and its archive-style files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from _microdata_archive import MAPPING, canonical, encode, with_faults, write_archive

from _shared_data import shared_path  # noqa: F401  (re-exported: conftest is one module)


@pytest.fixture(scope="session")
def england() -> Any:
    from socint.synthetic import generate_england

    return generate_england(11, scale=0.1, survey_size=2000)


@pytest.fixture(scope="session")
def original(england: Any) -> pd.DataFrame:
    """The canonical respondent table the archive files encode."""
    return canonical(england.survey)


@pytest.fixture(scope="session")
def lookup(england: Any) -> pd.DataFrame:
    """MSOA → LAD of the synthetic England (standing in for the 2011 lookup)."""
    return england.lookup[["msoa_code", "lad_code"]].drop_duplicates()


@pytest.fixture(scope="session")
def archive(original: pd.DataFrame) -> pd.DataFrame:
    return with_faults(encode(original))


@pytest.fixture(scope="session")
def files(archive: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("archive")
    out = {ext: write_archive(archive, folder / f"survey.{ext}") for ext in ("sav", "dta")}
    (folder / "survey.yaml").write_text(yaml.safe_dump(MAPPING, sort_keys=False))
    out["map"] = folder / "survey.yaml"
    return out
