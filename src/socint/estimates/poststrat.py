"""The post-stratification frame of MRP: population cells per MSOA, and IPF for margins.

MRP (Gelman & Little 1997, *Survey Methodology* 23:127-135; Park, Gelman & Bafumi 2004,
*Political Analysis* 12:375-385) predicts each area's share for its *population*: the model's
probability in every population cell, averaged with the cell's census count as weight.

Cells: the census cross-tabulates adults by ``sex × age_band × ethnicity`` per MSOA; use that
joint table when it exists. Otherwise build it by iterative proportional fitting (Deming &
Stephan 1940, *Ann. Math. Stat.* 11:427-444; :func:`socint.estimates.ipf.frame_from_margins`)
of a national joint table (the seed) to the area's one-way margins — the assumption being that
the area's interaction structure (e.g. the age profile of each ethnic group) is the national one.

Covariates the census does not cross-tabulate (age within band, income band, NS-SEC, married,
5+ years at the address, survey year) are integrated over their distribution estimated from the
survey respondents *of the same cell* (sex × age band × ethnicity) within the same band of area
deprivation (``stratify_by``, default the MSOA income-deprivation decile in three bands) —
respondents carry their weights. Sparse cells fall back to the respondents of the same sex × age
band (ethnicity set to the cell's) in the same stratum, then nationally. Assumption: within a
cell and deprivation band, these covariates are distributed as among the respondents, whatever
the MSOA. At most ``max_profiles`` respondents per cell are kept (drawn with probability
proportional to weight, seeded) so that the frame stays small (aggregate cells first, as the
simulation needs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socint.errors import GeographyError, InputDataError, _preview

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

CELL_COLUMNS = ("sex", "age_band", "ethnicity")
DEFAULT_STRATA: dict[str, tuple[tuple[int, int], ...]] = {
    "income_decile": ((1, 3), (4, 7), (8, 10))}


def parse_age_bands(labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper ages of band labels such as ``"16-24"`` and ``"75+"``."""
    lo, hi = [], []
    for lab in labels:
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)|\+)\s*", str(lab))
        if m is None:
            raise InputDataError(f"age band {lab!r} is not of the form '16-24' or '75+'",
                                 column="age_band", hint="label bands like 16-24, 25-34, 75+")
        lo.append(int(m.group(1)))
        hi.append(int(m.group(2)) if m.group(2) else 200)
    return np.array(lo), np.array(hi)


@dataclass(frozen=True)
class PoststratFrame:
    """The MRP frame, aggregated to cells.

    Attributes
    ----------
    msoa_codes, la_codes
        One entry per MSOA (``la_codes[j]`` is the LA of MSOA ``j``).
    adults
        Adults per MSOA.
    shares
        MSOAs × cells: share of the MSOA's adults in each cell (rows sum to 1; a cell of the
        wrong stratum has share 0).
    cells
        One row per cell: ``sex``, ``age_band``, ``ethnicity``, ``stratum``.
    profiles
        Respondent covariate profiles integrated over within cells (no area covariates, no
        outcome, no identifiers), with ``cell`` (row of ``cells``) and ``weight`` (sums to 1
        within a cell).
    area
        One row per MSOA: its area covariates (MSOA and LA), in ``msoa_codes`` order.
    """

    msoa_codes: pd.Index
    la_codes: np.ndarray
    adults: FloatArray
    shares: FloatArray
    cells: pd.DataFrame
    profiles: pd.DataFrame
    area: pd.DataFrame


def _stratum(area: pd.DataFrame, strata: dict[str, tuple[tuple[int, int], ...]]) -> np.ndarray:
    out = np.zeros(len(area), dtype=np.int64)
    for col, bands in strata.items():
        if col not in area.columns:
            raise InputDataError(f"stratifying covariate {col!r} is not an area covariate",
                                 column=col, hint="choose one of the msoa_covariates columns")
        v = area[col].to_numpy(dtype=float)
        k = np.full(len(v), -1)
        for i, (a, b) in enumerate(bands):
            k[(v >= a) & (v <= b)] = i
        if (k < 0).any():
            j = int(np.flatnonzero(k < 0)[0])
            raise InputDataError(f"{col} = {v[j]!r} falls in none of the bands {bands}",
                                 column=col, code=str(area["msoa_code"].iloc[j]))
        out = out * len(bands) + k
    return out


