"""The official-data source: real England from the official tables, Census 2011 or 2021.

:func:`official_source` builds the pipeline's :class:`socint.sources.SourceData` from a folder
of official files (searched recursively; every file is recognised by its content with
:func:`socint.data.sniff`) or from the bundled real-England extract (:mod:`socint.extract`).
:data:`REQUIREMENTS` names every table a census needs, its publisher and table code, and how
to get it, so that a missing table is reported with what to download.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from socint.data.table import OfficialTable
from socint.errors import InputDataError, _preview
from socint.measures.units import UnitCounts
from socint.sources import Provenance, SourceData

NOMIS = "ONS Census bulk data on Nomis (https://www.nomisweb.co.uk/sources/census_2021_bulk)"
NOMIS11 = "ONS Census 2011 bulk data on Nomis (https://www.nomisweb.co.uk/census/2011/bulk)"
GEOPORTAL = "ONS Open Geography Portal (https://geoportal.statistics.gov.uk)"
IOD = ("MHCLG English Indices of Deprivation (https://www.gov.uk/government/collections/"
       "english-indices-of-deprivation)")


@dataclass(frozen=True)
class Requirement:
    """One official table a census run needs.

    ``layouts`` are the socint layout ids that hold it (:data:`socint.data.KNOWN_LAYOUTS`),
    ``level`` the geography level to pick among files of those layouts; ``what`` names the
    table (publisher, table code, geography) and ``how`` where to download it.
    """

    key: str
    layouts: tuple[str, ...]
    level: str | None
    what: str
    how: str
    role: str
    optional: bool = False


REQUIREMENTS: Mapping[int, tuple[Requirement, ...]] = {
    2021: (
        Requirement("ethnicity_msoa", ("census2021_ts021_msoa",), "msoa",
                    "Census 2021 TS021 ethnic group by MSOA 2021 (6 groups)", NOMIS,
                    "EDI (MSOA Simpson) and the diversity decile"),
        Requirement("ethnicity_lsoa", ("census2021_ts021_lsoa",), "lsoa",
                    "Census 2021 TS021 ethnic group by LSOA 2021 (5 broad groups)", NOMIS,
                    "Index of Dissimilarity (White vs others over LSOA21)"),
        Requirement("ethnicity_lad", ("census2021_ts021_ltla",), "lad",
                    "Census 2021 TS021 ethnic group by LTLA 2021 (detailed)", NOMIS,
                    "White British change 2011-21"),
        Requirement("lad_region", ("lookup_ltla21_region21",), None,
                    "LAD 2021 to region lookup", GEOPORTAL, "LA names and regions"),
        Requirement("lsoa_msoa_lad", ("lookup_lsoa21_msoa21_ltla22",), None,
                    "LSOA 2021 to MSOA 2021 to LAD lookup", GEOPORTAL, "MSOA and LA of each LSOA"),
    ),
    2011: (
        Requirement("ethnicity_oa", ("census2011_ethnicity_oa_mlid",), "oa",
                    "Census 2011 KS201EW ethnic group by Output Area (MLID layout)", NOMIS11,
                    "EDI and Index of Dissimilarity (Bright Blue 2019 definitions)"),
        Requirement("ethnicity_lad", ("census2011_nomis",), "lad",
                    "Census 2011 QS201EW ethnic group by local authority", NOMIS11,
                    "LA codes and names of 2011"),
        Requirement("lad_region", ("la_all_codes", "lookup_ltla19_region19"), None,
                    "LAD to region lookup", GEOPORTAL, "regions"),
    ),
}


def discover(folder: Path) -> dict[str, list[Path]]:
    """Every file under ``folder`` that socint recognises, grouped by layout id."""
    from socint.data import sniff
    from socint.errors import SocintError

    found: dict[str, list[Path]] = {}
    for p in sorted(Path(folder).rglob("*")):
        if not p.is_file() or p.suffix.lower() not in (".csv", ".gz", ".geojson", ".topojson",
                                                       ".json", ".xlsx", ".tsv"):
            continue
        try:
            _, layout = sniff(p)
        except (SocintError, OSError, UnicodeDecodeError, ValueError):
            continue
        if layout is not None:
            found.setdefault(layout.id, []).append(p)
    return found


@dataclass
class FolderTables:
    """Official tables found in a folder, read on first use (each file once)."""

    folder: Path
    found: dict[str, list[Path]]
    _cache: dict[Path, OfficialTable] = field(default_factory=dict)

    @classmethod
    def scan(cls, folder: Path) -> FolderTables:
        """Recognise every file under ``folder``."""
        return cls(Path(folder), discover(Path(folder)))

    def read(self, path: Path) -> OfficialTable:
        """Read one file (cached)."""
        from socint.data import read_official

        if path not in self._cache:
            self._cache[path] = read_official(path)
        return self._cache[path]

    def get(self, req: Requirement, census: int) -> OfficialTable | None:
        """The table meeting ``req`` (``None`` if absent and optional; else an error)."""
        candidates = [p for lay in req.layouts for p in self.found.get(lay, [])]
        for path in candidates:
            table = self.read(path)
            if req.level is None or table.level == req.level:
                return table
        if req.optional:
            return None
        raise InputDataError(
            f"missing official table for Census {census}: {req.what} (needed for {req.role})",
            file=self.folder,
            hint=f"download it from {req.how} and put it under {self.folder}; socint "
                 "recognises the file by its columns, whatever its name")

    def report(self, census: int) -> list[dict[str, str]]:
        """What was found, what is used and what is missing, for the manifest and the CLI."""
        rows = []
        for req in REQUIREMENTS[census]:
            paths = [str(p) for lay in req.layouts for p in self.found.get(lay, [])]
            rows.append({"table": req.what, "role": req.role,
                         "status": "found" if paths else ("optional, missing" if req.optional
                                                          else "MISSING"),
                         "files": ", ".join(paths)})
        return rows


def provenance_of(table: OfficialTable, role: str) -> Provenance:
    """The manifest record of an official table."""
    return Provenance(name=table.dataset, file=str(table.path), sha256=table.sha256,
                      publisher=table.source, licence=table.licence, role=role)


def with_parents(units: UnitCounts, lookup: pd.DataFrame, key: str) -> UnitCounts:
    """Attach parent area columns (``msoa_code``, ``lad_code``…) to units from a lookup.

    Units absent from the lookup are refused with their codes (a vintage mismatch, usually).
    """
    parents = lookup.drop_duplicates(key).set_index(key)
    idx = pd.Index(units.codes.astype(str))
    missing = idx.difference(parents.index)
    if len(missing):
        raise InputDataError(f"{len(missing)} unit(s) are not in the lookup: "
                             f"{_preview(missing)}", code=str(missing[0]),
                             hint="use counts and lookups of the same geography vintage")
    cols = [c for c in parents.columns if c.endswith(("_code", "_name"))]
    out = parents.loc[idx, cols].reset_index(drop=True)
    out.insert(0, key, idx.to_numpy())  # a unit is also its own area at its level
    return replace(units, parents=out)


@dataclass(frozen=True)
class Geography:
    """LAs (with regions) and MSOAs of one census's geography, England only."""

    las: pd.DataFrame
    msoas: pd.DataFrame
    lad_vintage: int


