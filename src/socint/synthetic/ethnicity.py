"""Ethnic-group counts per LSOA (2011 detailed scheme, 18 groups) with realistic patterns.

The generator reproduces the range seen in the 2011 Census rather than any one place:

* an LA-level minority share (everyone not White British): small (2-10%) in rural and
  small-town LAs, larger near the big cities, largest in London (15-60%);
* an LA-level minority mix drawn around the national 2011 composition, with one dominant group
  boosted in diverse LAs (e.g. Pakistani, Indian, Bangladeshi, Black African, Black Caribbean,
  White Other), as in Bradford, Leicester or Tower Hamlets;
* within each LA, LSOA shares follow ``logit m_i = logit m_LA + s * z_i + c_LA``. In
  "segregated" LAs ``z_i`` falls with distance from an enclave centre (minorities concentrated
  in a few adjacent LSOAs, s = 0.9-1.7); in "mixed" LAs ``z_i`` is independent noise with small
  ``s`` (0.25-0.7). ``c_LA`` is solved so the LA's share stays ``m_LA``.

Counts are then White British ~ Binomial(N_i, 1 - m_i) and the minority groups ~ Multinomial over
a Dirichlet-perturbed LA mix. This is a generative model in the spirit of the simulation studies
of segregation indices (Carrington & Troske 1997; Allen et al. 2015, *Sociological Methods &
Research* 44: 4), not a reproduction of any real area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from socint.data.table import SCHEMES
from socint.synthetic.geography import LONDON, URBAN, Geography

DETAILED = SCHEMES["ethnicity_2011_detailed"]

#: National 2011 shares of each non-White-British group (England, approximately).
MINORITY_BASE: dict[str, float] = {
    "white_irish": 0.010, "white_gypsy_traveller": 0.0011, "white_other": 0.046,
    "mixed_white_black_caribbean": 0.008, "mixed_white_black_african": 0.003,
    "mixed_white_asian": 0.0065, "mixed_other": 0.0055, "asian_indian": 0.026,
    "asian_pakistani": 0.021, "asian_bangladeshi": 0.008, "asian_chinese": 0.007,
    "asian_other": 0.016, "black_african": 0.018, "black_caribbean": 0.011,
    "black_other": 0.005, "other_arab": 0.004, "other_any": 0.006,
}
#: Groups that can dominate a diverse LA's minority population, with their chances.
DOMINANT: dict[str, float] = {
    "asian_pakistani": 0.25, "asian_indian": 0.2, "asian_bangladeshi": 0.1,
    "black_african": 0.15, "black_caribbean": 0.1, "white_other": 0.2,
}
#: Mapping of the 18 detailed groups onto the survey's six (Chinese separate from Asian).
SURVEY6_OF: dict[str, str] = {
    c: ("Chinese" if c == "asian_chinese" else c.split("_", 1)[0].capitalize()) for c in DETAILED
}


@dataclass(frozen=True)
class EthnicityDraw:
    """Counts (LSOA × 18, scheme order) and the LA parameters they were drawn with."""

    counts: np.ndarray
    la_minority_share: np.ndarray
    la_segregation: np.ndarray
    la_segregated: np.ndarray
    lsoa_minority_share: np.ndarray


def _la_minority_share(rng: np.random.Generator, geo: Geography) -> np.ndarray:
    london = (geo.las["region_code"] == LONDON).to_numpy()
    urban = (geo.las["urban_rural"] == URBAN).to_numpy()
    n = len(london)
    near = np.exp(-geo.la_city_distance / 0.18)
    lin = -3.7 + 2.6 * near + 0.45 * urban + 0.5 * rng.normal(size=n)
    m = expit(lin)
    m[london] = 0.15 + 0.45 * rng.beta(2.5, 2.0, int(london.sum()))
    return np.asarray(m)


def _la_mix(rng: np.random.Generator, m_la: np.ndarray) -> np.ndarray:
    """LA minority mix (n_la × 17), with a dominant group boosted in diverse LAs."""
    groups = list(MINORITY_BASE)
    base = np.array(list(MINORITY_BASE.values()))
    base = base / base.sum()
    n = len(m_la)
    boost = np.ones((n, len(groups)))
    dom = rng.choice(list(DOMINANT), size=n, p=np.array(list(DOMINANT.values())))
    strength = 1.0 + 7.0 * np.clip((m_la - 0.05) / 0.3, 0.0, 1.0) * rng.random(n)
    for i, g in enumerate(dom):
        boost[i, groups.index(g)] = strength[i]
    alpha = 40.0 * base * boost
    mix = rng.gamma(alpha)
    return np.asarray(mix / mix.sum(axis=1, keepdims=True))


def draw_ethnicity(rng: np.random.Generator, geo: Geography) -> EthnicityDraw:
    """Draw the LSOA × 18 ethnic-group count matrix (scheme ``ethnicity_2011_detailed``)."""
    la_index = pd.Index(geo.las["lad_code"])
    lsoa_la = la_index.get_indexer(geo.lsoas["lad_code"])
    n_lsoa, n_la = len(lsoa_la), len(la_index)
    persons = np.clip(np.round(rng.normal(2300.0, 380.0, n_lsoa)), 1000, 3000).astype(np.int64)

    m_la = _la_minority_share(rng, geo)
    segregated = (m_la > 0.08) & (rng.random(n_la) < 0.5)
    s = np.where(segregated, rng.uniform(0.9, 1.7, n_la), rng.uniform(0.25, 0.7, n_la))

    # Enclave centre: near the LA's seed point (its town centre).
    centre = geo.la_xy + rng.normal(0.0, 0.01, geo.la_xy.shape)
    dist = np.sqrt(((geo.lsoa_xy - centre[lsoa_la]) ** 2).sum(axis=1))
    cnt = np.bincount(lsoa_la, minlength=n_la)
    mean_d = np.bincount(lsoa_la, dist, n_la) / cnt
    sd_d = np.sqrt(np.bincount(lsoa_la, (dist - mean_d[lsoa_la]) ** 2, n_la) / cnt) + 1e-9
    spatial = -(dist - mean_d[lsoa_la]) / sd_d[lsoa_la] + 0.4 * rng.normal(size=n_lsoa)
    z = np.where(segregated[lsoa_la], spatial, rng.normal(size=n_lsoa))

    target = logit(m_la)
    c = np.zeros(n_la)
    for _ in range(6):  # fixed-point: keep each LA's population share at m_LA
        m_i = expit(target[lsoa_la] + s[lsoa_la] * z + c[lsoa_la])
        got = np.bincount(lsoa_la, m_i * persons, n_la) / np.bincount(lsoa_la, persons, n_la)
        c += target - logit(got)
    m_i = expit(target[lsoa_la] + s[lsoa_la] * z + c[lsoa_la])

    mix = _la_mix(rng, m_la)[lsoa_la]
    kappa = np.where(segregated[lsoa_la], 15.0, 60.0)[:, None]
    q = rng.gamma(kappa * mix + 1e-3)
    q = q / q.sum(axis=1, keepdims=True)

    wb = rng.binomial(persons, 1.0 - m_i)
    minority = rng.multinomial(persons - wb, q)
    counts = np.column_stack([wb, minority]).astype(np.int64)
    return EthnicityDraw(counts=counts, la_minority_share=m_la, la_segregation=s,
                         la_segregated=segregated, lsoa_minority_share=m_i)


def mlid_layout(counts: np.ndarray, geo: Geography) -> pd.DataFrame:
    """The LSOA counts in the MLID file's layout (``ethnicity_2011_lsoa_ew.csv``).

    Columns ``LSOA, Persons, WhiteBrit, Irish, OtherWhite, Mixed, Indian, Pakistani,
    Bangladeshi, Chinese, OtherAsian, BlkAfrican, BlkCaribbean, OtherBlk, Arab, Other, MSOA,
    LAD, RGN``. As in the real file, Gypsy/Irish Traveller has no column (it is ``Persons`` minus
    the groups), the four Mixed groups are summed and ``LAD``/``RGN`` hold names, not codes.
    """
    c = pd.DataFrame(counts, columns=list(DETAILED))
    lad = geo.lsoas[["lad_code"]].merge(geo.las[["lad_code", "lad_name", "region_name"]],
                                       on="lad_code", how="left")
    return pd.DataFrame({
        "LSOA": geo.lsoas["lsoa_code"].to_numpy(),
        "Persons": c.sum(axis=1).to_numpy(),
        "WhiteBrit": c["white_british"], "Irish": c["white_irish"],
        "OtherWhite": c["white_other"],
        "Mixed": c[[g for g in DETAILED if g.startswith("mixed")]].sum(axis=1),
        "Indian": c["asian_indian"], "Pakistani": c["asian_pakistani"],
        "Bangladeshi": c["asian_bangladeshi"], "Chinese": c["asian_chinese"],
        "OtherAsian": c["asian_other"], "BlkAfrican": c["black_african"],
        "BlkCaribbean": c["black_caribbean"], "OtherBlk": c["black_other"],
        "Arab": c["other_arab"], "Other": c["other_any"],
        "MSOA": geo.lsoas["msoa_code"].to_numpy(),
        "LAD": lad["lad_name"].to_numpy(), "RGN": lad["region_name"].to_numpy(),
    })


__all__ = ["DETAILED", "MINORITY_BASE", "SURVEY6_OF", "EthnicityDraw", "draw_ethnicity",
           "mlid_layout"]
