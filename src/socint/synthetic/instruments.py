"""Synthetic inputs for the companion instruments (schools, scorecard, comparison, local survey).

Everything is drawn from a seed so the demo and the tests exercise the instruments end to end:

* ``schools`` — one row per school in the layout of the DfE "Schools, pupils and their
  characteristics" school-level underlying data (URN, phase, LA, pupil counts by the school
  census's ethnic groups), plus optional ``religion_<category>`` columns for about half of the
  LAs. Schools draw their intake around the LA's mix with varying concentration (some
  segregated); one very small school exercises the small-school flag.
* ``la_population`` — census-like LA population by the 18 detailed 2011 groups (long layout).
* ``indicators`` — a race-equality scorecard table over the seven Runnymede domains, two years.
* ``comparison_survey`` — an Integration-Areas style two-wave survey (wave 2016 = before,
  2018 = after) with Likert, count, binary and thermometer outcomes. Integration Areas are
  younger and more often from minority groups (confounding), start lower on the outcomes, and
  gain the built-in effects :data:`GROUP_EFFECTS` in the after wave, so the adjusted comparison
  can be checked for recovery.
* ``local_survey`` / ``margins`` — a response file in the question bank's codes for one LA, over-
  representing older women, and every LA's census margins (age × sex, ethnicity, tenure).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

BROAD = ("white", "mixed", "asian", "black", "other")

#: 2011 Census detailed groups (canonical names, ``ethnicity_2011_detailed``).
DETAILED_2011 = (
    "white_british", "white_irish", "white_gypsy_traveller", "white_other",
    "mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
    "mixed_other", "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese",
    "asian_other", "black_african", "black_caribbean", "black_other", "other_arab", "other_any",
)
#: Census group → school census column stems it is drawn into (DfE names).
TO_DFE: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "white_british": ("white_british",), "white_irish": ("irish",),
    "white_gypsy_traveller": ("traveller_of_irish_heritage", "gypsy_roma"),
    "white_other": ("any_other_white_background",),
    "mixed_white_black_caribbean": ("white_and_black_caribbean",),
    "mixed_white_black_african": ("white_and_black_african",),
    "mixed_white_asian": ("white_and_asian",), "mixed_other": ("any_other_mixed_background",),
    "asian_indian": ("indian",), "asian_pakistani": ("pakistani",),
    "asian_bangladeshi": ("bangladeshi",), "asian_chinese": ("chinese",),
    "asian_other": ("any_other_asian_background",), "black_african": ("african",),
    "black_caribbean": ("caribbean",), "black_other": ("any_other_black_background",),
    "other_arab": ("any_other_ethnic_group",), "other_any": ("any_other_ethnic_group",),
})
RELIGIONS = ("no_religion", "christian", "buddhist", "hindu", "jewish", "muslim", "sikh",
             "other_religion")

#: Built-in effect of being an Integration Area in the after wave (difference-in-differences),
#: on each comparison outcome's scale (binary: log-odds).
GROUP_EFFECTS = MappingProxyType({
    "cohesion_likert": 0.30, "civic_actions": 0.50, "volunteered_logodds": 0.40,
    "thermometer": 6.0,
})
#: Pre-existing (before-wave) difference of Integration Areas, same scales.
BASELINE_GAP = MappingProxyType({
    "cohesion_likert": -0.20, "civic_actions": -0.30, "volunteered_logodds": -0.25,
    "thermometer": -3.0,
})
AGE_BANDS = ("16-24", "25-34", "35-49", "50-64", "65+")
TENURES = ("owned", "social_rented", "private_rented")


@dataclass(frozen=True)
class InstrumentInputs:
    """The synthetic inputs of the four instruments (see the module docstring)."""

    schools: pd.DataFrame
    la_population: pd.DataFrame
    indicators: pd.DataFrame
    comparison_survey: pd.DataFrame
    local_survey: pd.DataFrame
    margins: pd.DataFrame
    integration_areas: tuple[str, ...]


def _default_las() -> pd.DataFrame:
    codes = ["E06000008", "E08000032", "E06000031", "E08000030", "E09000031", "E08000025",
             "E06000001", "E07000008", "E08000003", "E09000001", "E06000014", "E07000026"]
    names = ["Blackburn with Darwen", "Bradford", "Peterborough", "Walsall", "Waltham Forest",
             "Birmingham", "Hartlepool", "Cambridge", "Manchester", "City of London", "York",
             "Allerdale"]
    return pd.DataFrame({"lad_code": codes, "lad_name": names})


def _broad_of(group: str) -> str:
    return group.split("_")[0]


def _population(rng: np.random.Generator, las: pd.DataFrame) -> pd.DataFrame:
    """LA census population by the 18 detailed 2011 groups (long layout)."""
    rows = []
    within = {b: [g for g in DETAILED_2011 if _broad_of(g) == b] for b in BROAD}
    for code in las["lad_code"]:
        minority = rng.beta(1.2, 5.0)
        mix = rng.dirichlet([1.5, 4.0, 2.0, 1.0])
        broad = np.r_[1 - minority, minority * mix]
        total = int(rng.integers(60_000, 400_000))
        for b, pb in zip(BROAD, broad, strict=True):
            conc = np.full(len(within[b]), 2.0)
            if b == "white":
                conc = np.array([40.0, 1.0, 0.3, 4.0])
            split = rng.multinomial(int(total * pb), rng.dirichlet(conc))
            rows += [(code, g, int(c)) for g, c in zip(within[b], split, strict=True)]
    return pd.DataFrame(rows, columns=["lad_code", "category", "count"])


def _broad_wide(pop: pd.DataFrame) -> pd.DataFrame:
    b = pop.assign(category=pop["category"].astype(str).map(_broad_of))
    return b.pivot_table(index="lad_code", columns="category", values="count", aggfunc="sum")


def _schools(rng: np.random.Generator, las: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    wide = pop.pivot_table(index="lad_code", columns="category", values="count",
                           aggfunc="sum").reindex(columns=list(DETAILED_2011), fill_value=0)
    youth = np.array([{"white": 0.85, "mixed": 1.6}.get(_broad_of(g), 1.25)
                      for g in DETAILED_2011])  # minorities are younger
    rows = []
    urn = 100000
    for i, (code, name) in enumerate(zip(las["lad_code"], las["lad_name"], strict=True)):
        young = wide.loc[code].to_numpy(float) * youth
        young /= young.sum()
        has_religion = i % 2 == 0
        for phase, n_sch, size in (("State-funded primary", 8, 320),
                                   ("State-funded secondary", 4, 1000)):
            for s in range(n_sch):
                urn += 1
                conc = float(rng.choice([5.0, 25.0, 150.0]))
                mix = rng.dirichlet(conc * young + 0.01)
                head = max(int(rng.normal(size, size * 0.25)), 40)
                if i == 0 and phase.endswith("primary") and s == 0:
                    head = 8  # a very small school: flagged, counts never shown
                unclassified = int(rng.binomial(head, 0.02))
                drawn = rng.multinomial(head - unclassified, mix)
                row: dict[str, object] = {
                    "time_period": 202324, "urn": urn, "school_name": f"{name} School {s + 1}",
                    "phase_type_grouping": phase, "new_la_code": code, "lad_name": name,
                    "headcount_of_pupils": head,
                }
                dfe: dict[str, int] = {}
                for g, c in zip(DETAILED_2011, drawn, strict=True):
                    stems = TO_DFE[g]
                    split = rng.multinomial(int(c), np.full(len(stems), 1 / len(stems)))
                    for stem, k in zip(stems, split, strict=True):
                        dfe[stem] = dfe.get(stem, 0) + int(k)
                for stem, k in dfe.items():
                    row[f"number_of_pupils_classified_as_{stem}_ethnic_origin"] = k
                row["number_of_pupils_unclassified"] = unclassified
                rel = rng.multinomial(head, rng.dirichlet(np.r_[8, 10, 0.3, 1, 0.3, 3, 0.6, 0.5]))
                for r, c in zip(RELIGIONS, rel, strict=True):
                    row[f"religion_{r}"] = int(c) if has_religion else np.nan
                rows.append(row)
    return pd.DataFrame(rows)


def _indicators(rng: np.random.Generator, las: pd.DataFrame, pop: pd.DataFrame) -> pd.DataFrame:
    spec = [("education", "no_qualifications", 0.20), ("employment", "unemployment", 0.06),
            ("housing", "overcrowding", 0.08), ("health", "bad_health", 0.05),
            ("criminal_justice", "stop_and_search_per_pop", 0.01),
            ("civic_participation", "councillors_per_pop", 0.001),
            ("voluntary_sector", "grant_recipients", 0.02)]
    groups = {"white_british": ("white", 0.9, 1.0), "indian": ("asian", 0.3, 0.9),
              "pakistani": ("asian", 0.35, 1.5), "bangladeshi": ("asian", 0.2, 1.7),
              "black_african": ("black", 0.6, 1.6), "black_caribbean": ("black", 0.4, 1.9),
              "mixed": ("mixed", 1.0, 1.3)}
    wide = _broad_wide(pop)
    rows = []
    for code in las["lad_code"]:
        for domain, ind, base in spec:
            for year, shrink in ((2011, 1.0), (2021, 0.8)):
                for g, (b, share, rr) in groups.items():
                    den = int(wide.loc[code, b] * share * rng.uniform(0.8, 1.2))
                    ratio = 1 + (rr - 1) * shrink if g != "white_british" else 1.0
                    num = int(rng.binomial(den, min(base * ratio, 0.95)))
                    rows.append((code, domain, ind, g, num, den, year))
    return pd.DataFrame(rows, columns=["lad_code", "domain", "indicator", "group", "numerator",
                                       "denominator", "year"])


def _comparison_survey(rng: np.random.Generator, las: pd.DataFrame,
                       ia: set[str]) -> pd.DataFrame:
    parts = []
    la_effect = dict(zip(las["lad_code"], rng.normal(0, 0.15, len(las)), strict=True))
    for wave in (2016, 2018):
        for code in las["lad_code"]:
            n = 120
            is_ia = code in ia
            age = rng.integers(18, 85, n) - (8 if is_ia else 0)
            female = rng.binomial(1, 0.52, n)
            minority = rng.binomial(1, 0.35 if is_ia else 0.10, n)
            degree = rng.binomial(1, 0.30, n)
            post = float(wave == 2018)
            g = float(is_ia)
            u = la_effect[code]
            agec = (age - 45) / 10

            def shift(k: str, g: float = g, post: float = post) -> float:
                return g * BASELINE_GAP[k] + g * post * GROUP_EFFECTS[k]

            lik = 3.2 + 0.12 * agec - 0.25 * minority + 0.2 * degree + u + shift(
                "cohesion_likert") + rng.normal(0, 0.8, n)
            mu = np.clip(1.5 + 0.15 * agec + 0.4 * degree - 0.3 * minority + 2 * u
                         + shift("civic_actions"), 0.05, None)
            eta = -0.6 + 0.1 * agec + 0.5 * degree - 0.3 * minority + u + shift(
                "volunteered_logodds")
            thermo = 62 + 2.0 * agec - 4.0 * minority + 20 * u + shift("thermometer") \
                + rng.normal(0, 14, n)
            trust = np.clip(np.rint(lik + rng.normal(0, 0.5, n)), 1, 5)
            parts.append(pd.DataFrame({
                "lad_code": code, "area_group": "Integration Area" if is_ia else "Other area",
                "wave": wave, "age": age, "female": female,
                "ethnicity": np.where(minority == 1, "minority", "white"),
                "degree": degree, "cohesion_likert": np.clip(np.rint(lik), 1, 5).astype(int),
                "cohesion_latent": lik, "civic_actions": rng.poisson(mu),
                "volunteered": rng.binomial(1, expit(eta)), "thermometer": np.clip(thermo, 0, 100),
                "trust_people": trust.astype(int),
            }))
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "respondent_id", [f"c{i:05d}" for i in range(len(out))])
    return out


def _margins(rng: np.random.Generator, pop: pd.DataFrame) -> pd.DataFrame:
    rows = []
    broad = _broad_wide(pop)
    for code in broad.index:
        adults = float(broad.loc[code].sum()) * 0.8
        age = rng.dirichlet([14, 17, 25, 23, 21])
        for a, pa in zip(AGE_BANDS, age, strict=True):
            for sex, ps in (("female", 0.51), ("male", 0.49)):
                rows.append((code, "age_band*sex", f"{a}*{sex}", round(adults * pa * ps)))
        for cat in BROAD:
            rows.append((code, "ethnicity", cat, round(float(broad.loc[code, cat]) * 0.8)))
        for t, pt in zip(TENURES, rng.dirichlet([12, 4, 4]), strict=True):
            rows.append((code, "tenure", t, round(adults * pt)))
    return pd.DataFrame(rows, columns=["lad_code", "margin", "category", "count"])


def _local_survey(rng: np.random.Generator, code: str, margins: pd.DataFrame) -> pd.DataFrame:
    n = 400
    m = margins[(margins["lad_code"] == code) & (margins["margin"] == "ethnicity")]
    eth_p = m["count"].to_numpy(float) / m["count"].sum()
    # Boosted minority samples, as local surveys usually have: every group gets at least a
    # share of 1/(5k), so every census margin cell has respondents and the sample is weightable.
    eth_p = 0.8 * eth_p + 0.2 / len(eth_p)
    age = rng.choice(AGE_BANDS, n, p=[0.06, 0.12, 0.22, 0.27, 0.33])  # older than the LA
    sex = rng.choice(["female", "male"], n, p=[0.62, 0.38])
    eth = rng.choice(m["category"].to_numpy(), n, p=eth_p)
    old = np.isin(age, ["50-64", "65+"])
    p_most = expit(-0.6 + 0.7 * old - 0.4 * (eth != "white"))
    trust = np.where(rng.random(n) < p_most, "most",
                     rng.choice(["some", "a_few", "none", "dont_know"], n, p=[.5, .3, .15, .05]))

    def ordinal(codes: list[str], p: list[float]) -> np.ndarray:
        return rng.choice(codes, n, p=p)

    return pd.DataFrame({
        "respondent_id": [f"L{i:04d}" for i in range(n)], "lad_code": code, "age_band": age,
        "sex": sex, "ethnicity": eth,
        "tenure": rng.choice(TENURES, n, p=[0.6, 0.2, 0.2]),
        "neighbourhood_trust": trust,
        "get_on_well": ordinal(["definitely_agree", "tend_to_agree", "tend_to_disagree",
                                "definitely_disagree", "dont_know"], [.3, .45, .12, .08, .05]),
        "belonging": ordinal(["very_strongly", "fairly_strongly", "not_very_strongly",
                              "not_at_all_strongly"], [.3, .35, .25, .1]),
        "mixing": ordinal(["daily", "weekly", "monthly", "less_often", "never"],
                          [.3, .3, .15, .15, .1]),
        "volunteering": ordinal(["yes", "no"], [.25, .75]),
        "trust_local_gov": ordinal(["a_lot", "a_fair_amount", "not_very_much", "not_at_all"],
                                   [.1, .45, .3, .15]),
        "trust_national_gov": ordinal(["a_lot", "a_fair_amount", "not_very_much",
                                       "not_at_all"], [.05, .3, .4, .25]),
    })


def generate_instruments(
    seed: int = 0,
    las: pd.DataFrame | None = None,
    la_population: pd.DataFrame | None = None,
) -> InstrumentInputs:
    """Draw every instrument's synthetic input.

    Parameters
    ----------
    seed
        Random seed; the same seed gives the same inputs.
    las
        The synthetic England's LA table (``lad_code``, ``lad_name``); a small built-in list of
        real LA codes (the five Integration Areas among them) when None.
    la_population
        LA population by ethnic group (``lad_code, category, count``, canonical category names,
        e.g. the synthetic England's census counts); drawn when None.
    """
    rng = np.random.default_rng(seed)
    las = (_default_las() if las is None else las)[["lad_code", "lad_name"]].reset_index(drop=True)
    pop = _population(rng, las) if la_population is None else la_population
    known_ia = {"E06000008", "E08000032", "E06000031", "E08000030", "E09000031"}
    ia = [c for c in las["lad_code"] if c in known_ia]
    if len(ia) < 2:
        k = max(2, len(las) // 4)
        ia = sorted(rng.choice(las["lad_code"].to_numpy(), k, replace=False).tolist())
    margins = _margins(rng, pop)
    return InstrumentInputs(
        schools=_schools(rng, las, pop),
        la_population=pop,
        indicators=_indicators(rng, las, pop),
        comparison_survey=_comparison_survey(rng, las, set(ia)),
        local_survey=_local_survey(rng, str(las["lad_code"].iloc[0]), margins),
        margins=margins,
        integration_areas=tuple(ia),
    )


def la_population_from_counts(ethnicity: Any) -> pd.DataFrame:
    """LA population by ethnic group from small-area counts (an ``OfficialTable`` of kind
    ``counts`` whose ``areas`` carry ``lad_code``, e.g. the synthetic England's ``ethnicity``).

    Returns the long layout ``lad_code, category, count`` the schools instrument reads.
    """
    parent = ethnicity.areas.set_index("area_code")["lad_code"]
    data = ethnicity.data.assign(lad_code=ethnicity.data["area_code"].map(parent))
    out = data.groupby(["lad_code", "category"], sort=True, observed=True)["count"].sum()
    return out.reset_index()


def instruments_for_england(england: Any, seed: int | None = None) -> InstrumentInputs:
    """Instrument inputs for a synthetic England (its LAs and their census ethnic counts).

    ``england`` is a :class:`socint.synthetic.england.SyntheticEngland`; the seed defaults to
    the England's own seed.
    """
    return generate_instruments(
        england.seed if seed is None else seed, england.las,
        la_population_from_counts(england.ethnicity))


def run_instruments_demo(out: Path, seed: int = 0, las: pd.DataFrame | None = None,
                         la_population: pd.DataFrame | None = None) -> list[Path]:
    """Generate the synthetic instrument inputs and run all four instruments on them."""
    from socint.instruments.run import run_all

    return run_all(generate_instruments(seed, las, la_population), out)