def _england(frame: pd.DataFrame, col: str) -> pd.DataFrame:
    return frame.loc[frame[col].astype(str).str.startswith("E")].reset_index(drop=True)


def geography_2021(tables: FolderTables) -> tuple[Geography, pd.DataFrame, list[Provenance]]:
    """LTLA21 with regions, MSOA21 with their LA, and the LSOA21 lookup (England)."""
    req = {r.key: r for r in REQUIREMENTS[2021]}
    reg = tables.get(req["lad_region"], 2021)
    lk = tables.get(req["lsoa_msoa_lad"], 2021)
    assert reg is not None and lk is not None
    las = _england(reg.data, "lad_code")[["lad_code", "lad_name", "region_code", "region_name"]]
    lsoa = _england(lk.data, "lsoa_code")
    unknown = pd.Index(lsoa["lad_code"].unique()).difference(pd.Index(las["lad_code"]))
    if len(unknown):
        raise InputDataError(f"the LSOA21 lookup's LA codes {_preview(unknown)} are not LTLA21 "
                             "codes (the lookup's LAs are of another vintage)",
                             file=lk.path, code=str(unknown[0]),
                             hint="use the LSOA 2021 → MSOA 2021 → LAD 2021/2022 lookup")
    msoas = (lsoa[["msoa_code", "msoa_name", "lad_code"]].drop_duplicates("msoa_code")
             .sort_values("msoa_code", ignore_index=True))
    prov = [provenance_of(reg, "LA names and regions"),
            provenance_of(lk, "LSOA → MSOA → LA lookup")]
    return Geography(las, msoas, 2021), lsoa, prov


