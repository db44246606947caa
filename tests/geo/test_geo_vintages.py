"""LA vintages: life spans of LA codes and conversion of LA tables between LA sets.

References: hand-computed small change tables; the LA sets of each year as published in the
ONS TopoJSON (features with start/end years) and in the geographr LAD19 lookup; the current LA
of every code in drkane's ``la_all_codes``; Census 2011 QS201EW totals (England 53,012,456)
and an independent aggregation of the LSOA counts through the ONS LSOA11 -> LAD19 lookup.
"""

from __future__ import annotations

import _geo_shared as shared
import numpy as np
import pandas as pd
import pytest

from socint.errors import GeographyError
from socint.geo import LaChanges, convert_la_vintage, recode_2011_to_2013

# -- small hand-made scenarios ---------------------------------------------------------------

#: Two districts A, B merge into unitary M in 2019; M and district C merge into N in 2023;
#: district S is split into unitaries S1 and S2 in 2021.
A, B, C, M, N, S, S1, S2, K = (
    "E07000901", "E07000902", "E07000903", "E06000901", "E06000902",
    "E07000904", "E06000903", "E06000904", "E09000901",
)


def _toy_changes(*, with_split: bool = True) -> LaChanges:
    rows = [
        (A, "A", M, "M", "merger", 2019),
        (B, "B", M, "M", "merger", 2019),
        (M, "M", N, "N", "merger", 2023),
        (C, "C", N, "N", "merger", 2023),
        ("E10000901", "County", "", "", "termination", 2019),
        (A, "A", "E47000901", "Combined", "new_geo", 2018),
    ]
    if with_split:
        rows += [(S, "S", S1, "S1", "split", 2021), (S, "S", S2, "S2", "split", 2021)]
    frame = pd.DataFrame(rows, columns=["old_code", "old_name", "new_code", "new_name",
                                        "change_type", "year"])
    return LaChanges.from_frames(frame, [A, B, C, S, K])


def _toy_table(codes: list[str], values: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"area_code": codes, "persons": np.array(values, dtype="int64"),
                         "asian": np.array(values, dtype="int64") // 10})


def test_merges_add_counts_hand_computed() -> None:
    ch = _toy_changes()
    table = _toy_table([A, B, C, K], [100, 250, 40, 7])
    out = convert_la_vintage(table, value_cols=["persons", "asian"], to_year=2019, changes=ch)
    assert out["area_code"].tolist() == [M, C, K]  # sorted by code
    assert out["persons"].tolist() == [350, 40, 7]
    assert out["asian"].tolist() == [35, 4, 0]
    assert out["persons"].dtype == np.int64
    out23 = convert_la_vintage(table, value_cols=["persons"], to_year=2023, changes=ch)
    assert dict(zip(out23["area_code"], out23["persons"], strict=True)) == {N: 390, K: 7}


def test_alive_in_ignores_non_la_rows_and_follows_changes() -> None:
    ch = _toy_changes()
    # The county termination and the combined-authority row are not LA changes.
    assert "E47000901" not in ch.universe and "E10000901" not in ch.universe
    assert ch.alive_in(2018) >= {A, B, C, S, K}
    assert not ch.alive_in(2019) & {A, B}
    assert M in ch.alive_in(2019) and M not in ch.alive_in(2023)
    assert ch.alive_in(2021) >= {S1, S2} and S not in ch.alive_in(2021)


def test_code_changed_between_vintages_2011_to_2013() -> None:
    codes = pd.Series(["E06000048", "E09000001", "E07000104"], index=[5, 6, 7])
    got = recode_2011_to_2013(codes)
    assert got.tolist() == ["E06000057", "E09000001", "E07000241"]
    assert got.index.tolist() == [5, 6, 7]
    assert recode_2011_to_2013(["E08000020"]).tolist() == ["E08000037"]
    # The same change through the vintage machinery: a 2011-coded table on the 2013 set.
    ch = _toy_changes()
    table = _toy_table(["E06000048", "E08000020", K], [316_028, 200_214, 7])
    out = convert_la_vintage(table, value_cols=["persons"], to_year=2013, changes=ch)
    assert out["area_code"].tolist() == ["E06000057", "E08000037", K]
    assert out["persons"].tolist() == [316_028, 200_214, 7]


def test_split_is_refused_naming_old_and_new_codes() -> None:
    ch = _toy_changes()
    table = _toy_table([S, K], [1000, 7])
    with pytest.raises(GeographyError) as err:
        convert_la_vintage(table, value_cols=["persons"], to_year=2021, changes=ch)
    msg = str(err.value)
    assert S in msg and S1 in msg and S2 in msg and "apportion" in msg
    # before the split year nothing needs apportioning
    out = convert_la_vintage(table, value_cols=["persons"], to_year=2020, changes=ch)
    assert out["persons"].tolist() == [1000, 7]


def test_split_with_apportion_key_hand_computed() -> None:
    ch = _toy_changes()
    table = _toy_table([S, A, B, K], [1000, 100, 20, 7])
    key = pd.DataFrame({"old_code": [S, S], "new_code": [S1, S2], "share": [0.25, 0.75]})
    out = convert_la_vintage(table, value_cols=["persons", "asian"], to_year=2021,
                             changes=ch, apportion=key).set_index("area_code")
    assert out.loc[S1, "persons"] == pytest.approx(250.0)
    assert out.loc[S2, "persons"] == pytest.approx(750.0)
    assert out.loc[S2, "asian"] == pytest.approx(75.0)
    assert out.loc[M, "persons"] == pytest.approx(120.0)
    assert out["persons"].sum() == pytest.approx(table["persons"].sum())


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param({"old_code": [S, S], "new_code": [S1, S2], "share": [0.5, 0.6]},
                     "sum to 1", id="shares-not-summing-to-one"),
        pytest.param({"old_code": [S], "new_code": [S1], "share": [1.0]},
                     "splits it into", id="missing-new-code"),
        pytest.param({"old_code": [S, S], "new_code": [S1, S2], "share": [-0.5, 1.5]},
                     "outside [0, 1]", id="negative-share"),
        pytest.param({"old_code": [S, S, A], "new_code": [S1, S2, M], "share": [0.5, 0.5, 1]},
                     "not split", id="key-for-a-merged-code"),
        pytest.param({"old_code": [S], "new_code": [S1]}, "lacks column", id="no-share-column"),
    ],
)
def test_bad_apportion_key_is_refused(key: dict[str, list[object]], expected: str) -> None:
    ch = _toy_changes()
    table = _toy_table([S, K], [1000, 7])
    with pytest.raises(GeographyError, match="apportion") as err:
        convert_la_vintage(table, value_cols=["persons"], to_year=2021, changes=ch,
                           apportion=pd.DataFrame(key))
    assert expected in str(err.value)


