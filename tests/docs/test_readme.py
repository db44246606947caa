"""The README's Python examples run, and its two set-up commands are the ones CI runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def test_python_examples_run() -> None:
    blocks = _blocks("python")
    assert blocks, "README has no Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # our own documentation


def test_ci_reads_the_readme_commands() -> None:
    ci = README.parent / ".ci" / "run"
    proc = subprocess.run(
        ["bash", "-c", f"source <(sed -n '/^extract()/,/^}}/p' {ci}); cd {README.parent}; "
                       "extract '<!-- ci:setup -->'; echo ---; extract '<!-- ci:test -->'"],
        capture_output=True, text=True, check=True,
    )
    setup, test = (part.strip() for part in proc.stdout.split("---"))
    assert "pip install" in setup and "socint run" in setup
    assert "pytest" in test
