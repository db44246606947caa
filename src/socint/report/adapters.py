"""Adapters from other stages' tables to the layouts :class:`SiteInputs` expects.

``GlmmResult.margins(variable)`` (``socint.models``) returns ``<variable>``, ``probability``,
``std_error``, ``lower``, ``upper``; the dashboard's margins tables are ``value``, ``estimate``,
``lower``, ``upper``. The diversity × poor-English figure needs both groups in one table.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from socint.errors import SchemaError, _preview


def margins_from_glmm(frame: pd.DataFrame, variable: str) -> pd.DataFrame:
    """``GlmmResult.margins(variable)`` output -> ``value``, ``estimate``, ``lower``, ``upper``.

    A table already in the dashboard layout is returned unchanged (copied).
    """
    if {"value", "estimate", "lower", "upper"} <= set(frame.columns):
        return frame[["value", "estimate", "lower", "upper"]].copy()
    need = [variable, "probability", "lower", "upper"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"margins of {variable!r} lack column(s) {_preview(missing)}; they have "
            f"{_preview(frame.columns)}", column=missing[0],
            hint="pass the table GlmmResult.margins(variable) returns")
    out = frame[need].rename(columns={variable: "value", "probability": "estimate"})
    return out.reset_index(drop=True)


def interaction_from_glmm(by_group: Mapping[int, pd.DataFrame],
                          variable: str = "div_decile") -> pd.DataFrame:
    """Margins over ``div_decile`` computed separately for ``poor_english`` = 0 and 1 (e.g. with
    ``GlmmResult.margins("div_decile", data=survey.assign(poor_english=flag))``) -> one table
    ``div_decile``, ``poor_english``, ``estimate``, ``lower``, ``upper``."""
    parts = []
    for flag, frame in sorted(by_group.items()):
        part = margins_from_glmm(frame, variable).rename(columns={"value": "div_decile"})
        part.insert(1, "poor_english", int(flag))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


__all__ = ["interaction_from_glmm", "margins_from_glmm"]
