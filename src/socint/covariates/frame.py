"""The census post-stratification frame: adults per MSOA × sex × age band × ethnicity.

The census publishes no MSOA table crossing sex, age and ethnicity, so the frame is estimated by
iterative proportional fitting (Deming & Stephan 1940) with the project's one IPF core,
:func:`socint.estimates.ipf.ipf`:

* **2011** — within each LA, residents of all ages by MSOA × sex × age (8 bands: 0-15 and the
  model's seven adult bands 16-24 … 75+) × ethnicity (the survey's six groups) are fitted to
  three margins: the LA's joint sex × age × ethnicity table (Census 2011 DC2101EW), each MSOA's
  ethnic counts (Census 2011, LSOAs summed) and each MSOA's age counts. No 2011 MSOA age table
  is at hand, so the MSOA age margin is the ONS mid-2019 MSOA11 age profile first fitted (2-way
  IPF) to the MSOA's 2011 population and the LA's 2011 age counts. Assumption: within an LA the
  sex × age × ethnicity association is the same in every MSOA, given the MSOA's margins.
* **2021** — each MSOA21's residents are fitted to its Census 2021 age counts (6 bands) and its
  ethnic counts (TS021, 6 MSOA groups; Chinese is inside Asian there, so the MSOA's Asian count
  is split by its LA's Chinese share of Asian+Chinese residents, TS021 detailed LTLA), starting
  from the 2011 DC2101EW joint table of its LA (2021 LA set, merged LAs summed). Census 2021
  gives no sex by age by MSOA here: the sex split within each age × ethnic cell is the LA's of
  2011 (assumption, stated in the manifest).

Children (0-15) are then dropped: the frame holds adults (16+), the survey's population.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from socint.covariates.la import la_changes
from socint.covariates.results import PopulationFrame, TermProvenance
from socint.data import OfficialTable, counts_wide
from socint.data.census2011_dc2101 import AGE_BANDS_DC2101
from socint.errors import GeographyError, _preview
from socint.estimates.ipf import ipf
from socint.published import ETHNICITY_SURVEY6

SEXES = ("male", "female")
#: Frame age bands per census (first band = children, dropped at the end).
FRAME_BANDS: dict[int, tuple[str, ...]] = {
    2011: ("0-15", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"),
    2021: ("0-15", "16-24", "25-34", "35-49", "50-64", "65+"),
}
TOL = 1e-11


def survey6(category: str) -> str:
    """Canonical detailed/broad category -> the survey's six groups (Chinese apart from Asian)."""
    if category == "asian_chinese":
        return "Chinese"
    head = category.split("_", 1)[0]
    return {"white": "White", "mixed": "Mixed", "asian": "Asian", "black": "Black",
            "other": "Other"}[head]


def _band_index(lo: list[int], bands: tuple[str, ...]) -> np.ndarray:
    """Index in ``bands`` of each lower age in ``lo``."""
    starts = [int(b.split("-")[0].rstrip("+")) for b in bands]
    return np.searchsorted(starts, lo, side="right") - 1


def _collapse(matrix: np.ndarray, groups: np.ndarray, k: int, axis: int) -> np.ndarray:
    shape = list(matrix.shape)
    shape[axis] = k
    out = np.zeros(shape)
    for j in range(k):
        sel = np.take(matrix, np.flatnonzero(groups == j), axis=axis).sum(axis=axis)
        idx: list[slice | int] = [slice(None)] * len(shape)
        idx[axis] = j
        out[tuple(idx)] = sel
    return out


