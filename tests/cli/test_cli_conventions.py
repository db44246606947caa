"""CLI conventions (issue 14): --version, shell completion, sorted help with an example per
command, help text that rich cannot eat, exit codes documented, ``python -m socint``."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from rich.markup import render
from typer.testing import CliRunner

from socint import __version__
from socint.cli import _register, app
from socint.cli.common import EXIT_CODES

_register()
ROOT = typer.main.get_command(app)
RUNNER = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def _walk(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out = [(path, cmd)]
    for name, sub in getattr(cmd, "commands", {}).items():
        out += _walk(sub, (*path, name))
    return out


COMMANDS = [(p, c) for p, c in _walk(ROOT) if p]


def test_version_flag_and_python_m_socint() -> None:
    res = RUNNER.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout == f"socint {__version__}\n"
    proc = subprocess.run([sys.executable, "-m", "socint", "--version"],
                          env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0 and proc.stdout == f"socint {__version__}\n", proc.stderr
    proc = subprocess.run([sys.executable, "-m", "socint", "--help"],
                          env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0 and "Usage: socint " in proc.stdout  # named socint, not -m


def test_shell_completion_is_on() -> None:
    names = {opt for p in ROOT.params for opt in p.opts}
    assert {"--install-completion", "--show-completion"} <= names


def test_help_lists_commands_sorted() -> None:
    names = ROOT.list_commands(None)
    assert names == sorted(names) and {"status", "measures", "ingest"} <= set(names)
    out = RUNNER.invoke(app, ["--help"]).stdout
    shown = [n for n in re.findall(r"^│ (\w+) ", out, flags=re.MULTILINE) if n in names]
    assert shown == sorted(shown) and len(shown) == len(names)


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=lambda x: " ".join(x)
                         if isinstance(x, tuple) else "")
def test_every_command_has_an_example_whose_options_exist(path: tuple[str, ...],
                                                          cmd: Any) -> None:
    epilog = cmd.epilog or ""
    assert epilog.startswith("Example: socint " + " ".join(path)), (
        f"`socint {' '.join(path)}` needs epilog='Example: socint {' '.join(path)} …'")
    words = shlex.split(epilog.removeprefix("Example: ").split("|")[0])
    target = cmd
    if hasattr(cmd, "commands"):  # a group's example runs one of its commands
        target = cmd.commands[words[len(path) + 1]]
    known = {o for p in target.params for o in (*p.opts, *p.secondary_opts)}
    for word in words:
        if word.startswith("--"):
            assert word in known, f"example of `socint {' '.join(path)}` uses unknown {word}"


@pytest.mark.parametrize(("path", "cmd"), _walk(ROOT), ids=lambda x: " ".join(x) or "socint"
                         if isinstance(x, tuple) else "")
def test_help_text_survives_rich_markup(path: tuple[str, ...], cmd: Any) -> None:
    """Help is rendered as rich markup: text in [brackets] would silently vanish."""
    texts = [cmd.help or "", cmd.epilog or ""] + [getattr(p, "help", "") or ""
                                                  for p in cmd.params]
    for text in texts:
        assert render(text).plain == text, f"escape the brackets in {text!r}"


def test_exit_codes_are_documented_in_help_and_docs() -> None:
    out = " ".join(RUNNER.invoke(app, ["--help"]).stdout.split())
    docs = (REPO / "docs" / "cli.md").read_text("utf-8")
    assert "Exit codes:" in out
    for e in EXIT_CODES:
        assert f"{e.code} {e.label}" in out
        assert f"| {e.code} | {e.label} | {e.error} | {e.meaning} |" in docs
    assert len({e.code for e in EXIT_CODES}) == len(EXIT_CODES)


def test_enumerated_options_show_their_choices() -> None:
    out = " ".join(RUNNER.invoke(app, ["measures", "--help"]).stdout.split())
    for shown in ("<pooled|weighted_mean>", "<lsoa|msoa|lad|region>", "<oa|lsoa|msoa>"):
        assert shown in out
    assert "<bright_blue_2019|census2" in out  # the preset choices (help may wrap the rest)
