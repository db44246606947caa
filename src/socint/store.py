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
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
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

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open a connection (read-only opens fail cleanly when the store does not exist)."""
        if read_only and not self.path.exists():
            raise StoreError(
                f"no store at {self.path}",
                hint="run `socint ingest FILE...` or `socint demo` first, or pass --store PATH",
            )
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.path), read_only=read_only)
        try:
            if not read_only:
                con.execute(_PROVENANCE_DDL)
            yield con
        finally:
            con.close()

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
            except Exception:
                con.execute("ROLLBACK")
                raise
        return IngestResult(table.dataset, name, digest, rows,
                            "replaced" if prior is not None else "loaded")

    # ------------------------------------------------------------------ reading
    def status(self) -> pd.DataFrame:
        """One row per loaded dataset with its provenance (empty frame for a new store)."""
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
