"""The one schema of every published table: each column defined once.

A :class:`Column` carries the column's name, its meaning in plain words, its unit, the level of
the interval it bounds (``90%``/``95%``, or empty) and the number of decimals it is published
with. The same definitions are written into ``la_index.csv``/``msoa_index.csv`` (column order and
rounding), the GeoJSON properties, the XLSX sheets and README sheet (header, % formats), and the
dashboard's methodology page, so a column cannot mean one thing in one file and another
elsewhere.

Interval levels are part of the column names (``trust_lower90``, ``direct_lower95``,
``rank_upper90``). :data:`LEGACY_NAMES` maps the names used before this schema (``trust_lower``
was the 90% bound, ``direct_lower`` the 95% one, ``rank_lower`` the 90% rank bound) so old
folders and tables still load. Columns that only repeat another (the trust method's own
``mrp_*`` columns beside ``trust_*``, the short ``direct_lower``) are dropped from publication
by :func:`publication_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    """One published column.

    Parameters
    ----------
    name
        Column name in every file.
    meaning
        What the value is, in plain words.
    unit
        ``share`` (0-1, shown as %), ``probability`` (0-1, shown as %), ``index 0-1``,
        ``index 0-100``, ``decile``, ``rank``, ``count``, ``code``, ``text``, ``true/false``,
        ``score`` (unitless), ``percentage points``.
    level
        Interval level the column bounds (``90%``, ``95%``) or ``""``.
    digits
        Decimals in the published files (``None``: not rounded, e.g. text and counts).
    """

    name: str
    meaning: str
    unit: str
    level: str = ""
    digits: int | None = None

    @property
    def is_percent(self) -> bool:
        """Shown as a percentage in the workbook and on the pages."""
        return self.unit in ("share", "probability")


def _interval(stem: str, what: str, unit: str, digits: int, levels: Iterable[str] = ("90", "95")
              ) -> list[Column]:
    out = []
    for lv in levels:
        out.append(Column(f"{stem}_lower{lv}", f"Lower end of the {lv}% interval of {what}.",
                          unit, f"{lv}%", digits))
        out.append(Column(f"{stem}_upper{lv}", f"Upper end of the {lv}% interval of {what}.",
                          unit, f"{lv}%", digits))
    return out


_KEYS_LA = [
    Column("lad_code", "ONS GSS code of the local authority district.", "code"),
    Column("lad_name", "Name of the local authority district.", "text"),
    Column("lad_vintage", "Year of the LA set the code belongs to: 2013 (the Census 2011 LAs "
           "as coded since 2013), 2021 (LTLA21, 309 in England) or 2023 (296, after the 2023 "
           "mergers).", "code"),
    Column("region_code", "ONS code of the region the LA lies in.", "code"),
    Column("region_name", "Name of the region.", "text"),
]
_SURVEY = [
    Column("n_respondents", "Survey respondents living in the area.", "count"),
    Column("sampled", "The survey has at least one respondent in the area.", "true/false"),
    Column("suppressed", "Fewer respondents than the disclosure threshold (default 10): the "
           "direct and report-style estimates are withheld; the model-based trust is still "
           "shown, flagged.", "true/false"),
]
_TRUST = [
    Column("trust", "Predicted share of adults who say most people in their neighbourhood can "
           "be trusted: a multilevel model's prediction for the area's census population "
           "(a published or saved model transported onto the census, or MRP of survey "
           "responses; trust_source says which).", "share", digits=4),
    Column("trust_source", "Where trust comes from: published_model (Bright Blue's Model 3 "
           "applied to the census; not measured by a survey), saved_model, survey (MRP of "
           "survey responses) or table (the user's own table).", "text"),
    Column("trust_se", "Standard error of predicted trust (simulation draws).", "share",
           digits=4),
    *_interval("trust", "predicted trust (simulation draws)", "share", 4),
    Column("trust_decile", "Decile of predicted trust among the areas (10 = highest tenth).",
           "decile"),
]
_MEASURES = [
    Column("edi", "Ethnic Diversity Index (Simpson): probability that two random residents "
           "belong to different ethnic groups.", "index 0-1", digits=4),
    Column("edi_decile", "Decile of EDI (10 = most diverse tenth).", "decile"),
    Column("dissimilarity", "Index of Dissimilarity, White British vs all other groups across "
           "the area's small areas: share (0-100) of either group that would have to move to "
           "even out (Duncan & Duncan 1955).", "index 0-100", digits=2),
    Column("dissimilarity_decile", "Decile of dissimilarity (10 = most segregated tenth).",
           "decile"),
]
_INDEX = [
    Column("composite", "Social Integration Index score: weighted mean of normalised trust, EDI "
           "and reversed dissimilarity (equal weights by default; higher = more integrated).",
           "score", digits=4),
    Column("composite_decile", "Decile of the composite score (10 = highest tenth).", "decile"),
    Column("rank", "Rank of the composite score (1 = most integrated).", "rank"),
    Column("rank_lower90", "Best rank of the 90% rank interval (simulation draws).", "rank",
           "90%"),
    Column("rank_upper90", "Worst rank of the 90% rank interval (simulation draws).", "rank",
           "90%"),
    Column("rank_median", "Median rank over the simulation draws.", "rank", digits=1),
    Column("p_top_decile", "Probability that the area is in the top decile of the composite "
           "index (share of simulation draws).", "probability", digits=3),
    Column("p_most_integrated", "Probability that the area is classified most socially "
           "integrated (share of simulation draws).", "probability", digits=3),
    Column("rank_volatility", "Range of the area's rank over the sensitivity scenarios "
           "(normalisations x weights).", "rank"),
    Column("most_integrated", "Classified most socially integrated: top two deciles of EDI and "
           "top five of trust, confirmed by the bottom five of dissimilarity (Bright Blue "
           "2019).", "true/false"),
    Column("fails_segregation_check", "Passes the diversity and trust tests but not the "
           "segregation one.", "true/false"),
    Column("classification", "Classification category in words.", "text"),
    Column("composite_note", "Why the area is not ranked, when it is not.", "text"),
]
_METHODS = [
    Column("mrp", "MRP estimate of trust (when the index uses another trust method).", "share",
           digits=4),
    Column("mrp_se", "Standard error of the MRP estimate.", "share", digits=4),
    *_interval("mrp", "the MRP estimate", "share", 4),
    Column("report_point", "Report-style point estimate: mean model prediction over the area's "
           "respondents at the fitted values.", "share", digits=4),
    Column("report", "Report-style estimate (Bright Blue 2019): mean prediction over the "
           "respondents, conditional on the area's random effects, averaged over draws.",
           "share", digits=4),
    Column("report_se", "Standard error of the report-style estimate.", "share", digits=4),
    *_interval("report", "the report-style estimate", "share", 4),
    Column("direct", "Direct survey estimate: share of respondents trusting most neighbours.",
           "share", digits=4),
    Column("direct_se", "Standard error of the direct estimate.", "share", digits=4),
    *_interval("direct", "the direct estimate (Wilson)", "share", 4),
]
_LA_EXTRA = [
    Column("deprivation", "Income deprivation: adult-weighted mean income-deprivation decile of "
           "the LA's MSOAs (1-10, 10 = most deprived tenth).", "decile (mean)", digits=2),
    Column("imd_score", "Index of Multiple Deprivation, average score of the LA.", "score",
           digits=2),
    Column("imd_decile", "Deprivation decile (10 = most deprived).", "decile"),
]

#: Columns of ``la_index.csv`` / ``la_index.geojson`` / the XLSX ``la_index`` sheet, in order.
LA_SCHEMA: tuple[Column, ...] = (*_KEYS_LA, *_SURVEY, *_TRUST, *_MEASURES, _LA_EXTRA[0],
                                 *_LA_EXTRA[1:], *_INDEX, *_METHODS)
#: Columns of ``msoa_index.csv`` (and the XLSX ``msoa_index`` sheet), in order.
MSOA_SCHEMA: tuple[Column, ...] = (
    Column("msoa_code", "ONS code of the middle layer super output area.", "code"),
    Column("msoa_name", "Name of the MSOA (House of Commons Library names where given).",
           "text"),
    Column("lad_code", "Code of the local authority the MSOA lies in.", "code"),
    Column("lad_vintage", "Year of the LA set of lad_code (2013, 2021 or 2023).", "code"),
    *_SURVEY, *_TRUST, *_MEASURES,
    *[c for c in _INDEX if c.name != "rank_volatility"], *_METHODS,
)
#: Columns of ``la_decomposition.csv``.
DECOMPOSITION_SCHEMA: tuple[Column, ...] = (
    Column("lad_code", "ONS GSS code of the local authority district.", "code"),
    Column("baseline", "Predicted trust of a typical area with England's average population.",
           "share", digits=4),
    Column("composition", "Contribution of who lives here (population composition).",
           "percentage points", digits=4),
    Column("context", "Contribution of the MSOA and LA characteristics.", "percentage points",
           digits=4),
    Column("own_effect", "Contribution of the LA's own random effect.", "percentage points",
           digits=4),
    Column("predicted", "Prediction at the fitted values.", "share", digits=4),
    Column("trust", "Published predicted trust (mean over draws).", "share", digits=4),
    Column("uncertainty_adjustment", "trust minus predicted: averaging over estimation "
           "uncertainty.", "percentage points", digits=4),
)

#: Names used before the schema -> current names (old folders and tables still load).
LEGACY_NAMES: dict[str, str] = {
    "trust_lower": "trust_lower90", "trust_upper": "trust_upper90",
    "direct_lower": "direct_lower95", "direct_upper": "direct_upper95",
    "rank_lower": "rank_lower90", "rank_upper": "rank_upper90",
}
_METHOD_STEMS = ("mrp", "report", "direct")
_TRUST_SUFFIXES = ("", "_se", "_lower90", "_upper90", "_lower95", "_upper95")

SCHEMAS: dict[str, tuple[Column, ...]] = {"la_index": LA_SCHEMA, "msoa_index": MSOA_SCHEMA,
                                          "la_decomposition": DECOMPOSITION_SCHEMA}
_BY_NAME: dict[str, Column] = {c.name: c for s in SCHEMAS.values() for c in s}


def column(name: str) -> Column | None:
    """The definition of ``name`` (``None`` when no schema defines it)."""
    return _BY_NAME.get(LEGACY_NAMES.get(name, name))


def current_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with legacy column names renamed to the schema's; a legacy column that
    repeats a column already present under the new name is dropped."""
    drop = [old for old, new in LEGACY_NAMES.items() if old in frame and new in frame]
    out = frame.drop(columns=drop)
    return out.rename(columns={o: n for o, n in LEGACY_NAMES.items() if o in out})


