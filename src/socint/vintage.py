"""A run expressed on another LA set: Census 2021 areas on the 2023 local authorities.

On 1 April 2023 thirteen English districts were merged into three unitary authorities
(Cumberland; Westmorland and Furness; North Yorkshire, with its county) and Somerset's four
districts into one, so England went from 309 LTLA21 to 296 LAs; no LA was split. Every MSOA21
lies inside one 2023 LA, so a run on 2021 areas can be re-expressed exactly:

* **geography** — each MSOA (and each unit of the measures) gets its 2023 LA; the LA table,
  names and regions are those of 2023; the LA boundaries are the 2023 ones;
* **measures** — EDI and dissimilarity are *recomputed* over the new LA's units (a
  segregation index of a merged area is not an average of its parts);
* **trust** — the model is applied where it was estimated (the 2021 LAs, whose covariates and
  random effects it knows), and a merged LA's trust is the **adult-weighted mean** of its
  districts', draw by draw, so the interval and the rank interval follow; respondents sum;
* **LA covariates and deprivation** (shown for similar areas, not modelled again) —
  adult-weighted means; a class (the banded White British change) is the class of most
  adults.

A table of trust supplied by the user (``--trust FILE.csv``) is read on the output LA set.
Splits would need a population share per piece and are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from socint.errors import GeographyError, InputDataError
from socint.estimates.mrp import summarise_draws
from socint.estimates.trust import TRUST_COLUMNS, TrustEstimates
from socint.measures.units import UnitCounts
from socint.sources import MeasureInput, SourceData

#: LA sets a run can be expressed on, by the census of its areas.
LAD_VINTAGES: Mapping[int, tuple[int, ...]] = {2021: (2021, 2023), 2011: (2011,)}


def lad21_to_lad23_lookup(lookup: pd.DataFrame | None = None) -> pd.DataFrame:
    """``lad_code, lad23_code, lad23_name``: each LTLA21 and its 2023 LA (ONS LAD22→LAD23).

    LAD22 codes equal LTLA21 codes in England (no change took effect between 2021 and 2022).
    """
    if lookup is None:
        from socint.extract import load

        loaded = load("lookup_lad22_lad23")
        assert isinstance(loaded, pd.DataFrame)
        lookup = loaded
    need = ["ltla22_code", "ltla23_code", "ltla23_name"]
    missing = [c for c in need if c not in lookup.columns]
    if missing:
        raise GeographyError(f"the LAD22 -> LAD23 lookup lacks column(s) {missing}",
                             hint="use the ONS 'LAD22 to LAD23' lookup layout")
    tab = lookup[need].drop_duplicates().astype(str)
    splits = tab.groupby("ltla22_code")["ltla23_code"].nunique()
    if (splits > 1).any():
        raise GeographyError(f"LA {splits[splits > 1].index[0]} is split between 2023 LAs; a "
                             "split needs a population share per piece",
                             code=str(splits[splits > 1].index[0]))
    return tab.rename(columns={"ltla22_code": "lad_code", "ltla23_code": "lad23_code",
                               "ltla23_name": "lad23_name"}).reset_index(drop=True)


def check_lad_vintage(census: int, lad_vintage: int) -> None:
    """Refuse an LA set the census's areas cannot be expressed on, naming both."""
    allowed = LAD_VINTAGES.get(census, ())
    if lad_vintage not in allowed:
        raise InputDataError(
            f"--lad-vintage {lad_vintage} with --census {census}: Census {census} areas can be "
            f"expressed on the LA set(s) of {', '.join(map(str, allowed)) or 'none'}",
            hint="use --census 2021 for the 2023 LAs" if lad_vintage == 2023 else
            f"use --lad-vintage {allowed[0] if allowed else census}")


def adults_by_la(source: SourceData) -> pd.Series:
    """Adults per LA of the source (its post-stratification frame summed over its MSOAs)."""
    per_msoa = source.population.groupby("msoa_code", observed=True)["count"].sum()
    lad = source.msoas.drop_duplicates("msoa_code").set_index("msoa_code")["lad_code"]
    return per_msoa.groupby(lad.reindex(per_msoa.index).to_numpy()).sum().rename("adults")


