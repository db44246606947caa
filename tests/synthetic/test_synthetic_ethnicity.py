"""Ethnic and proficiency counts: realistic range of diversity and segregation, exact layouts."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from _synthetic_shared import default_england, la_counts, small_england

from socint.data.table import SCHEMES
from socint.synthetic import SyntheticEngland

DETAILED = list(SCHEMES["ethnicity_2011_detailed"])
MLID_HEADER = ["LSOA", "Persons", "WhiteBrit", "Irish", "OtherWhite", "Mixed", "Indian",
               "Pakistani", "Bangladeshi", "Chinese", "OtherAsian", "BlkAfrican", "BlkCaribbean",
               "OtherBlk", "Arab", "Other", "MSOA", "LAD", "RGN"]


def _simpson(counts: np.ndarray) -> np.ndarray:
    p = counts / counts.sum(axis=1, keepdims=True)
    return 1.0 - (p * p).sum(axis=1)


def _dissimilarity_by_la(e: SyntheticEngland) -> pd.Series:
    """Two-group (White British vs all others) D per LA over LSOAs, by hand."""
    m = e.ethnicity_mlid
    wb = m["WhiteBrit"].astype(float)
    other = m["Persons"] - wb
    la = m["LAD"]
    share_wb = wb / wb.groupby(la).transform("sum")
    share_ot = other / other.groupby(la).transform("sum")
    return 0.5 * (share_wb - share_ot).abs().groupby(la).sum()


def test_counts_table_shape_and_scheme() -> None:
    t = default_england().ethnicity
    assert t.areas is not None
    assert (t.kind, t.level, t.vintage, t.topic, t.scheme) == (
        "counts", "lsoa", 2011, "ethnicity", "ethnicity_2011_detailed")
    assert list(t.data.columns) == ["area_code", "category", "count"]
    assert len(t.data) == 18 * len(t.areas)
    assert list(t.data["category"].iloc[:18]) == DETAILED
    assert (t.data["count"] >= 0).all()
    totals = t.data.groupby("area_code", sort=False)["count"].sum()
    assert (totals.to_numpy() == t.areas["total"].to_numpy()).all()


def test_la_diversity_spans_the_real_range() -> None:
    e = default_england()
    by_la = la_counts(e)
    s = pd.Series(_simpson(by_la.to_numpy(dtype=float)), index=by_la.index)
    wb_share = by_la["white_british"] / by_la.sum(axis=1)
    assert s.min() <= 0.06 and 0.65 <= s.max() <= 0.85
    assert (wb_share >= 0.90).mean() > 0.5  # most LAs homogeneous
    region = e.las.set_index("lad_code")["region_code"]
    by_region = s.groupby(region[s.index].to_numpy()).mean()
    assert by_region.idxmax() == "E12000007"  # London most diverse


def test_la_dissimilarity_spans_the_real_range() -> None:
    d = _dissimilarity_by_la(default_england())
    assert d.quantile(0.05) <= 0.15
    assert 0.45 <= d.quantile(0.95) <= 0.65
    assert d.max() <= 0.85
    # both diverse-and-mixed and diverse-and-segregated LAs exist
    e = default_england()
    by_la = la_counts(e)
    name = e.las.set_index("lad_code")["lad_name"]
    s = pd.Series(_simpson(by_la.to_numpy(dtype=float)), index=name[by_la.index].to_numpy())
    diverse = s[s > 0.4].index
    assert (d[diverse] < 0.25).sum() >= 5 and (d[diverse] > 0.4).sum() >= 5


def test_div_decile_recomputed_from_counts() -> None:
    e = default_england()
    wide = e.ethnicity.data.pivot_table(index="area_code", columns="category", values="count",
                                        aggfunc="sum", observed=False)
    msoa = e.lsoas.set_index("lsoa_code")["msoa_code"].reindex(wide.index).to_numpy()
    by_msoa = wide.groupby(msoa).sum()
    s = pd.Series(_simpson(by_msoa.to_numpy(dtype=float)), index=by_msoa.index)
    expected = np.ceil(10 * s.rank() / len(s)).astype(int)
    cov = e.msoa_covariates.set_index("msoa_code")
    assert (cov["div_decile"] == expected[cov.index]).all()


def test_proficiency_consistent_with_counts_and_poor_english_flag() -> None:
    e = default_england()
    t = e.proficiency
    assert t.scheme == "proficiency_2021" and t.level == "msoa"
    wide = t.data.pivot_table(index="area_code", columns="category", values="count",
                              aggfunc="sum", observed=False)
    persons = e.ethnicity_mlid.groupby("MSOA")["Persons"].sum()
    assert (wide.sum(axis=1) == persons[wide.index]).all()
    non_english = wide[["very_well", "well", "not_well", "not_at_all"]].sum(axis=1)
    share = (wide["not_well"] + wide["not_at_all"]) / non_english
    flag = (share > 0.30).astype(int)
    cov = e.msoa_covariates.set_index("msoa_code")
    assert (cov["poor_english"] == flag[cov.index]).all()
    assert 0.03 <= flag.mean() <= 0.2
    by_decile = cov.groupby("div_decile")["poor_english"].mean()
    assert by_decile[10] > by_decile[1]
    # more non-English speakers where fewer people are White British
    wb = e.ethnicity_mlid.groupby("MSOA")["WhiteBrit"].sum() / persons
    assert np.corrcoef(wb[wide.index], non_english / wide.sum(axis=1))[0, 1] < -0.5


def test_mlid_layout_matches_the_official_file(tmp_path: Path) -> None:
    e = small_england()
    e.write(tmp_path)
    path = tmp_path / "ethnicity_2011_lsoa_ew.csv"
    with path.open(newline="") as f:
        header = next(csv.reader(f))
    assert header == MLID_HEADER
    assert path.read_text().splitlines()[0].startswith('"LSOA","Persons"')
    df = pd.read_csv(path)
    wide = e.ethnicity.data.pivot_table(index="area_code", columns="category", values="count",
                                        aggfunc="sum", observed=False).reindex(df["LSOA"])
    assert (df["Persons"].to_numpy() == wide.sum(axis=1).to_numpy()).all()
    gypsy = df["Persons"] - df[MLID_HEADER[2:16]].sum(axis=1)
    assert (gypsy.to_numpy() == wide["white_gypsy_traveller"].to_numpy()).all()
    mixed = wide[[c for c in DETAILED if c.startswith("mixed")]].sum(axis=1)
    assert (df["Mixed"].to_numpy() == mixed.to_numpy()).all()
    assert set(df["LAD"]) == set(e.las["lad_name"])


def test_mlid_header_equals_the_real_file() -> None:
    from conftest import shared_path

    real = shared_path("census2011_ethnicity_oa_lsoa_mlid", "ethnicity_2011_lsoa_ew.csv")
    with real.open(newline="") as f:
        assert next(csv.reader(f)) == MLID_HEADER


def test_real_reader_loads_the_mlid_file(tmp_path: Path) -> None:
    from socint.data.census2011 import read_census2011_ethnicity_small_area

    e = small_england()
    e.write(tmp_path)
    t = read_census2011_ethnicity_small_area(tmp_path / "ethnicity_2011_lsoa_ew.csv")
    assert t.n_areas == len(e.lsoas)
    assert t.scheme == "ethnicity_2011_mlid"
    wide = t.data.pivot_table(index="area_code", columns="category", values="count",
                              aggfunc="sum", observed=False)
    ours = e.ethnicity.data.pivot_table(index="area_code", columns="category", values="count",
                                        aggfunc="sum", observed=False).loc[wide.index]
    assert (wide["white_gypsy_traveller"] == ours["white_gypsy_traveller"]).all()
    assert (wide["asian_pakistani"] == ours["asian_pakistani"]).all()
    assert t.areas is not None and e.ethnicity.areas is not None
    assert t.areas["total"].sum() == e.ethnicity.areas["total"].sum()
