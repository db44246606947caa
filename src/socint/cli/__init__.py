"""The ``socint`` command line: a thin typer layer over the library and ``socint.pipeline``.

Each command group lives in its own module below and registers itself on :data:`app`.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="socint",
    help="Measure social integration (trust, diversity, segregation) for England's local areas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Measure social integration (trust, diversity, segregation) for England's local areas."""


def _register() -> None:
    """Import the command modules so they attach their commands to ``app``."""
    from socint.cli import (  # noqa: F401
        compare,
        core,
        demo,
        index,
        measures,
        pack,
        report,
        schools,
        scorecard,
        survey,
    )


def main() -> None:
    """Entry point of the ``socint`` console script.

    socint's own errors (bad input, unknown codes, non-convergence…) are printed as a short
    message saying what is wrong, where, and how to fix it, with exit status 2; anything else is
    a bug and keeps its traceback.
    """
    from socint.errors import SocintError

    _register()
    try:
        app()
    except SocintError as exc:
        from rich.console import Console

        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise SystemExit(2) from None


__all__ = ["app", "main"]