def source_on_lad_vintage(source: SourceData, lad_vintage: int,
                          lookup: pd.DataFrame | None = None) -> SourceData:
    """``source`` with its LAs replaced by those of ``lad_vintage`` (see the module)."""
    if lad_vintage == source.lad_vintage:
        return source
    check_lad_vintage(source.census, lad_vintage)
    table = lad21_to_lad23_lookup(lookup)
    mapping = dict(zip(table["lad_code"], table["lad23_code"], strict=True))
    unknown = sorted(set(source.las["lad_code"].astype(str)) - set(mapping))
    if unknown:
        raise GeographyError(f"{len(unknown)} LA(s) of the source are not in the LAD22 -> LAD23 "
                             f"lookup (first: {unknown[0]}); the source's LAs are not LTLA21",
                             code=unknown[0], hint="check the census and LA vintage of the "
                             "source's tables")
    adults = adults_by_la(source)
    las = _las_2023(source.las, table)
    msoas = source.msoas.assign(lad_code=_mapped(source.msoas["lad_code"], mapping))
    measures = tuple(_measure_input(m, mapping, table) for m in source.measures)
    msoa_cov = source.msoa_covariates
    if "lad_code" in msoa_cov.columns:
        msoa_cov = msoa_cov.assign(lad_code=_mapped(msoa_cov["lad_code"], mapping))
    la_cov = _weighted_by_la(source.la_covariates, mapping, adults)
    deprivation = (None if source.deprivation is None
                   else _weighted_by_la(source.deprivation, mapping, adults))
    la_bounds = source.la_boundaries
    if la_bounds is not None:
        la_bounds = _boundaries_2023(source)
    merged = table[table["lad_code"] != table["lad23_code"]]
    extra = dict(source.extra)
    if "lad_mapping_2011" in extra:  # 2011 LA -> 2021 LA becomes 2011 LA -> 2023 LA
        composed = {old: mapping.get(new, new)
                    for old, new in dict(extra["lad_mapping_2011"]).items()}
        for code in source.las["lad_code"].astype(str):
            if mapping[code] != code:
                composed.setdefault(code, mapping[code])
        extra["lad_mapping_2011"] = {k: v for k, v in composed.items() if k != v}
    extra["lad_mapping_2021_2023"] = {k: v for k, v in mapping.items() if k != v}
    names21 = source.las.set_index("lad_code")["lad_name"].astype(str)
    extra["area_notes"] = {
        code: (f"{name} is a local authority of 2023, formed from the 2021 districts "
               + ", ".join(sorted(names21.get(c, c) for c in group["lad_code"]))
               + ". Its predicted trust is the adult-weighted "
               "mean of theirs; its diversity and segregation are computed over its whole "
               "area.")
        for (code, name), group in merged.groupby(["lad23_code", "lad23_name"])}
    note = (f"LAs of 2023 ({las['lad_code'].nunique()} in England): "
            f"{merged['lad_code'].nunique()} districts of 2021 merged into "
            f"{merged['lad23_code'].nunique()} LAs ("
            + ", ".join(sorted(merged["lad23_name"].unique())) + "); their EDI and "
            "dissimilarity are recomputed over the merged area's units; their trust is the "
            "adult-weighted mean of the 2021 districts' (the model was applied on 2021 LAs)")
    return replace(source, name=f"{source.name}, on 2023 LAs", lad_vintage=lad_vintage,
                   measures=measures, las=las, msoas=msoas, msoa_covariates=msoa_cov,
                   la_covariates=la_cov, deprivation=deprivation, la_boundaries=la_bounds,
                   assumptions=(*source.assumptions, ("LA set", note)), extra=extra)


