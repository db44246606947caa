"""Words shared by the dashboard and the docs: measures and references (the columns of the
downloads are defined once, in :mod:`socint.report.schema`).

Definitions follow Bright Blue (2019) *Distant neighbours?* (trust model, Social Integration
Index, "most socially integrated" classification); the measures follow Simpson (1949) and
Duncan & Duncan (1955) / Massey & Denton (1988).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """One measure the map can show: its column, decile column, label and number format."""

    key: str
    column: str
    decile_column: str | None
    label: str
    fmt: str  # "pct" (probability shown as %), "num3" (3 decimals), "num1", "class"
    description: str


#: Measures of the map selector, in menu order.
MEASURES: tuple[Measure, ...] = (
    Measure("trust", "trust", "trust_decile", "Predicted neighbourhood trust", "pct",
            "Predicted share of residents who say most people in the neighbourhood can be "
            "trusted, predicted by a multilevel model for the area's census population, with "
            "its 90% interval (where the model comes from is stated at the foot of the page)."),
    Measure("edi", "edi", "edi_decile", "Ethnic Diversity Index (EDI)", "num3",
            "Simpson's diversity index: the probability that two residents drawn at random "
            "belong to different ethnic groups (0 = everyone in one group)."),
    Measure("dissimilarity", "dissimilarity", "dissimilarity_decile",
            "Index of Dissimilarity (ID)", "num1",
            "Residential segregation: the share (0-100) of one group that would have to move "
            "neighbourhood for it to be spread like the rest of the population."),
    Measure("composite", "composite", "composite_decile", "Composite integration score", "num3",
            "Continuous Social Integration Index combining trust, diversity and (low) "
            "segregation with the documented normalisation and weights."),
    Measure("classification", "classification", None, "Most-integrated classification",
            "class",
            "Most socially integrated = top two deciles of diversity and top five deciles of "
            "predicted trust, confirmed by being in the bottom five deciles of dissimilarity."),
)

#: References cited on the methodology page.
REFERENCES: tuple[str, ...] = (
    "Bright Blue (2019). Distant neighbours? Understanding how diversity and integration "
    "affect neighbourhood trust. London: Bright Blue.",
    "Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688.",
    "Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation indexes. "
    "American Sociological Review 20(2), 210-217.",
    "Massey, D. S. & Denton, N. A. (1988). The dimensions of residential segregation. "
    "Social Forces 67(2), 281-315.",
    "Gelman, A. & Little, T. C. (1997). Poststratification into many categories using "
    "hierarchical logistic regression. Survey Methodology 23(2), 127-135.",
    "Bates, D., Mächler, M., Bolker, B. & Walker, S. (2015). Fitting linear mixed-effects "
    "models using lme4. Journal of Statistical Software 67(1).",
    "Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their limitations. "
    "Journal of the Royal Statistical Society A 159(3), 385-443.",
)

OGL_ATTRIBUTION = ("Contains public sector information licensed under the Open Government "
                   "Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-"
                   "licence/version/3/).")

__all__ = ["MEASURES", "OGL_ATTRIBUTION", "REFERENCES", "Measure"]
