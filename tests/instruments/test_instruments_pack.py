"""The evidence pack on a small hand-made index folder."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import socint.cli.pack  # noqa: F401  (registers the command)
from socint.cli import app
from socint.errors import GeographyError, InputDataError
from socint.instruments.pack import (
    integration_domains,
    local_actions,
    pack_context,
    read_index_folder,
    similar_areas,
    write_pack,
)

runner = CliRunner()


def _index(tmp: Path, *, interval: str = "90", synthetic: bool = False) -> Path:
    lo, hi = (("trust_lower90", "trust_upper90") if interval == "90"
              else ("trust_lower", "trust_upper"))
    la = pd.DataFrame({
        "lad_code": ["E08000032", "E09000030", "E07000203", "E06000001"],
        "lad_name": ["Bradford <b>", "Tower Hamlets", "Mid Suffolk", "Hartlepool"],
        "region_code": ["E12000003", "E12000007", "E12000006", "E12000001"],
        "region_name": ["Yorkshire", "London", "East", "North East"],
        "trust": [0.267, 0.20, 0.63, 0.34], lo: [0.243, 0.18, 0.60, 0.31],
        hi: [0.299, 0.22, 0.66, 0.38], "edi": [0.34, 0.80, 0.06, 0.07],
        "dissimilarity": [63.0, 30.0, 22.0, 33.0], "deprivation": [8.0, 9.0, 2.0, 9.0],
        "composite": [0.3, 0.5, 0.55, 0.2], "rank": [3, 2, 1, 4],
        "rank_lower": [3, 1, 1, 3], "rank_upper": [4, 3, 2, 4],
        "most_integrated": [False, False, False, False]})
    tmp.mkdir(parents=True, exist_ok=True)
    la.to_csv(tmp / "la_index.csv", index=False)
    kind = "synthetic" if synthetic else "official"
    (tmp / "manifest.json").write_text(json.dumps({"source": {"kind": kind, "name": kind}}))
    return tmp


def test_similar_areas_hand_computed() -> None:
    cov = pd.DataFrame({"a": [0.0, 1.0, 2.0, 10.0], "b": [0.0, 0.0, 0.0, 0.0]},
                       index=["A", "B", "C", "D"])
    s = similar_areas(cov, "A", k=2)
    # b has no spread (dropped); a: mean 3.25, sd sqrt(((3.25)^2+2.25^2+1.25^2+6.75^2)/4)
    sd = math.sqrt((3.25**2 + 2.25**2 + 1.25**2 + 6.75**2) / 4)
    assert list(s["lad_code"]) == ["B", "C"]
    assert s["distance"].tolist() == pytest.approx([1 / sd, 2 / sd])


def test_content_files_are_versioned_and_consistent() -> None:
    d = integration_domains()
    names = [dom["name"] for g in d["groups"] for dom in g["domains"]]
    assert names == ["Work", "Education", "Housing", "Health and social care", "Leisure",
                     "Social bonds", "Social bridges", "Social links",
                     "Language and communication", "Culture", "Digital skills", "Safety",
                     "Stability", "Rights and responsibilities"]
    a = local_actions()
    assert a["version"] and len(a["actions"]) == 10


def test_pack_context_marks_data_and_gaps(tmp_path: Path) -> None:
    ctx = pack_context(read_index_folder(_index(tmp_path)), "E08000032")
    status = {i["id"]: i["status"] for g in ctx["groups"] for d in g["domains"]
              for i in d["indicators"]}
    assert status["trust"] == status["edi"] == status["dissimilarity"] == "data here"
    assert status["employment_gap"] == "gap" and status["belonging"] == "collect"
    assert status["school_segregation"] == "gap"  # no --schools given
    assert ctx["similar"][0]["lad_code"] in {"E06000001", "E09000030", "E07000203"}
    assert ctx["covariates"] == ["edi", "dissimilarity", "deprivation"]
    schools = pd.DataFrame({"tier": ["lad"], "area_code": ["E08000032"],
                            "phase": ["secondary"], "d_multigroup": [0.53]})
    ctx = pack_context(read_index_folder(_index(tmp_path)), "E08000032", schools)
    edu = next(d for g in ctx["groups"] for d in g["domains"] if d["id"] == "education")
    assert edu["indicators"][0]["value"] == pytest.approx(0.53)


def test_pack_page_is_offline_and_escaped(tmp_path: Path) -> None:
    path = write_pack("E08000032", _index(tmp_path / "i", interval="plain"), tmp_path / "o")
    html = path.read_text()
    assert "Bradford &lt;b&gt;" in html and "<b>" not in html.replace("<body>", "")
    assert "24.3% to 29.9%" in html  # trust_lower/trust_upper accepted
    assert "http://" not in html and "https://" not in html
    # every stylesheet, icon and script is a file of the output folder (its assets/)
    refs = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', html)
    assert refs and all((path.parent / r).is_file() for r in refs), refs
    assert html.count('class="action"') == 10
    assert "Only the action&#39;s title is held here" in html


def test_synthetic_index_is_labelled(tmp_path: Path) -> None:
    html = write_pack("E06000001", _index(tmp_path / "i", synthetic=True), tmp_path).read_text()
    assert "SYNTHETIC DATA" in html


def test_errors_and_cli(tmp_path: Path) -> None:
    idx = _index(tmp_path / "i")
    with pytest.raises(GeographyError, match="E09999999"):
        write_pack("E09999999", idx, tmp_path / "o")
    with pytest.raises(InputDataError, match=r"la_index\.csv"):
        read_index_folder(tmp_path)
    res = runner.invoke(app, ["pack", "E09000030", "--index", str(idx), "--out",
                              str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "pack_E09000030.html").is_file()


def test_pack_reads_the_full_precision_table_when_present(tmp_path: Path) -> None:
    idx = _index(tmp_path / "i")
    la = pd.read_csv(idx / "la_index.csv")
    la.loc[0, "trust_upper90"] = 0.2995  # published, rounded: 29.95 -> "29.9%" (float)
    la.to_csv(idx / "la_index.csv", index=False)
    la.loc[0, "trust_upper90"] = 0.29953  # full precision: 29.953 -> "30.0%" as on the site
    la.to_csv(idx / "la_index_analysis.csv", index=False)
    html = write_pack("E08000032", idx, tmp_path / "o").read_text()
    assert "24.3% to 30.0%" in html
