"""Carrying LSOA11 attributes to LSOA21 (population-weighted rule) and LTLA21 -> LTLA23."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from socint.errors import GeographyError
from socint.geo.carry import carry_lsoa11_to_lsoa21, la_changes_2021_2023, lad21_to_lad23

# Hand-made: A unchanged -> a; B split -> b1, b2; C (pop 100) and D (pop 300) merged -> cd.
LOOKUP = pd.DataFrame({"lsoa11_code": ["A", "B", "B", "C", "D"],
                       "lsoa21_code": ["a", "b1", "b2", "cd", "cd"]})
POP = pd.DataFrame({"lsoa11_code": ["A", "B", "C", "D"], "population": [1000, 1500, 100, 300]})
VALS = pd.DataFrame({"lsoa11_code": ["A", "B", "C", "D"], "score": [1.0, 2.0, 10.0, 30.0],
                     "ruc": ["urban", "rural", "rural", "urban"]})


def test_carry_by_hand() -> None:
    out = carry_lsoa11_to_lsoa21(VALS, ["score", "ruc"], lookup=LOOKUP, population=POP,
                                 categorical=["ruc"]).set_index("lsoa21_code")
    assert out.loc["a", "score"] == 1.0 and out.loc["b1", "score"] == 2.0
    assert out.loc["b2", "ruc"] == "rural"
    # merged: (100*10 + 300*30) / 400 = 25; majority class by population: urban (D)
    assert out.loc["cd", "score"] == pytest.approx(25.0)
    assert out.loc["cd", "ruc"] == "urban"
    assert out.loc["cd", "n_lsoa11"] == 2


def test_missing_parent_is_named() -> None:
    with pytest.raises(GeographyError, match="1 LSOA11 of the lookup have no row in values: D"):
        carry_lsoa11_to_lsoa21(VALS.iloc[:3], ["score"], lookup=LOOKUP, population=POP)


@pytest.fixture(scope="module")
def official(shared_data: Path) -> dict[str, pd.DataFrame]:
    """England tables derived from the official files by the extract's builders."""
    from socint.extract.build import Builder, tables_2011, tables_2021, tables_iod_ruc

    b = Builder(shared_data)
    return {o.name: o.obj for o in (*tables_2011(b), *tables_iod_ruc(b), *tables_2021(b))
            if isinstance(o.obj, pd.DataFrame)}


def test_carry_iod_to_every_english_lsoa21(official: dict[str, pd.DataFrame]) -> None:
    lk = official["lookup_lsoa11_lsoa21"]
    iod = official["iod2019_lsoa11"].rename(columns={"lsoa_code": "lsoa11_code"})
    pop = official["population2011_lsoa11"].rename(columns={"lsoa_code": "lsoa11_code"})
    ruc = official["ruc2011_lsoa11"].rename(columns={"lsoa_code": "lsoa11_code"})
    assert isinstance(lk, pd.DataFrame) and isinstance(iod, pd.DataFrame)
    vals = iod.merge(ruc, on="lsoa11_code")
    out = carry_lsoa11_to_lsoa21(vals, ["income_rank", "ruc_code"], lookup=lk, population=pop,
                                 categorical=["ruc_code"])
    assert len(out) == 33755 and out[["income_rank", "ruc_code"]].notna().all().all()
    # unchanged LSOAs keep their rank exactly
    u = lk[lk["change_code"] == "U"].merge(iod, on="lsoa11_code").set_index("lsoa21_code")
    got = out.set_index("lsoa21_code").loc[u.index, "income_rank"]
    assert (got.to_numpy() == u["income_rank"].to_numpy()).all()


def test_lad21_to_lad23_sums_merges(official: dict[str, pd.DataFrame]) -> None:
    eth = official["ethnicity2021_lad21"]
    assert isinstance(eth, pd.DataFrame)
    out = lad21_to_lad23(eth, ["total"], changes=la_changes_2021_2023())
    assert len(out) == 296 and out["total"].sum() == eth["total"].sum()
    nyorks = out.set_index("lad_code").loc["E06000065", "total"]  # North Yorkshire (2023)
    districts = ["E07000163", "E07000164", "E07000165", "E07000166", "E07000167",
                 "E07000168", "E07000169"]
    assert nyorks == eth.set_index("lad_code").loc[districts, "total"].sum()