def _same(a: pd.Series, b: pd.Series) -> bool:
    x, y = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    both_na = x.isna() & y.isna()
    return bool(((x == y) | both_na).all())


def duplicate_columns(frame: pd.DataFrame) -> list[str]:
    """The trust method's own columns (``mrp``, ``mrp_se``… when they equal ``trust``,
    ``trust_se``…): published once, as ``trust*``."""
    for stem in _METHOD_STEMS:
        pairs = [(f"{stem}{s}", f"trust{s}") for s in _TRUST_SUFFIXES]
        pairs = [(m, t) for m, t in pairs if m in frame and t in frame]
        if pairs and all(_same(frame[m], frame[t]) for m, t in pairs):
            return [m for m, _ in pairs]
    return []


def _round(series: pd.Series, digits: int) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce")
    if values.isna().all() and series.notna().any():
        return series
    return values.round(digits)


def publication_table(frame: pd.DataFrame, schema: Sequence[Column]) -> pd.DataFrame:
    """The published form of ``frame``: current names, the schema's columns in its order
    (others dropped), duplicates removed, values rounded to the schema's decimals."""
    out = current_names(frame)
    out = out.drop(columns=duplicate_columns(out))
    cols = [c for c in schema if c.name in out.columns]
    table = out[[c.name for c in cols]].copy()
    for c in cols:
        if c.digits is not None:
            table[c.name] = _round(table[c.name], c.digits)
    return table.reset_index(drop=True)


