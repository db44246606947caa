"""The layout registry (header sniffing, dispatch) and the OfficialTable helpers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socint.data import KNOWN_LAYOUTS, SCHEMES, OfficialTable, counts_wide, read_official, sniff
from socint.data.table import OGL, areas_frame, counts_long


def test_every_layout_documents_source_licence_and_example(shared_data: Path) -> None:
    for lid, layout in KNOWN_LAYOUTS.items():
        assert layout.licence == OGL and layout.source and layout.description, lid
        example = shared_data / layout.example
        assert example.is_file(), f"{lid}: example {layout.example} missing"
        _, found = sniff(example)
        assert found is not None and found.id == lid, f"{lid} sniffed as {found}"


def test_sniffing_ignores_file_names(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "ons_uk_topojson_lad_2014_2025" / "ltla_changes_2014_2025.csv"
    renamed = tmp_path / "imd2019_england_lsoa11.csv"  # a misleading name
    renamed.write_bytes(src.read_bytes())
    t = read_official(renamed)
    assert t.kind == "changes" and t.layout == "la_changes"


def test_read_official_dispatches_with_options(shared_data: Path) -> None:
    topo = shared_data / "ons_uk_topojson_lad_2014_2025" / "uk_topo_2014_2025.topojson"
    t = read_official(topo, year=2021, countries="E")
    assert (t.kind, t.vintage, len(t.data)) == ("boundaries", 2021, 309)
    iod = read_official(shared_data / "iod_2015_2019_humaniverse" / "imd2019_england_ltla19.csv")
    assert iod.dataset == "iod2019_lad" and len(iod.sha256) == 64
    with pytest.raises(TypeError):
        read_official(shared_data / "ruc2011_lsoa" / "ruc2011_lsoa11_ew.csv", year=2019)


def _table(data: pd.DataFrame, scheme: str) -> OfficialTable:
    codes = data["area_code"].unique()
    return OfficialTable(dataset="t", kind="counts", level="lsoa", vintage=2011,
                         topic="ethnicity", scheme=scheme, data=data,
                         areas=areas_frame(codes, level="lsoa", vintage=2011), source="s",
                         licence=OGL, path=Path("t.csv"), sha256="0" * 64)


def test_counts_long_and_wide_round_trip() -> None:
    m = np.array([[1, 2, 3, 4, 5], [0, 0, 7, 0, 1]])
    codes = np.array(["E01000002", "E01000001"], dtype=object)
    long = counts_long(codes, m, "ethnicity_broad")
    assert list(long["category"][:5]) == ["white", "mixed", "asian", "black", "other"]
    assert list(long["area_code"][:6]) == ["E01000002"] * 5 + ["E01000001"]
    wide = counts_wide(_table(long, "ethnicity_broad"))
    assert list(wide.index) == list(codes) and all(dt == np.int64 for dt in wide.dtypes)
    np.testing.assert_array_equal(wide.to_numpy(), m)


def test_counts_wide_of_shuffled_long_table() -> None:
    """Hand-made long rows in any order, with a category missing: pivot path, zeros filled."""
    data = pd.DataFrame({"area_code": ["E01000001", "E01000002", "E01000001", "E01000001"],
                         "category": ["asian", "white", "white", "other"],
                         "count": [4, 9, 6, 1]})
    wide = counts_wide(_table(data, "ethnicity_broad"))
    assert list(wide.columns) == list(SCHEMES["ethnicity_broad"])
    assert wide.to_numpy().tolist() == [[6, 0, 4, 0, 1], [9, 0, 0, 0, 0]]
    assert list(wide.index) == ["E01000001", "E01000002"]


def test_official_table_refuses_unknown_kind_and_scheme() -> None:
    data = pd.DataFrame({"area_code": [], "category": [], "count": []})
    with pytest.raises(ValueError, match="kind"):
        OfficialTable(dataset="t", kind="wide", level=None, vintage=None, topic=None,
                      scheme=None, data=data, areas=None, source="s", licence=OGL,
                      path=Path("x"), sha256="")
    with pytest.raises(ValueError, match="scheme"):
        _table(data, "ethnicity_martian")


#: The shared files this test checks, named one by one: new folders in ``../shared/data`` (a table
#: whose layout socint does not know yet) must never turn CI red. Add a file here when its reader
#: lands. ``boundaries_lsoa11.geojson`` (14 MB) is left out for speed; the same rule applies.
KNOWN_SHARED_FILES = (
    "census2011_ethnicity_la_qs201ew/lad16_to_csp16_to_pfa16_lookup_ew.csv",
    "census2011_ethnicity_la_qs201ew/qs201ew_ethnic_group_2011_la_ew.csv",
    "census2011_ethnicity_oa_lsoa_mlid/ethnicity_2011_lsoa_ew.csv",
    "census2011_ethnicity_oa_lsoa_mlid/ethnicity_2011_oa_ew.csv",
    "census2021_demographr/ethnicity21_lsoa21.csv",
    "census2021_demographr/ethnicity21_ltla21.csv",
    "census2021_demographr/ethnicity21_msoa21.csv",
    "census2021_demographr/population19_msoa11.csv",
    "census2021_demographr/proficiency21_msoa21.csv",
    "census2021_demographr/religion21_lsoa21.csv",
    "geo_lookups_drkane/la_all_codes.csv",
    "geo_lookups_drkane/lsoa11_boundaries_sample/E06000001.geojson",
    "geo_lookups_drkane/lsoa11_boundaries_sample/E06000016.geojson",
    "geo_lookups_drkane/lsoa11_boundaries_sample/E06000017.geojson",
    "geo_lookups_drkane/lsoa11_boundaries_sample/E08000032.geojson",
    "geo_lookups_drkane/lsoa11_boundaries_sample/E09000001.geojson",
    "geo_lookups_drkane/lsoa11_boundaries_sample/E09000030.geojson",
    "geo_lookups_drkane/lsoa_latlong.csv",
    "geo_lookups_drkane/msoa11_boundaries_sample/E06000001.geojson",
    "geo_lookups_drkane/msoa11_boundaries_sample/E06000016.geojson",
    "geo_lookups_drkane/msoa11_boundaries_sample/E06000017.geojson",
    "geo_lookups_drkane/msoa11_boundaries_sample/E08000032.geojson",
    "geo_lookups_drkane/msoa11_boundaries_sample/E09000001.geojson",
    "geo_lookups_drkane/msoa11_boundaries_sample/E09000030.geojson",
    "geo_lookups_drkane/msoa_la.csv",
    "geo_lookups_drkane/msoa_latlong.csv",
    "geo_lookups_drkane/rgn_all_codes.csv",
    "geographr_2021_lookups_boundaries/boundaries_msoa21.geojson",
    "geographr_lookups_boundaries/boundaries_ltla19.geojson",
    "geographr_lookups_boundaries/boundaries_msoa11.geojson",
    "geographr_lookups_boundaries/lookup_lsoa11_ltla18.csv",
    "geographr_lookups_boundaries/lookup_lsoa11_ltla19.csv",
    "geographr_lookups_boundaries/lookup_lsoa11_msoa11.csv",
    "geographr_lookups_boundaries/lookup_ltla19_region19.csv",
    "geographr_lookups_boundaries/lookup_msoa11_ltla19.csv",
    "iod_2015_2019_humaniverse/imd2015_england_lsoa11.csv",
    "iod_2015_2019_humaniverse/imd2015_england_msoa11.csv",
    "iod_2015_2019_humaniverse/imd2019_england_lsoa11.csv",
    "iod_2015_2019_humaniverse/imd2019_england_ltla19.csv",
    "iod_2015_2019_humaniverse/imd2019_england_msoa11.csv",
    "iod_2015_2019_humaniverse/trafforddatalab_iod2015_lad19_summaries.csv",
    "iod_2015_2019_humaniverse/trafforddatalab_iod2019_lad19_summaries.csv",
    "ons_uk_topojson_lad_2014_2025/ltla14_lookup.csv",
    "ons_uk_topojson_lad_2014_2025/ltla_changes_2014_2025.csv",
    "ons_uk_topojson_lad_2014_2025/uk_topo_2014_2025.topojson",
    "ruc2011_lsoa/ruc2011_lsoa11_ew.csv",
)


def test_dataset_ids_are_unique_per_file(shared_data: Path) -> None:
    """The store keys datasets by id, so two different shared files must never share one."""
    missing = [rel for rel in KNOWN_SHARED_FILES if not (shared_data / rel).is_file()]
    if missing:
        pytest.skip(f"shared data lacks {len(missing)} named file(s), e.g. {missing[0]}")
    ids: dict[str, str] = {}
    for rel in KNOWN_SHARED_FILES:
        t = read_official(shared_data / rel)
        assert t.dataset not in ids, f"{rel} and {ids.get(t.dataset)} share {t.dataset}"
        ids[t.dataset] = rel
    assert len(ids) == len(KNOWN_SHARED_FILES) >= 45
