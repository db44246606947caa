"""Named measure presets that reproduce published figures.

``bright_blue_2019`` reproduces the two LA measures of Bright Blue (2019), *Distant neighbours?
Understanding how diversity and integration affect neighbourhood trust*, from the 2011 Census
ethnic group counts by Output Area (MLID layout; see ``docs/methods/diversity.md`` and
``docs/methods/segregation.md`` for how the definitions were established):

* **Ethnic Diversity Index (EDI)** — Simpson's index ``1 - sum p_g^2`` of each MSOA over the
  14 ethnic groups of the MLID file (the four Mixed groups together; White Gypsy/Irish
  Traveller not included), rolled up to the LA as the population-weighted mean of its MSOAs.
  City of London 0.627, Cambridge 0.535 (published 0.627 and 0.535).
* **Index of Dissimilarity (ID)** — two-group D of White British vs all other residents across
  the LA's Output Areas, on a 0-100 scale. City of London 24.8, Cambridge 15.0 (published 24.8
  and 15.0).

Deciles are among the 326 English LAs of 2011 (rule in :mod:`socint.measures.compute`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import pandas as pd

from socint.errors import GeographyError, InputDataError, _preview
from socint.measures.compute import MeasureSpec, compute_measures
from socint.measures.units import UnitCounts


@dataclass(frozen=True)
class Preset:
    """A named set of measure specs with the input it needs and its output columns.

    Parameters
    ----------
    name, description, reference
        Identity and source of the preset.
    area_level
        Level of the output areas.
    unit_level
        Level of the input units the preset needs (finest level any spec uses).
    scheme
        Category scheme the input must be in (or collapse into).
    countries
        First letters of the unit codes kept (``"E"``: England only).
    specs
        The measures.
    rename
        Output column renames (e.g. ``area_code`` -> ``lad_code``).
    """

    name: str
    description: str
    reference: str
    area_level: str
    unit_level: str
    scheme: str
    countries: str
    specs: tuple[MeasureSpec, ...]
    rename: Mapping[str, str]


#: Bright Blue (2019) EDI: Simpson's index of each MSOA over the 14 MLID groups,
#: population-weighted mean over the LA's MSOAs. The one definition (pipeline and presets).
BRIGHT_BLUE_2019_EDI = MeasureSpec(column="edi", measure="simpson", unit_level="msoa",
                                   scheme="ethnicity_2011_mlid14", rollup="weighted_mean")


def bright_blue_2019_id(unit_level: str = "oa") -> MeasureSpec:
    """Bright Blue (2019) ID: White British vs all others (0-100) over ``unit_level`` units.

    The published measure uses Output Areas; ``unit_level="lsoa"`` (the synthetic England's
    finest units) gives somewhat lower values and must be labelled as such.
    """
    return MeasureSpec(column="dissimilarity", measure="dissimilarity", unit_level=unit_level,
                       scheme="ethnicity_white_british", group="white_british", scale=100.0)


#: The two bright_blue_2019 specs (EDI, ID over OAs).
BRIGHT_BLUE_2019_SPECS: tuple[MeasureSpec, ...] = (BRIGHT_BLUE_2019_EDI, bright_blue_2019_id())

BRIGHT_BLUE_2019 = Preset(
    name="bright_blue_2019",
    description="Bright Blue (2019) LA Ethnic Diversity Index and Index of Dissimilarity, "
    "England, 2011 Census OAs",
    reference="Bright Blue (2019), Distant neighbours? Understanding how diversity and "
    "integration affect neighbourhood trust",
    area_level="lad",
    unit_level="oa",
    scheme="ethnicity_2011_mlid",
    countries="E",
    specs=BRIGHT_BLUE_2019_SPECS,
    rename=MappingProxyType({"area_code": "lad_code", "area_name": "lad_name"}),
)

_LA = MappingProxyType({"area_code": "lad_code", "area_name": "lad_name"})

#: Census 2021 analogue of the EDI: Simpson over the 6 groups of TS021 by MSOA21 (the finest
#: units with more than the 5 broad groups), population-weighted mean over the LA's MSOAs.
CENSUS2021_EDI = Preset(
    name="census2021_edi_msoa6",
    description="EDI 2021: Simpson's index of each MSOA21 over TS021's 6 groups (Asian, Black "
    "African, Black Caribbean, Mixed, White, Other), population-weighted mean over the LA; "
    "NOT Bright Blue's 14-group EDI (fewer groups give lower values)",
    reference="ONS Census 2021 TS021 (MSOA 2021); definition after Bright Blue (2019)",
    area_level="lad", unit_level="msoa", scheme="ethnicity_2021_msoa6", countries="E",
    specs=(MeasureSpec(column="edi", measure="simpson", unit_level="msoa",
                       scheme="ethnicity_2021_msoa6", rollup="weighted_mean"),),
    rename=_LA)

#: Census 2021 analogue of the ID: White vs all others over LSOA21 (the finest units holding
#: a White group; White British is published for LTLAs only, not for small areas here).
CENSUS2021_ID = Preset(
    name="census2021_id_white_lsoa",
    description="ID 2021: dissimilarity of White (all White groups) vs all others over the LA's "
    "LSOA21s, 0-100; NOT Bright Blue's White British vs others over OAs (coarser units and "
    "a broader group both lower the index)",
    reference="ONS Census 2021 TS021 (LSOA 2021); definition after Bright Blue (2019)",
    area_level="lad", unit_level="lsoa", scheme="ethnicity_2021_broad", countries="E",
    specs=(MeasureSpec(column="dissimilarity", measure="dissimilarity", unit_level="lsoa",
                       scheme="ethnicity_2021_broad", group="white", scale=100.0),),
    rename=_LA)

#: name -> :class:`Preset`.
PRESETS: Mapping[str, Preset] = MappingProxyType(
    {p.name: p for p in (BRIGHT_BLUE_2019, CENSUS2021_EDI, CENSUS2021_ID)})

#: Census -> output column -> the measure computed and its units, in words (for manifests).
MEASURE_DEFINITIONS: Mapping[int, Mapping[str, str]] = MappingProxyType({
    2011: MappingProxyType({
        "edi": "Simpson's index over the 14 MLID ethnic groups per MSOA11, population-weighted "
        "mean over the LA (Bright Blue 2019 EDI)",
        "dissimilarity": "Index of Dissimilarity, White British vs all others, over the LA's "
        "Output Areas, 0-100 (Bright Blue 2019 ID)"}),
    2021: MappingProxyType({"edi": CENSUS2021_EDI.description,
                            "dissimilarity": CENSUS2021_ID.description}),
})


def change_comparability(column: str, census_from: int = 2011, census_to: int = 2021) -> str:
    """Whether a measure's change between censuses compares like with like, in words.

    The 2011 measures are Bright Blue's; the 2021 ones use the groups and units Census 2021
    publishes (:data:`MEASURE_DEFINITIONS`). Their difference mixes real change with the change
    of definition, so it is flagged "not comparable"; use
    :func:`socint.measures.census_change.la_measures_change` (LA tables harmonised onto common
    groups and one LA set) for a comparable change of diversity.
    """
    defs = [MEASURE_DEFINITIONS.get(c, {}).get(column) for c in (census_from, census_to)]
    if None in defs:
        raise InputDataError(f"no definition of {column!r} for census {census_from} and "
                             f"{census_to}; known: {_preview(MEASURE_DEFINITIONS[2011])}")
    if defs[0] == defs[1]:
        return "comparable: same definition in both censuses"
    return (f"not comparable: {census_from} is {defs[0]}; {census_to} is {defs[1]}. The "
            "difference mixes real change with the change of groups/units; for diversity use "
            "census_change.la_measures_change (common groups, one LA set)")


def get_preset(name: str) -> Preset:
    """Look a preset up by name; the error lists the known presets."""
    if name not in PRESETS:
        raise InputDataError(f"preset {name!r} is unknown; known presets: {_preview(PRESETS)}")
    return PRESETS[name]


def attach_la_codes(units: UnitCounts, reference: pd.DataFrame) -> UnitCounts:
    """Add ``lad_code`` to units that carry only ``lad_name`` (the MLID files).

    ``reference`` has ``lad_name`` and ``lad_code`` (e.g. QS201EW's ``geography`` and
    ``geography code``); names are matched by :func:`socint.geo.names.match_la_names`.
    """
    from socint.geo.names import match_la_names

    if "lad_name" not in units.parents.columns:
        raise GeographyError("the units carry no lad_name column to match to LA codes",
                             file=units.source)
    codes = match_la_names(units.parents["lad_name"], reference, name_col="lad_name",
                           code_col="lad_code")
    parents = units.parents.copy()
    parents["lad_code"] = codes.to_numpy(dtype=object)
    return replace(units, parents=parents)


def run_preset(preset: Preset | str, units: UnitCounts,
               la_reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Compute a preset's measures: one row per area, renamed output columns.

    Parameters
    ----------
    preset
        A :class:`Preset` or its name.
    units
        Counts at the preset's unit level (e.g. the 2011 OA file read by
        ``socint.data.census2011.read_census2011_ethnicity_small_area``).
    la_reference
        ``lad_name``/``lad_code`` pairs, needed when the units carry LA names only.
    """
    p = get_preset(preset) if isinstance(preset, str) else preset
    if units.level != p.unit_level:
        raise InputDataError(
            f"preset {p.name} needs {p.unit_level} units but the counts are {units.level} "
            "units", file=units.source,
            hint=f"pass the {p.unit_level.upper()} file (e.g. ethnicity_2011_oa_ew.csv)")
    if units.scheme != p.scheme:
        units = units.to_scheme(p.scheme)
    keep = pd.Series(units.codes).astype(str).str[:1].isin(list(p.countries)).to_numpy()
    if not keep.any():
        raise InputDataError(f"no units of countries {p.countries!r} in the counts",
                             file=units.source)
    units = units.only(keep)
    code_col = f"{p.area_level}_code"
    if code_col not in units.parents.columns:
        if la_reference is None or p.area_level != "lad":
            raise GeographyError(
                f"the units carry no {code_col}; preset {p.name} needs LA codes",
                file=units.source,
                hint="give an LA name/code reference (CLI: --la-lookup QS201EW file)")
        units = attach_la_codes(units, la_reference)
    out = compute_measures(units, p.specs, area_level=p.area_level)
    return out.rename(columns=dict(p.rename))


