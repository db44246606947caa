"""Core commands: version (the data/store/demo commands are added as their stages land)."""

from __future__ import annotations

import typer

from socint import __version__
from socint.cli import app


@app.command()
def version() -> None:
    """Print socint's version."""
    typer.echo(__version__)