def test_partial_merge_is_refused_naming_the_missing_parts() -> None:
    ch = _toy_changes()
    table = _toy_table([A, K], [100, 7])  # B, merged with A into M in 2019, is absent
    with pytest.raises(GeographyError, match="only part of their predecessors") as err:
        convert_la_vintage(table, value_cols=["persons"], to_year=2019, changes=ch)
    assert f"{M} lacks {B}" in str(err.value)
    with pytest.raises(GeographyError) as err:  # through a chain: N = A + B + C
        convert_la_vintage(_toy_table([A, B, K], [1, 2, 3]), value_cols=["persons"],
                           to_year=2023, changes=ch)
    assert f"{N} lacks {C}" in str(err.value)
    assert ch.predecessors([N, K], 2018, 2023) == {N: {A, B, C}, K: {K}}


def test_unknown_codes_are_all_listed() -> None:
    ch = _toy_changes()
    table = _toy_table([A, "E07999999", "E01000001", K], [1, 2, 3, 4])
    with pytest.raises(GeographyError) as err:
        convert_la_vintage(table, value_cols=["persons"], to_year=2019, changes=ch)
    msg = str(err.value)
    assert "'E07999999' (row 2)" in msg and "'E01000001' (row 3)" in msg
    assert A + "'" not in msg


def test_mixed_vintage_table_is_refused() -> None:
    ch = _toy_changes()
    table = _toy_table([A, M, K], [1, 2, 3])  # A was merged into M: never coexisted
    with pytest.raises(GeographyError, match="incompatible vintages") as err:
        convert_la_vintage(table, value_cols=["persons"], to_year=2023, changes=ch)
    assert A in str(err.value) and M in str(err.value) and "2019" in str(err.value)


def test_wrong_from_year_and_backwards_conversion_are_refused() -> None:
    ch = _toy_changes()
    with pytest.raises(GeographyError, match="not in use that year") as err:
        convert_la_vintage(_toy_table([M, K], [1, 2]), value_cols=["persons"], to_year=2023,
                           from_year=2015, changes=ch)
    assert M in str(err.value)
    with pytest.raises(GeographyError, match="after to_year"):
        convert_la_vintage(_toy_table([M, K], [1, 2]), value_cols=["persons"], to_year=2015,
                           changes=ch)


