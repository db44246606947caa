"""Run each instrument end to end: inputs → tables → CSV + HTML outputs in a folder.

The CLI commands (``socint schools|scorecard|compare|survey``) and the demo call these. Outputs
never contain respondent-level rows; counts and bases below 10 are blanked (CSV) or shown as
``[c]`` (HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from socint.errors import GeographyError, InputDataError
from socint.instruments._common import numeric_column, read_csv, require_columns
from socint.instruments.compare import compare_groups, trust_distrust_ratio
from socint.instruments.pages import render_compare, render_schools, render_scorecard, render_survey
from socint.instruments.schools import league_tables, read_school_census
from socint.instruments.scorecard import changes, scorecard
from socint.instruments.survey import (
    compare_with_model,
    estimate_items,
    load_bank,
    margins_for_la,
    rake,
    validate_responses,
)
from socint.instruments.survey.raking import RakingResult


def _write(out: Path, name: str, df: pd.DataFrame) -> Path:
    p = out / name
    df.to_csv(p, index=False)
    return p


def _page(out: Path, name: str, html: str) -> Path:
    p = out / name
    p.write_text(html, encoding="utf-8")
    return p


def run_schools(schools: pd.DataFrame, population: pd.DataFrame, out: Path, *,
                scheme: str = "auto", file: str | Path | None = None) -> list[Path]:
    """League tables: ``schools.csv``, ``school_segregation.csv``, ``schools.html``."""
    out.mkdir(parents=True, exist_ok=True)
    tables = league_tables(read_school_census(schools, file=file), population, scheme=scheme)
    return [_write(out, "schools.csv", tables.schools),
            _write(out, "school_segregation.csv", tables.las),
            _page(out, "schools.html", render_schools(tables))]


def parse_derive(spec: str) -> tuple[str, str, list[str], int]:
    """Parse ``DOMAIN:INDICATOR:CAT1,CAT2:YEAR`` (an indicator derived from a census table)."""
    parts = spec.split(":")
    if len(parts) != 4 or not parts[3].strip().isdigit() or not parts[2].strip():
        raise InputDataError(
            f"derived indicator {spec!r} must read DOMAIN:INDICATOR:CATEGORIES:YEAR",
            hint="e.g. housing:social_renting:social_rented:2021 (categories comma-separated)")
    cats = [c.strip() for c in parts[2].split(",") if c.strip()]
    return parts[0].strip(), parts[1].strip(), cats, int(parts[3])


def run_scorecard(indicators: pd.DataFrame | None, out: Path, *, reference: str,
                  las: Sequence[str] | None = None, names: dict[str, str] | None = None,
                  known_las: Sequence[str] | None = None,
                  census: pd.DataFrame | None = None, derive: Sequence[str] = (),
                  file: str | Path | None = None) -> list[Path]:
    """Scorecard: ``scorecard.csv``, ``scorecard_changes.csv`` and one HTML page per LA.

    ``census`` (``lad_code, group, category, count``) with ``derive`` specs
    (:func:`parse_derive`) adds indicators socint derives itself from census cross-tables.
    """
    from socint.instruments.scorecard import indicator_from_counts

    out.mkdir(parents=True, exist_ok=True)
    parts = [] if indicators is None else [indicators]
    for spec in derive:
        if census is None:
            raise InputDataError("derived indicators need a census cross-table (--census)")
        domain, indicator, cats, year = parse_derive(spec)
        parts.append(indicator_from_counts(census, domain=domain, indicator=indicator,
                                           numerator_categories=cats, year=year))
    if not parts:
        raise InputDataError("no indicators: give an indicator table or census-derived ones")
    table = pd.concat(parts, ignore_index=True)
    card = scorecard(table, reference=reference, known_las=known_las, file=file)
    ch = changes(card)
    chosen = list(las) if las else sorted(card["lad_code"].unique())
    unknown = [c for c in chosen if c not in set(card["lad_code"])]
    if unknown:
        raise GeographyError(f"LA(s) {', '.join(unknown)} are not in the indicator table",
                             code=unknown[0], file=file)
    paths = [_write(out, "scorecard.csv", card), _write(out, "scorecard_changes.csv", ch)]
    for code in chosen:
        name = (names or {}).get(code, code)
        paths.append(_page(out, f"scorecard_{code}.html",
                           render_scorecard(card, ch, lad_code=code, lad_name=name,
                                            reference=reference)))
    return paths


def la_list(table: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """LA codes (and names, when present) of an LA table with ``lad_code``/``lad_code``."""
    t = table
    require_columns(t, ["lad_code"], what="LA list")
    codes = t["lad_code"].astype(str).tolist()
    names = (dict(zip(codes, t["lad_name"].astype(str), strict=True))
             if "lad_name" in t.columns else {})
    return codes, names


def run_compare(data: pd.DataFrame, out: Path, *, outcomes: dict[str, str], group: str,
                covariates: Sequence[str], cluster: str, wave: str | None = None,
                reference: str | None = None, before: object | None = None,
                trust_outcome: str | None = None, trust: Sequence[object] = (),
                distrust: Sequence[object] = ()) -> list[Path]:
    """Adjusted comparison: ``compare_means.csv``, ``compare_contrasts.csv``, ``compare.html``."""
    out.mkdir(parents=True, exist_ok=True)
    if wave is not None and before is not None and pd.api.types.is_numeric_dtype(data[wave]):
        before = pd.to_numeric(pd.Series([before])).iloc[0]
    res = compare_groups(data, outcomes=outcomes, group=group, covariates=covariates,
                         cluster=cluster, wave=wave, reference=reference, before=before)
    paths = [_write(out, "compare_means.csv", res.means),
             _write(out, "compare_contrasts.csv", res.contrasts)]
    ratios = None
    if trust_outcome:
        ratios = trust_distrust_ratio(data, outcome=trust_outcome, trust=trust,
                                      distrust=distrust, group=group, wave=wave)
        paths.append(_write(out, "trust_distrust.csv", ratios))
    ref = reference or sorted(data[group].dropna().astype(str).unique())[0]
    paths.append(_page(out, "compare.html", render_compare(
        res, covariates=list(covariates), reference=ref, ratios=ratios)))
    return paths


def weight_survey(responses: pd.DataFrame, margins: pd.DataFrame, lad_code: str, *,
                  tenure: bool = False, trim: float | None = None,
                  file: str | Path | None = None) -> tuple[pd.DataFrame, RakingResult]:
    """Validate a response file and rake it to the LA's census margins."""
    bank = load_bank()
    clean = validate_responses(responses, bank, file=file,
                               demographics=("age_band", "sex", "ethnicity",
                                             *(("tenure",) if tenure else ())))
    others = sorted(set(clean["lad_code"]) - {lad_code})
    if others:
        raise GeographyError(
            f"the response file holds LA code(s) {', '.join(others)} besides {lad_code}",
            file=file, code=others[0], column="lad_code",
            hint="weight one LA at a time (filter the file or pass the right --la)")
    names = ["age_band*sex", "ethnicity", *(["tenure"] if tenure else [])]
    return clean, rake(clean, margins_for_la(margins, lad_code, margins=names), trim=trim)


