"""Pieces shared by every CLI command: safe printing, errors and exit codes, tables, options.

Every command module should print through :func:`echo`/:func:`success`/:func:`warn`, end with
:func:`fail` on an error, show tables with :func:`print_table` (which gives ``--json`` for free)
and declare enumerated options with ``Literal[...]`` or :func:`choices`. Why: socint's messages
carry their location in brackets (``[file x.csv, row 8, column 'WhiteBrit']``), which rich would
parse as markup and silently drop, and scripts need one exit code per kind of error.
"""

from __future__ import annotations

import json as _json
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

# ---------------------------------------------------------------------------- exit codes


@dataclass(frozen=True)
class ExitCode:
    """One exit status: its number, a short label, the error class(es) and what it means."""

    code: int
    label: str
    error: str
    meaning: str


EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_GEOGRAPHY = 4
EXIT_STORE = 5
EXIT_MODEL = 6
EXIT_OTHER = 7

EXIT_CODES: tuple[ExitCode, ...] = (
    ExitCode(EXIT_OK, "ok", "-", "success"),
    ExitCode(EXIT_BUG, "bug", "any other exception",
             "a bug in socint (a traceback is printed; please report it)"),
    ExitCode(EXIT_USAGE, "usage", "click usage errors",
             "bad command line: unknown option, invalid choice, missing argument, a folder "
             "where a file is needed"),
    ExitCode(EXIT_INPUT, "input data", "InputDataError, SchemaError",
             "an input file is unreadable or its content is wrong (bad counts, missing "
             "columns, unknown layout)"),
    ExitCode(EXIT_GEOGRAPHY, "geography", "GeographyError",
             "area codes, names, levels, vintages or lookups do not fit together"),
    ExitCode(EXIT_STORE, "store", "StoreError",
             "the store is missing, locked, corrupt or refused the operation"),
    ExitCode(EXIT_MODEL, "model", "ModelError, ConvergenceError",
             "the model cannot be fitted as specified or did not converge"),
    ExitCode(EXIT_OTHER, "other socint error", "SocintError",
             "any other refusal by socint (a setting out of range, an output path that "
             "cannot be used, a failed download)"),
)


def exit_code_for(exc: BaseException) -> int:
    """The exit status of an exception: one number per ``socint.errors`` class (see
    :data:`EXIT_CODES`); anything that is not a ``SocintError`` is a bug (1)."""
    from socint.errors import (
        GeographyError,
        InputDataError,
        ModelError,
        SocintError,
        StoreError,
    )

    for cls, code in ((InputDataError, EXIT_INPUT), (GeographyError, EXIT_GEOGRAPHY),
                      (StoreError, EXIT_STORE), (ModelError, EXIT_MODEL),
                      (SocintError, EXIT_OTHER)):
        if isinstance(exc, cls):
            return code
    return EXIT_BUG


def exit_codes_text() -> str:
    """The exit codes as plain lines, for ``socint --help`` and docs/cli.md."""
    return "\n".join(f"{e.code}  {e.meaning}" for e in EXIT_CODES)


# ---------------------------------------------------------------------------- printing


def console(*, err: bool = False) -> Console:
    """A rich console on stdout (or stderr) that never hard-wraps (long messages stay one line
    for grep) and follows the current ``sys.stdout``/``sys.stderr`` (so CliRunner captures it)."""
    return Console(stderr=err, soft_wrap=True, highlight=False)


def echo(text: object, *, style: str | None = None, err: bool = False) -> None:
    """Print ``text`` literally: brackets are text, never rich markup; ``style`` colours all."""
    console(err=err).print(Text(str(text), style=style or ""))


def success(text: object) -> None:
    """Print ``✓ text`` (green tick) on stdout; ``text`` is printed literally."""
    console().print(Text.assemble(("✓ ", "green"), str(text)))


def warn(text: object) -> None:
    """Print ``warning: text`` on stderr; ``text`` is printed literally."""
    console(err=True).print(Text.assemble(("warning: ", "yellow"), str(text)))


