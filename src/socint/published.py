"""Figures published by the reports socint reproduces, in one place.

Source: Bright Blue (2019) *Distant neighbours? Understanding how diversity and integration
affect neighbourhood trust*, "Model 3" of the multilevel trust model (odds ratios, Tables 3-4),
as summarised in ``shared/CONVENTIONS.md``. The synthetic England draws its survey from these
values and the model tests check that they are recovered.

Variable names are socint's canonical survey/area variable names:

* individual: ``female`` (0/1), ``year_2010`` (0/1: survey year 2010-11 vs 2009-10),
  ``age`` (years), ``income`` (band 1-15) and ``income_sq`` (its square), ``ethnicity``
  (White, Asian, Black, Mixed, Chinese, Other; reference White), ``married`` (0/1),
  ``years5`` (lived 5+ years at the address, 0/1), ``nssec`` (Managerial, Intermediate,
  Routine, Other; reference Managerial);
* MSOA: ``div_decile`` (ethnic diversity decile 1-10, 10 = most diverse), ``poor_english``
  (0/1: over 30% of residents whose main language is not English cannot speak it well),
  ``family_pct`` (% households married couples with dependent children), ``income_decile``
  and ``crime_decile`` (deprivation deciles, 10 = most deprived), ``pct65`` (% aged 65+),
  ``rural`` (0/1);
* LA: ``wb_change`` (White British population change 2001-11: "<-5%", "-5-0%", ">0%";
  reference "<-5%").
"""

from __future__ import annotations

import math
from types import MappingProxyType

#: Published Model 3 odds ratios by term (reference categories omitted).
MODEL3_ODDS_RATIOS = MappingProxyType(
    {
        "female": 0.82,
        "year_2010": 0.94,
        "age": 1.02,
        "income": 0.95,
        "income_sq": 1.01,
        "ethnicity[Asian]": 0.82,
        "ethnicity[Black]": 0.70,
        "ethnicity[Mixed]": 0.84,
        "ethnicity[Chinese]": 0.88,
        "ethnicity[Other]": 0.58,
        "married": 1.21,
        "years5": 1.15,
        "nssec[Intermediate]": 0.80,
        "nssec[Routine]": 0.63,
        "nssec[Other]": 0.78,
        "div_decile": 0.98,
        "poor_english": 0.77,
        "div_decile:poor_english": 1.11,
        "family_pct": 1.01,
        "income_decile": 0.88,
        "crime_decile": 0.96,
        "pct65": 1.03,
        "rural": 1.51,
        "wb_change[-5-0%]": 1.42,
        "wb_change[>0%]": 1.49,
    }
)

#: Published Model 3 log-odds coefficients (natural log of the odds ratios).
MODEL3_COEFFICIENTS = MappingProxyType({k: math.log(v) for k, v in MODEL3_ODDS_RATIOS.items()})

#: Published standard errors of the Model 3 odds ratios, as printed (rounded to 2 dp; Annex
#: Table 4). Three print as 0.00 (age, income², and they are < 0.005): see
#: :data:`SE_PRINTED_ZERO` for how the transported model treats them.
MODEL3_SE_ODDS_RATIOS = MappingProxyType(
    {
        "female": 0.03, "year_2010": 0.03, "age": 0.00, "income": 0.02, "income_sq": 0.00,
        "ethnicity[Asian]": 0.04, "ethnicity[Black]": 0.04, "ethnicity[Mixed]": 0.08,
        "ethnicity[Chinese]": 0.13, "ethnicity[Other]": 0.06, "married": 0.04, "years5": 0.04,
        "nssec[Intermediate]": 0.03, "nssec[Routine]": 0.03, "nssec[Other]": 0.04,
        "div_decile": 0.02, "poor_english": 0.11, "div_decile:poor_english": 0.03,
        "family_pct": 0.01, "income_decile": 0.01, "crime_decile": 0.01, "pct65": 0.01,
        "rural": 0.10, "wb_change[-5-0%]": 0.11, "wb_change[>0%]": 0.12,
    }
)

#: An SE printed as 0.00 is below 0.005; the transported model uses half the rounding unit.
SE_PRINTED_ZERO = 0.0025

#: Published SEs of the random-intercept variances (Annex Table 4).
MODEL3_VARIANCE_SES = MappingProxyType({"la": 0.01, "msoa": 0.03})

#: Random-intercept variances on the latent (logit) scale.
MODEL3_VARIANCES = MappingProxyType({"la": 0.06, "msoa": 0.24})

#: Published sample sizes and mean outcome.
MODEL3_N_RESPONDENTS = 28_822
MODEL3_N_MSOA = 3_134
MODEL3_N_LA = 319
MODEL3_MEAN_TRUST = 0.39

ETHNICITY_SURVEY6 = ("White", "Asian", "Black", "Mixed", "Chinese", "Other")
NSSEC_GROUPS = ("Managerial", "Intermediate", "Routine", "Other")
WB_CHANGE_BANDS = ("<-5%", "-5-0%", ">0%")

#: Published LA figures for the Social Integration Index measures (Bright Blue 2019):
#: Ethnic Diversity Index (Simpson, 0-1) and Index of Dissimilarity (0-100).
PUBLISHED_LA_MEASURES = MappingProxyType(
    {
        "E09000001": {"name": "City of London", "edi": 0.627, "dissimilarity": 24.8},
        "E07000008": {"name": "Cambridge", "edi": 0.535, "dissimilarity": 15.0},
    }
)


#: Model 3's fixed part as a structured spec: (kind, variable, reference category or None),
#: in the order of Annex Table 4. Kinds: ``num`` (numeric as is), ``sq`` (its square),
#: ``cat`` (treatment-coded factor), ``x`` (the interaction of two numeric variables).
MODEL3_FIXED: tuple[tuple[str, str, str | None], ...] = (
    ("num", "female", None), ("num", "year_2010", None), ("num", "age", None),
    ("num", "income", None), ("sq", "income", None), ("cat", "ethnicity", "White"),
    ("num", "married", None), ("num", "years5", None), ("cat", "nssec", "Managerial"),
    ("x", "div_decile*poor_english", None), ("num", "family_pct", None),
    ("num", "income_decile", None), ("num", "crime_decile", None), ("num", "pct65", None),
    ("num", "rural", None), ("cat", "wb_change", "<-5%"),
)


def model3_formula(*, lad: str = "lad_code", msoa: str = "msoa_code",
                   outcome: str = "trust", without: frozenset[str] = frozenset(),
                   interaction: bool = True) -> str:
    """Model 3 in socint's formula syntax, built from :data:`MODEL3_FIXED`.

    The grouping factors are the area-key columns (``lad_code``, ``msoa_code``) by default, so
    the survey's own columns group the random intercepts. ``without`` drops terms by variable
    and ``interaction=False`` keeps diversity and poor English as main effects only (the
    nested variants the report compares).
    """
    parts = []
    for kind, var, ref in MODEL3_FIXED:
        if var in without:
            continue
        if kind == "x" and not interaction:
            parts.extend(var.split("*"))
        elif kind == "num":
            parts.append(var)
        elif kind == "sq":
            parts.append(f"I({var}**2)")
        elif kind == "cat":
            parts.append(f'C({var}, Treatment("{ref}"))')
        else:
            a, b = var.split("*")
            parts.append(f"{a} * {b}")
    return f"{outcome} ~ " + " + ".join(parts) + f" + (1 | {lad}) + (1 | {msoa})"
