"""School diversity league tables against hand-computed small cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import shared_path
from socint.errors import GeographyError, InputDataError, SchemaError
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
    # A: 90/10 -> EDI 1 - (.81 + .01) = .18; LA population 800/200 -> .32
    assert s.loc["A", "edi"] == pytest.approx(0.18)
    assert s.loc["A", "la_pop_edi"] == pytest.approx(0.32)
    assert s.loc["A", "edi_diff_pop"] == pytest.approx(-0.14)
    assert s.loc["A", "edi_ratio_pop"] == pytest.approx(0.5625)
    # LA secondary pupils 100/100 -> EDI .5; D(A, LA) = .5(|.9-.5| + |.1-.5|) = .4
    assert s.loc["A", "la_pupil_edi"] == pytest.approx(0.5)
    assert s.loc["A", "dissimilarity"] == pytest.approx(0.4)
    assert s.loc["A", "score"] == pytest.approx(60.0)
    # C is the only primary school of its LA: it mirrors the LA's primary pupils
    assert s.loc["C", "edi"] == pytest.approx(1 - (0.36 + 0.16))
    assert s.loc["C", "score"] == pytest.approx(100.0)
    assert s.loc["C", "rank_national"] == 1 and s.loc["A", "rank_national"] == 2
    assert s.loc["B", "rank_in_la"] == 2
    assert s.loc["A", "religious_edi"] == pytest.approx(0.5)
    assert np.isnan(s.loc["B", "religious_edi"])
    assert (lt.schools["scheme"] == "detailed").all()


def test_small_and_empty_schools_are_flagged_and_suppressed() -> None:
    s = league_tables(read_school_census(_schools()), POP).schools.set_index("school_name")
    assert s.loc["D", "flag"] == "fewer than 10 pupils"
    assert s.loc["E", "flag"] == "no pupils"
    for name in ("D", "E"):
        for col in ("pupils", "edi", "score", "dissimilarity", "rank_national"):
            assert np.isnan(s.loc[name, col])


def test_la_school_segregation_hand_computed() -> None:
    las = league_tables(read_school_census(_schools()), POP).las.set_index("lad_code")
    row = las.loc["E06000001"]
    # secondaries 90/10 and 10/90: D = .5(|.9-.1| + |.1-.9|) = .8; xPx = .9*.9 + .1*.1
    assert row["n_secondary"] == 2
    assert row["d_white_other"] == pytest.approx(0.8)
    assert row["d_multigroup"] == pytest.approx(0.8)  # equals D with two groups
    assert row["isolation_white"] == pytest.approx(0.82)
    assert "E06000002" not in las.index  # no secondary schools


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
    assert s.loc["A", "edi"] == pytest.approx(0.18)
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
    s = league_tables(read_school_census(df), pop).schools.set_index("school_name")
    assert s.loc["B", "flag"] == "small school; counts withheld in source"
    assert np.isnan(s.loc["B", "rank_national"])  # 10 pupils left: not ranked
    assert np.isnan(s.loc["D", "la_pop_edi"])  # LA absent from the census table
    assert s.loc["D", "flag"] == "fewer than 10 pupils; LA not in census table"
    with pytest.raises(InputDataError, match="martian"):
        league_tables(read_school_census(_schools()),
                      POP.assign(category=["white_british", "martian", "white_british"]))


def test_scheme_option() -> None:
    schools = read_school_census(_schools())
    s = league_tables(schools, POP, scheme="broad").schools.set_index("school_name")
    assert s.loc["A", "scheme"] == "broad"
    assert s.loc["A", "edi"] == pytest.approx(0.18)  # White British/Pakistani = White/Asian
    with pytest.raises(InputDataError, match="scheme was 'fine'"):
        league_tables(schools, POP, scheme="fine")
    broad_pop = POP.assign(category=["white", "asian", "white"])
    with pytest.raises(InputDataError, match="not 2011 detailed groups"):
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
