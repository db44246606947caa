"""Run each instrument end to end: inputs → tables → CSV + HTML outputs in a folder.

The CLI commands (``socint schools|scorecard|compare|survey``) and the demo call these. Outputs
never contain respondent-level rows; counts and bases below 10 are blanked (CSV) or shown as
``[c]`` (HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import GeographyError, InputDataError
from socint.instruments._common import numeric_column, read_csv, require_columns
from socint.instruments.compare import compare_groups, trust_distrust_ratio
from socint.instruments.labels import la_name, label
from socint.instruments.pages import (
    chrome_for,
    finish_folder,
    render_compare,
    render_schools,
    render_scorecard,
    render_survey,
)
from socint.instruments.school_census import read_school_census, upper_tier_of
from socint.instruments.school_segregation import MIN_SCHOOLS, residential_segregation
from socint.instruments.schools import league_tables
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
from socint.io import write_csv, write_text


def _write(out: Path, name: str, df: pd.DataFrame) -> Path:
    return write_csv(df, out / name)


def _page(out: Path, name: str, html: str) -> Path:
    return write_text(html, out / name)


def _finish(out: Path, paths: list[Path]) -> list[Path]:
    """The folder's assets and index page (and the dashboard's link to them), after pages."""
    return paths + finish_folder(out)


def run_schools(schools: pd.DataFrame, population: pd.DataFrame, out: Path, *,
                scheme: str = "auto", file: str | Path | None = None,
                residential: pd.DataFrame | None = None, lookup: pd.DataFrame | None = None,
                min_schools: int = MIN_SCHOOLS) -> list[Path]:
    """School tables: ``schools.csv``, ``school_segregation.csv``, ``schools_dropped.csv``,
    ``schools.html``.

    ``residential`` (census small-area counts, long ``area_code, category, count``) with its
    small-area → LAD ``lookup`` adds each area's residential D beside its school D.
    """
    out.mkdir(parents=True, exist_ok=True)
    census = read_school_census(schools, file=file)
    tables = league_tables(census, population, scheme=scheme, min_schools=min_schools)
    groups = ""
    if residential is not None:
        if lookup is None:
            raise InputDataError("residential segregation needs a small-area → LA lookup",
                                 hint="pass --lookup (e.g. lookup_lsoa21_msoa21_ltla22.csv)")
        res = residential_segregation(residential, lookup, upper_tier_of(census.schools))
        tables = replace(tables, las=tables.las.merge(res, on=["tier", "area_code"],
                                                      how="left"))
        groups = ", ".join(label(c) for c in sorted(set(residential["category"].astype(str))))
    return _finish(out, [
        _write(out, "schools.csv", tables.schools),
        _write(out, "school_segregation.csv", tables.las),
        _write(out, "schools_dropped.csv", tables.dropped),
        _page(out, "schools.html", render_schools(tables, min_schools=min_schools,
                                                  residential_groups=groups,
                                                  chrome=chrome_for(out)))])


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
                  file: str | Path | None = None,
                  school_census: pd.DataFrame | None = None) -> list[Path]:
    """Scorecard: ``scorecard.csv``, ``scorecard_changes.csv``, ``scorecard_coverage.csv`` and
    one HTML page per LA.

    ``school_census`` (the DfE school-level file, read as text) adds the derived education
    indicator of :func:`socint.instruments.scorecard_sources.school_poverty_indicator`.

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
    if school_census is not None:
        from socint.instruments.scorecard_sources import school_poverty_indicator

        sc = read_school_census(school_census)
        parts.append(school_poverty_indicator(sc.schools))
        names = {**dict(zip(sc.schools["lad_code"], sc.schools["lad_name"], strict=False)),
                 **(names or {})}
    if not parts:
        raise InputDataError("no indicators: give an indicator table, census-derived ones or "
                             "--school-census")
    table = pd.concat(parts, ignore_index=True)
    card = scorecard(table, reference=reference, known_las=known_las, file=file)
    ch = changes(card)
    chosen = list(las) if las else sorted(card["lad_code"].unique())
    unknown = [c for c in chosen if c not in set(card["lad_code"])]
    if unknown:
        raise GeographyError(f"LA(s) {', '.join(unknown)} are not in the indicator table",
                             code=unknown[0], file=file)
    from socint.instruments.scorecard_sources import coverage

    cov = coverage(card)
    paths = [_write(out, "scorecard.csv", card), _write(out, "scorecard_changes.csv", ch),
             _write(out, "scorecard_coverage.csv", cov)]
    chrome = chrome_for(out)
    for code in chosen:
        name = (names or {}).get(code) or la_name(code) or code
        paths.append(_page(out, f"scorecard_{code}.html",
                           render_scorecard(card, ch, lad_code=code, lad_name=name,
                                            reference=reference, coverage=cov,
                                            chrome=chrome)))
    return _finish(out, paths)


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
        res, covariates=list(covariates), reference=ref, ratios=ratios,
        chrome=chrome_for(out))))
    return _finish(out, paths)


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
                        file: str | Path | None = None,
                        lad_name: str | None = None) -> list[Path]:
    """Weighted estimates: ``survey_estimates.csv``, ``survey_weighting.csv``, ``survey.html``.

    ``model_estimates`` (socint's small-area trust estimates per LA, see
    :func:`model_columns`) adds the comparison of the local trust share with the model's;
    ``by`` (a column such as ``ethnicity`` or ``age_band``) adds estimates per subgroup.
    ``lad_name`` titles the page (default: a ``lad_name`` column of the responses or margins,
    else the code).
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
    name = lad_name or _name_in(lad_code, responses, margins)
    return _finish(out, [
        _write(out, "survey_estimates.csv", est),
        _write(out, "survey_weighting.csv",
               margin_diagnostics(clean, result, margins, lad_code, tenure)),
        _page(out, "survey.html", render_survey(est, result, bank, lad_code=lad_code,
                                                n=len(clean), model=model, lad_name=name,
                                                chrome=chrome_for(out)))])


def _name_in(lad_code: str, *tables: pd.DataFrame) -> str | None:
    """The ``lad_name`` of ``lad_code`` in the first table that has one."""
    for t in tables:
        if {"lad_code", "lad_name"} <= set(t.columns):
            hit = t.loc[t["lad_code"].astype(str) == lad_code, "lad_name"].dropna()
            if len(hit):
                return str(hit.iloc[0])
    return None


def read_input(path: str | Path, what: str, *, text: bool = False) -> pd.DataFrame:
    """Read one instrument input CSV (a thin wrapper giving a clear error).

    ``text=True`` keeps every cell as text, so that DfE symbols (``z``, ``x``, ``c``) reach the
    reader that recognises them.
    """
    return read_csv(path, what=what, text=text)


def read_census_table(path: str | Path, what: str) -> pd.DataFrame:
    """A census counts table as published (``read_official``), or a tidy long CSV.

    Returns long ``area_code|lad_code, category, count``.
    """
    from socint.data import read_official
    from socint.data.registry import sniff

    if sniff(path)[1] is not None:
        return read_official(path).data
    return read_csv(path, what=what)


def run_all(x: Any, out: Path) -> list[Path]:
    """Run all four instruments on one bundle of inputs (for the demo).

    ``x`` carries ``schools``, ``la_population``, ``indicators``, ``comparison_survey``,
    ``local_survey`` and ``margins`` (e.g. ``socint.synthetic.instruments.InstrumentInputs``;
    the synthetic inputs are passed in, never imported here).
    """
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
    paths += run_survey_estimate(x.local_survey, x.margins, la, out, tenure=True, trim=5.0,
                                 lad_name=names.get(la))
    return paths

