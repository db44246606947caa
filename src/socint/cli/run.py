"""``socint run``: the Social Integration Index for every English LA (the main job)."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from socint.cli import app
from socint.cli.common import echo, output_dir, stage_progress, success

console = Console(stderr=True)


class Census(StrEnum):
    """Census year of the area data."""

    c2021 = "2021"
    c2011 = "2011"


class LadVintage(StrEnum):
    """LA set of the outputs."""

    census = "census"
    v2021 = "2021"
    v2023 = "2023"


class SourceKind(StrEnum):
    """Where the area data come from."""

    official = "official"
    synthetic = "synthetic"


@app.command("run")
def run_command(
    out: Path = typer.Option(..., "--out", callback=output_dir,
                             help="Output folder (replaced atomically)."),
    census: Census = typer.Option(Census.c2021, help="Census of the area data."),
    lad_vintage: LadVintage = typer.Option(
        LadVintage.census, "--lad-vintage",
        help="LA set of the outputs: 'census' (the census's own: 309 LTLA21 or 326 LAs of "
             "2011), 2021, or 2023 (296 LAs after the 2023 mergers; Census 2021 only)."),
    source: SourceKind = typer.Option(
        SourceKind.official, help="official: the official tables (--data or the bundled "
        "extract); synthetic: the built-in synthetic England (the validation world)."),
    data: Path | None = typer.Option(
        None, "--data", exists=True, file_okay=False,
        help="Folder searched recursively for official files in any supported layout "
             "(default: the bundled real-England extract)."),
    trust: str = typer.Option(
        "published", help="Where trust comes from: 'published' (Bright Blue's Model 3 "
                          "transported onto the census), 'survey' (--survey microdata, fit + "
                          "MRP), a saved model FILE.json, or a trust table FILE.csv "
                          "(lad_code or lad_name, trust, optional trust_lower/trust_upper)."),
    survey: Path | None = typer.Option(None, exists=True, dir_okay=False,
                                       help="Survey microdata (with --trust survey)."),
    survey_map: Path | None = typer.Option(None, "--survey-map", exists=True, dir_okay=False,
                                           help="Mapping of the survey's variables (YAML)."),
    draws: int = typer.Option(200, help="Simulation draws for intervals and rank intervals."),
    seed: int = typer.Option(2011, help="Seed of the simulations."),
    target: float = typer.Option(0.39, help="Mean trust the intercept of a published model "
                                            "without intercept is calibrated to."),
    no_site: bool = typer.Option(False, "--no-site", help="Skip the dashboard."),
) -> None:
    """Build the index for every English LA and MSOA from official data, with the dashboard.

    Example: socint run --out england-2021   (Census 2021, bundled data, published model)

    Example: socint run --lad-vintage 2023 --out england-2021-lad23   (the 296 LAs of 2023)
    """
    from socint.estimates.transport import Calibration
    from socint.pipeline import STAGES, RunConfig, run

    start = time.perf_counter()
    vintage = None if lad_vintage is LadVintage.census else int(lad_vintage.value)
    config = RunConfig(out=out, source=source.value, census=int(census.value), data=data,
                       lad_vintage=vintage, trust=trust,
                       survey=survey, survey_map=survey_map,
                       draws=draws, seed=seed, calibration=Calibration(target=target),
                       site=not no_site)
    with stage_progress(STAGES, console) as step:
        result = run(config, progress=step)
    la = result.index.la
    n_most = int(la["most_integrated"].fillna(False).astype(bool).sum())
    success(f"{len(la)} LAs and {len(result.index.msoa)} MSOAs in "
            f"{time.perf_counter() - start:.1f} s; {n_most} most integrated; outputs in {out}/")
    echo(f"  trust: {result.trust.description}")
    for note in result.manifest["notes"].get("source", []):
        echo(f"  note: {note}")
    for name, seconds in result.manifest["stages_seconds"].items():
        echo(f"  {name}: {seconds:.1f} s")


__all__ = ["run_command"]
