"""Every CLI command has --help (docs are tested), and socint's errors exit cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from socint.cli import _register, app

_register()
ROOT = typer.main.get_command(app)


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    if hasattr(group, "commands"):
        for name, cmd in group.commands.items():
            out += _commands(cmd, (*prefix, name))
    return out


COMMANDS = _commands(ROOT)


def test_core_commands_are_registered() -> None:
    names = {c[0] for c in COMMANDS if c}
    assert {"version", "ingest", "status", "fetch", "demo", "measures"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "socint")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    cmd: Any = ROOT
    for name in path:
        cmd = cmd.commands[name]
    assert (cmd.help or "").strip(), f"`socint {' '.join(path)}` has no help text"


def test_socint_error_is_a_clean_message_with_its_class_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "mystery.csv"
    bad.write_text("foo,bar\n1,2\n")
    proc = subprocess.run(
        [sys.executable, "-c", "from socint.cli import main; main()", "ingest", str(bad),
         "--store", str(tmp_path / "s.duckdb")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 3  # SchemaError is an input-data error (docs/cli.md)
    assert "Traceback" not in proc.stderr
    assert "unknown layout; headers found: foo, bar" in proc.stderr
    assert f"[file {bad}]" in proc.stderr
