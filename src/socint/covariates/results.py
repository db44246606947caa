"""Typed results of the covariates stage: area covariates, the population frame, provenance.

Constructors store; the functions of :mod:`socint.covariates.msoa`, :mod:`~.la` and
:mod:`~.frame` compute. Every term carries a :class:`TermProvenance` saying, in plain words,
which official table it comes from, for which census, and whether it is a proxy or a held value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Column names and codings of the published Model 3's area terms, as the model formula
#: (``socint.models.MODEL3_FORMULA``) and the synthetic England use them.
MSOA_TERMS: tuple[str, ...] = ("div_decile", "poor_english", "family_pct", "income_decile",
                               "crime_decile", "pct65", "rural")
LA_TERMS: tuple[str, ...] = ("wb_change",)


@dataclass(frozen=True)
class TermProvenance:
    """Where one covariate comes from.

    Attributes
    ----------
    term
        Column name (e.g. ``income_decile``).
    census
        Census the covariates describe (2011 or 2021).
    datasets
        Dataset ids (``OfficialTable.dataset``) of the tables used.
    status
        ``"measured"`` (the term as the report defines it), ``"proxy"`` (a stand-in table) or
        ``"held"`` (one value for every area).
    method
        How the value is computed, in plain words.
    caveat
        What differs from the report's definition and why ('' when nothing does).
    """

    term: str
    census: int
    datasets: tuple[str, ...]
    status: str
    method: str
    caveat: str = ""

    def as_dict(self) -> dict[str, object]:
        """Plain dict for the run manifest."""
        return {"term": self.term, "census": self.census, "datasets": list(self.datasets),
                "status": self.status, "method": self.method, "caveat": self.caveat}


@dataclass(frozen=True)
class AreaCovariates:
    """Model 3's area covariates for every English MSOA and LA of one census.

    Attributes
    ----------
    census
        2011 or 2021.
    msoa
        One row per MSOA: ``msoa_code, lad_code`` then :data:`MSOA_TERMS`, plus the raw values
        behind the deciles and flags (``edi``, ``share_not_well``, ``income_measure``,
        ``crime_measure``, ``rural_share``) and ``vintage`` (MSOA geography year).
    la
        One row per LA: ``lad_code``, ``wb_change`` (``"<-5%"``, ``"-5-0%"``, ``">0%"``),
        ``wb_change_pct`` and ``vintage`` (LA code set year).
    provenance
        One :class:`TermProvenance` per term.
    excluded
        Areas given no covariates: ``area_code, level, reason`` (empty when none).
    """

    census: int
    msoa: pd.DataFrame
    la: pd.DataFrame
    provenance: tuple[TermProvenance, ...]
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["area_code", "level", "reason"]))

    @property
    def msoa_vintage(self) -> int:
        """Year of the MSOA geography (2011 or 2021)."""
        return int(self.msoa["vintage"].iloc[0])

    @property
    def lad_vintage(self) -> int:
        """Year of the LA code set (2013 codes on 2011 boundaries, or 2021)."""
        return int(self.la["vintage"].iloc[0])

    def model_columns(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The MSOA and LA tables with only the model's columns (for the MRP / transport)."""
        return (self.msoa[["msoa_code", "lad_code", *MSOA_TERMS]].copy(),
                self.la[["lad_code", *LA_TERMS]].copy())

    def manifest(self) -> list[dict[str, object]]:
        """Per-term provenance as plain dicts."""
        return [p.as_dict() for p in self.provenance]


@dataclass(frozen=True)
class PopulationFrame:
    """Adults per MSOA × sex × age band × ethnicity (the census post-stratification cells).

    Attributes
    ----------
    census
        2011 or 2021.
    vintage
        Year of the MSOA geography.
    counts
        Long ``msoa_code, lad_code, sex ("male"/"female"), age_band, ethnicity, count`` (the
        survey's six groups White/Asian/Black/Mixed/Chinese/Other; fitted, non-integer counts):
        the ``counts`` argument of :func:`socint.estimates.poststrat.build_poststrat_frame` and
        ``IndexInputs.population``.
    provenance
        Plain-words record of the tables, margins and assumptions.
    all_ages
        The fitted table before children (0-15) were dropped, same columns: its margins are the
        census margins the frame was raked to (for checks).
    """

    census: int
    vintage: int
    counts: pd.DataFrame
    provenance: TermProvenance
    all_ages: pd.DataFrame | None = None

    @property
    def adults(self) -> pd.Series:
        """Adults per MSOA."""
        return self.counts.groupby("msoa_code", sort=True)["count"].sum()


__all__ = ["LA_TERMS", "MSOA_TERMS", "AreaCovariates", "PopulationFrame", "TermProvenance"]
