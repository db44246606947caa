"""The main job on the official files: ``socint run --census 2011|2021 --data ../shared/data``.

References: the report's Table 4.4 (the 10 lowest- and 10 highest-trust LAs of 2011), which
the published model transported onto the census must rank alike — a floor, not a fit: nothing
in the method is tuned to those figures; ONS LA counts (326 in 2011, 309 LTLA21).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import spearmanr

from socint.pipeline import RunConfig, RunResult, run


@pytest.fixture(scope="module")
def run2011(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    out = tmp_path_factory.mktemp("r11") / "r11"
    return run(RunConfig(out=out, census=2011, data=shared_data, draws=100, site=False))


@pytest.mark.slow
def test_2011_published_model_ranks_las_like_table_4_4(run2011: RunResult) -> None:
    from _shared_data import REPO_ROOT

    table = REPO_ROOT.parent / "shared" / "published" / "bright_blue_2019_table_4_4.csv"
    if not table.is_file():
        pytest.skip(f"needs {table}")
    t = pd.read_csv(table)
    pub = pd.concat([t[["lowest_trust_la", "lowest_trust"]].set_axis(["name", "pub"], axis=1),
                     t[["highest_trust_la", "highest_trust"]].set_axis(["name", "pub"], axis=1)])
    la = run2011.index.la
    assert len(la) == 326 and la["trust"].notna().all()
    m = pub.merge(la[["lad_name", "trust"]], left_on="name", right_on="lad_name", how="left")
    assert m["trust"].notna().all(), "every Table 4.4 LA is found by its 2011 name"
    rho = spearmanr(m["pub"], m["trust"]).statistic
    assert rho > 0.6
    lowest20 = set(la.nsmallest(20, "trust")["lad_name"])
    assert len(lowest20 & set(t["lowest_trust_la"])) >= 4
    assert "not measured by a survey" in run2011.trust.description


@pytest.mark.slow
def test_2021_run_from_the_official_files(shared_data: Path, tmp_path: Path) -> None:
    res = run(RunConfig(out=tmp_path / "r21", census=2021, data=shared_data, draws=50,
                        change=False))
    la = pd.read_csv(tmp_path / "r21" / "la_index.csv")
    assert len(la) == 309 and la["lad_code"].str.match(r"^E0[6-9]").all()
    for col in ("trust", "edi", "dissimilarity", "trust_decile", "edi_decile",
                "most_integrated"):
        assert col in la.columns, col
    assert la["trust"].notna().all()
    assert res.manifest["trust"]["source"] == "published_model"
    terms = {a["term"] for a in res.manifest["assumptions"]}
    assert {"poor_english", "family_pct", "income_decile"} <= terms
    if res.source.la_boundaries is not None:
        codes = [f["properties"].get("area_code") or f["properties"].get("lad_code")
                 for f in res.source.la_boundaries["features"]]
        assert sorted(codes) == sorted(la["lad_code"])