def measures_2021(tables: FolderTables, geo: Geography, lsoa: pd.DataFrame
                  ) -> tuple[tuple[Any, ...], list[Provenance]]:
    """The 2021 measure inputs: EDI from MSOA21 (6 groups), D from LSOA21 (5 broad groups).

    Census 2021 publishes the detailed groups only for LAs, so the EDI is Simpson's index over
    six groups per MSOA and the dissimilarity is White (all White groups) vs all others across
    LSOA21 — neither is Bright Blue's 2011 definition (14 groups; White British vs others
    across OAs), which the manifest and the methodology page say.
    """
    req = {r.key: r for r in REQUIREMENTS[2021]}
    m = tables.get(req["ethnicity_msoa"], 2021)
    ls = tables.get(req["ethnicity_lsoa"], 2021)
    assert m is not None and ls is not None
    msoa_units = UnitCounts.from_table(m)
    msoa_units = msoa_units.only(pd.Index(msoa_units.codes.astype(str))
                                 .isin(geo.msoas["msoa_code"]))
    msoa_units = with_parents(msoa_units, geo.msoas[["msoa_code", "lad_code"]], "msoa_code")
    lsoa_units = UnitCounts.from_table(ls)
    lsoa_units = lsoa_units.only(pd.Index(lsoa_units.codes.astype(str))
                                 .isin(lsoa["lsoa_code"]))
    lsoa_units = with_parents(lsoa_units, lsoa[["lsoa_code", "msoa_code", "lad_code"]],
                              "lsoa_code")
    prov = [provenance_of(m, "EDI"), provenance_of(ls, "Index of Dissimilarity")]
    return measure_inputs_2021(msoa_units, lsoa_units), prov


def measure_inputs_2021(msoa_units: UnitCounts, lsoa_units: UnitCounts) -> tuple[Any, ...]:
    """The 2021 measures, by the presets ``census2021_edi_msoa6`` and
    ``census2021_id_white_lsoa`` (one definition, for the folder and the bundled extract)."""
    from socint.measures.compute import MeasureSpec
    from socint.measures.presets import CENSUS2021_EDI, CENSUS2021_ID, MEASURE_DEFINITIONS
    from socint.sources import MeasureInput

    defs = MEASURE_DEFINITIONS[2021]
    edi = MeasureInput(msoa_units, CENSUS2021_EDI.specs,
                       (MeasureSpec(column="edi", measure="simpson"),),
                       f"EDI: {defs['edi']}")
    dis = MeasureInput(lsoa_units, CENSUS2021_ID.specs, CENSUS2021_ID.specs,
                       f"ID: {defs['dissimilarity']}")
    return (edi, dis)


def measure_inputs_2011(units: UnitCounts) -> tuple[Any, ...]:
    """Bright Blue's 2011 measures over Output Areas (the ``bright_blue_2019`` preset)."""
    from socint.measures.compute import MeasureSpec
    from socint.measures.presets import (
        BRIGHT_BLUE_2019_SPECS,
        MEASURE_DEFINITIONS,
        bright_blue_2019_id,
    )
    from socint.sources import MeasureInput

    msoa_specs = (MeasureSpec(column="edi", measure="simpson", scheme="ethnicity_2011_mlid14"),
                  bright_blue_2019_id("oa"))
    defs = MEASURE_DEFINITIONS[2011]
    return (MeasureInput(units, BRIGHT_BLUE_2019_SPECS, msoa_specs,
                         f"EDI: {defs['edi']}; ID: {defs['dissimilarity']}"),)