def dc2101_cube(table: OfficialTable, bands: tuple[str, ...]) -> tuple[pd.Index, np.ndarray]:
    """DC2101EW LA table as LA × sex × frame age band × survey6 (England only)."""
    d = table.data
    eng = d["area_code"].astype(str).str.startswith("E").to_numpy()
    d = d.loc[eng]
    codes = pd.Index(sorted(d["area_code"].astype(str).unique()), name="lad_code")
    lo = [int(str(b).split("-")[0].rstrip("+")) for b in AGE_BANDS_DC2101]
    band_of = dict(zip(AGE_BANDS_DC2101, _band_index(lo, bands), strict=True))
    groups = list(ETHNICITY_SURVEY6)
    i = codes.get_indexer(pd.Index(d["area_code"].astype(str)))
    s = pd.Index(SEXES).get_indexer(pd.Index(d["sex"].astype(str)))
    a = d["age_band"].astype(str).map(band_of).to_numpy(dtype=np.int64)
    e = pd.Index(groups).get_indexer(pd.Index(d["category"].astype(str).map(survey6)))
    cube = np.zeros((len(codes), 2, len(bands), len(groups)))
    np.add.at(cube, (i, s, a, e), d["count"].to_numpy(dtype=float))
    return codes, cube


def _pad(parent: np.ndarray, n_parent: int) -> tuple[np.ndarray, int]:
    """Slot of each child within its parent (children of a parent numbered 0..), max slots."""
    order = np.argsort(parent, kind="stable")
    slot = np.empty(len(parent), dtype=np.int64)
    counts = np.bincount(parent, minlength=n_parent)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot[order] = np.arange(len(parent)) - np.repeat(starts, counts)
    return slot, int(counts.max())


def _long(msoa: pd.Index, lad: np.ndarray, x: np.ndarray, bands: tuple[str, ...]
          ) -> pd.DataFrame:
    m, s, a, e = np.indices(x.shape).reshape(4, -1)
    return pd.DataFrame({
        "msoa_code": msoa.to_numpy()[m], "lad_code": lad[m],
        "sex": np.array(SEXES, dtype=object)[s], "age_band": np.array(bands, dtype=object)[a],
        "ethnicity": np.array(ETHNICITY_SURVEY6, dtype=object)[e], "count": x.ravel()})


def _msoa_lad(msoa: pd.Index, lad_of: pd.Series, lads: pd.Index) -> np.ndarray:
    idx = lads.get_indexer(pd.Index(lad_of.reindex(msoa).astype(str)))
    if (idx < 0).any():
        bad = msoa[idx < 0]
        raise GeographyError(f"{len(bad)} MSOA(s) lie in no LA of the DC2101EW table: "
                             f"{_preview(bad)}", code=str(bad[0]),
                             hint="use the MSOA -> LA lookup of the table's LA vintage")
    return idx


def _margins_2011(t: Mapping[str, OfficialTable], msoa_lad: pd.Series) -> dict[str, Any]:
    """The 2011 LA cube, MSOA ethnic margins and the fitted MSOA age margins (padded by LA)."""
    bands = FRAME_BANDS[2011]
    lads, cube = dc2101_cube(t["census2011_ethnicity_sex_age_lad"], bands)
    mlid = t["census2011_ethnicity_lsoa"]
    assert mlid.areas is not None
    w = counts_wide(mlid)
    parent = mlid.areas.set_index("area_code")["msoa_code"].reindex(w.index)
    eth_det = w.groupby(parent.to_numpy()).sum()
    eth_det = eth_det.loc[eth_det.index.astype(str).str.startswith("E")]
    msoa = pd.Index(sorted(eth_det.index.astype(str)), name="msoa_code")
    groups = np.array([ETHNICITY_SURVEY6.index(survey6(c)) for c in eth_det.columns])
    m_eth = _collapse(eth_det.loc[msoa].to_numpy(dtype=float), groups, 6, axis=1)
    ages = counts_wide(t["population_mid2019_msoa"])
    lo = [90 if c == "90+" else int(c) for c in ages.columns]
    m_age19 = _collapse(ages.reindex(msoa).to_numpy(dtype=float), _band_index(lo, bands),
                        len(bands), axis=1)
    if np.isnan(m_age19).any():
        bad = msoa[np.isnan(m_age19).any(axis=1)]
        raise GeographyError(f"{len(bad)} MSOA11(s) have no mid-2019 age counts: "
                             f"{_preview(bad)}", code=str(bad[0]))
    li = _msoa_lad(msoa, msoa_lad, lads)
    slot, width = _pad(li, len(lads))
    L, A = len(lads), len(bands)
    # MSOA age margins = the 2019 profile fitted to 2011 MSOA totals and LA age totals
    seed_age = np.zeros((L, width, A))
    seed_age[li, slot] = m_age19
    tot = np.zeros((L, width))
    tot[li, slot] = m_eth.sum(axis=1)
    age_fit = ipf(seed_age, [((0, 1), tot), ((0, 2), cube.sum(axis=(1, 3)))], tol=TOL,
                  max_iter=5000)
    return {"bands": bands, "lads": lads, "cube": cube, "msoa": msoa, "m_eth": m_eth,
            "li": li, "slot": slot, "width": width, "age_fit": age_fit}


