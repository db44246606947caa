"""Merging survey categories too sparse to estimate (small synthetic worlds, small surveys).

A category dummy of a logistic model needs respondents with *both* outcomes: with only failures
(or only successes) its odds ratio is 0 (or infinite) and the maximum-likelihood estimate does not
exist (complete separation; Albert & Anderson 1984). With a handful of events it exists but is
wildly unstable: the usual guidance is at least about 10 events of the rarer outcome per
estimated coefficient (Peduzzi et al. 1996, *J Clin Epidemiol* 49:1373). Small worlds -
``generate_england(scale=0.1..0.3)`` with a few thousand respondents - routinely leave a minority
ethnic group with 7 respondents, all distrusting.

**Rule** (:func:`plan_sparse_merge`). A category other than the reference is *sparse* when it has
fewer than ``min_count`` respondents (default 30), or fewer than ``min_events`` (default 10)
respondents with the rarer outcome (trust = 1 or trust = 0), or none at all while the population
frame has it (``categories``). Sparse categories are merged into ``into`` (default ``"Other"``,
the census's own residual group). If the merged ``into`` category is itself still sparse, it is
merged into the reference category, and the notes say so. The reference is never merged. The
same mapping must be applied to the post-stratification frame (:func:`apply_category_merge`), so
the model and the frame keep one set of categories.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

DEFAULT_MIN_COUNT = 30
DEFAULT_MIN_EVENTS = 10


def _sparse(n: int, events: int, *, min_count: int, min_events: int) -> str | None:
    if n == 0:
        return "no respondents"
    rare = min(events, n - events)
    if n < min_count:
        return f"{n} respondent(s) < {min_count}"
    if rare < min_events:
        return (f"{rare} respondent(s) with the rarer outcome < {min_events}"
                + (" (complete separation)" if rare == 0 else ""))
    return None


def plan_sparse_merge(survey: pd.DataFrame, column: str = "ethnicity", *,
                      outcome: str = "trust", min_count: int = DEFAULT_MIN_COUNT,
                      min_events: int = DEFAULT_MIN_EVENTS, into: str = "Other",
                      reference: str = "White", categories: Iterable[str] | None = None
                      ) -> tuple[dict[str, str], list[str]]:
    """Decide which categories of ``column`` to merge (see the module's rule).

    Returns
    -------
    mapping, notes
        ``{category: merged category}`` for every category that changes (empty when none), and
        one plain-words note per merge.
    """
    if min_count < 1 or min_events < 0:
        raise ValueError(f"min_count must be >= 1 and min_events >= 0, got {min_count}, "
                         f"{min_events}")
    if column not in survey or outcome not in survey:
        raise KeyError(f"survey lacks column {column!r} or outcome {outcome!r}")
    y = pd.to_numeric(survey[outcome], errors="coerce")
    groups = pd.DataFrame({"c": survey[column].astype(str), "y": y}).groupby("c")["y"]
    n = groups.count().astype(int)
    events = groups.sum().round().astype(int)
    known = list(dict.fromkeys([*n.index, *(categories or [])]))
    if reference not in known:
        raise KeyError(f"reference category {reference!r} is not among {known}")
    mapping: dict[str, str] = {}
    notes: list[str] = []
    for cat in known:
        if cat in (reference, into):
            continue
        why = _sparse(int(n.get(cat, 0)), int(events.get(cat, 0)), min_count=min_count,
                      min_events=min_events)
        if why:
            mapping[cat] = into
            notes.append(f"{column} {cat!r} merged into {into!r}: {why}")
    members = [c for c in known if mapping.get(c, c) == into]
    if members:
        m_n = int(sum(int(n.get(c, 0)) for c in members))
        m_e = int(sum(int(events.get(c, 0)) for c in members))
        why = _sparse(m_n, m_e, min_count=min_count, min_events=min_events)
        if why:
            for c in members:
                mapping[c] = reference
            notes.append(f"{column} {into!r} (with {', '.join(repr(c) for c in members)}) is "
                         f"still too sparse ({why}) and is merged into the reference "
                         f"{reference!r}")
    if notes:
        notes.append(f"rule: each {column} category needs >= {min_count} respondents and >= "
                     f"{min_events} with each outcome of {outcome!r}; estimates for merged "
                     "categories are those of the category they were merged into")
    return mapping, notes


def apply_category_merge(frame: pd.DataFrame, mapping: Mapping[str, str],
                         column: str = "ethnicity") -> pd.DataFrame:
    """``frame`` with ``column`` recoded by ``mapping`` (e.g. the post-stratification frame).

    A frame that counts people per cell should be re-aggregated by the caller afterwards.
    """
    if not mapping:
        return frame
    out = frame.copy()
    values = out[column].astype(str).map(lambda v: mapping.get(v, v))
    out[column] = values if not isinstance(frame[column].dtype, pd.CategoricalDtype) else \
        pd.Categorical(values)
    return out


def merge_sparse_categories(survey: pd.DataFrame, column: str = "ethnicity", *,
                            min_count: int = DEFAULT_MIN_COUNT,
                            min_events: int = DEFAULT_MIN_EVENTS, into: str = "Other",
                            outcome: str = "trust", reference: str = "White",
                            categories: Iterable[str] | None = None
                            ) -> tuple[pd.DataFrame, list[str]]:
    """Merge categories of ``column`` too sparse to estimate into ``into``, with notes.

    Parameters
    ----------
    survey
        One row per respondent, with ``column`` and the 0/1 ``outcome``.
    column, outcome
        The categorical covariate and the model's outcome.
    min_count, min_events
        Minimum respondents, and minimum respondents with the rarer outcome, per category.
    into, reference
        Where sparse categories go; the model's reference category (never merged).
    categories
        Every category the population frame has; those without respondents are merged too.

    Returns
    -------
    survey, notes
        The survey (a copy, recoded; the input itself is unchanged) and the notes saying what
        was merged and why (empty when nothing was). Apply the same merge to the frame with
        ``apply_category_merge(frame, plan_sparse_merge(...)[0])``.
    """
    mapping, notes = plan_sparse_merge(survey, column, outcome=outcome, min_count=min_count,
                                       min_events=min_events, into=into, reference=reference,
                                       categories=categories)
    return apply_category_merge(survey, mapping, column), notes


__all__ = ["DEFAULT_MIN_COUNT", "DEFAULT_MIN_EVENTS", "apply_category_merge",
           "merge_sparse_categories", "plan_sparse_merge"]
