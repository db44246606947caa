"""Named scenarios for the atomic writers: file modes, whole-folder swaps, killed runs."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import socint.io as sio
from socint.io import atomic_dir, atomic_path, clean_stale_temp_dirs, write_csv, write_json

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_files_get_0644_under_umask_022_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        paths = [write_csv(pd.DataFrame({"a": [1.5]}), tmp_path / "a.csv"),
                 write_json({"b": 1}, tmp_path / "b.json")]
        with atomic_path(tmp_path / "c.bin") as tmp:
            tmp.write_bytes(b"\x00")
        paths.append(tmp_path / "c.bin")
    finally:
        os.umask(old)
    assert [oct(_mode(p)) for p in paths] == [oct(0o644)] * 3


def test_file_mode_respects_a_stricter_umask(tmp_path: Path, umask_027: None) -> None:
    assert _mode(write_csv(pd.DataFrame({"a": [1]}), tmp_path / "a.csv")) == 0o640


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def _old_output(tmp_path: Path) -> Path:
    out = tmp_path / "index"
    with atomic_dir(out) as d:
        (d / "la_index.csv").write_text("old index\n")
        (d / "la_index.geojson").write_text("old geojson\n")
        (d / "manifest.json").write_text("old manifest\n")
    return out


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_atomic_dir_swaps_the_whole_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(sio, "_exchange", lambda a, b: False)
    out = _old_output(tmp_path)
    with atomic_dir(out) as d:
        assert d.parent == out.parent and d.name.startswith(".index.tmp-")
        (d / "la_index.csv").write_text("new index\n")
        (d / "manifest.json").write_text("new manifest\n")
    assert _tree(out) == {"la_index.csv": b"new index\n", "manifest.json": b"new manifest\n"}
    assert _hidden(tmp_path) == []  # old folder and temp folder gone


def test_failed_block_leaves_the_old_folder_untouched(tmp_path: Path) -> None:
    out = _old_output(tmp_path)
    before = _tree(out)
    with pytest.raises(RuntimeError, match="model failed"), atomic_dir(out) as d:
        (d / "la_index.csv").write_text("new index\n")
        raise RuntimeError("model failed")
    assert _tree(out) == before and _hidden(tmp_path) == []


def test_sigkilled_run_leaves_old_set_and_next_run_cleans_up(tmp_path: Path) -> None:
    out = _old_output(tmp_path)
    before = _tree(out)
    code = textwrap.dedent(f"""
        import time
        from socint.io import atomic_dir
        with atomic_dir({str(out)!r}) as d:
            (d / "la_index.csv").write_text("new index\\n")  # written; geojson not yet
            print("half-written", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": SRC})
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "half-written"
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        child.kill()
    assert _tree(out) == before  # never a mix of new la_index.csv and old geojson
    stale = _hidden(tmp_path)
    assert len(stale) == 1 and stale[0].startswith(f".index.tmp-{child.pid}-")
    with atomic_dir(out) as d:  # the next run
        (d / "la_index.csv").write_text("newer\n")
    assert _tree(out) == {"la_index.csv": b"newer\n"} and _hidden(tmp_path) == []


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_kill_between_the_two_renames_restores_the_old_folder(tmp_path: Path) -> None:
    out = _old_output(tmp_path)
    before = _tree(out)
    pid = _dead_pid()
    os.replace(out, tmp_path / f".index.old-{pid}-deadbeef")  # first rename done, then killed
    (tmp_path / f".index.tmp-{pid}-cafe0123").mkdir()
    assert clean_stale_temp_dirs(out) == [tmp_path / f".index.tmp-{pid}-cafe0123"]
    assert _tree(out) == before and _hidden(tmp_path) == []


def test_temp_folders_of_live_processes_are_left_alone(tmp_path: Path) -> None:
    live = tmp_path / f".index.tmp-{os.getppid()}-abcd1234"
    live.mkdir()
    other = tmp_path / ".unrelated"
    other.mkdir()
    assert clean_stale_temp_dirs(tmp_path / "index") == []
    assert live.is_dir() and other.is_dir()


def test_atomic_dir_refuses_a_file_target(tmp_path: Path) -> None:
    f = tmp_path / "out"
    f.write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not an output folder"), \
            atomic_dir(f):
        pass
    assert f.read_text() == "x"