def geography_and_measures_2011(tables: FolderTables
                                ) -> tuple[Geography, tuple[Any, ...], list[Provenance]]:
    """The 326 English LAs of 2011, their MSOAs, and Bright Blue's 2011 measures over OAs."""
    from socint.measures.presets import attach_la_codes

    req = {r.key: r for r in REQUIREMENTS[2011]}
    oa = tables.get(req["ethnicity_oa"], 2011)
    qs = tables.get(req["ethnicity_lad"], 2011)
    reg = tables.get(req["lad_region"], 2011)
    assert oa is not None and qs is not None and reg is not None
    assert qs.areas is not None
    ref = _england(qs.areas.rename(columns={"area_code": "lad_code", "area_name": "lad_name"}),
                   "lad_code")[["lad_code", "lad_name"]]
    regions = reg.data.drop_duplicates("lad_code").set_index("lad_code")
    las = ref.assign(region_code=regions["region_code"].reindex(ref["lad_code"]).to_numpy(),
                     region_name=regions["region_name"].reindex(ref["lad_code"]).to_numpy())
    units = UnitCounts.from_table(oa)
    units = units.only(pd.Index(units.codes.astype(str)).str.startswith("E"))
    units = attach_la_codes(units, ref)
    msoas = (units.parents[["msoa_code", "lad_code"]].drop_duplicates("msoa_code")
             .sort_values("msoa_code", ignore_index=True))
    msoas.insert(1, "msoa_name", msoas["msoa_code"])
    mi = measure_inputs_2011(units)
    prov = [provenance_of(oa, "EDI and Index of Dissimilarity (Output Areas)"),
            provenance_of(qs, "LA codes and names"), provenance_of(reg, "regions")]
    return Geography(las, msoas, 2013), mi, prov


def _by_dataset(tables: FolderTables, ids: list[str]) -> dict[str, OfficialTable]:
    """The official tables with the given dataset ids (reading only files of their layouts)."""
    from socint.covariates.tables import DATASETS

    layouts = {DATASETS[d][0] for d in ids if d in DATASETS}
    out: dict[str, OfficialTable] = {}
    for lay in sorted(layouts):
        for path in tables.found.get(lay, []):
            t = tables.read(path)
            if t.dataset in ids:
                out.setdefault(t.dataset, t)
    return out


def boundaries_for(census: int, tables: FolderTables
                   ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[Provenance]]:
    """LA and MSOA boundaries of the census's vintage (no holes, no strays), if present."""
    from socint.geo.boundaries import la_boundaries, msoa_boundaries

    prov: list[Provenance] = []
    la = msoa = None
    topo = tables.found.get("boundaries_topojson", [])
    if topo:
        la = la_boundaries(2021 if census == 2021 else 2011, path=topo[0])
        prov.append(Provenance("LA boundaries (ONS, super-generalised)", str(topo[0]), "",
                               "Office for National Statistics", "Open Government Licence "
                               "v3.0", "map"))
    from socint.errors import GeographyError

    # the complete MSOA set of the census's vintage: try candidates, largest first
    candidates = sorted(tables.found.get("boundaries_geojson", []),
                        key=lambda q: -q.stat().st_size)
    want = "msoa21" if census == 2021 else "msoa11"
    for path in candidates:
        head = path.read_bytes()[:4000].decode("utf-8", "ignore").lower()
        if want not in head and want not in path.name.lower():
            continue
        try:
            msoa = msoa_boundaries(census, path=path)
        except GeographyError:
            continue
        prov.append(Provenance("MSOA boundaries (ONS, simplified)", str(path), "",
                               "Office for National Statistics",
                               "Open Government Licence v3.0", "MSOA map"))
        break
    return la, msoa, prov


