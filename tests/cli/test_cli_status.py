"""``socint status`` (issues 10 and 14): no store is ever created, missing provenance fields
(NA) print as empty, piped output is never cut to the width, and ``--json`` is valid JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from conftest import shared_path
from socint.cli import _register, app
from socint.cli.common import print_table

_register()
RUNNER = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src"

# Files whose provenance has no level and/or no vintage (lookups, the multi-year TopoJSON):
# these made `status` fail with "TypeError: boolean value of NA is ambiguous".
NA_FILES = [
    ("census2011_ethnicity_la_qs201ew", "qs201ew_ethnic_group_2011_la_ew.csv"),
    ("census2011_ethnicity_la_qs201ew", "lad16_to_csp16_to_pfa16_lookup_ew.csv"),
    ("ons_uk_topojson_lad_2014_2025", "ltla_changes_2014_2025.csv"),
    ("ons_uk_topojson_lad_2014_2025", "uk_topo_2014_2025.topojson"),
    ("geo_lookups_drkane", "rgn_all_codes.csv"),
]


def test_status_of_a_missing_store_says_so_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "socint.duckdb"
    res = RUNNER.invoke(app, ["status", "--store", str(missing)])
    assert res.exit_code == 5, res.output  # store
    assert f"there is no store at {missing} (nothing was created)" in res.stderr
    assert "How to fix: check the path, or load data there with `socint ingest" in res.stderr
    assert "empty" not in res.output
    assert not missing.exists() and not missing.parent.exists()
    for args in (["--json"], []):  # --json does not hide the error behind an empty list
        assert RUNNER.invoke(app, ["status", "--store", str(missing), *args]).exit_code == 5


def test_status_of_a_folder_or_a_non_duckdb_file(tmp_path: Path) -> None:
    res = RUNNER.invoke(app, ["status", "--store", str(tmp_path)])
    assert res.exit_code == 5, res.output
    assert f"the store path {tmp_path} is a folder" in res.stderr
    assert "How to fix: pass" in res.stderr
    bad = tmp_path / "notes.duckdb"
    bad.write_text("not a database\n")
    res = RUNNER.invoke(app, ["status", "--store", str(bad)])
    assert res.exit_code == 5, res.output
    assert f"the store file {bad} is not a DuckDB database" in res.stderr
    assert "How to fix: pass --store" in res.stderr
    assert bad.read_text() == "not a database\n"  # left as it was


def test_status_of_a_store_locked_by_another_process(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A store held by another process (e.g. a running ingest) is named with its PID after
    the store's wait ($SOCINT_STORE_TIMEOUT, shortened here)."""
    monkeypatch.setenv("SOCINT_STORE_TIMEOUT", "1")
    store = tmp_path / "s.duckdb"
    hold = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         f"con = duckdb.connect({str(store)!r})\n"
         "con.execute('CREATE TABLE provenance (dataset VARCHAR)'); con.execute('CHECKPOINT')\n"
         "print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert hold.stdout is not None and hold.stdout.readline().strip() == "held"
        res = RUNNER.invoke(app, ["status", "--store", str(store)])
    finally:
        hold.communicate("", timeout=60)
    assert res.exit_code == 5, res.output
    assert f"the store {store} is in use by another process, PID {hold.pid}" in res.stderr
    assert "How to fix: wait for the other socint command" in res.stderr
    assert RUNNER.invoke(app, ["status", "--store", str(store)]).exit_code == 0  # released


