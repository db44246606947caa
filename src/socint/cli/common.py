"""Pieces shared by the CLI commands: the --store option, progress bars, error exit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="DuckDB store file (default: $SOCINT_STORE or the user data "
                                 "folder, e.g. ~/.local/share/socint/socint.duckdb)."),
]


def progress(console: Console | None = None) -> Progress:
    """A rich progress bar for steps that may take more than a couple of seconds."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error in red and exit with ``code``."""
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


__all__ = ["StoreOption", "fail", "progress"]
