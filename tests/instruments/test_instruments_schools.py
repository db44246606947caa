"""School diversity league tables against hand-computed small cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from socint.errors import GeographyError, InputDataError, SchemaError, SocintWarning
from socint.instruments.school_segregation import la_segregation, residential_segregation
from socint.instruments.schools import la_population_counts, league_tables, read_school_census

WB = "number_of_pupils_classified_as_white_british_ethnic_origin"
PAK = "number_of_pupils_classified_as_pakistani_ethnic_origin"


def _schools() -> pd.DataFrame:
    return pd.DataFrame({
        "urn": [1, 2, 3, 4, 5],
        "school_name": ["A", "B", "C", "D", "E"],
        "phase_type_grouping": ["State-funded secondary"] * 2 + ["State-funded primary"] * 3,
        "new_la_code": ["E06000001"] * 3 + ["E06000002"] * 2,
        "lad_name": ["Hartlepool"] * 3 + ["Middlesbrough"] * 2,
        WB: [90, 10, 30, 3, 0],
        PAK: [10, 90, 20, 2, 0],
        "religion_christian": [50, np.nan, np.nan, np.nan, np.nan],
        "religion_muslim": [50, np.nan, np.nan, np.nan, np.nan],
    })


POP = pd.DataFrame({"lad_code": ["E06000001", "E06000001", "E06000002"],
                    "category": ["white_british", "asian_pakistani", "white_british"],
                    "count": [800, 200, 1000]})


def test_school_indices_hand_computed() -> None:
    lt = league_tables(read_school_census(_schools()), POP)
    s = lt.schools.set_index("school_name")
    # A: 90/10 -> EDI 1 - (.81 + .01) = .18; district residents 800/200 -> .32
    assert s.loc["A", "diversity_edi"] == pytest.approx(0.18)
    assert s.loc["A", "lad_census_edi"] == pytest.approx(0.32)
    # district secondary pupils 100/100 -> EDI .5; D(A, LA) = .5(|.9-.5| + |.1-.5|) = .4
    assert s.loc["A", "lad_pupil_edi"] == pytest.approx(0.5)
    assert s.loc["A", "d_lad_pupils"] == pytest.approx(0.4)
    assert s.loc["A", "representativeness_lad"] == pytest.approx(60.0)
    # against the district's residents (80/20): D = .5(|.9-.8| + |.1-.2|) = .1
    assert s.loc["A", "d_lad_census"] == pytest.approx(0.1)
    # C is the only primary school of its LA: it mirrors the LA's primary pupils
    assert s.loc["C", "diversity_edi"] == pytest.approx(1 - (0.36 + 0.16))
    assert s.loc["C", "representativeness_lad"] == pytest.approx(100.0)
    # two rankings: C is first on both here; A and B tie on both
    assert s.loc["C", "representativeness_rank_national"] == 1
    assert s.loc["A", "representativeness_rank_national"] == 2
    assert s.loc["B", "representativeness_rank_in_lad"] == 2
    assert s.loc["C", "diversity_rank_national"] == 1
    assert s.loc["A", "diversity_rank_national"] == s.loc["B", "diversity_rank_national"] == 2
    # no upper tier in the file: each district is its own upper tier
    assert s.loc["A", "representativeness_utla"] == pytest.approx(60.0)
    assert s.loc["A", "religious_edi"] == pytest.approx(0.5)
    assert np.isnan(s.loc["B", "religious_edi"])
    assert (lt.schools["scheme"] == "detailed").all()


def test_diversity_and_representativeness_are_different_rankings() -> None:
    """A near-monocultural school in a monocultural district: representative, not diverse."""
    df = pd.DataFrame({
        "urn": [1, 2, 3], "school_name": ["Mono", "Mixed", "Other"],
        "phase_type_grouping": ["State-funded primary"] * 3,
        "new_la_code": ["E06000001", "E06000002", "E06000002"], "lad_name": ["X", "Y", "Y"],
        WB: [99, 50, 90], PAK: [1, 50, 10]})
    pop = pd.DataFrame({"lad_code": ["E06000001", "E06000002"], "category": ["white_british"] * 2,
                        "count": [1, 1]})
    s = league_tables(read_school_census(df), pop).schools.set_index("school_name")
    assert s.loc["Mono", "representativeness_rank_national"] == 1  # it *is* its district
    assert s.loc["Mono", "diversity_rank_national"] == 3  # EDI .0198, the least diverse
    assert s.loc["Mixed", "diversity_rank_national"] == 1


def _two_tier() -> pd.DataFrame:
    """A county (E10000001) of two districts, DfE header names, symbols as text."""
    return pd.DataFrame({
        "urn": ["1", "2", "3", "4", "5", "6"],
        "school_name": ["P", "Q", "R", "S", "Indep", "Special"],
        "phase_type_grouping": ["State-funded secondary"] * 4
        + ["Independent school", "State-funded special school"],
        "new_la_code": ["E10000001"] * 6, "la_name": ["Shire"] * 6,
        "district_administrative_code": ["E07000001", "E07000001", "E07000002", "E07000002",
                                         "E07000001", "Unknown"],
        "district_administrative_name": ["North", "North", "South", "South", "North", "Unknown"],
        "number of pupils classified as white British ethnic origin": ["80", "60", "40", "20",
                                                                       "z", "30"],
        "number of pupils classified as Pakistani ethnic origin": ["20", "40", "60", "80", "z",
                                                                   "c"],
        "number of pupils classified as Gypsy/Roma ethnic origin": ["0", "0", "0", "0", "z", "0"],
        "headcount of pupils": ["100", "100", "100", "100", "300", "30"]})


def test_district_and_upper_tier_are_kept_apart() -> None:
    sc = read_school_census(_two_tier())
    s = sc.schools.set_index("school_name")
    assert list(s.index) == ["P", "Q", "R", "S"]
    assert s.loc["P", "lad_code"] == "E07000001" and s.loc["P", "utla_code"] == "E10000001"
    pop = pd.DataFrame({"lad_code": ["E07000001", "E07000002"] * 2,
                        "category": ["white_british"] * 2 + ["asian_pakistani"] * 2,
                        "count": [70, 30, 30, 70]})
    t = league_tables(sc, pop).schools.set_index("school_name")
    # P 80/20 vs North's secondary pupils 70/30: D = .1; vs the county's 50/50: D = .3
    assert t.loc["P", "d_lad_pupils"] == pytest.approx(0.1)
    assert t.loc["P", "d_utla_pupils"] == pytest.approx(0.3)
    assert t.loc["P", "representativeness_utla"] == pytest.approx(70.0)
    # county residents: North 70/30 + South 30/70 = 100/100 -> EDI .5
    assert t.loc["P", "utla_census_edi"] == pytest.approx(0.5)
    assert t.loc["P", "lad_census_edi"] == pytest.approx(0.42)
    d = sc.dropped.set_index("reason")
    assert d.loc["not state-funded (independent or non-maintained special)", "schools"] == 1
    assert d.loc["district (LAD) code missing or 'Unknown'", "schools"] == 1
    assert d.loc["cells marked 'z' (read as not available)", "cells"] == 3
    assert d.loc["cells marked 'c' (read as not available)", "cells"] == 1


def test_la_school_segregation_hand_computed() -> None:
    las = la_segregation(read_school_census(_schools()).schools, min_schools=2)
    row = las[(las.tier == "lad") & (las.phase == "secondary")].set_index("area_code")
    r = row.loc["E06000001"]
    # secondaries 90/10 and 10/90: D = .5(|.9-.1| + |.1-.9|) = .8; xPx = .9*.9 + .1*.1
    assert r["n_schools"] == 2
    assert r["d_white_british"] == pytest.approx(0.8)
    assert r["d_multigroup"] == pytest.approx(0.8)  # equals D with two groups
    assert r["isolation_white_british"] == pytest.approx(0.82)
    assert r["isolation_others"] == pytest.approx(0.82)
    assert "E06000002" not in row.index  # no secondary schools
    few = la_segregation(read_school_census(_schools()).schools)  # default: 5 schools
    assert few["d_multigroup"].isna().all() and not few["enough_schools"].any()


def test_county_segregation_and_residential_d() -> None:
    las = la_segregation(read_school_census(_two_tier()).schools, min_schools=2)
    county = las[(las.tier == "utla") & (las.phase == "secondary")].iloc[0]
    # WB 80,60,40,20 of 200; others 20,40,60,80 of 200: D = .5 * (.3+.1+.1+.3) = .4
    assert county["area_code"] == "E10000001"
    assert county["d_white_british"] == pytest.approx(0.4)
    units = pd.DataFrame({"area_code": ["L1", "L1", "L2", "L2", "L3", "L3"],
                          "category": ["white", "asian"] * 3, "count": [90, 10, 10, 90, 50, 50]})
    lookup = pd.DataFrame({"lsoa21_code": ["L1", "L2", "L3"],
                           "ltla22_code": ["E07000001", "E07000001", "E07000002"]})
    res = residential_segregation(units, lookup, pd.Series({"E07000001": "E10000001",
                                                            "E07000002": "E10000001"}))
    r = res.set_index(["tier", "area_code"])
    assert r.loc[("lad", "E07000001"), "residential_d_white"] == pytest.approx(0.8)
    assert np.isnan(r.loc[("lad", "E07000002"), "residential_d_white"])  # one unit only
    # county: white 90,10,50 of 150, asian 10,90,50 of 150: D = .5*(.533+.533+0) = .533
    assert r.loc[("utla", "E10000001"), "residential_d_white"] == pytest.approx(8 / 15)


def test_census_2021_groups_map_onto_the_17() -> None:
    pop = pd.DataFrame({"area_code": ["E06000001"] * 4,
                        "category": ["white_gypsy_traveller", "white_roma", "other_arab",
                                     "other_any"], "count": [1, 2, 3, 4]})
    wide, scheme = la_population_counts(pop)
    assert scheme == "detailed"
    assert wide.loc["E06000001", "white_gypsy_traveller"] == 3
    assert wide.loc["E06000001", "other"] == 7


def test_published_header_layout_and_broad_population(tmp_path: Path) -> None:
    df = _schools().rename(columns={
        WB: "Number of pupils classified as white British ethnic origin",
        PAK: "Number of pupils classified as Pakistani ethnic origin",
        "new_la_code": "new_LA_code", "phase_type_grouping": "Phase type grouping"})
    p = tmp_path / "spc.csv"
    df.to_csv(p, index=False)
    schools = read_school_census(pd.read_csv(p), file=p)
    broad = pd.DataFrame({"lad_code": ["E06000001", "E06000001", "E06000002"],
                          "category": ["white", "asian", "white"], "count": [800, 200, 1000]})
    s = league_tables(schools, broad).schools.set_index("school_name")
    assert s.loc["A", "diversity_edi"] == pytest.approx(0.18)
    assert s.loc["A", "scheme"] == "broad"


def test_bad_school_files_are_named() -> None:
    df = _schools()
    df.loc[1, "new_la_code"] = "E0600002"
    with pytest.raises(GeographyError, match="E0600002"):
        read_school_census(df)
    df = _schools()
    df.loc[2, "urn"] = 1
    with pytest.raises(InputDataError, match="URN 1") as err:
        read_school_census(df)
    assert err.value.row == 3
    df = _schools()
    df[PAK] = df[PAK].astype(object)
    df.loc[3, PAK] = "-4"
    with pytest.raises(InputDataError) as err:
        read_school_census(df, file="spc.csv")
    assert err.value.row == 4 and err.value.column == PAK
    with pytest.raises(SchemaError, match="ethnic-group"):
        read_school_census(_schools().drop(columns=[PAK]))
    with pytest.raises(SchemaError, match="urn"):
        read_school_census(_schools().drop(columns=["urn"]))


def test_withheld_cells_and_unknown_la_are_flagged() -> None:
    df = _schools()
    df[PAK] = df[PAK].astype(object)
    df.loc[1, PAK] = "x"
    pop = POP[POP.lad_code == "E06000001"]
    with pytest.warns(SocintWarning, match="Middlesbrough"):
        s = league_tables(read_school_census(df), pop).schools.set_index("school_name")
    assert s.loc["B", "flag"] == "small school; counts withheld in source"
    assert np.isnan(s.loc["B", "diversity_rank_national"])  # 10 pupils left: not ranked
    assert np.isnan(s.loc["D", "lad_census_edi"])  # LA absent from the census table
    assert s.loc["D", "flag"] == "fewer than 10 pupils; LA not in census table"
    with pytest.raises(InputDataError, match="martian"):
        league_tables(read_school_census(_schools()),
                      POP.assign(category=["white_british", "martian", "white_british"]))


def test_scheme_option() -> None:
    schools = read_school_census(_schools())
    s = league_tables(schools, POP, scheme="broad").schools.set_index("school_name")
    assert s.loc["A", "scheme"] == "broad"
    assert s.loc["A", "diversity_edi"] == pytest.approx(0.18)  # WB/Pakistani = White/Asian
    with pytest.raises(InputDataError, match="scheme was 'fine'"):
        league_tables(schools, POP, scheme="fine")
    broad_pop = POP.assign(category=["white", "asian", "white"])
    with pytest.raises(InputDataError, match="not detailed groups"):
        league_tables(schools, broad_pop, scheme="detailed")


#: QS201EW's 18 detailed columns in file order = ethnicity_2011_detailed in canonical order.
QS201_DETAILED = (
    "white_british", "white_irish", "white_gypsy_traveller", "white_other",
    "mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
    "mixed_other", "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese",
    "asian_other", "black_african", "black_caribbean", "black_other", "other_arab", "other_any",
)


def test_census_collapse_matches_ons_broad_subtotals() -> None:
    """Real data: the detailed → broad collapse reproduces ONS's own QS201EW subtotals."""
    raw = pd.read_csv(shared_path("census2011_ethnicity_la_qs201ew",
                                  "qs201ew_ethnic_group_2011_la_ew.csv"))
    raw = raw[raw["geography code"].str.startswith("E")]
    values = [c for c in raw.columns if c.startswith("Ethnic Group: ")
              and "All categories" not in c]
    detailed = [c for c in values if c.split(";")[0].count(":") == 2]
    broad = {c.split(":")[1].split(";")[0].strip().lower(): c for c in values
             if c.split(";")[0].count(":") == 1}
    assert len(detailed) == 18 and set(broad) == {"white", "mixed", "asian", "black", "other"}
    long = raw.melt(id_vars="geography code", value_vars=detailed, var_name="col",
                    value_name="count")
    long["category"] = long["col"].map(dict(zip(detailed, QS201_DETAILED, strict=True)))
    long = long.rename(columns={"geography code": "lad_code"})
    wide, scheme = la_population_counts(long, scheme="broad")
    assert scheme == "broad" and len(wide) == 326
    ons = raw.set_index("geography code")
    for group, col in broad.items():
        assert (wide[group] == ons.loc[wide.index, col].astype(float)).all(), group
    det, scheme = la_population_counts(long)
    assert scheme == "detailed"
    assert det.loc["E09000001"].sum() == 7375  # City of London total, per the README


