"""``socint pack``: a Local Integration Plan evidence pack (one HTML page) for an LA."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from socint.cli import app
from socint.cli.common import fail
from socint.errors import SocintError


def default_index_dir() -> Path:
    """The index folder of the real England 2021 run, built once into the user's cache.

    The one place that decides what "no --index" means. It calls
    ``socint.pipeline.run(socint.pipeline.RunConfig(out=<cache dir>))`` and reuses the folder
    when its ``la_index.csv`` is already there.

    """
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "socint" / (
        "england-2021")
    if (cache / "la_index.csv").is_file():
        return cache
    from socint.pipeline import RunConfig, run

    run(RunConfig(out=cache))
    return cache


@app.command("pack")
def pack(
    lad_code: Annotated[str, typer.Argument(help="LA district code, e.g. E08000032 (Bradford).")],
    index: Annotated[Path | None, typer.Option(
        "--index", help="Index folder written by `socint run --out DIR` / `socint index` "
                        "(la_index.csv, manifest.json). Default: the real England 2021 run.")
    ] = None,
    schools: Annotated[Path | None, typer.Option(
        "--schools", help="Output folder of `socint schools` (adds school segregation).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("socint-pack"),
) -> None:
    """Write one offline HTML evidence pack for an LA (printable to PDF; assets/ beside it).

    Example: socint pack E08000032 --index run/ --schools schools/ --out packs/
    """
    from socint.instruments.pack import write_pack

    try:
        path = write_pack(lad_code, index if index is not None else default_index_dir(), out,
                          schools_dir=schools)
    except SocintError as exc:
        fail(str(exc), code=2)
    typer.echo(f"wrote {path}")
