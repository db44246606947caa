"""Core commands: ``version``, ``ingest``, ``status``, ``fetch``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from socint import __version__
from socint.cli import app
from socint.cli.common import (
    JsonOption,
    StoreOption,
    console,
    exit_code_for,
    fail,
    print_table,
    progress,
    store_errors,
    success,
)
from socint.errors import SocintError, StoreError
from socint.store import Store

STATUS_COLUMNS = ("dataset", "kind", "level", "vintage", "rows", "file_name", "sha256",
                  "licence")


@app.command(epilog="Example: socint version")
def version() -> None:
    """Print socint's version (the same as `socint --version`)."""
    typer.echo(__version__)


@app.command(epilog="Example: socint ingest qs201ew_ethnic_group_2011_la_ew.csv "
                    "--store socint.duckdb")
def ingest(
    paths: list[Path] = typer.Argument(..., help="Official files to load (CSV, GeoJSON, TopoJSON).",
                                       exists=True, dir_okay=False, readable=True),
    store: StoreOption = None,
    replace: bool = typer.Option(False, help="Replace a dataset already loaded from another file."),
) -> None:
    """Recognise official files, validate them and load them into the store with provenance.

    Re-ingesting an identical file does nothing; a different file for a dataset already loaded is
    refused unless --replace. A file that fails validation leaves the store unchanged, and the
    command exits with the code of the first failure's error class.
    """
    st = Store(store)
    failures: list[SocintError] = []
    err = console(err=True)
    with progress() as bar:
        task = bar.add_task("ingesting", total=len(paths))
        for path in paths:
            bar.update(task, description=f"ingesting {path.name}")
            try:
                with store_errors(st.path):
                    result = st.ingest_file(path, replace=replace)
            except SocintError as exc:
                failures.append(exc)
                err.print(Text.assemble((f"✗ {path}", "red"), "\n", str(exc)))
            else:
                success(f"{path.name} → {result.dataset} ({result.rows:,} rows, "
                        f"{result.action})")
            bar.advance(task)
    if failures:
        fail(f"{len(failures)} of {len(paths)} file(s) were not ingested; the store is "
             "unchanged for those files.", code=exit_code_for(failures[0]))


def _open_existing(store: Path | None) -> Store:
    """The store at ``store`` without creating it: a missing path or a folder is an error."""
    st = Store(store)
    if st.path.is_dir():
        raise StoreError(f"the store path {st.path} is a folder", file=st.path,
                         hint="pass --store PATH/socint.duckdb (a file)")
    if not st.path.exists():
        raise StoreError(f"there is no store at {st.path} (nothing was created)",
                         hint="check the path, or load data there with "
                              "`socint ingest FILE... --store PATH`")
    return st


@app.command(epilog="Example: socint status --json | python -m json.tool")
def status(store: StoreOption = None, json: JsonOption = False) -> None:
    """List the datasets in the store with their provenance (never creates a store).

    On a terminal the SHA-256 is shortened; piped output is tab-separated with full values,
    and --json gives every provenance field (source, ingested_at, socint_version too).
    """
    st = _open_existing(store)
    with store_errors(st.path):
        frame = st.status()
    records = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    if json:
        print_table(records, list(frame.columns), json=True)
        return
    if not records:
        typer.echo(f"The store {st.path} is empty. Load data with `socint ingest FILE...`.")
        return
    print_table(records, STATUS_COLUMNS, title=f"socint store: {st.path}",
                fmt={"sha256": lambda s: s[:12] + "…", "rows": lambda n: f"{n:,}"})


@app.command(epilog="Example: socint fetch --list --json")
def fetch(
    name: str = typer.Argument("", help="Catalogue name (see --list)."),
    list_: bool = typer.Option(False, "--list", help="List what can be fetched and exit."),
    cache: Path | None = typer.Option(None, help="Download cache folder."),
    sha256: str | None = typer.Option(None, help="Expected SHA-256 of the download."),
    force: bool = typer.Option(False, help="Download again even if cached."),
    load: bool = typer.Option(True, "--ingest/--no-ingest", help="Ingest after download."),
    store: StoreOption = None,
    json: JsonOption = False,
) -> None:
    """Download an official table from its publisher (cached, checksummed) and ingest it."""
    from socint.fetch import CATALOGUE
    from socint.fetch import fetch as do_fetch

    if list_ or not name:
        rows = [{"name": i.name, "description": i.description, "publisher": i.publisher,
                 "licence": i.licence} for i in CATALOGUE.values()]
        print_table(rows, ["name", "description", "publisher", "licence"], json=json,
                    title="socint fetch catalogue")
        return
    with console(err=True).status(Text(f"downloading {name}…")):
        path = do_fetch(name, cache_dir=cache, expected_sha256=sha256, force=force)
    success(f"{name} → {path}")
    if load:
        st = Store(store)
        with store_errors(st.path):
            result = st.ingest_file(path)
        success(f"ingested as {result.dataset} ({result.rows:,} rows, {result.action})")