def test_bad_arguments_are_refused() -> None:
    ch = _toy_changes()
    table = _toy_table([A, K], [1, 2])
    with pytest.raises(GeographyError, match="`how` was 'mean'"):
        convert_la_vintage(table, value_cols=["persons"], to_year=2019, changes=ch, how="mean")
    with pytest.raises(GeographyError, match="'people'"):
        convert_la_vintage(table, value_cols=["people"], to_year=2019, changes=ch)
    with pytest.raises(GeographyError, match="repeated LA codes") as err:
        convert_la_vintage(_toy_table([A, A], [1, 2]), value_cols=["persons"], to_year=2019,
                           changes=ch)
    assert "row 2" in str(err.value)
    with pytest.raises(GeographyError, match="not numeric"):
        convert_la_vintage(table.assign(persons=["x", "y"]), value_cols=["persons"],
                           to_year=2019, changes=ch)


def test_missing_value_makes_merged_value_missing() -> None:
    ch = _toy_changes()
    table = pd.DataFrame({"area_code": [A, B, K], "persons": [1.0, np.nan, 3.0]})
    out = convert_la_vintage(table, value_cols=["persons"], to_year=2019, changes=ch)
    got = dict(zip(out["area_code"], out["persons"], strict=True))
    assert np.isnan(got[M]) and got[K] == 3.0


def test_change_table_without_canonical_columns_is_refused() -> None:
    with pytest.raises(GeographyError, match="lacks column"):
        LaChanges.from_frames(pd.DataFrame({"oldcd": [A], "newcd": [M]}))
    frame = _toy_changes().changes
    with pytest.raises(GeographyError, match="no column 'lad_code'"):
        LaChanges.from_frames(frame, pd.DataFrame({"LADCD": [A]}))
    with pytest.raises(GeographyError, match="without the list of all LA codes"):
        LaChanges.from_frames(frame).alive_in(2019)


def test_mapping_refuses_codes_not_alive_in_from_year() -> None:
    ch = _toy_changes()
    with pytest.raises(GeographyError, match="not in use in 2020") as err:
        ch.mapping([A, C], 2020, 2023)
    assert A in str(err.value) and C + "," not in str(err.value)
    m = ch.mapping([M, C], 2020, 2023)
    assert m.to_dict("list") == {"old_code": [M, C], "new_code": [N, N], "share": [1.0, 1.0]}


# -- real data ---------------------------------------------------------------------------------


def _real_changes() -> LaChanges:
    return LaChanges.from_frames(shared.changes(), shared.la_all_codes())


def _english(codes: frozenset[str]) -> set[str]:
    return {c for c in codes if c.startswith("E")}


@pytest.mark.shared_data
def test_la_sets_match_the_ons_topojson_year_by_year() -> None:
    ch = _real_changes()
    topo = shared.topojson_ltla()
    for year in range(2014, 2026):
        alive = topo[(topo["start"].fillna(0) <= year) & (topo["end"].fillna(9999) >= year)]
        assert _english(ch.alive_in(year)) == _english(frozenset(alive["areacd"])), year
    assert [len(_english(ch.alive_in(y))) for y in (2011, 2018, 2019, 2021, 2023)] == [
        326, 326, 317, 309, 296]


@pytest.mark.shared_data
def test_la_sets_match_the_2014_and_2019_lookups() -> None:
    ch = _real_changes()
    lad19 = shared.geographr("lookup_ltla19_region19.csv")["lad_code"]
    assert _english(ch.alive_in(2019)) == set(lad19)
    lad14 = shared.ltla14()["lad_code"]
    assert ch.alive_in(2014) == set(lad14)
    # 2011 set: the 2014 set with the six 2013 re-codes undone.
    back = {old: new for old, new in zip(ch.changes["old_code"], ch.changes["new_code"],
                                         strict=True) if not old.startswith("S")}
    undo = {v: k for k, v in back.items() if k in {"E06000048", "E08000020", "E07000097",
                                                   "E07000101", "E07000100", "E07000104"}}
    assert _english(ch.alive_in(2011)) == {undo.get(c, c) for c in _english(ch.alive_in(2014))}


@pytest.mark.shared_data
def test_every_code_maps_to_its_current_la() -> None:
    """Following the changes to 2025 reproduces drkane's LADCD_ACTIVE for all 415 codes."""
    ch = _real_changes()
    codes = shared.la_all_codes()
    first_year = {c: ch.infer_vintage([c])[0] or 2011 for c in codes["lad_code"]}
    got: dict[str, str] = {}
    for year in sorted(set(first_year.values())):
        group = [c for c, y in first_year.items() if y == year]
        m = ch.mapping(group, year, 2025)
        assert len(m) == len(group) and (m["share"] == 1.0).all()
        got.update(zip(m["old_code"], m["new_code"], strict=True))
    assert got == dict(zip(codes["lad_code"], codes["active_code"], strict=True))


