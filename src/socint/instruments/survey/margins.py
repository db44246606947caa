"""Census margins for weighting a local survey, read from a tidy table.

Layout (one row per LA × margin × category): ``lad_code, margin, category, count``. A crossed
margin joins variable names and categories with ``*``, e.g. margin ``age_band*sex`` with category
``25-34*female``. The synthetic England writes this layout; for real LAs it is filled from the
census tables of age by sex, ethnic group and tenure (ONS Census 2021 TS007A/TS008, TS021,
TS054), collapsed to the bank's demographic codes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from socint.errors import GeographyError, InputDataError
from socint.instruments._common import numeric_column, require_columns
from socint.instruments.survey.raking import Margin

DEFAULT_MARGINS: tuple[str, ...] = ("age_band*sex", "ethnicity")


def margins_for_la(
    table: pd.DataFrame,
    lad_code: str,
    *,
    margins: Sequence[str] = DEFAULT_MARGINS,
    file: str | None = None,
) -> list[Margin]:
    """Build the :class:`Margin` list of one LA from a tidy margins table.

    Raises
    ------
    GeographyError
        The LA is not in the table.
    InputDataError
        A requested margin is absent for the LA, or counts are not non-negative numbers.
    """
    require_columns(table, ["lad_code", "margin", "category", "count"], what="margins table",
                    file=file)
    counts = numeric_column(table, "count", what="margins table", file=file)
    here = table.assign(count=counts)[table["lad_code"].astype(str) == lad_code]
    if here.empty:
        known = sorted(table["lad_code"].astype(str).unique())
        raise GeographyError(
            f"LA {lad_code} has no census margins in the table ({len(known)} LAs are present, "
            f"e.g. {', '.join(known[:5])})",
            file=file,
            code=lad_code,
            hint="check the LA code (GSS, e.g. E08000025) or add its margins",
        )
    out: list[Margin] = []
    for name in margins:
        rows = here[here["margin"].astype(str) == name]
        if rows.empty:
            raise InputDataError(
                f"margin {name!r} is missing for LA {lad_code}; present: "
                f"{', '.join(sorted(here['margin'].astype(str).unique()))}",
                file=file,
                code=lad_code,
                column="margin",
            )
        variables = tuple(name.split("*"))
        targets: dict[object, float] = {}
        for cat, cnt in zip(rows["category"].astype(str), rows["count"], strict=True):
            parts = tuple(cat.split("*"))
            if len(parts) != len(variables):
                raise InputDataError(
                    f"category {cat!r} of margin {name!r} does not have "
                    f"{len(variables)} part(s) joined by '*'",
                    file=file, code=lad_code, column="category",
                )
            key: object = parts if len(parts) > 1 else parts[0]
            targets[key] = targets.get(key, 0.0) + float(cnt)
        if not np.isfinite(sum(targets.values())) or sum(targets.values()) <= 0:
            raise InputDataError(f"margin {name!r} of LA {lad_code} sums to zero",
                                 file=file, code=lad_code)
        out.append(Margin(variables=variables, targets=targets))
    return out
