"""IoD, RUC, lookups and LA changes against published figures and each other (real files)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import shared_path
from socint.data import read_iod, read_la_changes, read_lookup, read_ruc2011

IOD = "iod_2015_2019_humaniverse"
GEO = "geographr_lookups_boundaries"
DRK = "geo_lookups_drkane"


def test_iod2019_la_summaries_published_values() -> None:
    # MHCLG IoD2019 File 10 (LA summaries): Hartlepool IMD average score 35.037, Middlesbrough
    # 40.460, City of London income 0.065, Manchester crime 1.206.
    t = read_iod(shared_path(IOD, "imd2019_england_ltla19.csv"))
    assert (t.dataset, t.kind, t.level, t.vintage, t.meta["edition"]) == (
        "iod2019_lad", "attributes", "lad", 2019, 2019)
    d = t.data.set_index("area_code")
    assert len(d) == 317
    assert d.loc["E06000001", "imd_score"] == pytest.approx(35.037)
    assert d.loc["E06000002", "imd_score"] == pytest.approx(40.460)
    assert d.loc["E09000001", "income_score"] == pytest.approx(0.065)
    assert d.loc["E08000003", "crime_score"] == pytest.approx(1.206)


def test_trafford_summaries_agree_with_humaniverse() -> None:
    t = read_iod(shared_path(IOD, "trafforddatalab_iod2019_lad19_summaries.csv"))
    h = read_iod(shared_path(IOD, "imd2019_england_ltla19.csv")).data.set_index("area_code")
    d = t.data.set_index("area_code")
    assert t.dataset == "iod2019_lad_summaries" and t.meta["edition"] == 2019
    assert d.loc["E06000001", "imd_score"] == pytest.approx(35.037)
    np.testing.assert_allclose(d.loc[h.index, "crime_score"], h["crime_score"], atol=5e-4)
    assert t.areas is not None and t.areas.set_index("area_code").loc[
        "E06000001", "area_name"] == "Hartlepool"
    t15 = read_iod(shared_path(IOD, "trafforddatalab_iod2015_lad19_summaries.csv"))
    assert t15.meta["edition"] == 2015 and "imd_rank_of_average_score" in t15.data


def test_iod_lsoa_files_and_decile_convention() -> None:
    t15 = read_iod(shared_path(IOD, "imd2015_england_lsoa11.csv"))
    assert t15.dataset == "iod2015_lsoa" and len(t15.data) == 32_844
    assert t15.areas is not None and t15.areas["lad_code"].nunique() == 326
    # Decile 1 = most deprived: the highest IMD scores sit in decile 1, ranks 1..3284.
    d = t15.data
    assert d["imd_decile"].to_numpy()[d["imd_score"].to_numpy().argmax()] == 1
    assert d.loc[d["imd_rank"] == d["imd_rank"].min(), "imd_decile"].iloc[0] == 1
    counts = d["imd_decile"].value_counts()
    assert set(counts) <= {3_284, 3_285}
    t19 = read_iod(shared_path(IOD, "imd2019_england_lsoa11.csv"))
    assert t19.dataset == "iod2019_lsoa"
    assert {"income_decile", "crime_decile", "income_rank", "housing_rank"} <= set(t19.data)
    assert t19.data["crime_decile"].between(1, 10).all()


def test_iod_msoa_editions() -> None:
    assert read_iod(shared_path(IOD, "imd2015_england_msoa11.csv")).dataset == "iod2015_msoa"
    t = read_iod(shared_path(IOD, "imd2019_england_msoa11.csv"))
    assert t.dataset == "iod2019_msoa" and len(t.data) == 6_791 and "crime_score" in t.data


def test_ruc2011_published_class_counts() -> None:
    t = read_ruc2011(shared_path("ruc2011_lsoa", "ruc2011_lsoa11_ew.csv"))
    d = t.data
    assert len(d) == 34_753
    # Class counts published with RUC11 (E&W): D1 3,189; D2 197; E1 2,490; E2 328.
    assert int(d["rural"].sum()) == 3_189 + 197 + 2_490 + 328
    assert int((d["ruc_code"] == "A1").sum()) == 11_523
    assert set(d.loc[d["rural"], "ruc_label"].str.split().str[0]) == {"Rural"}


def test_lookup_la_counts() -> None:
    # 326 English LAs 2011-2018 (post-2013 codes), 317 in 2019.
    l18 = read_lookup(shared_path(GEO, "lookup_lsoa11_ltla18.csv"))
    assert l18.kind == "lookup" and l18.meta["vintages"]["lad_code"] == 2018
    assert l18.data["lad_code"].nunique() == 326 and len(l18.data) == 32_844
    l19 = read_lookup(shared_path(GEO, "lookup_lsoa11_ltla19.csv"))
    eng = l19.data[l19.data["lsoa_code"].str.startswith("E")]
    assert eng["lad_code"].nunique() == 317
    reg = read_lookup(shared_path(GEO, "lookup_ltla19_region19.csv"))
    assert len(reg.data) == 317 and reg.data["region_code"].nunique() == 9
    ms = read_lookup(shared_path(GEO, "lookup_lsoa11_msoa11.csv"))
    assert len(ms.data) == 34_753 and ms.meta["rows_dropped"] == 6_976  # Scottish data zones
    assert ms.data["msoa_code"].str.startswith("E").sum() == 32_844


def test_la_all_codes_keeps_historic_and_active_codes() -> None:
    t = read_lookup(shared_path(DRK, "la_all_codes.csv"))
    d = t.data.set_index("lad_code")
    assert {"lad_name", "lad_code_active", "lad_name_active", "region_code", "region_name",
            "current"} <= set(d.columns)
    assert int(d.index.str.startswith("E").sum()) == 346
    assert d.loc["E06000048", "lad_code_active"] == "E06000057"  # Northumberland 2011 -> 2013
    assert not d.loc["E06000048", "current"] and d.loc["E06000001", "current"]
    rg = read_lookup(shared_path(DRK, "rgn_all_codes.csv"))
    assert len(rg.data) == 9


def test_msoa_la_and_centroids() -> None:
    t = read_lookup(shared_path(DRK, "msoa_la.csv"))
    e = t.data[t.data["msoa_code"].str.startswith("E")]
    assert len(e) == 6_970 and int(e["in_2011"].sum()) == 6_791 and int(e["in_2021"].sum()) == 6_856
    c = read_lookup(shared_path(DRK, "lsoa_latlong.csv"))
    assert c.kind == "attributes" and {"latitude", "longitude"} <= set(c.data)
    assert int(c.data["area_code"].str.startswith("E01").sum()) == 34_789
    t14 = read_lookup(shared_path("ons_uk_topojson_lad_2014_2025", "ltla14_lookup.csv"))
    e14 = t14.data[t14.data["lad_code"].str.startswith("E")]
    assert len(e14) == 326 and e14["region_code"].nunique() == 9


def test_la_changes() -> None:
    t = read_la_changes(shared_path("ons_uk_topojson_lad_2014_2025",
                                    "ltla_changes_2014_2025.csv"))
    d = t.data
    assert len(d) == 79 and list(d.columns) == ["old_code", "old_name", "new_code", "new_name",
                                                "change_type", "year"]
    dorset = d[(d["new_code"] == "E06000059") & (d["change_type"] == "merger")]
    assert len(dorset) == 5 and set(dorset["year"]) == {2019}