def msoa_age_2011(t: Mapping[str, OfficialTable], msoa_lad: pd.Series) -> pd.DataFrame:
    """Estimated 2011 residents per MSOA11 × age band (:data:`FRAME_BANDS` [2011]).

    No Census 2011 MSOA age table is at hand: the ONS mid-2019 MSOA11 age profile is fitted
    (2-way IPF) to each MSOA's 2011 Census population and its LA's 2011 DC2101EW age counts, so
    MSOAs of an LA add up to the LA's census ages and the 2011-19 ageing is removed at LA level.
    """
    m = _margins_2011(t, msoa_lad)
    return pd.DataFrame(m["age_fit"][m["li"], m["slot"]], index=m["msoa"],
                        columns=list(m["bands"]))


def frame_2011(t: Mapping[str, OfficialTable], msoa_lad: pd.Series) -> PopulationFrame:
    """The 2011 frame on England's MSOA11s (see the module docstring).

    ``msoa_lad`` maps each MSOA11 to its LA (2013 codes), e.g. from the 2011 covariates.
    Tables: ``census2011_ethnicity_sex_age_lad`` (or ``_long``), ``census2011_ethnicity_lsoa``,
    ``population_mid2019_msoa``.
    """
    mg = _margins_2011(t, msoa_lad)
    bands, lads, cube, msoa = mg["bands"], mg["lads"], mg["cube"], mg["msoa"]
    li, slot, width, m_eth, age_fit = mg["li"], mg["slot"], mg["width"], mg["m_eth"], \
        mg["age_fit"]
    L, A = len(lads), len(bands)
    # step 2: 3-margin IPF of MSOA × sex × age × ethnicity within LAs
    seed = np.zeros((L, width, 2, A, 6))
    seed[li, slot] = 1.0
    eth_pad = np.zeros((L, width, 6))
    eth_pad[li, slot] = m_eth
    fit = ipf(seed, [((0, 2, 3, 4), cube), ((0, 1, 4), eth_pad), ((0, 1, 3), age_fit)],
              tol=TOL, max_iter=5000)
    x = fit[li, slot]
    all_ages = _long(msoa, lads.to_numpy()[li], x, bands)
    prov = TermProvenance(
        "population_frame", 2011, ("census2011_ethnicity_sex_age_lad",
                                   "census2011_ethnicity_lsoa", "population_mid2019_msoa"),
        "proxy",
        "adults (16+) per MSOA11 x sex x age band (16-24 ... 75+) x ethnicity (six survey "
        "groups) by IPF to the LA's Census 2011 DC2101EW sex x age x ethnicity table, the "
        "MSOA's Census 2011 ethnic counts and the MSOA's age counts",
        "no 2011 MSOA age table: MSOA age counts are the mid-2019 MSOA11 age profile fitted to "
        "the MSOA's 2011 population and the LA's 2011 age counts; within an LA the sex x age x "
        "ethnicity association is assumed the same in every MSOA")
    return _adults(2011, all_ages, prov)


