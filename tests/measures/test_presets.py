"""Preset ``bright_blue_2019`` against the figures published by Bright Blue (2019).

Published (``socint.published.PUBLISHED_LA_MEASURES``): City of London EDI 0.627 and ID 24.8,
Cambridge EDI 0.535 and ID 15.0, reported to 3 and 1 decimals; the test rounds ours the same
way. Plausibility: the LAs known from the 2011 Census as most diverse / most segregated must be
at the top.
"""

from __future__ import annotations

import pandas as pd
import pytest
from measures_data import la_reference, oa_units

from socint.errors import GeographyError, InputDataError
from socint.measures import run_preset
from socint.published import PUBLISHED_LA_MEASURES


@pytest.fixture(scope="module")
def bright_blue() -> pd.DataFrame:
    return run_preset("bright_blue_2019", oa_units(), la_reference())


def test_published_values_reproduced(bright_blue: pd.DataFrame) -> None:
    t = bright_blue.set_index("lad_code")
    for code, pub in PUBLISHED_LA_MEASURES.items():
        row = t.loc[code]
        assert row["lad_name"] == pub["name"]
        assert round(row["edi"], 3) == pytest.approx(pub["edi"], abs=1e-12), pub["name"]
        assert round(row["dissimilarity"], 1) == pytest.approx(pub["dissimilarity"],
                                                               abs=1e-12), pub["name"]


def test_output_columns_and_326_english_las(bright_blue: pd.DataFrame) -> None:
    for col in ("lad_code", "lad_name", "edi", "edi_decile", "dissimilarity",
                "dissimilarity_decile"):
        assert col in bright_blue.columns
    assert len(bright_blue) == 326 and bright_blue["lad_code"].str.startswith("E").all()
    assert bright_blue["lad_code"].is_unique
    for col in ("edi_decile", "dissimilarity_decile"):
        sizes = bright_blue[col].value_counts()
        assert sorted(sizes.index) == list(range(1, 11)) and set(sizes) == {32, 33}
    assert bright_blue["population"].sum() == 53_012_456  # England, Census 2011


def test_known_diverse_and_segregated_las_at_the_top(bright_blue: pd.DataFrame) -> None:
    t = bright_blue.set_index("lad_name")
    for la in ("Newham", "Brent", "Tower Hamlets", "Leicester", "Slough"):
        assert t.loc[la, "edi_decile"] == 10, la
    for la in ("Bradford", "Blackburn with Darwen", "Oldham", "Pendle", "Burnley"):
        assert t.loc[la, "dissimilarity_decile"] == 10, la
    # homogeneous rural LAs are the least diverse
    for la in ("Copeland", "Allerdale", "Redcar and Cleveland"):
        assert t.loc[la, "edi_decile"] == 1, la


def test_preset_refuses_other_units_and_missing_codes() -> None:
    units = oa_units()
    with pytest.raises(InputDataError, match="needs oa units but the counts are msoa"):
        run_preset("bright_blue_2019", units.rollup("msoa"), la_reference())
    with pytest.raises(GeographyError, match="needs LA codes"):
        run_preset("bright_blue_2019", units)
    with pytest.raises(InputDataError, match="preset 'bright_blue_2020' is unknown"):
        run_preset("bright_blue_2020", units)
