"""The examples of docs/methods/geography.md run as written (their asserts are the checks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "methods" / "geography.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_doc_has_examples() -> None:
    assert len(_blocks()) == 4


@pytest.mark.parametrize("index", range(4))
def test_doc_example_runs(index: int) -> None:
    code = _blocks()[index]
    assert "assert" in code
    exec(compile(code, f"{DOC.name} example {index + 1}", "exec"), {})