def official_source(census: int, *, data: Path | None = None) -> SourceData:
    """Real England for ``census``: from ``data`` (searched recursively) or the bundled extract.

    Geography and measures come from the census tables; Model 3's covariates and the
    post-stratification frame from :mod:`socint.covariates`; boundaries of the same vintage
    from :mod:`socint.geo.boundaries`. Every proxy and held term is listed in ``assumptions``.
    """
    from socint.covariates import NEEDED, build_area_covariates, build_frame

    if data is None:
        from socint.extract.snapshot import bundled_source

        return bundled_source(census)
    else:
        folder = Path(data)
        if not folder.is_dir():
            raise InputDataError(f"--data {folder} is not a folder", file=folder,
                                 hint="pass the folder holding the official files")
    tables = FolderTables.scan(folder)
    if census == 2021:
        geo, lsoa, prov = geography_2021(tables)
        measures, mprov = measures_2021(tables, geo, lsoa)
    else:
        geo, measures, prov = geography_and_measures_2011(tables)
        mprov = []
    ids = sorted({d for w in NEEDED[census].values() for d in w}
                 | {"census2011_ethnicity_sex_age_lad_long"})
    official = _by_dataset(tables, ids)
    cov = build_area_covariates(census, official)
    frame = build_frame(census, official, cov)
    msoa_cov, la_cov = cov.model_columns()
    keep = pd.Index(geo.msoas["msoa_code"])
    msoa_cov = msoa_cov.loc[msoa_cov["msoa_code"].isin(keep)].reset_index(drop=True)
    counts = frame.counts.loc[frame.counts["msoa_code"].isin(msoa_cov["msoa_code"])]
    la_bounds, msoa_bounds, bprov = boundaries_for(census, tables)
    used = {t.dataset: t for t in official.values()}
    assumptions = [(p.term, f"{p.status}: {p.method}" + (f" — {p.caveat}" if p.caveat else ""))
                   for p in (*cov.provenance, frame.provenance)]
    if len(cov.excluded):
        assumptions.append(("excluded areas", "; ".join(
            f"{r.area_code} ({r.level}): {r.reason}" for r in cov.excluded.itertuples())))
    mapping: dict[str, str] = {}
    if census == 2021:  # where each 2011 LA (2013 codes) went by 2021, for the change
        from socint.covariates.la import la_changes

        qs = official["census2011_ethnicity_lad"]
        assert qs.areas is not None
        old = [c for c in qs.areas["area_code"].astype(str) if c.startswith("E")]
        m = la_changes(official).mapping(old, 2013, 2021)
        best = m.sort_values("share", ascending=False).drop_duplicates("old_code")
        mapping = {str(o): str(n) for o, n in zip(best["old_code"], best["new_code"],
                                                  strict=True) if o != n}
    return SourceData(
        name=f"official tables, Census {census} ({folder})",
        kind="official", census=census, lad_vintage=geo.lad_vintage, measures=measures,
        las=geo.las, msoas=geo.msoas, msoa_covariates=msoa_cov, la_covariates=la_cov,
        population=counts[["msoa_code", "sex", "age_band", "ethnicity", "count"]],
        la_boundaries=la_bounds, msoa_boundaries=msoa_bounds,
        provenance=tuple(prov + mprov + [provenance_of(t, "covariates / frame")
                                         for t in used.values()] + bprov),
        assumptions=tuple(assumptions),
        extra={"tables": tables, "found": tables.report(census), "covariates": cov,
               "notes": [], "lad_mapping_2011": mapping})


def official_change(config: Any, source: SourceData, index: Any) -> pd.DataFrame | None:
    """2011 → 2021 change per LTLA21: the same trust source applied to both censuses.

    The 2011 run is built from the same data folder (skipped, with a note, when its tables are
    absent), with the same model and seed, so each simulation draw uses the same coefficients
    in both censuses and the change interval reflects the change of the areas, not a re-draw
    of the model. 2011 LAs merged by 2021 are combined with adult-population weights.
    Comparability: the 2021 EDI/ID are computed over other groups and units than 2011's (see
    the measures' descriptions), so their change mixes real change with the change of
    definition; the table's ``note`` says so.
    """
    from dataclasses import replace as dc_replace

    from socint import pipeline
    from socint.composite.run import combine
    from socint.composite.timeseries import change_table
    try:
        earlier_src = official_source(2011, data=config.data)
    except InputDataError as exc:
        notes = source.extra.get("notes")
        if isinstance(notes, list):
            notes.append(f"no 2011 → 2021 change: the 2011 tables are not available "
                         f"({exc.args[0]})")
        return None
    la11, msoa11 = pipeline.area_measures(earlier_src)
    trust11, _ = pipeline.estimate_trust(config, earlier_src)
    inputs11 = pipeline.index_inputs(earlier_src, la11, msoa11)
    earlier = combine(trust11, inputs11, pipeline.index_config(config))
    mapping = dict(source.extra.get("lad_mapping_2011", {}))
    later = dc_replace(index, inputs=dc_replace(index.inputs, vintage=2021))
    earlier = dc_replace(earlier, inputs=dc_replace(earlier.inputs, vintage=2011))
    out = change_table(earlier, later, mapping=mapping)
    out["note"] = (out["note"].fillna("").astype(str) + "; EDI/ID definitions differ between "
                   "censuses (2011: 14 groups, White British vs others over OAs; 2021: 6 groups "
                   "by MSOA, White vs others over LSOA21)").str.lstrip("; ")
    return out


__all__ = ["REQUIREMENTS", "FolderTables", "Requirement", "discover", "official_change",
           "official_source", "with_parents"]
