"""Race-equality scorecard: rates, disparity ratios and their change, per LA.

Follows the Runnymede Trust's *Race Equality Scorecard* design: for each of seven domains
(education, employment, housing, health, criminal justice, civic participation, support for the
voluntary sector), indicators are rates by ethnic group, compared with a reference group by a
ratio. The ratio's 95% interval uses the log method (Katz et al. 1978, *Biometrics* 34:469):
``SE(log RR) = sqrt(1/a - 1/n1 + 1/c - 1/n2)`` for a events out of n1 (group) and c out of n2
(reference). Counts below 10 are suppressed (never shown). Change between the first and last year
is tested on the log scale with the two years treated as independent samples.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import GeographyError, InputDataError, _preview
from socint.geo.codes import validate_codes
from socint.instruments._common import MIN_COUNT, Z95, numeric_column, require_columns

#: The seven Runnymede domains (canonical snake_case names).
DOMAINS: tuple[str, ...] = (
    "education", "employment", "housing", "health", "criminal_justice",
    "civic_participation", "voluntary_sector",
)
INPUT_COLUMNS: tuple[str, ...] = (
    "lad_code", "domain", "indicator", "group", "numerator", "denominator", "year",
)
KEY: list[str] = ["lad_code", "domain", "indicator", "year"]


def check_indicators(df: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """Validate a tidy indicator table and return it typed.

    Raises
    ------
    SchemaError
        Missing columns.
    GeographyError
        ``lad_code`` values that are not English/Welsh LA district codes.
    InputDataError
        Unknown domains, negative or non-numeric counts, numerator above denominator, or the
        same LA × indicator × group × year twice.
    """
    require_columns(df, INPUT_COLUMNS, what="indicator table", file=file)
    out = df[list(INPUT_COLUMNS)].copy()
    for c in ("lad_code", "domain", "indicator", "group"):
        out[c] = out[c].astype(str).str.strip()
    validate_codes(out["lad_code"], level="lad", file=str(file) if file else None,
                   column="lad_code")
    bad = ~out["domain"].isin(DOMAINS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(
            f"unknown domain(s) {_preview(sorted(out.loc[bad, 'domain'].unique()))}; "
            f"allowed: {', '.join(DOMAINS)}",
            file=file, row=i + 1, column="domain",
        )
    out["numerator"] = numeric_column(out, "numerator", what="indicator table", file=file)
    out["denominator"] = numeric_column(out, "denominator", what="indicator table", file=file)
    out["year"] = numeric_column(out, "year", what="indicator table", file=file).astype(int)
    over = out["numerator"] > out["denominator"]
    if over.any():
        i = int(np.flatnonzero(over.to_numpy())[0])
        raise InputDataError(
            f"numerator {out['numerator'].iloc[i]:g} exceeds denominator "
            f"{out['denominator'].iloc[i]:g} ({out['indicator'].iloc[i]}, "
            f"{out['group'].iloc[i]})",
            file=file, row=i + 1, column="numerator", code=out["lad_code"].iloc[i],
            hint="a rate's numerator counts people within its denominator",
        )
    dup = out.duplicated([*KEY, "group"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputDataError(
            "the same LA, indicator, group and year appears twice",
            file=file, row=i + 1, code=out["lad_code"].iloc[i], column="group",
            hint="aggregate the rows or remove the duplicate",
        )
    return out


def disparity_ratio(
    a: float, n1: float, c: float, n2: float, *, z: float = Z95
) -> tuple[float, float, float, float]:
    """Rate ratio (a/n1)/(c/n2) with its log-method interval; returns (ratio, se_log, lo, hi).

    NaN when either rate is zero (the log ratio is undefined) or a denominator is zero.
    """
    if min(a, c) <= 0 or min(n1, n2) <= 0:
        return (np.nan, np.nan, np.nan, np.nan)
    ratio = (a / n1) / (c / n2)
    se = float(np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2))
    return (ratio, se, ratio * float(np.exp(-z * se)), ratio * float(np.exp(z * se)))


def scorecard(
    indicators: pd.DataFrame,
    *,
    reference: str,
    known_las: Collection[str] | None = None,
    file: str | Path | None = None,
) -> pd.DataFrame:
    """Rates and disparity ratios against ``reference`` for every LA, indicator, group and year.

    Parameters
    ----------
    indicators
        Tidy table with :data:`INPUT_COLUMNS` (validated by :func:`check_indicators`).
    reference
        The reference group (e.g. ``white_british``); it must occur in the table.
    known_las
        LA codes of the vintage in use (e.g. the LA table of the store or of the synthetic
        England); well-formed codes outside it are refused. Not checked when None.

    Raises
    ------
    GeographyError
        Malformed LA codes, or codes outside ``known_las``.

    Returns
    -------
    DataFrame
        Input keys plus ``rate``, ``ratio``, ``ratio_lower``, ``ratio_upper``, ``log_se`` and
        ``flag`` (``""``, ``"suppressed"``, ``"zero denominator"``, ``"reference missing"``,
        ``"reference suppressed"``, ``"zero rate"``). Suppressed rows have their counts, rate
        and ratio blanked; the reference group's own rows carry ratio 1.
    """
    df = check_indicators(indicators, file=file)
    if known_las is not None:
        unknown = ~df["lad_code"].isin(set(known_las))
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise GeographyError(
                f"{df.loc[unknown, 'lad_code'].nunique()} LA code(s) are not in the LA list: "
                f"{_preview(sorted(df.loc[unknown, 'lad_code'].unique()))}",
                file=file, row=i + 1, column="lad_code", code=df["lad_code"].iloc[i],
                hint="check the LA vintage (codes changed in 2013, 2019, 2021 and 2023)",
            )
    if reference not in set(df["group"]):
        raise InputDataError(
            f"reference group {reference!r} does not occur in the indicator table; groups are "
            f"{_preview(sorted(df['group'].unique()))}",
            file=file, column="group", hint="choose one of the groups present (--reference)",
        )
    ref = df[df["group"] == reference].set_index(KEY)[["numerator", "denominator"]]
    ref.columns = ["ref_num", "ref_den"]
    out = df.join(ref, on=KEY)
    zero = out["denominator"] <= 0
    small = (out["numerator"] < MIN_COUNT) | (out["denominator"] < MIN_COUNT)
    ref_missing = out["ref_den"].isna()
    ref_small = (out["ref_num"] < MIN_COUNT) | (out["ref_den"] < MIN_COUNT)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(zero, np.nan, out["numerator"] / out["denominator"])
    vals = [disparity_ratio(a, n1, c, n2) if np.isfinite(c) else (np.nan,) * 4
            for a, n1, c, n2 in zip(out["numerator"], out["denominator"], out["ref_num"],
                                    out["ref_den"], strict=True)]
    out[["ratio", "log_se", "ratio_lower", "ratio_upper"]] = np.array(vals, dtype=float)
    flag = np.select(
        [zero, small, ref_missing, ref_small & ~zero, out["ratio"].isna()],
        ["zero denominator", "suppressed", "reference missing", "reference suppressed",
         "zero rate"],
        default="",
    )
    out["flag"] = flag
    blank_counts = zero | small
    out.loc[blank_counts, ["numerator", "denominator", "rate"]] = np.nan
    out.loc[out["flag"] != "", ["ratio", "log_se", "ratio_lower", "ratio_upper"]] = np.nan
    is_ref = out["group"] == reference
    out.loc[is_ref & (out["flag"] == ""), ["ratio", "ratio_lower", "ratio_upper"]] = 1.0
    out.loc[is_ref, "log_se"] = np.nan
    return out.drop(columns=["ref_num", "ref_den"]).reset_index(drop=True)


def changes(card: pd.DataFrame, *, z: float = Z95) -> pd.DataFrame:
    """Direction of change between each series' first and last year with a usable ratio.

    For the disparity: ``d = |log RR_last| - |log RR_first|`` judged against
    ``z · sqrt(se_first² + se_last²)``: ``"narrowed"`` / ``"widened"`` when the change in the log
    ratio is significant and moves towards / away from parity, else ``"no clear change"``.
    Returns one row per LA × domain × indicator × group (non-reference) with both years.
    """
    keys = ["lad_code", "domain", "indicator", "group"]
    ok = card[card["ratio"].notna() & card["log_se"].notna()].sort_values([*keys, "year"])
    g = ok.groupby(keys, sort=True)
    first, last = g.first(), g.last()
    both = g["year"].nunique() >= 2
    first, last = first[both], last[both]
    l0, l1 = np.log(first["ratio"]), np.log(last["ratio"])
    se = np.hypot(first["log_se"], last["log_se"])
    significant = (l1 - l0).abs() > z * se
    change = np.where(~significant, "no clear change",
                      np.where(l1.abs() < l0.abs(), "narrowed", "widened"))
    return pd.DataFrame({
        "year_from": first["year"].astype(int), "year_to": last["year"].astype(int),
        "ratio_from": first["ratio"], "ratio_to": last["ratio"], "change": change,
    }).reset_index()


def indicator_from_counts(
    counts: pd.DataFrame,
    *,
    domain: str,
    indicator: str,
    numerator_categories: Sequence[str],
    year: int,
) -> pd.DataFrame:
    """Derive a scorecard indicator from a census cross-table of outcome by ethnic group.

    ``counts`` is long: ``lad_code, group, category, count`` (e.g. census tenure by ethnic group,
    ONS Census 2021 RM134, with ``category`` the tenure). The numerator sums the
    ``numerator_categories``; the denominator is every category of the group.
    """
    require_columns(counts, ["lad_code", "group", "category", "count"], what="census cross-table")
    if domain not in DOMAINS:
        raise InputDataError(f"domain {domain!r} is not one of {', '.join(DOMAINS)}")
    unknown = set(numerator_categories) - set(counts["category"].astype(str))
    if unknown:
        raise InputDataError(
            f"numerator categories {_preview(sorted(unknown))} are not in the cross-table",
            column="category",
        )
    c = counts.assign(count=numeric_column(counts, "count", what="census cross-table"))
    c["hit"] = c["count"].where(c["category"].astype(str).isin(numerator_categories), 0.0)
    g = c.groupby(["lad_code", "group"], sort=True)[["hit", "count"]].sum().reset_index()
    return pd.DataFrame({
        "lad_code": g["lad_code"], "domain": domain, "indicator": indicator, "group": g["group"],
        "numerator": g["hit"], "denominator": g["count"], "year": year,
    })