def frame_2021(t: Mapping[str, OfficialTable], msoa_lad: pd.Series) -> PopulationFrame:
    """The 2021 frame on England's MSOA21s (see the module docstring).

    ``msoa_lad`` maps each MSOA21 to its LA (2021 codes). Tables:
    ``census2021_age_msoa``, ``census2021_ethnicity_msoa``, ``census2021_ethnicity_lad``,
    ``census2011_ethnicity_sex_age_lad``, ``la_changes``, ``la_all_codes``.
    """
    bands = FRAME_BANDS[2021]
    lads13, cube13 = dc2101_cube(t["census2011_ethnicity_sex_age_lad"], bands)
    m = la_changes(t).mapping(list(lads13), 2013, 2021)
    succ = m.sort_values("share", ascending=False).drop_duplicates("old_code")
    new = succ.set_index("old_code")["new_code"].reindex(lads13).astype(str)
    lads = pd.Index(sorted(new.unique()), name="lad_code")
    cube = np.zeros((len(lads), *cube13.shape[1:]))
    np.add.at(cube, lads.get_indexer(new.to_numpy()), cube13)
    age = counts_wide(t["census2021_age_msoa"])
    age = age.loc[age.index.astype(str).str.startswith("E")]
    msoa = pd.Index(sorted(age.index.astype(str)), name="msoa_code")
    m_age = age.loc[msoa, list(bands)].to_numpy(dtype=float)
    eth = counts_wide(t["census2021_ethnicity_msoa"]).reindex(msoa)
    if eth.isna().any().any():
        bad = msoa[eth.isna().any(axis=1).to_numpy()]
        raise GeographyError(f"{len(bad)} MSOA21(s) have no TS021 ethnic counts: "
                             f"{_preview(bad)}", code=str(bad[0]))
    li = _msoa_lad(msoa, msoa_lad, lads)
    la_eth = counts_wide(t["census2021_ethnicity_lad"]).reindex(lads)
    asian_cols = [c for c in la_eth.columns if str(c).startswith("asian_")]
    chinese_share = (la_eth["asian_chinese"] / la_eth[asian_cols].sum(axis=1)).to_numpy()[li]
    m_eth = np.column_stack([
        eth["white"], eth["asian"] * (1.0 - chinese_share), eth["black_african"]
        + eth["black_caribbean"], eth["mixed"], eth["asian"] * chinese_share, eth["other"]])
    m_eth = m_eth * (m_age.sum(axis=1) / m_eth.sum(axis=1))[:, None]  # perturbation: age total
    seed = cube[li] + 1e-9 * cube[li].sum(axis=(1, 2, 3), keepdims=True)
    fit = ipf(seed, [((0, 2), m_age), ((0, 3), m_eth)], tol=TOL, max_iter=5000)
    all_ages = _long(msoa, lads.to_numpy()[li], fit, bands)
    prov = TermProvenance(
        "population_frame", 2021, ("census2021_age_msoa", "census2021_ethnicity_msoa",
                                   "census2021_ethnicity_lad", "census2011_ethnicity_sex_age_lad",
                                   "la_changes", "la_all_codes"), "proxy",
        "adults (16+) per MSOA21 x sex x age band (16-24, 25-34, 35-49, 50-64, 65+) x ethnicity "
        "(six survey groups) by IPF to the MSOA's Census 2021 age counts and TS021 ethnic "
        "counts, starting from the LA's Census 2011 DC2101EW sex x age x ethnicity table",
        "Census 2021 gives no MSOA table crossing sex, age and ethnicity here: the 2011 LA "
        "association (including the sex split) is kept; the MSOA's Asian count is split into "
        "Asian and Chinese by its LA's 2021 Chinese share; ethnic counts are scaled to the age "
        "table's total (the two differ by ONS perturbation)")
    return _adults(2021, all_ages, prov)


def _adults(census: int, all_ages: pd.DataFrame, prov: TermProvenance) -> PopulationFrame:
    adults = all_ages.loc[all_ages["age_band"] != "0-15"].reset_index(drop=True)
    return PopulationFrame(census=census, vintage=census, counts=adults, provenance=prov,
                           all_ages=all_ages)


__all__ = ["FRAME_BANDS", "dc2101_cube", "frame_2011", "frame_2021", "msoa_age_2011", "survey6"]
