"""Parse lme4-style model formulas into a fixed-effects formula and random-intercept terms.

The fixed part is handed to ``formulaic`` unchanged (``I(x**2)``, ``C(x, Treatment("a"))``,
``a * b`` …); the random part follows lme4's bar notation (Bates et al. 2015, *Fitting linear
mixed-effects models using lme4*, J. Stat. Softw. 67(1), section 2.1): ``(1 | g)`` is a random
intercept per level of ``g``, ``(1 | a/b)`` expands to ``(1 | a) + (1 | a:b)`` and ``(1 | a:b)``
is a random intercept per combination of ``a`` and ``b``. Random slopes of numeric columns are
written ``(x | g)`` or ``(1 + x + z | g)`` (intercept and slopes correlated, an unstructured
covariance) and ``(x || g)`` (independent intercept and slopes, lme4's double bar); every
random-effect term keeps its intercept. A binomial response with trials is written
``cbind(successes, failures)`` as in ``glmer``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from socint.errors import ModelError


@dataclass(frozen=True)
class ParsedFormula:
    """An lme4-style formula split into its parts.

    Attributes
    ----------
    response
        Left-hand side expression (a column or expression for a 0/1 outcome) when ``cbind`` is
        not used.
    successes, failures
        The two ``cbind(successes, failures)`` expressions, or None.
    fixed
        Right-hand side of the fixed part, in formulaic syntax (``"1"`` when only an intercept).
    random
        Grouping factors of the random effects; each is a tuple of column names whose
        combination defines the groups (``("la", "msoa")`` for ``la:msoa``).
    slopes
        Per grouping factor, the numeric columns with a random slope (empty for a random
        intercept only); ``()`` when no factor has slopes.
    correlated
        Per grouping factor, whether intercept and slopes are correlated (``|``) or not
        (``||``); ``()`` when no factor has slopes.
    """

    response: str | None
    successes: str | None
    failures: str | None
    fixed: str
    random: tuple[tuple[str, ...], ...]
    slopes: tuple[tuple[str, ...], ...] = ()
    correlated: tuple[bool, ...] = ()

    @property
    def has_slopes(self) -> bool:
        """Whether any grouping factor has a random slope."""
        return any(self.slopes)

    @property
    def random_names(self) -> tuple[str, ...]:
        """Display names of the grouping factors (``"la:msoa"`` for an interaction)."""
        return tuple(":".join(r) for r in self.random)


_BAR = re.compile(r"^\(\s*(?P<lhs>[^|()]*)(?P<bar>\|\|?)\s*(?P<grp>[^|()]+)\)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` on ``sep`` outside parentheses and quotes."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    cur: list[str] = []
    for ch in text:
        if quote is not None:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ModelError(
                    f"unbalanced parentheses in formula part {text!r}",
                    hint="check that every '(' has a matching ')'",
                )
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if depth != 0 or quote is not None:
        raise ModelError(
            f"unbalanced parentheses or quotes in formula part {text!r}",
            hint="check that every '(' has a matching ')' and every quote is closed",
        )
    parts.append("".join(cur).strip())
    return parts


def _grouping(expr: str, formula: str) -> list[tuple[str, ...]]:
    """Expand ``a``, ``a:b`` or ``a/b/c`` into grouping factors."""
    expr = expr.strip()
    if "/" in expr:
        names = [p.strip() for p in expr.split("/")]
        for n in names:
            if not _NAME.match(n):
                raise ModelError(
                    f"grouping factor {n!r} in {formula!r} is not a column name",
                    hint="write nested factors as (1 | la/msoa) with plain column names",
                )
        return [tuple(names[: k + 1]) for k in range(len(names))]
    names = [p.strip() for p in expr.split(":")]
    for n in names:
        if not _NAME.match(n):
            raise ModelError(
                f"grouping factor {n!r} in {formula!r} is not a column name",
                hint="use (1 | g), (1 | a/b) or (1 | a:b) with plain column names",
            )
    return [tuple(names)]


def _slope_terms(lhs: str, term: str) -> tuple[str, ...]:
    """The slope columns left of the bar: ``1``, ``x``, ``1 + x + z`` (the intercept is
    implied, as in lme4); ``0 + x`` (no intercept) is refused."""
    parts = [p.strip() for p in lhs.split("+")]
    if any(p in ("0", "-1") for p in parts) or "-" in lhs:
        raise ModelError(
            f"random term {term!r} removes the intercept; socint's random-effect terms keep it",
            hint="write (x | g) or (x || g) (intercept and slope)",
        )
    out: list[str] = []
    for p in parts:
        if p == "1":
            continue
        if not _NAME.match(p):
            raise ModelError(
                f"random slope {p!r} in {term!r} is not a column name",
                hint="random slopes take numeric columns: (x | g); make transforms a column",
            )
        if p not in out:
            out.append(p)
    return tuple(out)


def parse_formula(formula: str) -> ParsedFormula:
    """Split an lme4-style formula into response, fixed part and random intercepts.

    Parameters
    ----------
    formula
        E.g. ``"trust ~ female + I(income**2) + (1 | la) + (1 | msoa)"`` or
        ``"cbind(incidence, size - incidence) ~ period + (1 | herd)"``.

    Returns
    -------
    ParsedFormula

    Raises
    ------
    ModelError
        If there is no ``~``, no random term, a term without intercept, or a malformed grouping.
    """
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise ModelError(
            f"formula must be a string with exactly one '~', received {formula!r}",
            hint='write e.g. "trust ~ female + age + (1 | la) + (1 | msoa)"',
        )
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not lhs:
        raise ModelError(f"formula {formula!r} has no response", hint="put the outcome left of ~")
    successes = failures = response = None
    m = re.match(r"^cbind\s*\((.*)\)$", lhs)
    if m:
        args = _split_top(m.group(1), ",")
        if len(args) != 2 or not all(args):
            raise ModelError(
                f"cbind() in {formula!r} needs exactly two arguments, received {len(args)}",
                hint="write cbind(successes, failures), e.g. cbind(y, n - y)",
            )
        successes, failures = args
    else:
        response = lhs
    fixed_terms: list[str] = []
    random: list[tuple[str, ...]] = []
    slopes: dict[tuple[str, ...], tuple[str, ...]] = {}
    corr: dict[tuple[str, ...], bool] = {}
    for term in _split_top(rhs, "+"):
        if not term:
            raise ModelError(f"empty term in formula {formula!r}", hint="remove the stray '+'")
        bar = _BAR.match(term)
        if bar is None and "|" in term:
            raise ModelError(
                f"random term {term!r} in {formula!r} is not of the form (1 | group)",
                hint="write (1 | g), (1 | a/b), (1 | a:b), (x | g) or (x || g)",
            )
        if bar is None:
            fixed_terms.append(term)
            continue
        sl = _slope_terms(bar.group("lhs"), term)
        for g in _grouping(bar.group("grp"), formula):
            if g in random:
                if sl or slopes[g]:
                    raise ModelError(
                        f"grouping factor {':'.join(g)!r} appears in more than one random "
                        f"term of {formula!r}",
                        hint="write one term per factor, e.g. (1 + x | g) or (x || g)",
                    )
                continue
            random.append(g)
            slopes[g] = sl
            corr[g] = bar.group("bar") == "|"
    if not random:
        raise ModelError(
            f"formula {formula!r} has no random intercept term",
            hint="add e.g. (1 | la); for a model without random effects use a plain GLM",
        )
    sl_t = tuple(slopes[g] for g in random)
    cor_t = tuple(corr[g] for g in random)
    if not any(sl_t):
        sl_t, cor_t = (), ()
    fixed = " + ".join(fixed_terms) if fixed_terms else "1"
    return ParsedFormula(response, successes, failures, fixed, tuple(random), sl_t, cor_t)


__all__ = ["ParsedFormula", "parse_formula"]
