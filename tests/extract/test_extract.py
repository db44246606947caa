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

NEEDED = {  # what `socint run` reads from the extract (issue 11 §5)
    *(f"source{c}_{part}" for c in (2011, 2021)
      for part in ("frame", "la_covariates", "las", "meta", "msoa_covariates", "msoas",
                   "units0")),
    "source2021_units1", "lookup_lsoa21_msoa21_lad21", "lookup_lad22_lad23", "area_codes",
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
        if e["kind"] == "run input":
            continue
        obj = load(name)
        n = len(obj["features"]) if isinstance(obj, dict) else len(obj)
        assert n == e["rows"], name
    from socint.extract.snapshot import bundled_source
    from socint.pipeline import area_measures

    src = bundled_source(2011)
    la, _ = area_measures(src)
    m = la.set_index("lad_code")
    assert len(m) == 326 and len(src.msoas) == 6791
    assert round(m.loc["E09000001", "edi"], 3) == 0.627
    assert round(m.loc["E09000001", "dissimilarity"], 1) == 24.8
    assert round(m.loc["E07000008", "edi"], 3) == 0.535
    assert round(m.loc["E07000008", "dissimilarity"], 1) == 15.0
    s21 = bundled_source(2021)
    assert len(s21.las) == 309 and len(s21.msoas) == 6856
    assert len(s21.la_boundaries["features"]) == 309  # type: ignore[index]


def test_scenario_tampered_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    shutil.copytree(data_dir(), folder)
    p = folder / manifest()["files"]["lookup_lad22_lad23"]["file"]
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(InputDataError, match="does not match its checksum"):
        load("lookup_lad22_lad23", folder)
    from socint.extract.snapshot import bundled_source

    q = folder / manifest()["files"]["source2021_msoas"]["file"]
    q.write_bytes(q.read_bytes()[:-5])
    with pytest.raises(InputDataError, match="does not match its checksum"):
        bundled_source(2021, str(folder))
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
