"""Check a local-survey response file against the question bank.

A response file has one row per respondent: ``respondent_id``, ``lad_code`` (the LA's GSS code),
the demographics used for weighting (``age_band``, ``sex``, ``ethnicity``, optionally
``tenure``) and one column per bank item answered, holding response codes. Blank cells and the
item's ``missing`` codes are item non-response. Every bad cell is reported (1-based data row and
column) so a file can be fixed in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from socint.errors import InputDataError, _preview
from socint.geo.codes import validate_codes
from socint.instruments._common import require_columns
from socint.instruments.survey.bank import QuestionBank

#: Demographics every response file must carry (tenure is optional).
REQUIRED_DEMOGRAPHICS: tuple[str, ...] = ("age_band", "sex", "ethnicity")


@dataclass(frozen=True)
class Problem:
    """One bad cell: 1-based data row, column, the value received and what is allowed."""

    row: int
    column: str
    value: str
    allowed: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.value!r} (allowed: {self.allowed})"


def find_problems(df: pd.DataFrame, bank: QuestionBank) -> list[Problem]:
    """List every cell whose code is not allowed by the bank (item or demographic)."""
    problems: list[Problem] = []
    checks: list[tuple[str, set[str], str]] = []
    for item_id, item in bank.items.items():
        if item_id in df.columns:
            allowed = set(item.responses) | set(item.missing)
            checks.append((item_id, allowed, ", ".join([*item.responses, *item.missing])))
    for var, codes in bank.demographics.items():
        if var in df.columns:
            checks.append((var, set(codes), ", ".join(codes)))
    for column, allowed, shown in checks:
        cells = df[column]
        for i, v in enumerate(cells.tolist()):
            if pd.isna(v) or str(v).strip() == "":
                if column in bank.demographics:
                    problems.append(Problem(i + 1, column, "", shown))
                continue
            if str(v).strip() not in allowed:
                problems.append(Problem(i + 1, column, str(v), shown))
    return problems


def validate_responses(
    df: pd.DataFrame,
    bank: QuestionBank,
    *,
    file: str | Path | None = None,
    demographics: Sequence[str] = REQUIRED_DEMOGRAPHICS,
) -> pd.DataFrame:
    """Validate a response table and return it cleaned (codes as text, non-response as NA).

    Parameters
    ----------
    df
        The responses as read from the file.
    bank
        The question bank (see :func:`socint.instruments.survey.bank.load_bank`).
    file
        The file the table came from, for error messages.
    demographics
        Demographic columns that must be present and complete.

    Raises
    ------
    SchemaError
        A required column is absent or no bank item is present.
    InputDataError
        Duplicate respondent ids or codes not in the bank (every bad cell is listed).
    GeographyError
        ``lad_code`` holds something other than LA district codes.
    """
    require_columns(df, ["respondent_id", "lad_code", *demographics], what="response file",
                    file=file)
    present = [i for i in bank.items if i in df.columns]
    if not present:
        raise InputDataError(
            f"the response file has none of the question bank's items ({_preview(bank.items)})",
            file=file,
            hint=f"name item columns as in the bank, version {bank.version}",
        )
    ids = df["respondent_id"].astype(str)
    dup = ids.duplicated(keep="first")
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputDataError(
            f"respondent_id {ids.iloc[i]!r} occurs more than once "
            f"({int(dup.sum())} duplicate row(s))",
            file=file,
            row=i + 1,
            column="respondent_id",
            hint="give each respondent one row with a unique id",
        )
    validate_codes(df["lad_code"].astype(str), level="lad", countries="E",
                   file=str(file) if file else None, column="lad_code")
    problems = find_problems(df, bank)
    if problems:
        first = problems[0]
        raise InputDataError(
            f"{len(problems)} cell(s) hold codes that are not in question bank "
            f"{bank.version}: {_preview([str(p) for p in problems], limit=10)}",
            file=file,
            row=first.row,
            column=first.column,
            hint="use the response codes of questions.yaml (blank = no answer)",
        )
    out = df.copy()
    for column in [*present, *[d for d in bank.demographics if d in df.columns]]:
        text = out[column].astype("string").str.strip()
        if column in bank.items:
            text = text.mask(text.isin(bank.items[column].missing))
        out[column] = text.mask(text == "")
    out["respondent_id"] = ids
    return out
