"""``socint scorecard``: race-equality scorecard per LA (Runnymede Trust design)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from socint.cli import app
from socint.cli.common import fail
from socint.errors import SocintError


@app.command("scorecard")
def scorecard(
    indicators: Annotated[Path | None, typer.Argument(
        help="Tidy CSV: lad_code, domain, indicator, group, numerator, denominator, year "
             "(domains: education, employment, housing, health, criminal_justice, "
             "civic_participation, voluntary_sector).")] = None,
    reference: Annotated[str, typer.Option(
        "--reference", help="Reference group of the disparity ratios.")] = "white_british",
    la: Annotated[list[str] | None, typer.Option(
        "--la", help="LA code(s) to write pages for (default: every LA).")] = None,
    known_las: Annotated[Path | None, typer.Option(
        "--known-las", help="CSV of valid LAs (lad_code[, lad_name]): other codes are refused "
                            "and names label the pages.")] = None,
    census: Annotated[Path | None, typer.Option(
        "--census", help="Census cross-table by ethnic group: lad_code, group, category, "
                         "count (e.g. tenure by ethnic group).")] = None,
    derive: Annotated[list[str] | None, typer.Option(
        "--derive", help="Indicator from --census: DOMAIN:INDICATOR:CATEGORIES:YEAR, e.g. "
                         "housing:social_renting:social_rented:2021 (repeat).")] = None,
    school_census: Annotated[Path | None, typer.Option(
        "--school-census", help="DfE school-level file (as published): adds the education "
                                "indicator 'pupils in high-poverty schools' by ethnic group.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("socint-scorecard"),
) -> None:
    """Rates, disparity ratios (log-method CI), change between years; CSV + a page per LA."""
    from socint.instruments.run import la_list, read_input, run_scorecard

    try:
        codes, names = (la_list(read_input(known_las, "LA list")) if known_las
                        else (None, None))
        paths = run_scorecard(
            read_input(indicators, "indicator") if indicators else None, out,
            reference=reference, las=la, names=names, known_las=codes,
            census=read_input(census, "census cross-table") if census else None,
            derive=derive or [], file=indicators,
            school_census=read_input(school_census, "school census", text=True)
            if school_census else None)
    except SocintError as exc:
        fail(exc)
    for p in paths:
        typer.echo(f"wrote {p}")
