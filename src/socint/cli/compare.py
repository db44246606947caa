"""``socint compare``: demographically adjusted comparison of area groups across waves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from socint.cli import app
from socint.cli.common import EXIT_USAGE, echo, fail, output_dir


def _parse_outcomes(specs: list[str]) -> dict[str, str]:
    from socint.instruments.compare import KINDS

    out: dict[str, str] = {}
    for spec in specs:
        name, _, kind = spec.partition(":")
        if not name or kind not in KINDS:
            fail(f"--outcome {spec!r} must be NAME:KIND with KIND one of {', '.join(KINDS)}",
                 EXIT_USAGE)
        out[name] = kind
    return out


@app.command("compare", epilog="Example: socint compare survey.csv --outcome "
                                "cohesion_likert:likert --group area_group --wave wave "
                                "--before 2019 --out socint-compare")
def compare(
    survey: Annotated[Path, typer.Argument(help="Respondent-level survey CSV.")],
    outcome: Annotated[list[str], typer.Option(
        "--outcome", help="NAME:KIND, KIND in likert, count, binary, thermometer, continuous "
                          "(repeat for several outcomes).")],
    group: Annotated[str, typer.Option("--group", help="Area-group column.")] = "area_group",
    cluster: Annotated[str, typer.Option("--cluster", help="Area code column.")] = "lad_code",
    covariate: Annotated[list[str] | None, typer.Option(
        "--covariate", help="Demographic adjuster (repeat).")] = None,
    wave: Annotated[str | None, typer.Option("--wave", help="Survey wave column.")] = None,
    before: Annotated[str | None, typer.Option(
        "--before", help="Wave before the intervention (enables difference-in-differences).")
    ] = None,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="Comparison group (default: first in sorted order).")] = None,
    trust_outcome: Annotated[str | None, typer.Option(
        "--trust-outcome", help="Likert item for the trust/distrust ratio.")] = None,
    trust: Annotated[str, typer.Option("--trust", help="Trusting codes, comma-separated.")]
    = "4,5",
    distrust: Annotated[str, typer.Option("--distrust", help="Distrusting codes.")] = "1,2",
    out: Annotated[Path, typer.Option("--out", help="Output folder.", callback=output_dir)]
    = Path("socint-compare"),
) -> None:
    """Adjusted means by group and wave with area-clustered CIs, gaps and DiD; CSV + page."""
    from socint.instruments.run import read_input, run_compare

    def codes(text: str) -> list[object]:
        return [int(t) if t.strip().lstrip("-").isdigit() else t.strip()
                for t in text.split(",") if t.strip()]

    # socint errors (bad survey, unknown group…) are printed with their location and exit
    # code by the root command group (socint.cli.SocintGroup)
    paths = run_compare(
        read_input(survey, "survey"), out, outcomes=_parse_outcomes(outcome), group=group,
        covariates=covariate or [], cluster=cluster, wave=wave, reference=reference,
        before=before, trust_outcome=trust_outcome, trust=codes(trust),
        distrust=codes(distrust))
    for p in paths:
        echo(f"wrote {p}")
