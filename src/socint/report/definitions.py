"""Words shared by the dashboard, the workbook README sheet and the docs: measures, columns,
references.

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
            "trusted (multilevel model, post-stratified), with its 90% interval."),
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

#: Definitions of the ``la_index`` columns (README sheet, methodology page).
COLUMN_DEFINITIONS: dict[str, str] = {
    "lad_code": "ONS GSS code of the local authority district.",
    "lad_name": "Name of the local authority district.",
    "region_code": "ONS code of the region the LA lies in.",
    "region_name": "Name of the region.",
    "n_respondents": "Survey respondents living in the LA.",
    "direct": "Direct (survey) share trusting most neighbours.",
    "direct_lower": "Lower end of the direct estimate's 95% interval.",
    "direct_upper": "Upper end of the direct estimate's 95% interval.",
    "trust": "Predicted share trusting most people in the neighbourhood.",
    "trust_lower": "Lower end of the 90% interval of predicted trust.",
    "trust_upper": "Upper end of the 90% interval of predicted trust.",
    "trust_decile": "Decile of predicted trust (10 = highest tenth of LAs).",
    "edi": "Ethnic Diversity Index (Simpson): probability two residents differ in ethnic group.",
    "edi_decile": "Decile of EDI (10 = most diverse).",
    "dissimilarity": "Index of Dissimilarity (0-100), residential segregation.",
    "dissimilarity_decile": "Decile of dissimilarity (10 = most segregated).",
    "imd_score": "Index of Multiple Deprivation, average score of the LA.",
    "imd_decile": "Deprivation decile (10 = most deprived).",
    "composite": "Composite Social Integration Index score.",
    "composite_decile": "Decile of the composite score (10 = highest).",
    "rank": "Rank of the composite score (1 = most integrated).",
    "rank_lower": "Best rank in the 90% rank interval (simulation draws).",
    "rank_upper": "Worst rank in the 90% rank interval.",
    "p_top_decile": "Probability of being in the top decile of the composite (draws).",
    "p_most_integrated": "Probability of being classified most integrated (draws).",
    "most_integrated": "Classified most socially integrated (Bright Blue 2019 rule).",
    "suppressed": "Direct estimate suppressed: fewer respondents than the disclosure threshold.",
    "classification": "Classification category.",
    "classification_reason": "Why the LA is or is not classified most integrated.",
}

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

__all__ = ["COLUMN_DEFINITIONS", "MEASURES", "OGL_ATTRIBUTION", "REFERENCES", "Measure"]
