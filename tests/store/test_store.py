"""The embedded DuckDB store: provenance, idempotent re-ingest, refusal, atomicity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socint.data.table import OGL, ONS, OfficialTable, areas_frame, counts_long
from socint.errors import StoreError
from socint.store import Store, sha256_file


def _table(tmp_path: Path, counts: np.ndarray, name: str = "small.csv") -> OfficialTable:
    """A two-area broad-ethnicity counts table backed by a real file (for its checksum)."""
    path = tmp_path / name
    path.write_text("area," + ",".join(map(str, counts.ravel())) + "\n")
    codes = np.array(["E01000001", "E01000002"], dtype=object)
    return OfficialTable(
        dataset="test_ethnicity_lsoa", kind="counts", level="lsoa", vintage=2011,
        topic="ethnicity", scheme="ethnicity_broad", data=counts_long(codes, counts,
                                                                       "ethnicity_broad"),
        areas=areas_frame(codes, level="lsoa", vintage=2011, total=counts.sum(axis=1)),
        source=ONS, licence=OGL, path=path, sha256=sha256_file(path),
    )


def test_ingest_records_provenance_and_round_trips(tmp_path: Path) -> None:
    counts = np.array([[10, 2, 3, 4, 1], [5, 5, 5, 5, 0]])
    table = _table(tmp_path, counts)
    store = Store(tmp_path / "s.duckdb")
    result = store.ingest_table(table)
    assert result.action == "loaded"
    assert result.rows == 10
    prov = store.provenance("test_ethnicity_lsoa")
    assert prov["sha256"] == table.sha256
    assert prov["licence"] == OGL
    assert prov["rows"] == 10
    back = store.read("test_ethnicity_lsoa")
    wide = back.pivot(index="area_code", columns="category", values="count")
    assert wide.loc["E01000001", "white"] == 10
    assert int(back["count"].sum()) == int(counts.sum())
    areas = store.read("test_ethnicity_lsoa", "areas")
    assert areas["total"].tolist() == [20, 20]


def test_reingest_same_file_is_noop_and_conflict_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    first = _table(tmp_path, np.array([[10, 2, 3, 4, 1], [5, 5, 5, 5, 0]]))
    store.ingest_table(first)
    assert store.ingest_table(first).action == "unchanged"
    other = _table(tmp_path, np.array([[11, 2, 3, 4, 1], [5, 5, 5, 5, 0]]), name="other.csv")
    with pytest.raises(StoreError, match="already loaded from a different file"):
        store.ingest_table(other)
    assert store.provenance("test_ethnicity_lsoa")["sha256"] == first.sha256
    assert store.ingest_table(other, replace=True).action == "replaced"
    assert store.provenance("test_ethnicity_lsoa")["sha256"] == other.sha256


def test_failed_ingest_leaves_store_as_it_was(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    good = _table(tmp_path, np.array([[10, 2, 3, 4, 1], [5, 5, 5, 5, 0]]))
    store.ingest_table(good)
    before_status = store.status()
    before_data = store.read("test_ethnicity_lsoa")

    replacement = _table(tmp_path, np.array([[1, 1, 1, 1, 1], [2, 2, 2, 2, 2]]), name="new.csv")
    # An areas column DuckDB cannot store makes the load fail after the data table was replaced
    # inside the transaction: the rollback must restore the old tables and provenance.
    bad_areas = replacement.areas.copy() if replacement.areas is not None else pd.DataFrame()
    bad_areas["broken"] = [b"x", 1.5]  # bytes and a float: DuckDB refuses the cast
    broken = OfficialTable(**{**replacement.__dict__, "areas": bad_areas})
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's own conversion error
        store.ingest_table(broken, replace=True)
    pd.testing.assert_frame_equal(store.status(), before_status)
    pd.testing.assert_frame_equal(store.read("test_ethnicity_lsoa"), before_data)


def test_status_of_missing_store_is_empty(tmp_path: Path) -> None:
    assert Store(tmp_path / "none.duckdb").status().empty
    with pytest.raises(StoreError, match="no store"):
        Store(tmp_path / "none.duckdb").read("x")