def check_area_covariates(frame_codes: pd.Index, msoa_cov: pd.DataFrame,
                          la_cov: pd.DataFrame) -> pd.DataFrame:
    """Join MSOA and LA covariates for ``frame_codes``; refuse gaps with the area code."""
    cov = msoa_cov.drop_duplicates("msoa_code").set_index("msoa_code")
    missing = frame_codes.difference(cov.index)
    if len(missing):
        raise GeographyError(
            f"{len(missing)} MSOA(s) of the population frame have no area covariates: "
            f"{_preview(missing)}", code=str(missing[0]),
            hint="supply msoa_covariates for every MSOA of the frame (or drop the MSOA)")
    area = cov.loc[frame_codes].reset_index()
    la = la_cov.drop_duplicates("lad_code")
    unknown = pd.Index(area["lad_code"].unique()).difference(pd.Index(la["lad_code"]))
    if len(unknown):
        raise GeographyError(f"{len(unknown)} LA(s) have no LA covariates: {_preview(unknown)}",
                             code=str(unknown[0]), hint="supply la_covariates for every LA")
    area = area.merge(la, on="lad_code", how="left", validate="many_to_one")
    for col in area.columns:
        na = area[col].isna().to_numpy()
        if na.any():
            j = int(np.flatnonzero(na)[0])
            raise InputDataError(f"covariate {col!r} is missing for {int(na.sum())} MSOA(s)",
                                 column=col, code=str(area["msoa_code"].iloc[j]),
                                 hint="fill the covariate or drop the area from the frame")
    return area


def build_poststrat_frame(
    counts: pd.DataFrame,
    survey: pd.DataFrame,
    msoa_covariates: pd.DataFrame,
    la_covariates: pd.DataFrame,
    *,
    strata: dict[str, tuple[tuple[int, int], ...]] | None = None,
    max_profiles: int = 30,
    min_cell_respondents: int = 10,
    seed: int = 0,
) -> PoststratFrame:
    """Build the MRP frame from census cell counts and the survey's covariate profiles.

    Parameters
    ----------
    counts
        Long table ``msoa_code, sex ("male"/"female"), age_band, ethnicity, count``.
    survey
        Respondents with ``msoa_code``, ``female``, ``age``, ``ethnicity`` and the other
        individual covariates of the model (optional ``weight`` column).
    msoa_covariates, la_covariates
        Area covariates (``msoa_code, lad_code, ...``; ``lad_code, ...``).
    strata
        Area covariate → bands used to stratify the covariate profiles (default
        :data:`DEFAULT_STRATA`; ``{}`` for national profiles).
    max_profiles, min_cell_respondents
        Profiles kept per cell; cells with fewer respondents fall back to coarser pools.
    seed
        Seed of the profile subsample.
    """
    need = ("msoa_code", *CELL_COLUMNS, "count")
    miss = [c for c in need if c not in counts.columns]
    if miss:
        raise InputDataError(f"population frame lacks column(s) {miss}", column=miss[0],
                             hint=f"expected columns {need}")
    cnt = pd.to_numeric(counts["count"], errors="coerce")
    bad = ~(np.isfinite(cnt) & (cnt >= 0))
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(f"population count {counts['count'].iloc[r]!r} is not a "
                             "non-negative number", row=r + 1, column="count",
                             code=str(counts["msoa_code"].iloc[r]))
    if strata is None:
        strata = dict(DEFAULT_STRATA)
    wide = (counts.assign(count=cnt).pivot_table(index="msoa_code", columns=list(CELL_COLUMNS),
                                                 values="count", aggfunc="sum", fill_value=0.0)
            .sort_index())
    codes = pd.Index(wide.index.astype(str), name="msoa_code")
    adults = wide.to_numpy(dtype=float).sum(axis=1)
    if (adults <= 0).any():
        empty = codes[adults <= 0]
        raise InputDataError(f"{len(empty)} MSOA(s) have zero adult population in the frame: "
                             f"{_preview(empty)}", code=str(empty[0]),
                             hint="drop empty areas from the frame; they cannot be estimated")
    survey_msoa = pd.Index(survey["msoa_code"].astype(str).unique())
    absent = survey_msoa.difference(codes)
    if len(absent):
        raise GeographyError(f"{len(absent)} survey MSOA(s) are missing from the population "
                             f"frame: {_preview(absent)}", code=str(absent[0]),
                             hint="use census counts and survey codes of the same vintage")
    area = check_area_covariates(codes, msoa_covariates, la_covariates)
    stratum = _stratum(area, strata)
    n_strata = int(np.prod([len(b) for b in strata.values()])) if strata else 1
    base = wide.columns.to_frame(index=False)
    base.columns = list(CELL_COLUMNS)
    base_shares = wide.to_numpy(dtype=float) / adults[:, None]
    C0 = len(base)
    cells = pd.concat([base.assign(stratum=s) for s in range(n_strata)], ignore_index=True)
    shares = np.zeros((len(codes), C0 * n_strata))
    for s in range(n_strata):
        rows = stratum == s
        shares[rows, s * C0:(s + 1) * C0] = base_shares[rows]
    profiles = _profiles(survey, area, stratum, cells, codes, max_profiles,
                         min_cell_respondents, seed)
    used = np.flatnonzero(shares.sum(axis=0) > 0)
    remap = np.full(len(cells), -1)
    remap[used] = np.arange(len(used))
    profiles = profiles[np.isin(profiles["cell"], used)].copy()
    profiles["cell"] = remap[profiles["cell"].to_numpy()]
    return PoststratFrame(codes, area["lad_code"].astype(str).to_numpy(), adults,
                          shares[:, used], cells.iloc[used].reset_index(drop=True),
                          profiles.sort_values("cell", kind="stable").reset_index(drop=True),
                          area)