def test_real_school_census_2022_23_reads_as_documented() -> None:
    """Real data: counts of the DfE README (24,442 schools; 2,408 independent + 54 non-maintained
    special; ethnicity 'z' in 2,417 rows; White British 62.6% of state-funded pupils)."""
    path = shared_path("dfe_spc_school_level_2022_23",
                       "spc_school_level_underlying_data_2022_23_selected.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    sc = read_school_census(df, file=path)
    d = sc.dropped.set_index("reason")
    assert d.loc["not state-funded (independent or non-maintained special)", "schools"] == 2462
    assert d.loc["cells marked 'z' (read as not available)", "schools"] == 2417
    assert len(sc.schools) + int(d["schools"].iloc[:3].sum()) == 24442
    s = sc.schools
    assert s["utla_code"].str[:3].isin(["E06", "E08", "E09", "E10"]).all()
    assert not s["lad_code"].str.startswith("E10").any()
    state = pd.to_numeric(df["headcount of pupils"], errors="coerce")[
        df["phase_type_grouping"].str.startswith("State-funded")]
    wb = s["white_british"].sum() / state.sum()
    assert wb == pytest.approx(0.626, abs=0.0005)


@pytest.mark.slow
def test_real_schools_run_end_to_end(tmp_path: Path) -> None:
    """Real data: the whole run on DfE 2022/23 + TS021 LTLA + TS021 LSOA (as published)."""
    from socint.instruments.run import read_census_table, read_input, run_schools

    dfe = shared_path("dfe_spc_school_level_2022_23",
                      "spc_school_level_underlying_data_2022_23_selected.csv")
    ltla = shared_path("census2021_demographr", "ethnicity21_ltla21.csv")
    lsoa = shared_path("census2021_demographr", "ethnicity21_lsoa21.csv")
    lookup = shared_path("geographr_2021_lookups_boundaries", "lookup_lsoa21_msoa21_ltla22.csv")
    run_schools(read_input(dfe, "school census", text=True), read_census_table(ltla, "LA"),
                tmp_path, residential=read_census_table(lsoa, "LSOA"),
                lookup=pd.read_csv(lookup), file=dfe)
    s = pd.read_csv(tmp_path / "schools.csv")
    assert len(s) == 21968 and s["lad_census_edi"].notna().all()  # every district matched
    seg = pd.read_csv(tmp_path / "school_segregation.csv")
    lad = seg[(seg["tier"] == "lad") & seg["enough_schools"]]
    assert lad["residential_d_white"].notna().all()
    assert set(lad["area_code"]) <= set(s["lad_code"])
    utla = seg[seg["tier"] == "utla"]
    assert utla["area_code"].str[:3].isin(["E06", "E08", "E09", "E10"]).all()
    html = (tmp_path / "schools.html").read_text()
    assert "Ranking 1 — Diversity" in html
    assert "Ranking 2 — Representativeness of the district" in html