def trust_on_lad_vintage(trust: TrustEstimates, source: SourceData, target: SourceData,
                         *, min_respondents: int) -> TrustEstimates:
    """``trust`` (estimated on ``source``'s LAs) expressed on ``target``'s LAs.

    A merged LA's trust draws are the adult-weighted means of its districts' draws, and its
    summary columns are recomputed from them; respondents sum and the disclosure flag is
    re-applied to the sum. Columns that cannot be combined from district summaries (direct
    and report-style survey estimates) are left empty for merged LAs, with a note.
    """
    mapping = dict(target.extra.get("lad_mapping_2021_2023", {}))
    codes = trust.la["lad_code"].astype(str)
    if not mapping or not codes.isin(list(mapping)).any():
        return trust  # already on the target LAs (e.g. a table read on them)
    new = _mapped(codes, mapping)
    if trust.adults_la is not None:
        w = np.asarray(trust.adults_la, dtype=float)
    else:
        w = adults_by_la(source).reindex(codes).to_numpy(dtype=float)
    if not np.isfinite(w).all():
        raise GeographyError("an LA with trust has no adults in the frame",
                             code=str(codes[~np.isfinite(w)].iloc[0]))
    order = pd.Index(sorted(new.unique()), name="lad_code")
    pos = order.get_indexer(new)
    onehot = np.zeros((len(order), len(codes)))
    onehot[pos, np.arange(len(codes))] = w
    totals = onehot.sum(axis=1)
    weights = onehot / totals[:, None]
    la = pd.DataFrame({"lad_code": order.to_numpy()})
    draws = None
    if trust.la_draws is not None:
        draws = weights @ np.asarray(trust.la_draws, dtype=float)
        summary = summarise_draws(draws, prefix="trust")
        for col in TRUST_COLUMNS:
            la[col] = summary[col].to_numpy()
    old = trust.la.reset_index(drop=True)
    point = old["trust"].to_numpy(dtype=float)
    la["trust"] = weights @ point  # the point estimate is a weighted mean too
    n = old["n_respondents"] if "n_respondents" in old.columns else None
    if n is not None:
        summed = pd.Series(n.to_numpy(dtype="float64", na_value=np.nan)).groupby(new.to_numpy()
                                                                               ).sum(min_count=1)
        la["n_respondents"] = pd.array(summed.reindex(order).round().to_numpy(), dtype="Int64")
        has = la["n_respondents"].notna()
        la["suppressed"] = (has & (la["n_respondents"].fillna(0) < min_respondents)).astype(bool)
    else:
        la["suppressed"] = False
    if "sampled" in old.columns:
        la["sampled"] = old["sampled"].astype(bool).groupby(new.to_numpy()).any().reindex(
            order).to_numpy()
    # other columns: unchanged LAs keep their own value; a merged LA (a new code) has none,
    # as a direct estimate cannot be combined from its districts' summaries
    own = old.set_index(codes.to_numpy())
    merged = la["lad_code"].isin(set(new[new != codes])).to_numpy()
    for col in old.columns:
        if col not in la.columns and col != "lad_code":
            la[col] = own[col].reindex(la["lad_code"]).where(~merged).to_numpy()
    notes = list(trust.notes)
    extra = {k: v for k, v in trust.extra.items() if k != "report_draws"}
    dec = trust.extra.get("decomposition")
    if isinstance(dec, pd.DataFrame) and "lad_code" in dec.columns:
        extra["decomposition"] = _weighted_by_la(dec, mapping, pd.Series(
            w, index=codes.to_numpy()))
    msoa = trust.msoa
    if msoa is not None and "lad_code" in msoa.columns:
        msoa = msoa.assign(lad_code=_mapped(msoa["lad_code"], mapping))
    notes.append("LAs of 2023: a merged LA's trust is the adult-weighted mean of its 2021 "
                 "districts' (draw by draw, so its interval follows)"
                 + ("; direct and report-style survey estimates are not combined for merged "
                    "LAs" if trust.source == "survey" else ""))
    return replace(trust, la=la, la_draws=draws, msoa=msoa, adults_la=totals,
                   notes=tuple(notes), extra=extra)