def margin_diagnostics(clean: pd.DataFrame, result: RakingResult,
                       margins: pd.DataFrame, lad_code: str, tenure: bool) -> pd.DataFrame:
    """Target and achieved share per margin cell (respondent counts below 10 blanked)."""
    names = ["age_band*sex", "ethnicity", *(["tenure"] if tenure else [])]
    rows = []
    w = result.weights
    for m in margins_for_la(margins, lad_code, margins=names):
        total = sum(m.targets.values())
        for key, target in m.targets.items():
            parts = key if isinstance(key, tuple) else (key,)
            mask = pd.Series(True, index=clean.index)
            for v, k in zip(m.variables, parts, strict=True):
                mask &= clean[v] == k
            n = int(mask.sum())
            rows.append({"margin": m.name, "category": "*".join(map(str, parts)),
                         "respondents": n if n >= 10 else None,
                         "target_share": target / total,
                         "unweighted_share": n / len(clean) if n >= 10 else None,
                         "weighted_share": float(w[mask].sum() / w.sum())})
    return pd.DataFrame(rows)


def model_columns(table: pd.DataFrame) -> tuple[str, str, str]:
    """Estimate, lower and upper 95% columns of a model-estimates table.

    Accepts ``estimate, lower, upper`` or the layout of :mod:`socint.estimates`
    (``<method>``, ``<method>_lower95``, ``<method>_upper95``, e.g. ``mrp``), with ``lad_code``.
    """
    require_columns(table, ["lad_code"], what="model estimates table")
    if {"estimate", "lower", "upper"} <= set(table.columns):
        return ("estimate", "lower", "upper")
    for col in table.columns:
        c = str(col)
        if f"{c}_lower95" in table.columns and f"{c}_upper95" in table.columns:
            return (c, f"{c}_lower95", f"{c}_upper95")
    raise InputDataError(
        "the model estimates table has neither estimate/lower/upper columns nor "
        "<method>, <method>_lower95, <method>_upper95 (e.g. mrp, mrp_lower95, mrp_upper95)",
        hint="export socint's LA trust estimates with their 95% intervals")