def test_status_after_ingesting_files_with_missing_provenance(tmp_path: Path) -> None:
    paths = [str(shared_path(*parts)) for parts in NA_FILES]
    store = tmp_path / "s.duckdb"
    res = RUNNER.invoke(app, ["ingest", *paths, "--store", str(store)])
    assert res.exit_code == 0, res.output
    res = RUNNER.invoke(app, ["status", "--store", str(store)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split("\t") == ["dataset", "kind", "level", "vintage", "rows", "file_name",
                                    "sha256", "licence"]
    rows = {ln.split("\t")[5]: ln.split("\t") for ln in lines[1:]}
    assert set(rows) == {p[1] for p in NA_FILES}
    lookup = rows["lad16_to_csp16_to_pfa16_lookup_ew.csv"]
    assert lookup[2] == "" and lookup[3] == ""  # no level, no vintage: empty, not "<NA>"
    assert len(lookup[6]) == 64  # piped: the full sha256
    res = RUNNER.invoke(app, ["status", "--store", str(store), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    by_file = {d["file_name"]: d for d in data}
    assert by_file["lad16_to_csp16_to_pfa16_lookup_ew.csv"]["vintage"] is None
    assert by_file["qs201ew_ethnic_group_2011_la_ew.csv"]["rows"] > 300
    assert {"source", "ingested_at", "socint_version"} <= set(data[0])


@pytest.mark.slow
def test_status_after_ingesting_every_shared_file(shared_data: Path, tmp_path: Path) -> None:
    """Whatever ../shared/data holds, status lists what was ingested (ingest may refuse some
    files with a message; that is the readers' business, not status')."""
    files = sorted(str(p) for p in shared_data.rglob("*")
                   if p.is_file() and p.suffix in {".csv", ".geojson", ".topojson", ".json"})
    store = tmp_path / "s.duckdb"
    RUNNER.invoke(app, ["ingest", *files, "--store", str(store)])
    res = RUNNER.invoke(app, ["status", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert len(res.stdout.splitlines()) > 20
    assert len(json.loads(RUNNER.invoke(app, ["status", "--store", str(store),
                                              "--json"]).stdout)) > 20


def _status_json_through_json_tool(store: Path) -> list[dict[str, object]]:
    """`socint status --json | python -m json.tool`, as real processes joined by a pipe."""
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    status = subprocess.Popen([sys.executable, "-m", "socint", "status", "--store", str(store),
                               "--json"], env=env, stdout=subprocess.PIPE)
    tool = subprocess.run([sys.executable, "-m", "json.tool"], stdin=status.stdout,
                          capture_output=True, text=True, check=False, timeout=120)
    assert status.wait(timeout=120) == 0
    assert tool.returncode == 0, tool.stderr
    data = json.loads(tool.stdout)
    assert isinstance(data, list)
    return data


def test_json_of_an_empty_store_pipes_into_json_tool(tmp_path: Path) -> None:
    from socint.store import Store

    store = tmp_path / "s.duckdb"
    with Store(store).connect():  # a store with its provenance table and no dataset
        pass
    assert _status_json_through_json_tool(store) == []


def test_json_of_a_loaded_store_pipes_into_json_tool(tmp_path: Path) -> None:
    qs201 = shared_path("census2011_ethnicity_la_qs201ew", "qs201ew_ethnic_group_2011_la_ew.csv")
    store = tmp_path / "s.duckdb"
    assert RUNNER.invoke(app, ["ingest", str(qs201), "--store", str(store)]).exit_code == 0
    (row,) = _status_json_through_json_tool(store)
    assert row["file_name"] == qs201.name and len(str(row["sha256"])) == 64


def test_tables_never_truncate(capsys: pytest.CaptureFixture[str]) -> None:
    long = "census2011_ethnicity_oa_with_a_very_long_dataset_name_indeed"
    rows = [{"dataset": long, "rows": 181408, "vintage": None, "note": float("nan")}]
    # piped (a non-terminal console, any width): tab-separated, whole values
    print_table(rows, out=Console(file=sys.stdout, width=20, force_terminal=False))
    assert capsys.readouterr().out == f"dataset\trows\tvintage\tnote\n{long}\t181408\t\t\n"
    # a narrow terminal folds long cells onto more lines but never cuts them with "…"
    print_table(rows, out=Console(file=sys.stdout, width=40, force_terminal=True,
                                  color_system=None), fmt={"rows": lambda n: f"{n:,}"})
    shown = capsys.readouterr().out
    assert "…" not in shown
    print_table(rows, ["dataset"], out=Console(file=sys.stdout, width=30, force_terminal=True,
                                               color_system=None))
    shown = capsys.readouterr().out
    assert "…" not in shown
    assert long in "".join(c for c in shown if c.isalnum() or c == "_")
    print_table(rows, json=True)
    assert json.loads(capsys.readouterr().out) == [
        {"dataset": long, "rows": 181408, "vintage": None, "note": None}]
