"""``socint measures``: diversity and segregation measures per area, written to a CSV file."""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import typer

from socint.cli import app
from socint.cli.common import choices, console, echo, fail, output_file, warn
from socint.measures.compute import MeasureSpec, compute_measures
from socint.measures.presets import PRESETS, run_preset
from socint.measures.registry import MEASURES
from socint.measures.schemes import SCHEMES
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


def lookalike_names(counts: pd.Series, *, similarity: float = 0.8,
                    share: float = 0.1) -> list[str]:
    """Area names that look like a misspelling of another name in the same file.

    Real LA names are often alike (East/West Devon, Stafford/Trafford), so likeness alone is
    not enough: a name is flagged when it is alike (``difflib`` ratio ≥ ``similarity`` after
    case-folding) to a name with at least ``1/share`` times as many units — a typo in a few rows
    of a file whose other rows spell the name correctly.

    Parameters
    ----------
    counts
        Number of units per name (``Series.value_counts()``).
    """
    names = sorted(counts.index.astype(str))
    n = {str(k): int(v) for k, v in counts.items()}
    found: list[str] = []
    for i, a in enumerate(names):
        sm = difflib.SequenceMatcher(None, b=a.casefold(), autojunk=False)
        for b in names[i + 1:]:
            small, big = (a, b) if n[a] <= n[b] else (b, a)
            if n[small] > share * n[big]:
                continue
            sm.set_seq1(b.casefold())
            if sm.real_quick_ratio() >= similarity and sm.quick_ratio() >= similarity \
                    and sm.ratio() >= similarity:
                found.append(f"{small!r} ({n[small]} unit{'s' * (n[small] != 1)}) looks like "
                             f"a misspelling of {big!r} ({n[big]} units)")
    return found


def _check_name_keys(units: UnitCounts, key: str, level: str) -> None:
    """Warn when areas are keyed by name: unchecked names, and names that look misspelt."""
    warn(f"the counts carry {level}_name but no {level}_code, so the output is keyed by "
         f"{key}: the names are not checked against any list of areas, and a misspelt name "
         "becomes an extra area. Pass --la-lookup FILE (QS201EW file or CSV with lad_code, "
         "lad_name) to match the names to codes; names matching no LA are then reported.")
    odd = lookalike_names(units.parents[key].dropna().value_counts())
    if odd:
        warn(f"{len(odd)} {level} name(s) may be misspelt: " + "; ".join(odd))


def _key_output(table: pd.DataFrame, key: str, level: str) -> pd.DataFrame:
    """Name the output's key column for what it holds (``lad_code``, or ``lad_name`` when the
    units carry names only) instead of the library's generic ``area_code``/``area_name``."""
    if key.endswith("_name"):
        return table.drop(columns="area_name").rename(columns={"area_code": key})
    return table.rename(columns={"area_code": key, "area_name": f"{level}_name"})


_HELP = (
    "Compute diversity and segregation measures per area, with ranks and deciles "
    "(rank 1 and decile 10 = highest). Registered measures: " + ", ".join(MEASURES) + ". "
    "The output's key column is named for what it holds: <level>_code (e.g. lad_code), or "
    "lad_name with a warning when the counts carry LA names only and no --la-lookup is given."
)

Level = Literal["oa", "lsoa", "msoa"]
AreaLevel = Literal["lsoa", "msoa", "lad", "region"]


@app.command(help=_HELP, epilog="Example: socint measures ethnicity_2011_oa_ew.csv "
                                "--preset bright_blue_2019 --la-lookup "
                                "qs201ew_ethnic_group_2011_la_ew.csv --out la_measures.csv")
def measures(
    counts: Annotated[str, typer.Argument(
        help="Small-area counts file (MLID OA/LSOA CSV, Nomis table or a wide CSV with "
        "canonical category columns), or 'synthetic' for the built-in synthetic England.")],
    out: Annotated[Path, typer.Option(
        "--out", help="Output CSV file (not a folder), one row per area.",
        callback=output_file)],
    unit_level: Annotated[Level | None, typer.Option(
        "--unit-level", help="Small units (default: the file's level).")] = None,
    area_level: Annotated[AreaLevel, typer.Option(
        "--area-level", help="Areas the measures are computed for.")] = "lad",
    preset: Annotated[str | None, typer.Option(
        "--preset", help="Named preset (fixes units, areas, scheme and group).",
        **choices(PRESETS))] = None,
    scheme: Annotated[str | None, typer.Option(
        "--scheme", help="Collapse categories into this scheme: " + ", ".join(SCHEMES) + ".",
        **choices(SCHEMES, metavar="<scheme>"))]
    = None,
    group: Annotated[str | None, typer.Option(
        "--group", help="Group of the two-group indices (default: first category).")] = None,
    la_lookup: Annotated[Path | None, typer.Option(
        "--la-lookup", help="LA names -> codes (QS201EW file or CSV with lad_code, "
        "lad_name), for files that carry LA names only; names matching no LA are reported.",
        exists=True, dir_okay=False)] = None,
    rollup: Annotated[Literal["pooled", "weighted_mean"], typer.Option(
        "--rollup", help="Diversity of an area: 'pooled' (its summed counts) or "
        "'weighted_mean' (population-weighted mean of its units' values).")] = "pooled",
    bias_sims: Annotated[int, typer.Option(
        "--bias-sims", min=0, help="If > 0, add the expected D under random allocation and "
        "the Carrington-Troske corrected D from this many seeded simulations (about 10 s per "
        "100 for England's OAs).")] = 0,
    seed: Annotated[int, typer.Option(
        "--seed", help="Seed of the synthetic England and of the bias simulations.")] = 2011,
) -> None:
    """Compute diversity and segregation measures per area, with ranks and deciles."""
    if preset is not None and (unit_level or scheme or group or area_level != "lad"
                               or rollup != "pooled" or bias_sims):
        fail("--preset fixes the units, areas, scheme, group and roll-up; do not combine it "
             "with --unit-level/--area-level/--scheme/--group/--rollup/--bias-sims")
    key = ""  # the output's key column (set when no preset renames the columns)
    with warnings.catch_warnings(record=True) as caught, console(err=True).status(
            "reading counts and computing measures…"):
        warnings.simplefilter("always")
        units = read_units(counts, seed=seed)
        if preset is not None:
            ref = _la_reference(la_lookup) if la_lookup else None
            table = run_preset(preset, units, ref)
        else:
            if la_lookup is not None and "lad_code" in units.parents.columns:
                fail(f"--la-lookup has no effect: {counts} already carries lad_code; drop "
                     "the option")
            if la_lookup is not None:
                from socint.measures.presets import attach_la_codes

                units = attach_la_codes(units, _la_reference(la_lookup))
            key = units.key_column(area_level)
            specs = default_specs(units, unit_level, group, scheme, rollup=rollup,
                                  n_sim=bias_sims, seed=seed)
            table = _key_output(compute_measures(units, specs, area_level=area_level), key,
                                area_level)
    for w in caught:
        warn(w.message)
    if key.endswith("_name"):
        _check_name_keys(units, key, area_level)
    from socint.io import write_csv

    write_csv(table, out)  # atomic: a failed run never leaves a half-written file
    echo(f"wrote {len(table)} areas x {table.shape[1]} columns to {out}")