@pytest.mark.shared_data
@pytest.mark.parametrize(("year", "n_england"), [(2019, 317), (2021, 309), (2023, 296)])
def test_qs201ew_on_later_la_sets_conserves_every_category(year: int, n_england: int) -> None:
    table = shared.qs201ew()
    cols = shared.qs201ew_value_cols()
    out = convert_la_vintage(table, code_col="geography code", value_cols=cols, to_year=year,
                             changes=_real_changes())
    eng = out[out["geography code"].str.startswith("E")]
    assert len(eng) == n_england
    assert eng[shared.QS201EW_TOTAL].sum() == 53_012_456
    assert len(out) - len(eng) == 22  # Welsh unitaries unchanged
    before = table.loc[table["geography code"].str.startswith("E"), cols].sum()
    assert (eng[cols].sum() == before).all()
    assert (out[cols].dtypes == np.int64).all()


@pytest.mark.shared_data
def test_qs201ew_on_2019_las_equals_lsoa_counts_through_the_lad19_lookup() -> None:
    """Independent route: 2011 LSOA counts (MLID) summed by the ONS LSOA11 -> LAD19 lookup."""
    q = shared.qs201ew()
    prefix = "Ethnic Group: "
    pairs = {
        "Persons": shared.QS201EW_TOTAL,
        "WhiteBrit": prefix + "White: English/Welsh/Scottish/Northern Irish/British; measures: "
        "Value",
        "Indian": prefix + "Asian/Asian British: Indian; measures: Value",
        "Pakistani": prefix + "Asian/Asian British: Pakistani; measures: Value",
        "BlkCaribbean": prefix + "Black/African/Caribbean/Black British: Caribbean; measures: "
        "Value",
        "Mixed": prefix + "Mixed; measures: Value",
    }
    conv = convert_la_vintage(q, code_col="geography code", value_cols=list(pairs.values()),
                              to_year=2019, changes=_real_changes()).set_index("geography code")
    lsoa = shared.mlid_lsoa()
    look = shared.geographr("lookup_lsoa11_ltla19.csv")
    merged = lsoa.merge(look[["lsoa_code", "lad_code"]], left_on="LSOA", right_on="lsoa_code",
                        how="left", validate="one_to_one")
    assert merged["lad_code"].notna().all()
    by_la = merged.groupby("lad_code")[list(pairs)].sum()
    assert len(by_la) == len(conv) == 339
    for mlid_col, qs_col in pairs.items():
        assert (by_la[mlid_col] == conv.loc[by_la.index, qs_col]).all(), mlid_col


@pytest.mark.shared_data
def test_qs201ew_on_2011_codes_gives_the_same_2019_table() -> None:
    """Scenario: the same table keyed on the original 2011 codes (before the 2013 re-codes)."""
    q = shared.qs201ew()
    cols = shared.qs201ew_value_cols()
    to_2011 = {"E06000057": "E06000048", "E08000037": "E08000020", "E07000242": "E07000097",
               "E07000243": "E07000101", "E07000240": "E07000100", "E07000241": "E07000104"}
    old = q.assign(**{"geography code": q["geography code"].replace(to_2011)})
    assert old["geography code"].isin(list(to_2011.values())).sum() == 6
    ch = _real_changes()
    assert ch.infer_vintage(old["geography code"]) == (None, 2012)
    new = convert_la_vintage(q, code_col="geography code", value_cols=cols, to_year=2019,
                             changes=ch)
    via_2011 = convert_la_vintage(old, code_col="geography code", value_cols=cols,
                                  to_year=2019, changes=ch)
    pd.testing.assert_frame_equal(new, via_2011)


@pytest.mark.shared_data
def test_real_mixed_vintage_table_is_refused() -> None:
    q = shared.qs201ew()[["geography code", shared.QS201EW_TOTAL]]
    extra = pd.DataFrame({"geography code": ["E06000058"], shared.QS201EW_TOTAL: [395_784]})
    with pytest.raises(GeographyError, match="incompatible vintages") as err:
        convert_la_vintage(pd.concat([q, extra]), code_col="geography code",
                           value_cols=[shared.QS201EW_TOTAL], to_year=2021,
                           changes=_real_changes())
    msg = str(err.value)
    assert "E06000058" in msg
    assert all(c in msg for c in ("E06000028 (replaced 2019)", "E06000029 (replaced 2019)",
                                  "E07000048 (replaced 2019)"))
