"""The bundled real-England extract: limits, manifest, checksums, and a byte-identical rebuild.

References: the published Bright Blue (2019) figures (City of London EDI 0.627, ID 24.8;
Cambridge 0.535, 15.0) recomputed from the bundled tables; the rebuild from ../shared/data.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from socint.errors import InputDataError
from socint.extract import available, data_dir, load, manifest
from socint.extract.build import build
from socint.extract.common import ATTRIBUTION, OS_ATTRIBUTION
from socint.extract.tables import official_table, unit_counts

NEEDED = {  # what `socint run` and the covariates need (issue 11 §5)
    "ethnicity2011_oa", "ethnicity2011_msoa", "ethnicity2011_lad_qs201ew", "dc2101ew_lad",
    "iod2019_lsoa11", "iod2019_msoa11", "iod2019_lad19", "ruc2011_lsoa11",
    "population2019_msoa11_age", "population2011_lsoa11", "ethnicity2021_lsoa21",
    "ethnicity2021_msoa21", "ethnicity2021_lad21", "proficiency2021_msoa21", "age6_msoa21",
    "lookup_lsoa11_lsoa21", "lookup_lsoa21_msoa21_lad21", "lookup_lad21_region",
    "lookup_lad11_region", "lookup_lad22_lad23", "la_changes", "area_codes",
    "boundaries_lad2011", "boundaries_lad2019", "boundaries_lad2021", "boundaries_lad2023",
    "boundaries_msoa2011", "boundaries_msoa2021",
}


def test_limits_and_manifest() -> None:
    files = manifest()["files"]
    assert set(files) == NEEDED == set(available())
    sizes = {p.name: p.stat().st_size for p in data_dir().iterdir() if p.name != "__init__.py"}
    assert max(sizes.values()) <= 2_000_000
    assert sum(sizes.values()) <= 10_000_000
    for name, e in files.items():
        assert e["licence"] == "Open Government Licence v3.0"
        assert e["attribution"].startswith(ATTRIBUTION)
        assert (OS_ATTRIBUTION in e["attribution"]) == name.startswith("boundaries_")
        assert e["sources"] and all(len(s["sha256"]) == 64 for s in e["sources"])
        assert sizes[e["file"]] == e["bytes"]


def test_rows_match_manifest_and_published_figures() -> None:
    for name, e in manifest()["files"].items():
        obj = load(name)
        n = len(obj["features"]) if isinstance(obj, dict) else len(obj)
        assert n == e["rows"], name
    from socint.measures.compute import compute_measures
    from socint.measures.presets import BRIGHT_BLUE_2019

    edi_spec, id_spec = BRIGHT_BLUE_2019.specs
    d = compute_measures(unit_counts("ethnicity2011_oa"), [id_spec], area_level="lad")
    e = compute_measures(unit_counts("ethnicity2011_msoa"), [edi_spec], area_level="lad")
    m = d.merge(e, on="area_code").set_index("area_code")
    assert len(m) == 326
    assert round(m.loc["E09000001", "edi"], 3) == 0.627
    assert round(m.loc["E09000001", "dissimilarity"], 1) == 24.8
    assert round(m.loc["E07000008", "edi"], 3) == 0.535
    assert round(m.loc["E07000008", "dissimilarity"], 1) == 15.0


def test_official_table_equivalents() -> None:
    t = official_table("ethnicity2021_msoa21")
    assert (t.kind, t.level, t.vintage, t.scheme) == ("counts", "msoa", 2021,
                                                      "ethnicity_2021_msoa6")
    assert t.areas is not None and "lad_code" in t.areas.columns
    assert t.data.groupby("area_code")["count"].sum().sum() == load(
        "ethnicity2021_msoa21")["total"].sum()
    with pytest.raises(InputDataError, match="not a counts or attributes table"):
        official_table("lookup_lad21_region")


def test_scenario_tampered_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    shutil.copytree(data_dir(), folder)
    p = folder / manifest()["files"]["lookup_lad21_region"]["file"]
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(InputDataError, match="does not match its checksum"):
        load("lookup_lad21_region", folder)
    with pytest.raises(InputDataError, match="has no table 'nope'"):
        load("nope")


def test_rebuild_is_byte_identical(shared_data: Path, tmp_path: Path) -> None:
    """The shipped extract is exactly what scripts/build_extract.py makes from the files."""
    out = tmp_path / "extract"
    rebuilt = build(shared_data, out)
    shipped = json.loads((data_dir() / "MANIFEST.json").read_text(encoding="utf-8"))
    assert rebuilt == shipped
    for e in shipped["files"].values():
        assert (out / e["file"]).read_bytes() == (data_dir() / e["file"]).read_bytes()
    assert isinstance(load("area_codes", out), pd.DataFrame)