def census2021_la_measures(lsoa: UnitCounts, msoa: UnitCounts) -> pd.DataFrame:
    """EDI (MSOA21, 6 groups) and ID (White vs others, LSOA21) per LTLA21, one row per LA.

    ``lsoa``/``msoa``: TS021 LSOA21 broad and MSOA21 6-group counts carrying ``lad_code`` (e.g.
    ``socint.official.measures_2021``). The columns are named like
    the 2011 preset's; what each holds is :data:`MEASURE_DEFINITIONS` ``[2021]``.
    """
    edi = run_preset(CENSUS2021_EDI, msoa)
    did = run_preset(CENSUS2021_ID, lsoa)
    keep = [c for c in did.columns if c.startswith("dissimilarity") or c == "lad_code"]
    out = edi.drop(columns=["note"]).merge(did[keep], on="lad_code", how="outer",
                                           validate="one_to_one")
    notes = edi.set_index("lad_code")["note"].reindex(out["lad_code"]).fillna("").astype(str)
    notes2 = did.set_index("lad_code")["note"].reindex(out["lad_code"]).fillna("").astype(str)
    out["note"] = ["; ".join(n for n in pair if n) for pair in zip(notes, notes2, strict=True)]
    return out


__all__ = ["BRIGHT_BLUE_2019", "BRIGHT_BLUE_2019_EDI", "BRIGHT_BLUE_2019_SPECS",
           "CENSUS2021_EDI", "CENSUS2021_ID", "MEASURE_DEFINITIONS", "PRESETS", "Preset",
           "attach_la_codes", "bright_blue_2019_id", "census2021_la_measures",
           "change_comparability", "get_preset", "run_preset"]
