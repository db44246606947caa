"""Core commands: ``version``, ``ingest``, ``status``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from socint import __version__
from socint.cli import app
from socint.cli.common import StoreOption, fail, progress
from socint.errors import SocintError
from socint.store import Store

console = Console()


@app.command()
def version() -> None:
    """Print socint's version."""
    typer.echo(__version__)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Official files to load (CSV, GeoJSON, TopoJSON).",
                                       exists=True, dir_okay=False, readable=True),
    store: StoreOption = None,
    replace: bool = typer.Option(False, help="Replace a dataset already loaded from another file."),
) -> None:
    """Recognise official files, validate them and load them into the store with provenance.

    Re-ingesting an identical file does nothing; a different file for a dataset already loaded is
    refused unless --replace. A file that fails validation leaves the store unchanged.
    """
    st = Store(store)
    failures = 0
    with progress(console) as bar:
        task = bar.add_task("ingesting", total=len(paths))
        for path in paths:
            bar.update(task, description=f"ingesting {path.name}")
            try:
                result = st.ingest_file(path, replace=replace)
            except SocintError as exc:
                failures += 1
                console.print(f"[red]✗ {path}[/red]\n{exc}")
            else:
                console.print(f"[green]✓[/green] {path.name} → {result.dataset} "
                              f"({result.rows:,} rows, {result.action})")
            bar.advance(task)
    if failures:
        fail(f"{failures} of {len(paths)} file(s) were not ingested; the store is unchanged "
             "for those files.")


@app.command()
def status(store: StoreOption = None) -> None:
    """List the datasets in the store with their provenance."""
    st = Store(store)
    frame = st.status()
    if frame.empty:
        console.print(f"The store {st.path} is empty. Load data with `socint ingest FILE...`.")
        return
    table = Table(title=f"socint store: {st.path}")
    for col in ("dataset", "kind", "level", "vintage", "rows", "file_name", "sha256", "licence"):
        table.add_column(col)
    for row in frame.itertuples(index=False):
        table.add_row(
            str(row.dataset), str(row.kind), str(row.level or ""), str(row.vintage or ""),
            f"{row.rows:,}",
            str(row.file_name), str(row.sha256)[:12] + "…", str(row.licence or ""),
        )
    console.print(table)


@app.command()
def fetch(
    name: str = typer.Argument("", help="Catalogue name (see --list)."),
    list_: bool = typer.Option(False, "--list", help="List what can be fetched and exit."),
    cache: Path | None = typer.Option(None, help="Download cache folder."),
    sha256: str | None = typer.Option(None, help="Expected SHA-256 of the download."),
    force: bool = typer.Option(False, help="Download again even if cached."),
    load: bool = typer.Option(True, "--ingest/--no-ingest", help="Ingest after download."),
    store: StoreOption = None,
) -> None:
    """Download an official table from its publisher (cached, checksummed) and ingest it."""
    from socint.fetch import CATALOGUE
    from socint.fetch import fetch as do_fetch

    if list_ or not name:
        table = Table(title="socint fetch catalogue")
        for col in ("name", "description", "publisher", "licence"):
            table.add_column(col)
        for item in CATALOGUE.values():
            table.add_row(item.name, item.description, item.publisher, item.licence)
        console.print(table)
        return
    with console.status(f"downloading {name}…"):
        path = do_fetch(name, cache_dir=cache, expected_sha256=sha256, force=force)
    console.print(f"[green]✓[/green] {name} → {path}")
    if load:
        result = Store(store).ingest_file(path)
        console.print(f"[green]✓[/green] ingested as {result.dataset} ({result.rows:,} rows, "
                      f"{result.action})")