# --------------------------------------------------------------------------------------------


def _mapped(codes: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    s = codes.astype(str)
    return s.map(lambda c: mapping.get(c, c))


def _las_2023(las: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The 2023 LA table: codes and names of 2023, the region of the merged districts."""
    t = las.merge(table, on="lad_code", how="left")
    regions = [c for c in ("region_code", "region_name") if c in t.columns]
    for col in regions:
        clash = t.groupby("lad23_code")[col].nunique()
        if (clash > 1).any():
            raise GeographyError(f"the districts merged into {clash[clash > 1].index[0]} lie in "
                                 "more than one region", code=str(clash[clash > 1].index[0]))
    out = (t.drop(columns=["lad_code", "lad_name"])
           .rename(columns={"lad23_code": "lad_code", "lad23_name": "lad_name"})
           .drop_duplicates("lad_code"))
    return out[["lad_code", "lad_name", *regions]].sort_values(
        "lad_code", ignore_index=True)


def _measure_input(m: MeasureInput, mapping: Mapping[str, str],
                   table: pd.DataFrame) -> MeasureInput:
    parents = m.units.parents.copy()
    if "lad_code" in parents.columns:
        parents["lad_code"] = _mapped(parents["lad_code"], mapping).to_numpy()
        if "lad_name" in parents.columns:
            names = dict(zip(table["lad23_code"], table["lad23_name"], strict=False))
            parents["lad_name"] = parents["lad_code"].map(names).fillna(parents["lad_name"])
    units = UnitCounts(level=m.units.level, codes=m.units.codes, counts=m.units.counts,
                       categories=m.units.categories, scheme=m.units.scheme, parents=parents,
                       source=m.units.source)
    return replace(m, units=units)


def _weighted_by_la(frame: pd.DataFrame, mapping: Mapping[str, str],
                    adults: pd.Series) -> pd.DataFrame:
    """A ``lad_code`` table on the merged LAs: numeric columns as adult-weighted means, other
    columns (classes, e.g. a banded White British change) as the class of most adults."""
    codes = frame["lad_code"].astype(str)
    w = adults.reindex(codes).to_numpy(dtype=float)
    w = np.where(np.isfinite(w), w, 0.0)
    new = _mapped(codes, mapping).to_numpy()
    out = pd.DataFrame(index=pd.Index(sorted(set(new)), name="lad_code"))
    for col in frame.columns:
        if col == "lad_code":
            continue
        if pd.api.types.is_numeric_dtype(frame[col]):
            v = frame[col].to_numpy(dtype=float)
            ok = np.isfinite(v)
            num = pd.Series(np.where(ok, v, 0.0) * w).groupby(new).sum()
            den = pd.Series(np.where(ok, w, 0.0)).groupby(new).sum()
            out[col] = (num / den.where(den > 0)).reindex(out.index)
        else:
            rows = pd.DataFrame({"lad_code": new, "value": frame[col].to_numpy(), "w": w})
            tot = rows.groupby(["lad_code", "value"], sort=True, dropna=True)["w"].sum()
            best = (tot.reset_index().sort_values(["lad_code", "w", "value"],
                                                  ascending=[True, False, True],
                                                  kind="mergesort")
                    .drop_duplicates("lad_code").set_index("lad_code")["value"])
            out[col] = best.reindex(out.index)
    return out.reset_index()


def _boundaries_2023(source: SourceData) -> dict[str, object]:
    """The 2023 LA boundaries: from the run's ONS TopoJSON if it had one, else the bundled."""
    from socint.geo.boundaries import la_boundaries

    for p in source.provenance:
        if p.name.startswith("LA boundaries") and Path(p.file).is_file():
            return la_boundaries(2023, path=p.file)
    return la_boundaries(2023)


__all__ = ["LAD_VINTAGES", "adults_by_la", "check_lad_vintage", "lad21_to_lad23_lookup",
           "source_on_lad_vintage", "trust_on_lad_vintage"]