def _profiles(survey: pd.DataFrame, area: pd.DataFrame, stratum: np.ndarray,
              cells: pd.DataFrame, codes: pd.Index, max_profiles: int, min_n: int,
              seed: int) -> pd.DataFrame:
    """Respondent covariate profiles for every cell (with fallbacks for sparse cells)."""
    for col in ("female", "age", "ethnicity"):
        if col not in survey.columns:
            raise InputDataError(f"survey lacks column {col!r} needed to place respondents in "
                                 "post-stratification cells", column=col)
    bands = sorted(cells["age_band"].astype(str).unique(),
                   key=lambda b: int(parse_age_bands([b])[0][0]))
    lo, hi = parse_age_bands(bands)
    age = survey["age"].to_numpy(dtype=float)
    band_i = np.searchsorted(lo, age, side="right") - 1
    outside = (band_i < 0) | (age > hi[np.maximum(band_i, 0)])
    if outside.any():
        r = int(np.flatnonzero(outside)[0])
        raise InputDataError(f"respondent age {age[r]!r} lies in no age band of the frame "
                             f"({_preview(bands)})", row=r + 1, column="age")
    sex = np.where(survey["female"].to_numpy() == 1, "female", "male")
    resp_stratum = stratum[codes.get_indexer(pd.Index(survey["msoa_code"].astype(str)))]
    area_cols = set(area.columns) - {"msoa_code", "lad_code"}
    keep_cols = [c for c in survey.columns
                 if c not in area_cols and c not in ("msoa_code", "lad_code", "trust",
                                                     "respondent_id", "weight")]
    base = survey[keep_cols].reset_index(drop=True)
    w = (survey["weight"].to_numpy(dtype=float) if "weight" in survey.columns
         else np.ones(len(survey)))
    key = pd.DataFrame({"sex": sex, "age_band": np.array(bands, dtype=object)[band_i],
                        "ethnicity": survey["ethnicity"].astype(str).to_numpy(),
                        "stratum": resp_stratum})
    def index_of(cols: list[str]) -> dict[Any, np.ndarray]:
        return {k: np.asarray(v) for k, v in key.groupby(cols, sort=False).indices.items()}

    groups = index_of(list(key.columns))
    pooled = index_of(["sex", "age_band", "stratum"])
    national = index_of(["sex", "age_band"])
    rng = np.random.default_rng(seed)
    empty = np.empty(0, dtype=np.int64)
    take: list[np.ndarray] = []
    cell_of: list[np.ndarray] = []
    weight_of: list[np.ndarray] = []
    eth_of: list[np.ndarray] = []
    for c, row in enumerate(cells.itertuples(index=False)):
        idx = groups.get((row.sex, row.age_band, row.ethnicity, row.stratum), empty)
        if idx.size < min_n:
            idx = pooled.get((row.sex, row.age_band, row.stratum), empty)
        if idx.size < min_n:
            idx = national.get((row.sex, row.age_band), empty)
        if idx.size == 0:
            raise InputDataError(f"no survey respondent is {row.sex} aged {row.age_band}; the "
                                 "cell's other covariates cannot be estimated",
                                 hint="check the survey's age and sex columns")
        if idx.size > max_profiles:
            p = w[idx] / w[idx].sum()
            idx = np.sort(rng.choice(idx, size=max_profiles, replace=False, p=p))
            pw = np.full(idx.size, 1.0 / idx.size)
        else:
            pw = w[idx] / w[idx].sum()
        take.append(idx)
        cell_of.append(np.full(idx.size, c))
        weight_of.append(pw)
        eth_of.append(np.full(idx.size, row.ethnicity, dtype=object))
    out = base.iloc[np.concatenate(take)].reset_index(drop=True)
    out["ethnicity"] = np.concatenate(eth_of)
    out["cell"] = np.concatenate(cell_of)
    out["weight"] = np.concatenate(weight_of)
    return out


__all__ = ["CELL_COLUMNS", "DEFAULT_STRATA", "PoststratFrame", "build_poststrat_frame",
           "check_area_covariates", "parse_age_bands"]