def run_survey_estimate(responses: pd.DataFrame, margins: pd.DataFrame, lad_code: str, out: Path,
                        *, tenure: bool = False, trim: float | None = None,
                        model_estimates: pd.DataFrame | None = None, by: str | None = None,
                        file: str | Path | None = None) -> list[Path]:
    """Weighted estimates: ``survey_estimates.csv``, ``survey_weighting.csv``, ``survey.html``.

    ``model_estimates`` (socint's small-area trust estimates per LA, see
    :func:`model_columns`) adds the comparison of the local trust share with the model's;
    ``by`` (a column such as ``ethnicity`` or ``age_band``) adds estimates per subgroup.
    """
    out.mkdir(parents=True, exist_ok=True)
    bank = load_bank()
    clean, result = weight_survey(responses, margins, lad_code, tenure=tenure, trim=trim,
                                  file=file)
    est = estimate_items(clean, result.weights, bank, by=by)
    model = None
    if model_estimates is not None:
        me = model_estimates
        cols = model_columns(me)
        row = me[me["lad_code"].astype(str) == lad_code]
        if row.empty:
            raise GeographyError(f"LA {lad_code} has no model-based estimate", code=lad_code,
                                 hint="use the estimates file of the same LA vintage")
        vals = {name: float(numeric_column(row, c, what="model estimates table").iloc[0])
                for name, c in zip(("estimate", "lower", "upper"), cols, strict=True)}
        trust = est[(est["item"] == "neighbourhood_trust") & (est["group"] == "all")]
        if trust.empty or bool(trust["suppressed"].iloc[0]):
            raise InputDataError("the local trust estimate is missing or suppressed (fewer "
                                 "than 10 answers), so it cannot be compared with the model")
        cmp = compare_with_model(float(trust["estimate"].iloc[0]), float(trust["se"].iloc[0]),
                                 vals["estimate"], vals["lower"], vals["upper"])
        model = {**cmp, "model": vals["estimate"], "model_lower": vals["lower"],
                 "model_upper": vals["upper"]}
        est = pd.concat([est, pd.DataFrame([{
            "item": "neighbourhood_trust", "group": "local minus model",
            "estimate": cmp["difference"], "se": cmp["se"], "lower": cmp["lower"],
            "upper": cmp["upper"], "suppressed": False}])], ignore_index=True)
    return [_write(out, "survey_estimates.csv", est),
            _write(out, "survey_weighting.csv",
                   margin_diagnostics(clean, result, margins, lad_code, tenure)),
            _page(out, "survey.html", render_survey(est, result, bank, lad_code=lad_code,
                                                    n=len(clean), model=model))]


def read_input(path: str | Path, what: str) -> pd.DataFrame:
    """Read one instrument input CSV (a thin wrapper giving a clear error)."""
    return read_csv(path, what=what)


def run_demo(out: Path, seed: int = 0, las: pd.DataFrame | None = None,
             la_population: pd.DataFrame | None = None) -> list[Path]:
    """Run all four instruments on the synthetic inputs (for ``socint demo``)."""
    from socint.synthetic.instruments import generate_instruments

    x = generate_instruments(seed, las, la_population)
    names = dict(zip(x.schools["new_la_code"], x.schools["lad_name"], strict=False))
    paths = run_schools(x.schools, x.la_population, out)
    paths += run_scorecard(x.indicators, out, reference="white_british", names=names)
    paths += run_compare(
        x.comparison_survey, out,
        outcomes={"cohesion_likert": "likert", "civic_actions": "count",
                  "volunteered": "binary", "thermometer": "thermometer"},
        group="area_group", covariates=["age", "female", "ethnicity", "degree"],
        cluster="lad_code", wave="wave", reference="Other area", before=2016,
        trust_outcome="trust_people", trust=[4, 5], distrust=[1, 2])
    la = str(x.local_survey["lad_code"].iloc[0])
    paths += run_survey_estimate(x.local_survey, x.margins, la, out, tenure=True, trim=5.0)
    return paths
