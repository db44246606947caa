"""``socint schools``: school diversity and representativeness, LA school segregation."""

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
        help="DfE 'Schools, pupils and their characteristics' school-level underlying data, "
             "as published (one row per school; DfE symbols z/x/c are handled).")],
    population: Annotated[Path, typer.Option(
        "--population", help="Census LA ethnic-group table as published: 2021 TS021 LTLA or "
                             "2011 QS201EW LA (any layout socint.data.read_official knows), or a "
                             "CSV with lad_code, category, count.")],
    residential: Annotated[Path | None, typer.Option(
        "--residential", help="Census small-area ethnic-group table (e.g. TS021 LSOA) for each "
                              "LA's residential segregation.")] = None,
    lookup: Annotated[Path | None, typer.Option(
        "--lookup", help="Small area → LA lookup CSV for --residential (e.g. "
                         "lookup_lsoa21_msoa21_ltla22.csv).")] = None,
    scheme: Annotated[str, typer.Option(
        "--scheme", help="Ethnic groups of the indices: auto, detailed (17 groups shared by "
                         "the school census and the Census) or broad (5).")] = "auto",
    min_schools: Annotated[int, typer.Option(
        "--min-schools", help="Fewest schools of a phase an LA needs for segregation "
                              "figures.")] = 5,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("socint-schools"),
) -> None:
    """Diversity and representativeness of every state-funded school; LA school segregation.

    Example: socint schools spc_school_level_underlying_data.csv --population
    ethnicity21_ltla21.csv --residential ethnicity21_lsoa21.csv --lookup
    lookup_lsoa21_msoa21_ltla22.csv --out schools/
    """
    from socint.instruments.run import read_census_table, read_input, run_schools

    try:
        paths = run_schools(
            read_input(schools_csv, "school census", text=True),
            read_census_table(population, "census LA population"), out, scheme=scheme,
            file=schools_csv, min_schools=min_schools,
            residential=read_census_table(residential, "census small-area") if residential
            else None, lookup=read_input(lookup, "small-area lookup") if lookup else None)
    except SocintError as exc:
        fail(exc)
    for p in paths:
        typer.echo(f"wrote {p}")
