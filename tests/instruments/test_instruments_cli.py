"""CLI commands of the instruments, run on the synthetic inputs; escaping and disclosure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import socint.cli.compare
import socint.cli.schools
import socint.cli.scorecard
import socint.cli.survey  # noqa: F401  (registers the commands)
from socint.cli import app
from socint.synthetic.instruments import InstrumentInputs, generate_instruments

runner = CliRunner()


def _flat(text: str) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def inputs() -> InstrumentInputs:
    return generate_instruments(3)


def _csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return path


def test_schools_command_escapes_names(inputs: InstrumentInputs, tmp_path: Path) -> None:
    schools = inputs.schools.copy()
    schools.loc[1, "school_name"] = "<script>alert('x')</script> & Co"
    s = _csv(schools, tmp_path / "spc.csv")
    pop = _csv(inputs.la_population, tmp_path / "pop.csv")
    res = runner.invoke(app, ["schools", str(s), "--population", str(pop),
                              "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "out" / "schools.html").read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in html
    assert "http://" not in html and "https://" not in html  # offline
    table = pd.read_csv(tmp_path / "out" / "schools.csv")
    assert len(table) == len(schools)
    assert (table["pupils"].dropna() >= 10).all()  # never a count below 10


def test_scorecard_command_and_bad_reference(inputs: InstrumentInputs, tmp_path: Path) -> None:
    ind = _csv(inputs.indicators, tmp_path / "ind.csv")
    la = inputs.indicators["lad_code"].iloc[0]
    res = runner.invoke(app, ["scorecard", str(ind), "--la", la, "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "o" / f"scorecard_{la}.html").read_text()
    for domain in ("Education", "Employment", "Housing", "Health", "Criminal justice",
                   "Civic participation", "Support for the voluntary sector"):
        assert f"<h2>{domain}</h2>" in html
    card = pd.read_csv(tmp_path / "o" / "scorecard.csv")
    assert (card["numerator"].dropna() >= 10).all()
    res = runner.invoke(app, ["scorecard", str(ind), "--reference", "martians",
                              "--out", str(tmp_path / "o")])
    assert res.exit_code == 3
    assert "martians" in _flat(res.output)


def test_compare_command(inputs: InstrumentInputs, tmp_path: Path) -> None:
    s = _csv(inputs.comparison_survey, tmp_path / "survey.csv")
    out = tmp_path / "c"
    res = runner.invoke(app, [
        "compare", str(s), "--outcome", "cohesion_likert:likert", "--outcome",
        "volunteered:binary", "--covariate", "age", "--covariate", "ethnicity",
        "--wave", "wave", "--before", "2016", "--reference", "Other area",
        "--trust-outcome", "trust_people", "--out", str(out)])
    assert res.exit_code == 0, res.output
    con = pd.read_csv(out / "compare_contrasts.csv")
    assert set(con["contrast"]) == {"gap", "did"}
    assert "<svg" in (out / "compare.html").read_text()
    for f in (p for p in out.rglob("*") if p.is_file()):  # no respondent rows in any output
        assert "c00001" not in f.read_text()
    bad = runner.invoke(app, ["compare", str(s), "--outcome", "cohesion_likert:ordinal"])
    assert bad.exit_code == 2 and "NAME:KIND" in _flat(bad.output)


def test_survey_commands(inputs: InstrumentInputs, tmp_path: Path) -> None:
    r = _csv(inputs.local_survey, tmp_path / "resp.csv")
    m = _csv(inputs.margins, tmp_path / "margins.csv")
    la = inputs.local_survey["lad_code"].iloc[0]
    assert runner.invoke(app, ["survey", "validate", str(r)]).exit_code == 0
    res = runner.invoke(app, ["survey", "weight", str(r), "--margins", str(m), "--la", la,
                              "--tenure", "--trim", "5", "--out", str(tmp_path / "w.csv")])
    assert res.exit_code == 0, res.output
    diag = pd.read_csv(tmp_path / "w.csv")
    assert (abs(diag["weighted_share"] - diag["target_share"]) < 1e-6).all()
    model = _csv(pd.DataFrame({"lad_code": [la], "estimate": [0.38], "lower": [0.33],
                               "upper": [0.43]}), tmp_path / "model.csv")
    res = runner.invoke(app, ["survey", "estimate", str(r), "--margins", str(m), "--la", la,
                              "--model-estimates", str(model), "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    est = pd.read_csv(tmp_path / "s" / "survey_estimates.csv")
    assert "local minus model" in set(est["group"])
    for f in (p for p in (tmp_path / "s").rglob("*") if p.is_file()):
        assert "L0001" not in f.read_text()
    # the layout of socint.estimates (mrp, mrp_lower95, mrp_upper95) is read too
    mrp = _csv(pd.DataFrame({"lad_code": [la], "mrp": [0.38], "mrp_lower95": [0.33],
                             "mrp_upper95": [0.43]}), tmp_path / "mrp.csv")
    res = runner.invoke(app, ["survey", "estimate", str(r), "--margins", str(m), "--la", la,
                              "--model-estimates", str(mrp), "--by", "ethnicity",
                              "--out", str(tmp_path / "s2")])
    assert res.exit_code == 0, res.output
    est2 = pd.read_csv(tmp_path / "s2" / "survey_estimates.csv")
    same = est2[est2["group"].isin(["all", "local minus model"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(est, same)
    sub = est2[~est2["group"].isin(["all", "local minus model"])]
    assert set(sub["group"]) <= {"white", "mixed", "asian", "black", "other"}
    assert len(sub) == 7 * 5 and (sub["n"].dropna() >= 10).all()
    assert "By subgroup" in (tmp_path / "s2" / "survey.html").read_text()
    # a bad cell is reported with its row and column
    bad = inputs.local_survey.copy()
    bad.loc[4, "belonging"] = "sort_of"
    res = runner.invoke(app, ["survey", "validate", str(_csv(bad, tmp_path / "bad.csv"))])
    assert res.exit_code == 3
    assert "row 5, column 'belonging': 'sort_of'" in _flat(res.output)
    # a margin cell with no respondents: unweightable, clear message
    none_young = inputs.local_survey[inputs.local_survey["age_band"] != "16-24"]
    res = runner.invoke(app, ["survey", "weight", str(_csv(none_young, tmp_path / "ny.csv")),
                              "--margins", str(m), "--la", la])
    assert res.exit_code == 3 and "cannot be weighted" in _flat(res.output)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["survey", "validate", str(tmp_path / "nope.csv")])
    assert res.exit_code == 3 and "not found" in _flat(res.output)


def test_scorecard_from_census_cross_table_with_la_list(tmp_path: Path) -> None:
    census = pd.DataFrame({
        "lad_code": "E06000001", "group": ["white_british"] * 2 + ["pakistani"] * 2,
        "category": ["social_rented", "owned"] * 2, "count": [300, 700, 450, 550]})
    c = _csv(census, tmp_path / "tenure.csv")
    las = _csv(pd.DataFrame({"lad_code": ["E06000001"], "lad_name": ["Hartlepool"]}),
               tmp_path / "las.csv")
    out = tmp_path / "o"
    res = runner.invoke(app, ["scorecard", "--census", str(c), "--derive",
                              "housing:social_renting:social_rented:2021",
                              "--known-las", str(las), "--out", str(out)])
    assert res.exit_code == 0, res.output
    card = pd.read_csv(out / "scorecard.csv").set_index("group")
    assert card.loc["pakistani", "ratio"] == pytest.approx(1.5)  # 45% / 30%
    assert "Race-equality scorecard: Hartlepool" in (out / "scorecard_E06000001.html").read_text()
    bad = runner.invoke(app, ["scorecard", "--census", str(c), "--derive", "housing:x:2021"])
    assert bad.exit_code == 3 and "DOMAIN:INDICATOR:CATEGORIES:YEAR" in _flat(bad.output)
    other = _csv(pd.DataFrame({"lad_code": ["E06000002"]}), tmp_path / "other.csv")
    bad = runner.invoke(app, ["scorecard", "--census", str(c), "--derive",
                              "housing:social_renting:social_rented:2021",
                              "--known-las", str(other), "--out", str(out)])
    assert bad.exit_code == 4 and "E06000001" in _flat(bad.output)
