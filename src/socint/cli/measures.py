"""``socint measures``: diversity and segregation measures per area, written to a CSV file."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from socint.cli import app
from socint.cli.common import fail
from socint.errors import SocintError
from socint.measures.compute import MeasureSpec, compute_measures
from socint.measures.presets import PRESETS, run_preset
from socint.measures.registry import MEASURES
from socint.measures.sources import read_units
from socint.measures.units import UnitCounts


def default_specs(units: UnitCounts, unit_level: str | None, group: str | None,
                  scheme: str | None, *, rollup: str = "pooled", n_sim: int = 0,
                  seed: int = 0) -> list[MeasureSpec]:
    """The measures computed without a preset: every diversity and segregation index.

    Diversity measures use ``rollup``; with the default ``"pooled"`` Simpson's index is also
    given as the population-weighted mean of unit values (``simpson_unit_mean``). Two-group
    indices compare ``group`` (default: the scheme's first category, e.g. White British) with
    everyone else. ``n_sim > 0`` adds the expected D under random allocation and the
    Carrington & Troske (1997) bias-corrected D.
    """
    cats = units.to_scheme(scheme).categories if scheme else units.categories
    g = group or cats[0]

    def spec(column: str, measure: str, **kw: Any) -> MeasureSpec:
        return MeasureSpec(column=column, measure=measure, unit_level=unit_level,
                           scheme=scheme, **kw)

    specs = [spec(n, n, rollup=rollup) for n in ("simpson", "shannon", "effective_number")]
    if rollup == "pooled":
        specs.append(spec("simpson_unit_mean", "simpson", rollup="weighted_mean"))
    specs += [spec(n, n) for n in ("multigroup_dissimilarity", "theil_h")]
    specs += [spec(n, n, group=g) for n in ("dissimilarity", "isolation", "exposure")]
    if n_sim > 0:
        opts = {"n_sim": n_sim, "seed": seed}
        specs += [spec(n, n, group=g, options=opts)
                  for n in ("expected_dissimilarity", "corrected_dissimilarity")]
    return specs


def _la_reference(path: Path) -> pd.DataFrame:
    """LA names and codes from a QS201EW Nomis file or a CSV with lad_code/lad_name."""
    from socint.data.source import csv_header

    if "geography code" in csv_header(path):
        from socint.data.nomis import read_census2011_nomis

        areas = read_census2011_nomis(path).areas
        assert areas is not None
        return areas.rename(columns={"area_code": "lad_code", "area_name": "lad_name"})
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig")


_HELP = (
    "Compute diversity and segregation measures per area, with ranks and deciles "
    "(rank 1 and decile 10 = highest). Registered measures: " + ", ".join(MEASURES) + "."
)


@app.command(help=_HELP)
def measures(
    counts: Annotated[str, typer.Argument(
        help="Small-area counts file (MLID OA/LSOA CSV, Nomis table or a wide CSV with "
        "canonical category columns), or 'synthetic' for the built-in synthetic England.")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV, one row per area.")],
    unit_level: Annotated[str | None, typer.Option(
        "--unit-level", help="Small units: oa, lsoa or msoa (default: the file's level).")]
    = None,
    area_level: Annotated[str, typer.Option(
        "--area-level", help="Areas: msoa, lad or region.")] = "lad",
    preset: Annotated[str | None, typer.Option(
        "--preset", help=f"Named preset: {', '.join(PRESETS)}.")] = None,
    scheme: Annotated[str | None, typer.Option(
        "--scheme", help="Collapse categories into this scheme (e.g. ethnicity_broad).")]
    = None,
    group: Annotated[str | None, typer.Option(
        "--group", help="Group of the two-group indices (default: first category).")] = None,
    la_lookup: Annotated[Path | None, typer.Option(
        "--la-lookup", help="LA names -> codes (QS201EW file or CSV with lad_code, "
        "lad_name), for files that carry LA names only.")] = None,
    rollup: Annotated[str, typer.Option(
        "--rollup", help="Diversity of an area: 'pooled' (its summed counts) or "
        "'weighted_mean' (population-weighted mean of its units' values).")] = "pooled",
    bias_sims: Annotated[int, typer.Option(
        "--bias-sims", help="If > 0, add the expected D under random allocation and the "
        "Carrington-Troske corrected D from this many seeded simulations (about 10 s per 100 "
        "for England's OAs).")] = 0,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the synthetic England and of the bias simulations.")] = 2011,
) -> None:
    """Compute diversity and segregation measures per area, with ranks and deciles."""
    from rich.console import Console

    try:
        with warnings.catch_warnings(record=True) as caught, Console(stderr=True).status(
                "reading counts and computing measures…"):
            warnings.simplefilter("always")
            units = read_units(counts, seed=seed)
            if preset is not None:
                if (unit_level or scheme or group or area_level != "lad" or rollup != "pooled"
                        or bias_sims):
                    fail("--preset fixes the units, areas, scheme, group and roll-up; do not "
                         "combine it with --unit-level/--area-level/--scheme/--group/--rollup/"
                         "--bias-sims")
                ref = _la_reference(la_lookup) if la_lookup else None
                table = run_preset(preset, units, ref)
            else:
                if la_lookup is not None and "lad_code" not in units.parents.columns:
                    from socint.measures.presets import attach_la_codes

                    units = attach_la_codes(units, _la_reference(la_lookup))
                specs = default_specs(units, unit_level, group, scheme, rollup=rollup,
                                      n_sim=bias_sims, seed=seed)
                table = compute_measures(units, specs, area_level=area_level)
    except SocintError as exc:
        fail(str(exc))
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    from socint.io import write_csv

    write_csv(table, out)  # atomic: a failed run never leaves a half-written file
    typer.echo(f"wrote {len(table)} areas x {table.shape[1]} columns to {out}")
