"""Atomic, deterministic output writers: single files and whole output folders.

Every output socint writes goes to a temporary file in the destination folder, is flushed to
disk (``fsync``) and moved into place with :func:`os.replace`, so a failed or killed run never
leaves a half-written file and never corrupts an earlier good output. Files get the usual mode
(``0666`` less the umask, e.g. ``0644``), not the ``0600`` of :func:`tempfile.mkstemp`. CSVs are
written with a fixed float format and line ending so that the same inputs and seed give
byte-identical files.

A set of files that belong together (``index``/``run`` outputs: CSV, GeoJSON, XLSX, manifest) is
written with :func:`atomic_dir`: into a hidden sibling folder, then swapped with the old folder in
one step, so a reader sees either the whole old set or the whole new set, never a mix. Hidden
temporary folders left by a killed run are removed by the next :func:`atomic_dir` on that target.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import pandas as pd

FLOAT_FORMAT = "%.10g"


def current_umask() -> int:
    """The process umask (read without changing it where the OS allows)."""
    with suppress(OSError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # pragma: no cover - e.g. directories on Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems without fsync on directories
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    The file is given mode ``0666 & ~umask`` and synced to disk before the rename.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():
            os.chmod(tmp_path, 0o666 & ~current_umask())
            _fsync_path(tmp_path)
        os.replace(tmp_path, path)
        _fsync_path(path.parent, directory=True)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _atomic_open(path: str | Path, writer: Callable[[IO[str]], object]) -> Path:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        writer(handle)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write a CSV atomically with a fixed float format (byte-identical for identical data)."""
    return _atomic_open(
        path, lambda h: frame.to_csv(h, index=index, float_format=FLOAT_FORMAT, lineterminator="\n")
    )


def write_json(obj: Any, path: str | Path) -> Path:
    """Write JSON atomically, keys sorted, indented, UTF-8."""
    return _atomic_open(
        path, lambda h: h.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False,
                                           default=str) + "\n")
    )


def write_text(text: str, path: str | Path) -> Path:
    """Write a text file atomically."""
    return _atomic_open(path, lambda h: h.write(text))


# ---------------------------------------------------------------------- whole folders
_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _temp_name(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's live process
        return True
    return True


def clean_stale_temp_dirs(target: str | Path) -> list[Path]:
    """Remove the hidden temporary folders a killed :func:`atomic_dir` left beside ``target``.

    Only folders named ``.<target>.tmp-<pid>-…`` / ``.<target>.old-<pid>-…`` whose process is no
    longer running are touched. If the kill came between the two renames of the fallback swap
    (target gone, old folder present), the old folder is put back as ``target`` first.
    Returns the folders removed.
    """
    target = Path(target)
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(tmp|old)-(\d+)-[0-9a-f]+$")
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    for entry in sorted(target.parent.iterdir()):
        m = pattern.match(entry.name)
        if m is None or not entry.is_dir() or _pid_alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not target.exists():
            os.replace(entry, target)  # restore the last complete output
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


@contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Build a whole output folder beside ``target`` and swap it into place on success.

    Yields an empty hidden sibling folder (``.<name>.tmp-<pid>-<token>``); write every output
    file there. When the block succeeds its files are synced to disk and the folder replaces
    ``target`` in one step (an atomic exchange on Linux; elsewhere two renames, which
    :func:`clean_stale_temp_dirs` can undo), then the old folder is removed. When the block
    raises, or the process is killed, ``target`` is exactly as it was; stale temporary folders
    of killed runs are removed when the next ``atomic_dir`` on the same target starts.

    Raises
    ------
    NotADirectoryError
        ``target`` exists and is a file.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is a file, not an output folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temp_dirs(target)
    tmp = _temp_name(target, "tmp")
    tmp.mkdir()
    os.chmod(tmp, 0o777 & ~current_umask())
    try:
        yield tmp
        for root, _dirs, files in os.walk(tmp):
            for name in files:
                _fsync_path(Path(root) / name)
            _fsync_path(Path(root), directory=True)
        if not target.exists():
            os.replace(tmp, target)
        elif _exchange(tmp, target):
            shutil.rmtree(tmp)  # tmp now holds the old folder
        else:
            old = _temp_name(target, "old")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        _fsync_path(target.parent, directory=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["FLOAT_FORMAT", "atomic_dir", "atomic_path", "clean_stale_temp_dirs", "current_umask",
           "write_csv", "write_json", "write_text"]