def fail(error: BaseException | str, code: int | None = None) -> NoReturn:
    """Print ``error: …`` on stderr (literally, location brackets kept) and exit.

    Parameters
    ----------
    error
        A ``SocintError`` (its class chooses the exit code, :func:`exit_code_for`) or a message.
    code
        Overrides the exit code; a bare message without ``code`` is a usage error (2).
    """
    if code is None:
        code = exit_code_for(error) if isinstance(error, BaseException) else EXIT_USAGE
    console(err=True).print(Text.assemble(("error: ", "bold red"), str(error)))
    raise typer.Exit(code)


def _plain(value: Any) -> Any:
    """A JSON-ready value: NA/NaN → None, numpy scalars → Python, dates → ISO 8601."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # lists, arrays: not a scalar NA
        pass
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _cell(value: Any) -> str:
    """How a value appears in a text table: missing → empty, booleans lower-case."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def print_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None, *,
                json: bool = False, title: str | None = None,
                fmt: Mapping[str, Callable[[Any], str]] | None = None,
                out: Console | None = None) -> None:
    """Show records as a table: rich on a terminal, tab-separated when piped, JSON with ``json``.

    Parameters
    ----------
    rows
        One mapping per row; values may be NA/NaN/numpy/timestamps (missing shows as empty,
        ``null`` in JSON).
    columns
        Columns and their order (default: the keys of the first row).
    json
        Print a JSON array of objects (full values, ``null`` for missing) and nothing else, so
        ``socint … --json | python -m json.tool`` works.
    title
        Title of the terminal table (not printed when piped or as JSON).
    fmt
        Per-column formatters used only on a terminal (e.g. thousands commas, a sha256 cut to
        12 characters); piped and JSON output always carry the full value, and nothing is ever
        cut to fit the width (long cells wrap).
    out
        Console to print to (default: stdout); tests pass a terminal console.
    """
    records = [dict(r) for r in rows]
    cols = list(columns) if columns is not None else (list(records[0]) if records else [])
    if json:
        payload = [{c: _plain(r.get(c)) for c in cols} for r in records]
        typer.echo(_json.dumps(payload, indent=2, ensure_ascii=False))
        return
    con = out or console()
    if not con.is_terminal:
        lines = ["\t".join(cols)]
        for r in records:
            lines.append("\t".join(_cell(r.get(c)).replace("\t", " ").replace("\n", " ")
                                   for c in cols))
        con.file.write("\n".join(lines) + "\n")
        con.file.flush()
        return
    table = Table(title=Text(title) if title else None)
    for c in cols:
        table.add_column(Text(c), overflow="fold")
    for r in records:
        cells = []
        for c in cols:
            value = r.get(c)
            text = _cell(value)
            if fmt and c in fmt and text:
                text = fmt[c](_plain(value))
            cells.append(Text(text))
        table.add_row(*cells)
    con.print(table)


def progress(out: Console | None = None) -> Progress:
    """A rich progress bar (on stderr by default) for steps that may take more than a couple of
    seconds; descriptions are literal text (use ``Text`` or escape file names yourself)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=out or console(err=True),
        transient=False,
    )


@contextmanager
def stage_progress(stages: Sequence[str], out: Console | None = None
                   ) -> Iterator[Callable[[str], None]]:
    """A progress bar over a pipeline's named stages; yields the ``progress`` callback.

    Each call with a stage name completes the previous stage and shows the new one; the bar is
    completed when the block ends.
    """
    with progress(out) as bar:
        task = bar.add_task("starting", total=len(stages))
        seen: list[str] = []

        def step(name: str) -> None:
            if seen:
                bar.advance(task)
            seen.append(name)
            bar.update(task, description=name)

        yield step
        bar.update(task, completed=len(stages), description="done")


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show every warning raised inside as one ``warning: message`` line (no source line, no
    markup parsing), once per distinct message. Python's filters are kept (a library's
    DeprecationWarning stays hidden); the previous display is restored afterwards."""
    seen: set[str] = set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        text = str(message)
        if text not in seen:
            seen.add(text)
            warn(text)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@contextmanager
