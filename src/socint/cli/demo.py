"""``socint demo``: the whole method on the built-in synthetic England, offline."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from socint.cli import app
from socint.cli.common import echo, output_dir, stage_progress, success

console = Console(stderr=True)



@app.command()
def demo(
    out: Path = typer.Option(Path("socint-demo"), callback=output_dir, help="Output folder."),
    seed: int = typer.Option(2011, help="Seed of the synthetic England and the simulations."),
    scale: float = typer.Option(1.0, help="Size of the synthetic England (1.0 ≈ 310 LAs)."),
    survey_size: int = typer.Option(30_000, help="Respondents in the synthetic survey."),
    draws: int = typer.Option(1000, help="Simulation draws for intervals and rank uncertainty."),
    write_inputs: bool = typer.Option(
        False, "--write-inputs", help="Also write the synthetic survey microdata to "
        "OUT/inputs/survey.csv (off by default: respondent rows are never an output)."),
) -> None:
    """Build the synthetic England and run every stage on it, writing the outputs to OUT."""
    from socint.pipeline import STAGES, DemoConfig, run_demo

    start = time.perf_counter()
    config = DemoConfig(out=out, seed=seed, scale=scale, survey_size=survey_size, draws=draws,
                        write_inputs=write_inputs)
    with stage_progress(STAGES, console) as step:
        manifest = run_demo(config, progress=step)
    success(f"demo finished in {time.perf_counter() - start:.1f} s; outputs in {out}/")
    folders: dict[str, int] = {}
    for name in manifest["outputs"]:
        if "/" in name:
            top = name.split("/", 1)[0]
            folders[top] = folders.get(top, 0) + 1
        else:
            echo(f"  {name}")
    for top, count in folders.items():
        echo(f"  {top}/ ({count} files)")
    echo("  manifest.json (inputs with checksums, versions, seed, settings, timings)")
