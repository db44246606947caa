"""The embedded store: one DuckDB file holding ingested official tables and their provenance.

Why DuckDB: a single file, no server, transactional DDL (a failed ingest rolls back and leaves
the store exactly as it was), and fast columnar scans over millions of small-area rows.

Layout
------
``provenance``
    one row per ingested dataset: ``dataset, kind, level, vintage, topic, scheme, file_name,
    sha256, rows, source, licence, ingested_at, socint_version``.
``t_<dataset>_data`` / ``t_<dataset>_areas``
    the table's ``data`` and ``areas`` frames (see ``docs/architecture.md``). Boundaries keep
    their geometry as GeoJSON text.

Default location: ``$SOCINT_STORE`` if set, else ``<user data dir>/socint/socint.duckdb``
(e.g. ``~/.local/share/socint/socint.duckdb`` on Linux); every command takes ``--store PATH``.

Robustness
----------
* **Locks.** DuckDB lets one process write a file (or several read it). A store held by another
  process is retried for ``lock_timeout`` seconds (``$SOCINT_STORE_TIMEOUT``, default 30), then a
  :class:`~socint.errors.StoreError` names the process holding it (DuckDB's lock message carries
  its program and PID).
* **Not a store.** A file that is not a DuckDB database (a CSV, a truncated copy) is refused
  before DuckDB sees it, saying what the file looks like; any other open failure is a StoreError.
* **Reading never creates.** Read-only opens of a missing path raise "no store at PATH";
  ``status(missing_ok=False)`` does the same.
* **Space after failures.** An ingest rolled back (or killed: its uncommitted blocks stay in the
  file) leaves dead space DuckDB does not give back. When the file is larger than its live
  blocks by more than :data:`RECLAIM_MIN_BYTES`, the store is compacted (``COPY FROM DATABASE``
  into a sibling file, then an atomic rename) after a rolled-back ingest and at the next write.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from platformdirs import user_data_dir

from socint import __version__
from socint.errors import StoreError

if TYPE_CHECKING:
    from socint.data.table import OfficialTable

_PROVENANCE_DDL = """
CREATE TABLE IF NOT EXISTS provenance (
    dataset VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    level VARCHAR,
    vintage INTEGER,
    topic VARCHAR,
    scheme VARCHAR,
    file_name VARCHAR,
    sha256 VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    source VARCHAR,
    licence VARCHAR,
    ingested_at TIMESTAMP NOT NULL,
    socint_version VARCHAR NOT NULL
)
"""

_SAFE = re.compile(r"[^a-z0-9_]")
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<prog>.*?) \(PID (?P<pid>\d+)\)"
                          r"(?: by user (?P<user>\S+))?")
#: DuckDB files start with a checksum (8 bytes) then the magic bytes "DUCK".
_DUCK_MAGIC, _DUCK_MAGIC_AT = b"DUCK", 8
#: Dead space (bytes beyond the live blocks) above which the store is compacted.
RECLAIM_MIN_BYTES = 1 << 20
_HEADER_BYTES = 3 * 4096  # DuckDB's main header + two database headers
DEFAULT_LOCK_TIMEOUT = 30.0


def _describe(head: bytes) -> str:
    """What a non-DuckDB file looks like, from its first bytes."""
    if head.startswith(b"SQLite format 3"):
        return "an SQLite database"
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive (e.g. an .xlsx workbook)"
    if head.startswith(b"\x1f\x8b"):
        return "a gzip file"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    if "\x00" in text:
        return "binary data"
    first = text.splitlines()[0][:60] if text.strip() else ""
    return f"a text file (first line {first!r})" if first else "blank text"


def default_store_path() -> Path:
    """Where the store lives unless ``--store``/``SOCINT_STORE`` says otherwise."""
    env = os.environ.get("SOCINT_STORE")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("socint", appauthor=False)) / "socint.duckdb"


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _table_name(dataset: str, part: str) -> str:
    return f"t_{_SAFE.sub('_', dataset.lower())}_{part}"


@dataclass(frozen=True)
class IngestResult:
    """What one ``ingest`` did: ``action`` is ``"loaded"``, ``"replaced"`` or ``"unchanged"``."""

    dataset: str
    file_name: str
    sha256: str
    rows: int
    action: str


class Store:
    """A DuckDB-backed store of ingested official tables.

    Parameters
    ----------
    path
        The database file; created (with its folder) on first write. ``None`` means
        :func:`default_store_path`.
    """

    def __init__(self, path: str | Path | None = None, *,
                 lock_timeout: float | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        env = os.environ.get("SOCINT_STORE_TIMEOUT")
        self.lock_timeout = (lock_timeout if lock_timeout is not None
                             else float(env) if env else DEFAULT_LOCK_TIMEOUT)

    def exists(self) -> bool:
        """Whether a store file is at :attr:`path` (never creates one)."""
        return self.path.is_file()

    def _check_file(self, *, read_only: bool) -> None:
        p = self.path
        if p.is_dir():
            raise StoreError(f"the store path {p} is a folder, not a DuckDB file",
                             hint=f"pass a file path, e.g. --store {p / 'socint.duckdb'}")
        if not p.exists():
            if read_only:
                raise StoreError(f"no store at {p}",
                                 hint="run `socint ingest FILE...` or `socint demo` first, or "
                                      "pass --store PATH of an existing store")
            return
        with p.open("rb") as fh:
            head = fh.read(64)
        if len(head) == 0:
            raise StoreError(f"the store file {p} is empty (0 bytes), not a DuckDB database",
                             hint="delete it and ingest again, or pass another --store PATH")
        if head[_DUCK_MAGIC_AT:_DUCK_MAGIC_AT + 4] != _DUCK_MAGIC:
            raise StoreError(
                f"the store file {p} is not a DuckDB database: it is {_describe(head)}",
                hint="pass --store with the path of a socint store (a .duckdb file) or a new "
                     "path; socint never overwrites a file it did not create")

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Connect, retrying while another process holds the lock (up to lock_timeout)."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                # DuckDB >= 2 draws its own progress bar on stdout for long queries, which
                # would corrupt `--json` output and piped tables; socint shows its own.
                con.execute("SET enable_progress_bar = false")
                return con
            except duckdb.IOException as exc:
                held = _LOCK_HOLDER.search(str(exc))
                if held is None:
                    raise self._unreadable(exc) from exc
                if time.monotonic() >= deadline:
                    who = f"PID {held['pid']} ({held['prog']}"
                    who += f", user {held['user']})" if held["user"] else ")"
                    raise StoreError(
                        f"the store {self.path} is in use by another process, {who}; waited "
                        f"{self.lock_timeout:g} s for it to finish", file=self.path,
                        hint="wait for the other socint command (e.g. an ingest) to end, or "
                             "stop it; a read (status) and a write (ingest) cannot share a "
                             "store at the same time. SOCINT_STORE_TIMEOUT sets the wait") \
                        from exc
                time.sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
                delay = min(delay * 2, 1.0)
            except duckdb.Error as exc:
                raise self._unreadable(exc) from exc

    def _unreadable(self, exc: Exception) -> StoreError:
        return StoreError(
            f"the store file {self.path} cannot be opened by DuckDB "
            f"{duckdb.__version__}: {str(exc).splitlines()[0]}",
            hint="if it is a socint store it is damaged or from a newer DuckDB: restore a backup, "
                 "or delete it and ingest the files again; otherwise pass another --store PATH")

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open a connection; read-only opens never create a store (``no store at PATH``).

        Raises
        ------
        StoreError
            Missing store (read-only), a path that is a folder or not a DuckDB file, a damaged
            file, or a lock held by another process beyond :attr:`lock_timeout`.
        """
        self._check_file(read_only=read_only)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._open(read_only)
        try:
            if not read_only:
                con.execute(_PROVENANCE_DDL)
            yield con
        finally:
            con.close()

    def dead_bytes(self) -> int:
        """Bytes of the file beyond DuckDB's blocks in use (left by failed or killed ingests)."""
        if not self.exists():
            return 0
        with self.connect(read_only=True) as con:
            row = con.execute("SELECT block_size, used_blocks FROM pragma_database_size()"
                              ).fetchone()
        used = _HEADER_BYTES + (int(row[0]) * int(row[1]) if row else 0)
        return max(self.path.stat().st_size - used, 0)

    def reclaim(self, *, min_bytes: int = RECLAIM_MIN_BYTES) -> int:
        """Compact the store when it holds more than ``min_bytes`` of dead space.

        The live tables are copied (``COPY FROM DATABASE``) into a hidden sibling file, which then
        atomically replaces the store, so a crash during compaction leaves the old file intact.
        Returns the bytes freed (0 when nothing was done).
        """
        if not self.exists() or self.dead_bytes() <= min_bytes:
            return 0
        before = self.path.stat().st_size
        tmp = self.path.with_name(f".{self.path.name}.compact-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        with self.connect() as con:
            name = con.execute("SELECT current_database()").fetchone()
            con.execute(f"ATTACH '{tmp}' AS socint_compact")
            con.execute(f'COPY FROM DATABASE "{name[0] if name else "main"}" TO socint_compact')
            con.execute("DETACH socint_compact")
            os.replace(tmp, self.path)  # while the lock is still held
        return max(before - self.path.stat().st_size, 0)

    # ------------------------------------------------------------------ writing
    def ingest_file(self, path: str | Path, *, replace: bool = False, **read_options: Any
                    ) -> IngestResult:
        """Recognise, read, validate and load one official file.

        The file is read and validated completely before the store is touched; the load itself
        is one transaction. Re-ingesting a byte-identical file is a no-op; a different file for a
        dataset already loaded is refused unless ``replace=True``.
        """
        from socint.data import read_official

        path = Path(path)
        digest = sha256_file(path)
        # A byte-identical file read with the same (default) options is already loaded; with
        # options (e.g. a TopoJSON year) the same bytes may give another dataset, so read it.
        existing = None if read_options else self._provenance_by_sha(digest)
        if existing is not None:
            return IngestResult(existing["dataset"], path.name, digest, int(existing["rows"]),
                                "unchanged")
        table = read_official(path, **read_options)
        return self.ingest_table(table, file_name=path.name, sha256=digest, replace=replace)

    def ingest_table(self, table: OfficialTable, *, file_name: str | None = None,
                     sha256: str | None = None, replace: bool = False) -> IngestResult:
        """Load an already-read :class:`~socint.data.table.OfficialTable` atomically."""
        digest = sha256 or table.sha256 or _frame_digest(table.data)
        name = file_name or (Path(table.path).name if table.path else table.dataset)
        rows = len(table.data)
        self.reclaim()  # dead space left by an ingest killed earlier
        with self.connect() as con:
            prior = con.execute(
                "SELECT sha256 FROM provenance WHERE dataset = ?", [table.dataset]
            ).fetchone()
            if prior is not None and prior[0] == digest:
                return IngestResult(table.dataset, name, digest, rows, "unchanged")
            if prior is not None and not replace:
                raise StoreError(
                    f"dataset {table.dataset!r} is already loaded from a different file "
                    f"(sha256 {prior[0][:12]}…, new file {name} has {digest[:12]}…)",
                    file=name,
                    hint="pass --replace to load the new version instead, or use another --store",
                )
            load_error: Exception | None = None
            con.execute("BEGIN TRANSACTION")
            try:
                for part, frame in (("data", table.data), ("areas", table.areas)):
                    tname = _table_name(table.dataset, part)
                    con.execute(f'DROP TABLE IF EXISTS "{tname}"')
                    if frame is None:
                        continue
                    out = _for_storage(frame)
                    con.register("_incoming", out)
                    con.execute(f'CREATE TABLE "{tname}" AS SELECT * FROM _incoming')
                    con.unregister("_incoming")
                con.execute("DELETE FROM provenance WHERE dataset = ?", [table.dataset])
                con.execute(
                    "INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        table.dataset, table.kind, table.level, table.vintage, table.topic,
                        getattr(table, "scheme", None), name, digest, rows, table.source,
                        table.licence, datetime.now(UTC).replace(tzinfo=None), __version__,
                    ],
                )
                con.execute("COMMIT")
            except Exception as exc:
                con.execute("ROLLBACK")
                load_error = exc
        if load_error is not None:
            with suppress(StoreError, duckdb.Error, OSError):
                self.reclaim()  # give back the rolled-back blocks; never mask the load error
            raise load_error
        return IngestResult(table.dataset, name, digest, rows,
                            "replaced" if prior is not None else "loaded")

    # ------------------------------------------------------------------ reading
    def status(self, *, missing_ok: bool = True) -> pd.DataFrame:
        """One row per loaded dataset with its provenance.

        A missing store gives an empty frame, or, with ``missing_ok=False`` (what ``socint
        status`` should use), a :class:`StoreError` "no store at PATH"; the file is never created.
        """
        if not self.path.exists() and not missing_ok:
            self._check_file(read_only=True)
        if not self.path.exists():
            return pd.DataFrame(columns=["dataset", "kind", "level", "vintage", "rows",
                                         "file_name", "sha256", "source", "licence"])
        with self.connect(read_only=True) as con:
            return con.execute("SELECT * FROM provenance ORDER BY dataset").df()

    def datasets(self) -> list[str]:
        """Names of the loaded datasets."""
        return self.status()["dataset"].tolist()

    def provenance(self, dataset: str) -> dict[str, Any]:
        """The provenance row of one dataset."""
        if not self.path.exists():
            raise StoreError(f"no store at {self.path}",
                             hint="run `socint ingest FILE...` or `socint demo` first, "
                                  "or pass --store PATH")
        st = self.status()
        hit = st[st["dataset"] == dataset]
        if hit.empty:
            raise StoreError(
                f"dataset {dataset!r} is not in the store {self.path}",
                hint=f"loaded datasets: {', '.join(st['dataset']) or 'none'}; ingest it first",
            )
        return dict(hit.iloc[0])

    def read(self, dataset: str, part: str = "data") -> pd.DataFrame:
        """Read a dataset's ``data`` or ``areas`` frame back (geometry decoded for boundaries)."""
        info = self.provenance(dataset)
        tname = _table_name(dataset, part)
        with self.connect(read_only=True) as con:
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [tname]
            ).fetchone()
            if not exists or exists[0] == 0:
                raise StoreError(f"dataset {dataset!r} has no {part!r} table")
            frame = con.execute(f'SELECT * FROM "{tname}"').df()
        if info["kind"] == "boundaries" and part == "data" and "geometry" in frame:
            frame["geometry"] = frame["geometry"].map(json.loads)
        return frame

    def _provenance_by_sha(self, digest: str) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        with self.connect(read_only=True) as con:
            has = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name='provenance'"
            ).fetchone()
            if not has or has[0] == 0:
                return None
            row = con.execute(
                "SELECT dataset, rows FROM provenance WHERE sha256 = ?", [digest]
            ).fetchone()
        return None if row is None else {"dataset": row[0], "rows": row[1]}


def _for_storage(frame: pd.DataFrame) -> pd.DataFrame:
    """Make a frame DuckDB-friendly: GeoJSON dicts to text, categoricals to strings."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry":
            out[col] = out[col].map(lambda g: json.dumps(g, separators=(",", ":")))
        elif isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
    return out


def _frame_digest(frame: pd.DataFrame) -> str:
    """A content digest for tables that did not come from a file (e.g. synthetic ones)."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update(",".join(map(str, frame.columns)).encode())
    return digest.hexdigest()


__all__ = ["IngestResult", "Store", "default_store_path", "sha256_file"]
