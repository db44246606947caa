"""A second vintage of the synthetic England, ten years on (the "2021" wave).

The index is built from survey waves, so a change over time needs a second survey on the same
areas. :func:`second_wave` keeps the geography of a :class:`SyntheticEngland` (the same LAs,
MSOAs and LSOAs, so no boundary harmonisation is needed) and redraws what changes over a decade:

* **ethnic counts** — every LSOA grows by a lognormal factor (median +6.6%; England: +6.6% residents
  2011-2021) and its minority (non-White-British) share drifts up on the logit scale by
  ``years/10 × (0.25 + 0.35 × LA minority share rank + LA and LSOA noise)``. A constant logit
  shift already adds more percentage points where minorities are more numerous; the rank term
  adds the faster growth of diverse places seen in 2011-2021 (England: minority share 20.2%
  to 26.5%, ONS *Ethnic group, England and Wales: Census 2021*). The minority mix tilts
  towards the groups that grew fastest (White Other, Black African, Pakistani, Bangladeshi,
  Mixed, Any other) and away from those that shrank (White Irish, Black Caribbean);
* **area covariates** — the MSOA diversity decile is recomputed from the new counts (Simpson's
  index) and the LA covariate ``wb_change`` from the simulated change in the White British
  population over the decade (same bands as Bright Blue 2019's 2001-11 covariate). Deprivation,
  age, family and rural covariates and English proficiency are kept: deciles are relative and
  move little over a decade (a simplification, stated here);
* **population and survey** — a new post-stratification frame and finite population are drawn
  from the new counts with the wave-1 generators, and a new survey of the same size from the
  same published Model 3 (Bright Blue 2019);
* **truth** — the area random effects persist (neighbourhood character changes slowly):
  ``u' = u + e_u``, ``v' = v + e_v`` with innovations of a quarter of each variance, the
  intercept is that of wave 1 (so mean trust moves only through composition and covariates) and
  true shares are recomputed, so ``truth_2 − truth_1`` is the true change the index estimates.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import rankdata

from socint.data.table import OfficialTable, areas_frame, counts_long, counts_wide
from socint.errors import SocintError
from socint.measures.diversity import simpson
from socint.published import WB_CHANGE_BANDS
from socint.synthetic.areas import WB_BANDS, AreaTables, build_areas, decile
from socint.synthetic.england import LICENCE, SOURCE, SyntheticEngland, _sha256
from socint.synthetic.ethnicity import DETAILED, draw_ethnicity, mlid_layout
from socint.synthetic.geography import Geography, build_geography
from socint.synthetic.population import build_population, build_poststrat, covariate_distribution
from socint.synthetic.survey import draw_survey
from socint.synthetic.truth import SyntheticTruth, fixed_predictor

#: Relative growth over ten years of each minority group's share of the minority population.
GROUP_GROWTH: dict[str, float] = {
    "white_irish": 0.8, "white_gypsy_traveller": 1.0, "white_other": 1.15,
    "mixed_white_black_caribbean": 1.1, "mixed_white_black_african": 1.25,
    "mixed_white_asian": 1.2, "mixed_other": 1.3, "asian_indian": 1.0,
    "asian_pakistani": 1.15, "asian_bangladeshi": 1.15, "asian_chinese": 0.95,
    "asian_other": 1.05, "black_african": 1.25, "black_caribbean": 0.85, "black_other": 1.1,
    "other_arab": 1.2, "other_any": 1.5,
}
#: Share of each random-effect variance added as a decade's innovation.
RANEF_INNOVATION = 0.25
_INDIVIDUAL = ("female", "year_2010", "age", "income", "income_sq", "married", "years5")
_AREA = ("div_decile", "poor_english", "family_pct", "income_decile", "crime_decile", "pct65",
         "rural")


def _rebuild(england: SyntheticEngland) -> tuple[Geography, AreaTables]:
    """Replay the first stages of ``generate_england`` (same seed → same draws)."""
    rng = np.random.default_rng(england.seed)
    geo = build_geography(rng, england.scale)
    eth = draw_ethnicity(rng, geo)
    if not np.array_equal(geo.lsoas["lsoa_code"].to_numpy(),
                          england.lsoas["lsoa_code"].to_numpy()):
        raise SocintError("the first wave cannot be replayed from its seed and scale",
                          hint="pass the SyntheticEngland returned by generate_england unchanged")
    return geo, build_areas(rng, geo, eth)


def _drift_counts(rng: np.random.Generator, counts: np.ndarray, lsoa_la: np.ndarray,
                  years: float) -> np.ndarray:
    """LSOA × 18 counts ``years`` later (see the module docstring)."""
    n_lsoa, n_la = counts.shape[0], int(lsoa_la.max()) + 1
    t = years / 10.0
    persons = counts.sum(axis=1)
    grown = np.maximum(np.round(persons * np.exp(rng.normal(0.064 * t, 0.04 * np.sqrt(t),
                                                            n_lsoa))), 1).astype(np.int64)
    la_m = 1.0 - np.bincount(lsoa_la, counts[:, 0], n_la) / np.bincount(lsoa_la, persons, n_la)
    la_rank = (rankdata(la_m) - 0.5) / n_la
    shift = t * (0.25 + 0.35 * la_rank[lsoa_la] + 0.1 * rng.normal(size=n_la)[lsoa_la]
                 + 0.08 * rng.normal(size=n_lsoa))
    m = np.clip(1.0 - counts[:, 0] / persons, 0.002, 0.998)
    m_new = expit(logit(m) + shift)
    wb = rng.binomial(grown, 1.0 - m_new)
    minority = counts[:, 1:].astype(float)
    la_mix = np.zeros((n_la, minority.shape[1]))
    np.add.at(la_mix, lsoa_la, minority)
    la_mix = (la_mix + 1e-9) / (la_mix + 1e-9).sum(axis=1, keepdims=True)
    q = np.where(minority.sum(axis=1, keepdims=True) > 0,
                 minority / np.maximum(minority.sum(axis=1, keepdims=True), 1.0),
                 la_mix[lsoa_la])
    q = q * np.array([GROUP_GROWTH[g] for g in DETAILED[1:]]) ** t
    q = q / q.sum(axis=1, keepdims=True)
    out = np.column_stack([wb, rng.multinomial(grown - wb, q)])
    return np.asarray(out, dtype=np.int64)


def _wave_truth(rng: np.random.Generator, truth: SyntheticTruth, population: pd.DataFrame,
                msoa_cov: pd.DataFrame, la_cov: pd.DataFrame
                ) -> tuple[SyntheticTruth, np.ndarray]:
    """Persistent random effects with innovations, wave-1 intercept, true shares recomputed."""
    u = truth.ranef_msoa["ranef"].to_numpy() + rng.normal(
        0.0, np.sqrt(RANEF_INNOVATION * truth.variances["msoa"]), len(truth.ranef_msoa))
    v = truth.ranef_la["ranef"].to_numpy() + rng.normal(
        0.0, np.sqrt(RANEF_INNOVATION * truth.variances["la"]), len(truth.ranef_la))
    msoa_codes = msoa_cov["msoa_code"].to_numpy()
    la_codes = la_cov["lad_code"].to_numpy()
    msoa_i = population["msoa_code"].cat.codes.to_numpy()
    la_i = pd.Index(la_codes).get_indexer(msoa_cov["lad_code"])[msoa_i]
    area = msoa_cov.merge(la_cov, on="lad_code", how="left")
    cols: dict[str, Any] = {c: population[c] for c in (*_INDIVIDUAL, "ethnicity", "nssec")}
    cols.update({c: area[c].to_numpy()[msoa_i] for c in _AREA})
    cols["wb_change"] = pd.Categorical(area["wb_change"],
                                       categories=list(WB_CHANGE_BANDS))[msoa_i]
    eta = fixed_predictor(pd.DataFrame(cols), truth.coefficients) + u[msoa_i] + v[la_i]
    p = expit(truth.intercept + eta)
    w = population["weight"].to_numpy()
    t_msoa = np.bincount(msoa_i, w * p, len(msoa_codes)) / np.bincount(msoa_i, w,
                                                                         len(msoa_codes))
    t_la = np.bincount(la_i, w * p, len(la_codes)) / np.bincount(la_i, w, len(la_codes))
    new = replace(
        truth,
        ranef_msoa=pd.DataFrame({"msoa_code": msoa_codes, "ranef": u}),
        ranef_la=pd.DataFrame({"lad_code": la_codes, "ranef": v}),
        true_trust_msoa=pd.DataFrame({"msoa_code": msoa_codes,
                                      "lad_code": msoa_cov["lad_code"].to_numpy(),
                                      "true_trust": t_msoa}),
        true_trust_la=pd.DataFrame({"lad_code": la_codes, "true_trust": t_la}),
        population_mean=float((w * p).sum() / w.sum()))
    return new, p


def _ethnicity_table(counts: np.ndarray, geo: Geography, vintage: int) -> OfficialTable:
    codes = geo.lsoas["lsoa_code"].to_numpy()
    data = counts_long(codes, counts, "ethnicity_2011_detailed")
    parents = {"msoa_code": geo.lsoas["msoa_code"].to_numpy(),
               "lad_code": geo.lsoas["lad_code"].to_numpy()}
    return OfficialTable(
        dataset="census2021_ethnicity", kind="counts", level="lsoa", vintage=vintage,
        topic="ethnicity", scheme="ethnicity_2011_detailed", data=data,
        areas=areas_frame(codes, level="lsoa", vintage=vintage,
                          names=geo.lsoas["lsoa_name"].to_numpy(), total=counts.sum(axis=1),
                          parents=parents),
        source=SOURCE, licence=LICENCE, path=Path("synthetic") / f"ethnicity_lsoa_{vintage}.csv",
        sha256=_sha256(data), layout="synthetic", meta={"synthetic": True, "wave": 2})


def second_wave(england: SyntheticEngland, seed: int, *, years: int = 10) -> SyntheticEngland:
    """The same synthetic England ``years`` later, with a new survey and a new truth.

    Parameters
    ----------
    england
        The first wave, as returned by :func:`socint.synthetic.generate_england`.
    seed
        Seed of the second wave's own generator (the first wave's draws are untouched).
    years
        Length of the interval (1-30); the drifts scale with ``years / 10``.

    Returns
    -------
    SyntheticEngland
        On the same areas: new ethnic counts (vintage ``2011 + years``), covariates,
        population, survey and truth; boundaries, proficiency and deprivation are wave 1's.

    Raises
    ------
    SocintError
        If ``years`` is out of range or ``england`` cannot be replayed from its seed.
    """
    if not 1 <= years <= 30:
        raise SocintError(f"years was {years!r} but must be between 1 and 30",
                          hint="the drifts are calibrated on one decade (2011-2021)")
    geo, areas = _rebuild(england)
    rng = np.random.default_rng([seed, 2011 + years])
    lsoa_la = pd.Index(geo.las["lad_code"]).get_indexer(geo.lsoas["lad_code"])
    wide = counts_wide(england.ethnicity).reindex(geo.lsoas["lsoa_code"])[list(DETAILED)]
    old = wide.to_numpy(dtype=np.int64)
    counts = _drift_counts(rng, old, lsoa_la, years)

    msoa_i = pd.Index(geo.msoas["msoa_code"]).get_indexer(geo.lsoas["msoa_code"])
    msoa_counts = np.zeros((len(geo.msoas), len(DETAILED)), dtype=np.int64)
    np.add.at(msoa_counts, msoa_i, counts)
    msoa_cov = areas.msoa_covariates.assign(div_decile=decile(simpson(msoa_counts)))
    n_la = len(geo.las)
    wb1 = np.bincount(lsoa_la, old[:, 0], n_la)
    wb_pct = 100.0 * (np.bincount(lsoa_la, counts[:, 0], n_la) - wb1) / np.maximum(wb1, 1)
    band = np.where(wb_pct < -5.0, WB_BANDS[0], np.where(wb_pct < 0.0, WB_BANDS[1], WB_BANDS[2]))
    la_cov = pd.DataFrame({"lad_code": geo.las["lad_code"].to_numpy(), "wb_change": band})
    areas2 = replace(areas, msoa_covariates=msoa_cov, la_covariates=la_cov,
                     msoa_counts=msoa_counts, la_wb_change_pct=np.round(wb_pct, 2))

    poststrat = build_poststrat(rng, geo, areas2)
    population = build_population(rng, geo, areas2, poststrat)
    truth, p = _wave_truth(rng, england.truth, population, msoa_cov, la_cov)
    population = population.assign(p_trust=p)
    survey = draw_survey(rng, population, p, msoa_cov, la_cov, england.survey_size)
    las = england.las.assign(wb_change=band, wb_change_pct=areas2.la_wb_change_pct)
    return replace(
        england, las=las, ethnicity=_ethnicity_table(counts, geo, 2011 + years),
        ethnicity_mlid=mlid_layout(counts, geo), msoa_covariates=msoa_cov,
        la_covariates=la_cov, poststrat=poststrat,
        covariate_distribution=covariate_distribution(population), population=population,
        survey=survey, truth=truth)


__all__ = ["GROUP_GROWTH", "RANEF_INNOVATION", "second_wave"]
