"""The official-data source on the real files in ../shared/data: geography, measures, errors.

References: the published Bright Blue 2019 LA figures (City of London, Cambridge), hand-computed
Simpson's index from the raw TS021 row, ONS LA counts (309 LTLA21 in England, 326 in 2011).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from socint.errors import InputDataError
from socint.official import (
    FolderTables,
    geography_2021,
    geography_and_measures_2011,
    measures_2021,
)
from socint.pipeline import area_measures
from socint.published import PUBLISHED_LA_MEASURES


@pytest.fixture(scope="module")
def tables(shared_data: Path) -> FolderTables:
    return FolderTables.scan(shared_data)


def _measures(measures: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    from types import SimpleNamespace

    return area_measures(SimpleNamespace(measures=measures))  # type: ignore[arg-type]


def test_2021_geography_and_measures(tables: FolderTables, shared_data: Path) -> None:
    geo, lsoa, _ = geography_2021(tables)
    assert len(geo.las) == 309 and geo.las["region_code"].notna().all()
    assert len(geo.msoas) == 6856 and set(geo.msoas["lad_code"]) == set(geo.las["lad_code"])
    inputs, _ = measures_2021(tables, geo, lsoa)
    la, msoa = _measures(inputs)
    assert len(la) == 309 and la["edi"].between(0, 1).all()
    raw = pd.read_csv(shared_data / "census2021_demographr" / "ethnicity21_msoa21.csv")
    row = raw.loc[raw["msoa21_code"] == "E02000001"].iloc[0]
    counts = row.drop(["msoa21_code", "total_residents"]).to_numpy(dtype=float)
    p = counts / counts.sum()
    city = msoa.set_index("msoa_code").loc["E02000001", "edi"]
    assert city == pytest.approx(1 - (p ** 2).sum(), abs=1e-12)
    assert "NOT Bright Blue" in " ".join(i.description for i in inputs)


def test_2011_reproduces_the_published_la_measures(tables: FolderTables) -> None:
    geo, inputs, _ = geography_and_measures_2011(tables)
    assert len(geo.las) == 326 and geo.las["region_code"].notna().all()
    la, _ = _measures(inputs)
    tab = la.set_index("lad_code")
    for code, pub in PUBLISHED_LA_MEASURES.items():
        assert tab.loc[code, "edi"] == pytest.approx(pub["edi"], abs=5e-4)
        assert tab.loc[code, "dissimilarity"] == pytest.approx(pub["dissimilarity"], abs=5e-2)


def test_missing_table_names_it_the_census_and_where_to_get_it(shared_data: Path,
                                                             tmp_path: Path) -> None:
    src = shared_data / "geographr_2021_lookups_boundaries"
    for name in ("lookup_ltla21_region21.csv", "lookup_lsoa21_msoa21_ltla22.csv"):
        shutil.copy(src / name, tmp_path / name)
    geo, lsoa, _ = geography_2021(FolderTables.scan(tmp_path))
    with pytest.raises(InputDataError) as exc:
        measures_2021(FolderTables.scan(tmp_path), geo, lsoa)
    text = str(exc.value)
    assert "Census 2021" in text and "TS021" in text and "MSOA" in text
    assert "nomisweb" in text
