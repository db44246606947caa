"""``socint index``: build the Social Integration Index and write its tables."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console

from socint.cli import app
from socint.cli.common import echo, output_dir, success

console = Console()


@app.command("index")
def index_command(
    out: Path = typer.Option(Path("socint-index"), callback=output_dir, help="Output folder."),
    inputs: Path | None = typer.Option(
        None, "--inputs", exists=True, file_okay=False,
        help="Folder of input CSVs (survey, msoa_covariates, la_covariates, population, las, "
             "msoas, la_measures; optional msoa_measures, deprivation, *_boundaries.geojson). "
             "Default: the built-in synthetic England."),
    seed: int = typer.Option(2011, help="Seed of the simulations (and of the synthetic England)."),
    scale: float = typer.Option(1.0, help="Size of the synthetic England (no --inputs only)."),
    survey_size: int = typer.Option(30_000, help="Respondents of the synthetic survey "
                                                 "(no --inputs only)."),
    draws: int = typer.Option(1000, help="Simulation draws for intervals and rank uncertainty."),
    min_respondents: int = typer.Option(
        10, help="Direct and report-style estimates of areas with fewer respondents are "
                 "suppressed."),
    method: Literal["mrp", "report", "direct"] = typer.Option(
        "mrp", help="Trust estimate used in the index."),
    normalisation: Literal["rank", "zscore", "minmax"] = typer.Option(
        "rank", help="Composite normalisation."),
) -> None:
    """Estimate small-area trust (direct, report-style, MRP) and build the index.

    Writes la_index.csv, msoa_index.csv, GeoJSON (when boundaries exist), la_index.xlsx with a
    README sheet, the report's tables, the trust decomposition, validation against the truth
    (synthetic England) and manifest.json. Same inputs and seed give byte-identical CSVs.
    """
    from socint.composite.inputs import inputs_from_directory
    from socint.composite.outputs import write_index
    from socint.composite.run import IndexConfig, build_index

    start = time.perf_counter()
    config = IndexConfig(n_draws=draws, seed=seed, min_respondents=min_respondents,
                         trust_method=method, normalisation=normalisation)
    config.check()
    if inputs is None:
        from socint.pipeline import synthetic_index_inputs

        with console.status("generating the synthetic England"):
            bundle = synthetic_index_inputs(seed, scale=scale, survey_size=survey_size)
    else:
        bundle = inputs_from_directory(inputs)
    with console.status("fitting the trust model and simulating"):
        result = build_index(bundle, config=config)
    from socint.pipeline import staging_folder

    with staging_folder(out) as tmp:
        files = write_index(result, tmp)
    files = {name: out / p.name for name, p in files.items()}
    la = result.la
    success(f"index of {len(la)} LAs and {len(result.msoa)} MSOAs in "
            f"{time.perf_counter() - start:.1f} s; {int(la['most_integrated'].sum())} "
            "most integrated; outputs in " + str(out))
    if result.validation is not None:
        v = result.validation
        row = v[(v["method"] == "mrp") & (v["group"] == "all")].iloc[0]
        echo(f"  MRP vs synthetic truth: r = {row['correlation']:.3f}, 90% coverage "
                      f"{row['coverage90']:.1%}, 95% coverage {row['coverage95']:.1%}")
    for name in sorted(files):
        echo(f"  {files[name].name}")


__all__ = ["index_command"]
