"""``socint survey``: the local-survey toolkit (question bank, validate, weight, estimate)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from socint.cli import app
from socint.cli.common import fail
from socint.errors import SocintError


def _fail(exc: SocintError) -> NoReturn:
    """Exit 2 with the error; escaped so rich keeps the ``[file …, column …]`` part."""

    fail(exc)

survey_app = typer.Typer(
    help="Local-survey toolkit: check responses against the question bank, weight them to the "
         "LA's census margins, and estimate with design-effect-aware intervals.",
    no_args_is_help=True,
)
app.add_typer(survey_app, name="survey")

Responses = Annotated[Path, typer.Argument(help="Response CSV (one row per respondent).")]
Margins = Annotated[Path, typer.Option(
    "--margins", help="Census margins CSV: lad_code, margin, category, count.")]
La = Annotated[str, typer.Option("--la", help="The LA's GSS code, e.g. E08000025.")]
Tenure = Annotated[bool, typer.Option("--tenure", help="Also rake to tenure.")]
Trim = Annotated[float | None, typer.Option(
    "--trim", help="Cap weights at this multiple of the mean weight (e.g. 5).")]


@survey_app.command("questions")
def questions() -> None:
    """List the question bank's items, codes and version."""
    from socint.instruments.survey import load_bank

    bank = load_bank()
    typer.echo(f"question bank version {bank.version}")
    for item in bank.items.values():
        typer.echo(f"{item.id}: {item.text}")
        typer.echo(f"  codes: {', '.join(item.responses)} (positive: {', '.join(item.positive)})")


@survey_app.command("validate")
def validate(responses: Responses) -> None:
    """Check a response file against the question bank (every bad row and column listed)."""
    from socint.instruments.run import read_input
    from socint.instruments.survey import load_bank, validate_responses

    try:
        bank = load_bank()
        clean = validate_responses(read_input(responses, "response"), bank, file=responses)
    except SocintError as exc:
        _fail(exc)
    items = [i for i in bank.items if i in clean.columns]
    typer.echo(f"OK: {len(clean)} respondents, {len(items)} item(s) "
               f"({', '.join(items)}), question bank {bank.version}")


@survey_app.command("weight")
def weight(responses: Responses, margins: Margins, la: La, tenure: Tenure = False,
           trim: Trim = None,
           out: Annotated[Path, typer.Option("--out", help="Diagnostics CSV.")]
           = Path("survey_weighting.csv")) -> None:
    """Rake respondents to the LA's census margins and report convergence and design effect."""
    from socint.instruments.run import margin_diagnostics, read_input, weight_survey

    try:
        table = read_input(margins, "margins")
        clean, res = weight_survey(read_input(responses, "response"), table, la,
                                   tenure=tenure, trim=trim, file=responses)
        diag = margin_diagnostics(clean, res, table, la, tenure)
    except SocintError as exc:
        _fail(exc)
    out.parent.mkdir(parents=True, exist_ok=True)
    diag.to_csv(out, index=False)
    typer.echo(f"converged: {res.converged} after {res.iterations} cycle(s); largest margin "
               f"share error {res.max_margin_error:.2e}")
    typer.echo(f"Kish design effect {res.deff_kish:.3f}, effective n {res.effective_n:.0f}, "
               f"largest weight {res.max_weight_ratio:.2f} x mean"
               + (f", {res.n_trimmed} weight(s) trimmed at {trim} x mean" if trim else "")
               + ("" if res.trim_satisfied else " (the cap cannot hold with these margins)"))
    typer.echo(f"wrote {out}")


@survey_app.command("estimate")
def estimate(responses: Responses, margins: Margins, la: La, tenure: Tenure = False,
             trim: Trim = None,
             model_estimates: Annotated[Path | None, typer.Option(
                 "--model-estimates", help="socint's small-area trust estimates CSV "
                                           "(lad_code, estimate, lower, upper).")] = None,
             by: Annotated[str | None, typer.Option(
                 "--by", help="Also estimate by this column (e.g. ethnicity, age_band).")]
             = None,
             out: Annotated[Path, typer.Option("--out", help="Output folder.")]
             = Path("socint-survey")) -> None:
    """Weighted estimates with design-effect-aware CIs, compared with the model estimate."""
    from socint.instruments.labels import la_name
    from socint.instruments.run import read_input, run_survey_estimate

    try:
        model = read_input(model_estimates, "model estimates") if model_estimates else None
        paths = run_survey_estimate(read_input(responses, "response"),
                                    read_input(margins, "margins"), la, out, tenure=tenure,
                                    trim=trim, model_estimates=model, by=by,
                                    file=responses, lad_name=la_name(la))
    except SocintError as exc:
        _fail(exc)
    for p in paths:
        typer.echo(f"wrote {p}")


@survey_app.command("import")
def import_(file: Annotated[Path, typer.Argument(
                help="Survey microdata: .sav, .dta, .csv, .tsv or .tab.")],
            map_: Annotated[Path, typer.Option(
                "--map", help="Mapping YAML (start from `socint survey map-template FILE`).")],
            out: Annotated[Path, typer.Option(
                "--out", help="Canonical respondent table: OUT.csv or OUT.parquet.")],
            lookup: Annotated[list[Path] | None, typer.Option(
                "--lookup", help="Official area lookup file (repeatable; e.g. "
                                 "lookup_msoa11_ltla19.csv and lookup_msoa21_ltla22.csv to "
                                 "also check the other vintage).")] = None,
            max_unknown_area_share: Annotated[float, typer.Option(
                "--max-unknown-area-share",
                help="Stop when more than this share of rows have area codes unknown for the "
                     "mapping's vintage (below it they are dropped and counted).")] = 0.05,
            ) -> None:
    """Import survey microdata with a mapping into socint's canonical respondent table.

    The validation report (counts only) is printed and written beside OUT as
    OUT.report.json and OUT.report.txt. OUT holds respondent rows: keep it as private as the
    archive file.
    """
    from socint.microdata import import_survey, load_mapping, lookups_from_files, write_import

    try:
        mapping = load_mapping(map_)
        tables = lookups_from_files(lookup, mapping.vintage) if lookup else None
        result = import_survey(file, mapping, lookup=tables,
                               max_unknown_area_share=max_unknown_area_share)
        paths = write_import(result, out)
    except SocintError as exc:
        _fail(exc)
    typer.echo(result.report.to_text(), nl=False)
    for p in paths:
        typer.echo(f"wrote {p}")


@survey_app.command("map-template")
def map_template(file: Annotated[Path, typer.Argument(
                     help="Survey microdata: .sav, .dta, .csv, .tsv or .tab.")],
                 out: Annotated[Path | None, typer.Option(
                     "--out", help="Write the template here (default: print it).")] = None,
                 ) -> None:
    """Write a starting mapping from the file's variables and value labels (nothing guessed)."""
    from socint.io import write_text
    from socint.microdata import map_template as template
    from socint.microdata import read_microdata

    try:
        text = template(read_microdata(file))
    except SocintError as exc:
        _fail(exc)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text(text, out)
        typer.echo(f"wrote {out}")