def store_errors(path: Path | str) -> Iterator[None]:
    """Turn DuckDB's I/O errors (locked, corrupt or non-DuckDB file, a folder) into a
    ``StoreError`` naming the store and how to fix it, instead of a traceback."""
    import duckdb

    from socint.errors import StoreError

    try:
        yield
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            hint = ("another socint process is using this store; wait for it to finish, "
                    "or pass --store PATH to use another store")
        elif Path(path).is_dir():
            hint = "--store must be a file path (e.g. PATH/socint.duckdb), not a folder"
        else:
            hint = ("this file is not a socint store (a DuckDB file); pass --store PATH to "
                    "use another file, or move it away to start a new store")
        raise StoreError(f"cannot open the store {path}: {text}", file=path,
                         hint=hint) from None


# ---------------------------------------------------------------------------- options


def choices(values: Iterable[str], *, multiple: bool = False,
            metavar: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``typer.Option``/``typer.Argument`` accepting only ``values``.

    For choices known only at run time (registries such as presets or schemes); for a fixed
    list prefer a ``Literal["a", "b"]`` annotation, which typer turns into a choice itself.
    The choices are shown in ``--help`` (metavar ``<a|b|c>``, or ``metavar`` for a long list
    that the help text then names), completed by the shell, and anything else is a usage error
    (exit 2) listing them. ``multiple`` for list-valued options.

    Examples
    --------
    ``preset: str | None = typer.Option(None, "--preset", help="…", **choices(PRESETS))``
    """
    allowed = tuple(str(v) for v in values)

    def check(value: Any) -> Any:
        items = value if multiple and value is not None else [value]
        for item in items:
            if item is not None and item not in allowed:
                raise typer.BadParameter(f"{item!r} is not one of: {', '.join(allowed)}")
        return value

    def complete(incomplete: str) -> list[str]:
        return [v for v in allowed if v.startswith(incomplete)]

    return {"metavar": metavar or "<" + "|".join(allowed) + ">", "callback": check,
            "autocompletion": complete}


def output_file(value: Path | None) -> Path | None:
    """``callback=`` for an ``--out FILE`` option: refuse a folder (or a path under a file)
    with a usage error saying what to pass instead, before any work is done."""
    if value is None:
        return value
    if value.is_dir():
        raise typer.BadParameter(f"{value} is a folder, but a file is needed; pass a file "
                                 f"path such as {value / 'measures.csv'}")
    for parent in value.parents:
        if parent.exists():
            if not parent.is_dir():
                raise typer.BadParameter(f"{parent} is a file, so {value} cannot be created")
            break
    return value


def output_dir(value: Path | None) -> Path | None:
    """``callback=`` for an ``--out DIR`` option: refuse an existing file with a usage error."""
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{value} is a file, but a folder is needed; pass a new or "
                                 "existing folder path")
    return value


StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="DuckDB store file (default: $SOCINT_STORE or the user data "
                                 "folder, e.g. ~/.local/share/socint/socint.duckdb)."),
]

JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print machine-readable JSON instead of a table."),
]


__all__ = [
    "EXIT_BUG",
    "EXIT_CODES",
    "EXIT_GEOGRAPHY",
    "EXIT_INPUT",
    "EXIT_MODEL",
    "EXIT_OK",
    "EXIT_OTHER",
    "EXIT_STORE",
    "EXIT_USAGE",
    "ExitCode",
    "JsonOption",
    "StoreOption",
    "choices",
    "console",
    "echo",
    "exit_code_for",
    "exit_codes_text",
    "fail",
    "output_dir",
    "output_file",
    "print_table",
    "progress",
    "stage_progress",
    "store_errors",
    "success",
    "warn",
    "warnings_to_stderr",
]
