"""``socint schools``: school diversity league tables (Bright Blue 2019, recommendation 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from socint.cli import app
from socint.cli.common import fail
from socint.errors import SocintError


@app.command("schools")
def schools(
    schools_csv: Annotated[Path, typer.Argument(
        help="DfE 'Schools, pupils and their characteristics' school-level CSV (one row per "
             "school: urn, school_name, phase_type_grouping, new_la_code, pupil counts by "
             "ethnic group; optional religion_<category> columns).")],
    population: Annotated[Path, typer.Option(
        "--population", help="Census LA population by ethnic group: CSV with lad_code, "
                             "category (canonical names), count.")],
    scheme: Annotated[str, typer.Option(
        "--scheme", help="Ethnic groups of the indices: auto, detailed (17 groups shared by "
                         "the school census and the 2011 Census) or broad (5).")] = "auto",
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("socint-schools"),
) -> None:
    """Score each school's ethnic mix against its LA; rank schools; LA school segregation."""
    from socint.instruments.run import read_input, run_schools

    try:
        paths = run_schools(read_input(schools_csv, "school census"),
                            read_input(population, "LA population"), out, scheme=scheme,
                            file=schools_csv)
    except SocintError as exc:
        fail(str(exc), code=2)
    for p in paths:
        typer.echo(f"wrote {p}")
