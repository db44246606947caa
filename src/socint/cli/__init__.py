"""The ``socint`` command line: a thin typer layer over the library and ``socint.pipeline``.

Each command group lives in its own module below and registers itself on :data:`app`. The root
group (:class:`SocintGroup`) lists commands sorted, shows warnings as one line each and turns
every ``socint.errors`` exception into a message on stderr (location kept) with one exit code
per error class (:data:`socint.cli.common.EXIT_CODES`, documented in ``docs/cli.md``).
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from socint.cli.common import EXIT_CODES, fail, warnings_to_stderr

_EPILOG = (
    "Exit codes: " + ", ".join(f"{e.code} {e.label}" for e in EXIT_CODES)
    + " (details: docs/cli.md).\n\n"
    "Example: socint demo --out socint-demo"
)


class SocintGroup(TyperGroup):
    """The root command group: sorted command list, socint errors → message + exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Commands in alphabetical order (in ``--help`` and shell completion)."""
        return sorted(super().list_commands(ctx))

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a ``SocintError`` becomes ``error: …`` and its exit code."""
        from socint.errors import SocintError

        with warnings_to_stderr():
            try:
                return super().invoke(ctx)
            except SocintError as exc:
                fail(exc)


def _show_version(value: bool) -> None:
    if value:
        from socint import __version__

        typer.echo(f"socint {__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    name="socint",
    cls=SocintGroup,
    help="Measure social integration (trust, diversity, segregation) for England's local areas.",
    epilog=_EPILOG,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="Print socint's version and exit."),
) -> None:
    """Measure social integration (trust, diversity, segregation) for England's local areas."""


# Examples for commands whose modules do not set an epilog yet (their owners should move them
# into the command's ``epilog=``); tests/cli checks every option named here exists.
EXAMPLES: dict[str, str] = {
    "demo": "socint demo --out socint-demo --seed 2011",
    "run": "socint run --out england-2021 --census 2021 --trust published",
    "survey import": "socint survey import survey.sav --map survey.yaml --out respondents.csv",
    "survey map-template": "socint survey map-template survey.sav --out survey.yaml",
    "index": "socint index --out socint-index --method mrp --normalisation rank",
    "report": "socint report --index socint-index --out site",
    "schools": "socint schools spc_school_level.csv --population la_population.csv "
               "--out socint-schools",
    "scorecard": "socint scorecard indicators.csv --la E08000025 --out socint-scorecard",
    "serve": "socint serve site --port 8000",
    "survey": "socint survey validate responses.csv",
    "survey questions": "socint survey questions",
    "survey validate": "socint survey validate responses.csv",
    "survey weight": "socint survey weight responses.csv --margins margins.csv --la E08000025",
    "survey estimate": "socint survey estimate responses.csv --margins margins.csv "
                       "--la E08000025 --by ethnicity --out socint-survey",
}


def _add_examples(typer_app: typer.Typer, prefix: str = "") -> None:
    """Give commands without an epilog their example from :data:`EXAMPLES`."""
    for info in typer_app.registered_commands:
        name = info.name or (info.callback.__name__.replace("_", "-") if info.callback else "")
        example = EXAMPLES.get(f"{prefix}{name}")
        if example and not info.epilog:
            info.epilog = f"Example: {example}"
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        if sub is None:
            continue
        name = group.name or (sub.info.name if isinstance(sub.info.name, str) else "")
        example = EXAMPLES.get(f"{prefix}{name}")
        if example and not isinstance(sub.info.epilog, str):
            sub.info.epilog = f"Example: {example}"
        _add_examples(sub, f"{prefix}{name} ")


def _register() -> None:
    """Import the command modules so they attach their commands to ``app``."""
    from socint.cli import (  # noqa: F401
        compare,
        core,
        demo,
        index,
        measures,
        report,
        run,
        schools,
        scorecard,
        survey,
    )

    _add_examples(app)


def main() -> None:
    """Entry point of the ``socint`` console script and of ``python -m socint``.

    socint's own errors (bad input, unknown codes, non-convergence…) are printed as a short
    message saying what is wrong, where, and how to fix it, with the exit code of their class
    (``socint --help`` lists them); anything else is a bug, keeps its traceback and exits 1.
    """
    from socint.errors import SocintError

    _register()
    try:
        app(prog_name="socint")
    except SocintError as exc:  # raised outside a command (the group maps the rest)
        try:
            fail(exc)
        except typer.Exit as done:
            raise SystemExit(done.exit_code) from None


__all__ = ["EXAMPLES", "SocintGroup", "app", "main"]
