"""Bad dashboard inputs fail early with a located, fixable error (one named scenario each)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from report_factory import make_inputs

from socint.errors import InputDataError, SchemaError
from socint.report import SiteInputs, build_site, validate_inputs
from socint.report.adapters import interaction_from_glmm, margins_from_glmm
from socint.report.load import load_site_inputs


def _with(inputs: SiteInputs, **changes: Any) -> SiteInputs:
    return dataclasses.replace(inputs, **changes)


def test_good_inputs_pass() -> None:
    validate_inputs(make_inputs(12))
    validate_inputs(make_inputs(12, extras=False))


def test_missing_required_column_names_it() -> None:
    inp = make_inputs(12)
    bad = _with(inp, la_index=inp.la_index.drop(columns=["trust_upper90"]))
    with pytest.raises(SchemaError, match="trust_upper90") as err:
        validate_inputs(bad)
    assert err.value.column == "trust_upper90"


def test_duplicate_la_code_gives_row_and_code() -> None:
    inp = make_inputs(12)
    la = inp.la_index.copy()
    la.loc[5, "lad_code"] = str(la.at[2, "lad_code"])
    with pytest.raises(InputDataError, match="appears twice") as err:
        validate_inputs(_with(inp, la_index=la))
    assert err.value.row == 6 and err.value.code == la.loc[2, "lad_code"]


def test_trust_outside_its_interval() -> None:
    inp = make_inputs(12)
    la = inp.la_index.copy()
    la.loc[3, "trust_upper90"] = la["trust"].to_numpy()[3] - 0.01
    with pytest.raises(InputDataError, match="does not contain trust") as err:
        validate_inputs(_with(inp, la_index=la))
    assert err.value.row == 4 and err.value.code == la.loc[3, "lad_code"]


def test_probability_out_of_range() -> None:
    inp = make_inputs(12)
    la = inp.la_index.copy()
    la.loc[0, "p_top_decile"] = 1.5
    with pytest.raises(InputDataError, match=r"p_top_decile is 1.5, outside \[0, 1\]") as err:
        validate_inputs(_with(inp, la_index=la))
    assert err.value.row == 1


def test_decile_out_of_range() -> None:
    inp = make_inputs(12)
    la = inp.la_index.copy()
    la.loc[7, "edi_decile"] = 11
    with pytest.raises(InputDataError, match="edi_decile") as err:
        validate_inputs(_with(inp, la_index=la))
    assert err.value.row == 8


def test_text_in_a_numeric_column() -> None:
    inp = make_inputs(12)
    la = inp.la_index.astype({"edi": object})
    la.loc[2, "edi"] = "high"
    with pytest.raises(InputDataError, match="edi is 'high', not a number") as err:
        validate_inputs(_with(inp, la_index=la))
    assert err.value.column == "edi" and err.value.row == 3


def test_unsafe_area_code_is_refused() -> None:
    inp = make_inputs(12)
    la = inp.la_index.copy()
    la.loc[1, "lad_code"] = "../evil"
    with pytest.raises(InputDataError, match="not a usable area code") as err:
        validate_inputs(_with(inp, la_index=la))
    assert err.value.row == 2


def test_empty_name() -> None:
    inp = make_inputs(12)
    la = inp.la_index.copy()
    la.loc[4, "lad_name"] = "  "
    with pytest.raises(InputDataError, match="lad_name") as err:
        validate_inputs(_with(inp, la_index=la))
    assert err.value.row == 5


def test_boundaries_missing_an_la() -> None:
    inp = make_inputs(12)
    feats = inp.boundaries["features"][:-1]
    with pytest.raises(InputDataError, match="no polygon for 1 area") as err:
        validate_inputs(_with(inp, boundaries={"type": "FeatureCollection", "features": feats}))
    assert err.value.code == inp.la_index["lad_code"].iloc[-1]


def test_boundaries_with_an_extra_area() -> None:
    inp = make_inputs(12)
    extra = json.loads(json.dumps(inp.boundaries["features"][0]))
    extra["properties"]["area_code"] = "E07999999"
    fc = {"type": "FeatureCollection", "features": [*inp.boundaries["features"], extra]}
    with pytest.raises(InputDataError, match="not in la_index") as err:
        validate_inputs(_with(inp, boundaries=fc))
    assert err.value.code == "E07999999"


def test_boundary_geometry_that_is_a_point() -> None:
    inp = make_inputs(12)
    fc = json.loads(json.dumps(inp.boundaries))
    fc["features"][2]["geometry"] = {"type": "Point", "coordinates": [0.0, 52.0]}
    with pytest.raises(InputDataError, match="not a valid Polygon") as err:
        validate_inputs(_with(inp, boundaries=fc))
    assert err.value.row == 3


def test_boundaries_not_a_feature_collection() -> None:
    inp = make_inputs(12)
    with pytest.raises(SchemaError, match="not a GeoJSON FeatureCollection"):
        validate_inputs(_with(inp, boundaries={"type": "Feature"}))


def test_decomposition_for_an_unknown_la() -> None:
    inp = make_inputs(12)
    assert inp.decomposition is not None
    dec = inp.decomposition.copy()
    dec.loc[3, "lad_code"] = "E07999998"
    with pytest.raises(InputDataError, match="E07999998 is not in la_index") as err:
        validate_inputs(_with(inp, decomposition=dec))
    assert err.value.row == 4 and err.value.file == "decomposition"


def test_margins_without_interval() -> None:
    inp = make_inputs(12)
    margins = dict(inp.margins)
    margins["sex"] = margins["sex"].drop(columns=["upper"])
    with pytest.raises(SchemaError, match=r"margins\[sex\] is missing column"):
        validate_inputs(_with(inp, margins=margins))


def test_msoa_boundaries_without_msoa_index() -> None:
    inp = make_inputs(12)
    with pytest.raises(InputDataError, match="without msoa_index"):
        validate_inputs(_with(inp, msoa_index=None))


def test_msoa_without_a_polygon() -> None:
    inp = make_inputs(12)
    assert inp.msoa_boundaries is not None
    feats = [f for f in inp.msoa_boundaries["features"]
             if f["properties"]["msoa_code"] != "E02000007"]
    with pytest.raises(InputDataError, match="no polygon for 1 area") as err:
        validate_inputs(_with(inp, msoa_boundaries={"type": "FeatureCollection",
                                                    "features": feats}))
    assert err.value.code == "E02000007" and err.value.file == "msoa_boundaries"


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    inp = make_inputs(12)
    la = inp.la_index.copy()
    la.loc[0, "trust"] = 2.0
    with pytest.raises(InputDataError):
        build_site(_with(inp, la_index=la), tmp_path / "site", figures=False)
    assert not (tmp_path / "site").exists()
    assert list(tmp_path.iterdir()) == []


def test_index_folder_without_la_index(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"no la_index\.csv") as err:
        load_site_inputs(tmp_path)
    assert err.value.hint and "socint index" in err.value.hint


def test_index_folder_with_broken_geojson(tmp_path: Path) -> None:
    make_inputs(12).la_index.to_csv(tmp_path / "la_index.csv", index=False)
    (tmp_path / "la_boundaries.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"la_boundaries\.geojson is not valid JSON"):
        load_site_inputs(tmp_path)


def test_index_folder_without_boundaries(tmp_path: Path) -> None:
    make_inputs(12).la_index.to_csv(tmp_path / "la_index.csv", index=False)
    with pytest.raises(InputDataError, match="no LA boundaries"):
        load_site_inputs(tmp_path)


def test_index_folder_round_trip(tmp_path: Path) -> None:
    """Files written in the documented layout come back as the same tables."""
    inp = make_inputs(12)
    inp.la_index.to_csv(tmp_path / "la_index.csv", index=False)
    (tmp_path / "la_boundaries.geojson").write_text(json.dumps(inp.boundaries), "utf-8")
    inp.margins["age"].to_csv(tmp_path / "margins_age.csv", index=False)
    assert inp.decomposition is not None
    inp.decomposition.to_csv(tmp_path / "decomposition.csv", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps({"seed": 7}), "utf-8")
    got = load_site_inputs(tmp_path)
    pd.testing.assert_frame_equal(got.la_index, inp.la_index, check_dtype=False)
    assert set(got.margins) == {"age"} and got.manifest == {"seed": 7}
    assert got.model_summary is None
    validate_inputs(got)


def test_margins_from_glmm_layout() -> None:
    # The layout GlmmResult.margins("ethnicity") returns (socint.models.predict.margins).
    glmm = pd.DataFrame({"ethnicity": ["White", "Asian"], "probability": [0.4, 0.33],
                         "std_error": [0.01, 0.02], "lower": [0.38, 0.29],
                         "upper": [0.42, 0.37]})
    got = margins_from_glmm(glmm, "ethnicity")
    assert list(got.columns) == ["value", "estimate", "lower", "upper"]
    assert got["value"].tolist() == ["White", "Asian"]
    assert got["estimate"].tolist() == [0.4, 0.33]
    with pytest.raises(SchemaError, match="probability"):
        margins_from_glmm(glmm.drop(columns=["probability"]), "ethnicity")


def test_interaction_from_two_margins_tables() -> None:
    def part(p: float) -> pd.DataFrame:
        return pd.DataFrame({"div_decile": [1, 2], "probability": [p, p - 0.01],
                             "std_error": 0.01, "lower": p - 0.02, "upper": p + 0.02})
    got = interaction_from_glmm({1: part(0.3), 0: part(0.4)})
    assert got[["div_decile", "poor_english"]].values.tolist() == [[1, 0], [2, 0], [1, 1], [2, 1]]
    assert got["estimate"].tolist() == pytest.approx([0.4, 0.39, 0.3, 0.29])
    validate_inputs(dataclasses.replace(make_inputs(12), interaction=got))
