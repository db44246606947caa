"""What a source hands the pipeline: one typed bundle of area data, whatever its origin.

A source is either the official files (a folder, the store, or the bundled real-England
extract) or the built-in synthetic England (:mod:`socint.synthetic.source`). Both return a
:class:`SourceData`, so every later stage is the same code for real and synthetic England.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from socint.measures.compute import MeasureSpec
from socint.measures.units import UnitCounts


@dataclass(frozen=True)
class Provenance:
    """One input: what it is, where it came from, its checksum, publisher and licence."""

    name: str
    file: str
    sha256: str
    publisher: str
    licence: str
    role: str = ""

    def as_dict(self) -> dict[str, str]:
        """Plain JSON-able record for the manifest."""
        return {"name": self.name, "file": self.file, "sha256": self.sha256,
                "publisher": self.publisher, "licence": self.licence, "role": self.role}


@dataclass(frozen=True)
class MeasureInput:
    """Counts at some units and the measures computed from them (per LA and per MSOA).

    A source may need several: e.g. Census 2021 gives six groups by MSOA (for the EDI) but
    only five broad groups by LSOA (for the dissimilarity over the finer units).
    """

    units: UnitCounts
    la_specs: tuple[MeasureSpec, ...]
    msoa_specs: tuple[MeasureSpec, ...]
    description: str


@dataclass(frozen=True)
class SourceData:
    """Area data of one census for every LA and MSOA, with provenance.

    Attributes
    ----------
    name, kind
        Description, and ``"official"`` or ``"synthetic"``.
    census, lad_vintage
        Census year of the counts and covariates; vintage of the LA codes.
    measures
        Ethnic-group counts at units with parents ``msoa_code``/``lad_code`` and the specs of
        the diversity/segregation measures computed from them (:class:`MeasureInput`).
    las, msoas
        ``lad_code, lad_name, region_code, region_name``; ``msoa_code, msoa_name, lad_code``.
    msoa_covariates, la_covariates
        The trust model's area covariates (``socint.covariates`` or synthetic).
    population
        Post-stratification frame: adults per ``msoa_code × sex × age_band × ethnicity``.
    deprivation
        Optional ``lad_code, deprivation`` (higher = more deprived).
    la_boundaries, msoa_boundaries
        GeoJSON FeatureCollections of the same vintage as the codes.
    survey, truth_la, truth_msoa
        Respondents (synthetic source, or an imported survey) and the truth (synthetic only).
    provenance
        Every input file (or generator) with checksum, publisher and licence.
    assumptions
        ``(term, what)`` pairs: every proxy or assumption, in plain words.
    extra
        Source-specific objects (e.g. the synthetic England itself).
    """

    name: str
    kind: str
    census: int
    lad_vintage: int
    measures: tuple[MeasureInput, ...]
    las: pd.DataFrame
    msoas: pd.DataFrame
    msoa_covariates: pd.DataFrame
    la_covariates: pd.DataFrame
    population: pd.DataFrame
    deprivation: pd.DataFrame | None = None
    la_boundaries: dict[str, Any] | None = None
    msoa_boundaries: dict[str, Any] | None = None
    survey: pd.DataFrame | None = None
    truth_la: pd.DataFrame | None = None
    truth_msoa: pd.DataFrame | None = None
    provenance: tuple[Provenance, ...] = ()
    assumptions: tuple[tuple[str, str], ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


    @property
    def measures_description(self) -> str:
        """How each measure is computed, in words."""
        return "; ".join(m.description for m in self.measures)


__all__ = ["MeasureInput", "Provenance", "SourceData"]
