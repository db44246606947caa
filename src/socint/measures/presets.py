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
    specs=(
        MeasureSpec(column="edi", measure="simpson", unit_level="msoa",
                    scheme="ethnicity_2011_mlid14", rollup="weighted_mean"),
        MeasureSpec(column="dissimilarity", measure="dissimilarity", unit_level="oa",
                    scheme="ethnicity_white_british", group="white_british", scale=100.0),
    ),
    rename=MappingProxyType({"area_code": "lad_code", "area_name": "lad_name"}),
)

#: name -> :class:`Preset`.
PRESETS: Mapping[str, Preset] = MappingProxyType({BRIGHT_BLUE_2019.name: BRIGHT_BLUE_2019})


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


__all__ = ["BRIGHT_BLUE_2019", "PRESETS", "Preset", "attach_la_codes", "get_preset",
           "run_preset"]