def analysis_table(frame: pd.DataFrame, schema: Sequence[Column]) -> pd.DataFrame:
    """Full precision, every column (current names; schema columns first)."""
    out = current_names(frame)
    first = [c.name for c in schema if c.name in out.columns]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


def schema_frame(columns: Sequence[str], schema: Sequence[Column]) -> pd.DataFrame:
    """``column, meaning, unit, interval level`` for ``columns`` (README sheet, docs)."""
    by = {c.name: c for c in schema}
    rows = []
    for name in columns:
        c = by.get(name) or column(name)
        rows.append((name, c.meaning if c else "", c.unit if c else "", c.level if c else ""))
    return pd.DataFrame(rows, columns=["column", "meaning", "unit", "interval level"])


def undocumented(columns: Iterable[str], schema: Sequence[Column]) -> list[str]:
    """Columns of ``columns`` the schema does not define."""
    names = {c.name for c in schema}
    return [c for c in columns if c not in names]


__all__ = [
    "DECOMPOSITION_SCHEMA",
    "LA_SCHEMA",
    "LEGACY_NAMES",
    "MSOA_SCHEMA",
    "SCHEMAS",
    "Column",
    "analysis_table",
    "column",
    "current_names",
    "duplicate_columns",
    "publication_table",
    "schema_frame",
    "undocumented",
]
