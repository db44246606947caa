"""Errors reach the terminal whole (issue 10) with one exit code per error class (issue 14).

socint's messages end with their location in brackets, ``[file x.csv, row 8, column
'WhiteBrit', area code E00000014]``; rich used to parse that as markup and print nothing of it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from socint.cli import SocintGroup, _register, app
from socint.cli.common import EXIT_CODES, exit_code_for, fail, print_table, warn
from socint.errors import (
    ConvergenceError,
    GeographyError,
    InputDataError,
    ModelError,
    SchemaError,
    SocintError,
    StoreError,
)

_register()
RUNNER = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src"

HEADER = ('"OA","Persons","WhiteBrit","Irish","OtherWhite","Mixed","Indian","Pakistani",'
          '"Bangladeshi","Chinese","OtherAsian","BlkAfrican","BlkCaribbean","OtherBlk","Arab",'
          '"Other","LSOA","MSOA","LAD","RGN"')
ROW = ('"{oa}",{persons},{wb},7,18,5,3,1,0,6,5,3,2,3,3,0,"E01000003","E02000001",'
       '"City of London","London"')
LOCATION = "[file cases/nonnumeric.csv, row 8, column 'WhiteBrit', area code E00000014]"


def _nonnumeric(folder: Path) -> Path:
    """An MLID-layout OA file whose 8th data row (OA E00000014) has WhiteBrit '12x'."""
    rows = [ROW.format(oa=f"E000000{i:02d}", persons=153, wb=103) for i in range(1, 8)]
    rows.append(ROW.format(oa="E00000014", persons=154, wb='"12x"'))
    path = folder / "cases" / "nonnumeric.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    return path


def _socint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "socint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, timeout=120)


def test_ingest_keeps_the_location_of_a_bad_cell_clirunner(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    _nonnumeric(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = RUNNER.invoke(app, ["ingest", "cases/nonnumeric.csv", "--store", "s.duckdb"])
    assert res.exit_code == 3, res.output  # input data
    assert "count is not a number ('12x') " + LOCATION in res.stderr  # what and where
    assert "How to fix: counts must be whole numbers" in res.stderr  # how to fix
    assert "✗ cases/nonnumeric.csv" in res.stderr
    assert "1 of 1 file(s) were not ingested" in res.stderr
    assert not (tmp_path / "s.duckdb").exists()  # nothing earlier changed: no store made


def test_ingest_keeps_the_location_in_a_real_process(tmp_path: Path) -> None:
    _nonnumeric(tmp_path)
    proc = _socint("ingest", "cases/nonnumeric.csv", "--store", "s.duckdb", cwd=tmp_path)
    assert proc.returncode == 3
    assert LOCATION in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""  # errors go to stderr, not to a pipe reading stdout


def test_a_command_error_keeps_its_location_through_the_group(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """`measures` lets the error propagate; the root group prints it literally (exit 3)."""
    _nonnumeric(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = RUNNER.invoke(app, ["measures", "cases/nonnumeric.csv", "--out", "m.csv"])
    assert res.exit_code == 3, res.output
    assert "error: count is not a number ('12x') " + LOCATION in res.stderr
    assert not (tmp_path / "m.csv").exists()
    proc = _socint("measures", "cases/nonnumeric.csv", "--out", "m.csv", cwd=tmp_path)
    assert proc.returncode == 3 and LOCATION in proc.stderr and "Traceback" not in proc.stderr


def test_fail_and_warn_print_brackets_literally(capsys: pytest.CaptureFixture[str]) -> None:
    err = InputDataError("bad", file="[red]x.csv", row=2, column="[bold]c", code="E1")
    with pytest.raises(typer.Exit) as done:
        fail(err)
    assert done.value.exit_code == 3
    warn("suspicious [file y.csv, row 3]")
    text = capsys.readouterr().err
    assert "error: bad [file [red]x.csv, row 2, column '[bold]c', area code E1]" in text
    assert "warning: suspicious [file y.csv, row 3]" in text


def test_table_cells_are_literal(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    term = Console(force_terminal=True, width=200, color_system=None)
    print_table([{"name": "[bold]x[/bold] [file a.csv]"}], out=term)
    assert "[bold]x[/bold] [file a.csv]" in capsys.readouterr().out


@pytest.mark.parametrize(("exc", "code"), [
    (InputDataError("x"), 3), (SchemaError("x"), 3), (GeographyError("x"), 4),
    (StoreError("x"), 5), (ModelError("x"), 6), (ConvergenceError("x"), 6),
    (SocintError("x"), 7), (ValueError("x"), 1)])
def test_one_exit_code_per_error_class(exc: BaseException, code: int) -> None:
    assert exit_code_for(exc) == code
    assert code in {e.code for e in EXIT_CODES}


@pytest.mark.parametrize(("cls", "code"), [
    (InputDataError, 3), (GeographyError, 4), (StoreError, 5), (ModelError, 6),
    (SocintError, 7)])
def test_the_root_group_maps_every_error_class(cls: type[SocintError], code: int) -> None:
    """Any command on an app with the socint group exits with its error's class code."""
    demo = typer.Typer(cls=SocintGroup)

    @demo.command()
    def boom() -> None:
        raise cls("went wrong", file="f.csv", row=8, hint="do this")

    @demo.command()
    def other() -> None:  # a second command so that typer keeps the group
        """Nothing."""

    res = RUNNER.invoke(demo, ["boom"])
    assert res.exit_code == code
    assert "error: went wrong [file f.csv, row 8]\nHow to fix: do this" in res.stderr


def test_usage_errors_exit_2_and_bugs_keep_their_traceback() -> None:
    assert RUNNER.invoke(app, ["status", "--no-such-option"]).exit_code == 2
    assert RUNNER.invoke(app, ["measures", "x.csv", "--out", "o.csv",
                               "--rollup", "median"]).exit_code == 2
    demo = typer.Typer(cls=SocintGroup)

    @demo.command()
    def bug() -> None:
        raise ZeroDivisionError("a bug")

    @demo.command()
    def other() -> None:
        """Nothing."""

    res = RUNNER.invoke(demo, ["bug"])
    assert isinstance(res.exception, ZeroDivisionError)  # not swallowed: exit 1 + traceback


def test_warnings_are_one_literal_line_each() -> None:
    import warnings

    demo = typer.Typer(cls=SocintGroup)

    @demo.command()
    def warns() -> None:
        for _ in range(3):
            warnings.warn("suspicious cell [file a.csv, row 2]", UserWarning, stacklevel=1)

    @demo.command()
    def other() -> None:
        """Nothing."""

    res = RUNNER.invoke(demo, ["warns"])
    assert res.exit_code == 0
    assert res.stderr == "warning: suspicious cell [file a.csv, row 2]\n"
