"""Find the official tables the covariates need, by dataset id, in a mapping or a folder.

The pipeline hands over tables it has read (``Mapping[str, OfficialTable]``, keyed by
``OfficialTable.dataset``), or a folder that is searched recursively: each CSV is sniffed from
its header and read only if its layout can give a needed dataset. A missing table is named with
its census and where to get it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from socint.data import KNOWN_LAYOUTS, OfficialTable, read_official, sniff
from socint.errors import InputDataError

#: Dataset id -> (layout id that yields it, what it is and where to get it).
DATASETS: dict[str, tuple[str, str]] = {
    "census2011_ethnicity_lsoa": ("census2011_ethnicity_lsoa_mlid",
                                  "Census 2011 ethnic group by LSOA (KS201EW/QS201EW categories; "
                                  "ONS via UK Data Service, or the MLID R package's aggdata)"),
    "census2011_ethnicity_lad": ("census2011_nomis", "Census 2011 QS201EW ethnic group by LA "
                                 "(Nomis, table QS201EW)"),
    "census2011_ethnicity_sex_age_lad": ("census2011_dc2101_wide",
                                         "Census 2011 DC2101EW ethnic group by sex by age, LAs "
                                         "(Nomis, table DC2101EW)"),
    "census2011_ethnicity_sex_age_lad_long": ("census2011_dc2101_long",
                                              "Census 2011 DC2101EW, tidy long LA file"),
    "census2021_ethnicity_msoa": ("census2021_ts021_msoa", "Census 2021 TS021 ethnic group, "
                                  "MSOA 2021 (ONS, table TS021)"),
    "census2021_ethnicity_lad": ("census2021_ts021_ltla", "Census 2021 TS021 ethnic group, "
                                 "detailed, LTLA 2021 (ONS, table TS021)"),
    "census2021_proficiency_msoa": ("census2021_ts029_msoa", "Census 2021 TS029 proficiency in "
                                    "English, MSOA 2021 (ONS, table TS029)"),
    "census2021_age_msoa": ("census2021_age6", "Census 2021 age (6 categories), MSOA 2021 (ONS "
                            "custom dataset or TS007A)"),
    "census2021_age_lsoa": ("census2021_age6", "Census 2021 age (6 categories), LSOA 2021"),
    "population_mid2019_msoa": ("population_mid2019_msoa11", "ONS mid-2019 small area "
                                "population estimates by single year of age, MSOA 2011"),
    "iod2015_lsoa": ("iod2015_lsoa11", "English Indices of Deprivation 2015, LSOA file "
                     "(MHCLG, File 1/7)"),
    "iod2019_lsoa": ("iod2019_lsoa11", "English Indices of Deprivation 2019, LSOA ranks and "
                     "deciles (MHCLG, File 2)"),
    "iod2019_msoa": ("iod_msoa11", "IoD2019 domain scores aggregated to MSOA 2011 (R package IMD)"),
    "ruc2011_lsoa": ("ruc2011_lsoa", "2011 Rural-Urban Classification of LSOAs (ONS/Defra)"),
    "lookup_lsoa11_lsoa21_ltla22": ("lookup_lsoa11_lsoa21_ltla22", "ONS LSOA11 -> LSOA21 -> "
                                    "LAD22 lookup (Open Geography portal LSOA11_LSOA21_LAD22)"),
    "lookup_lsoa21_msoa21_ltla22": ("lookup_lsoa21_msoa21_ltla22", "LSOA21 -> MSOA21 -> LAD22 "
                                    "lookup (ONS Open Geography portal)"),
    "lookup_msoa11_msoa21_ltla22": ("lookup_msoa11_msoa21_ltla22", "ONS MSOA11 -> MSOA21 "
                                    "best-fit lookup (MSOA11_MSOA21_LAD22_EW_LU)"),
    "la_changes": ("la_changes", "ONS LA code changes 2014-2025 (ONSvisual uk-topojson)"),
    "la_all_codes": ("la_all_codes", "every LA code since 2011 (drkane geo-lookups)"),
}


def collect_tables(source: Mapping[str, OfficialTable] | str | Path, needed: Iterable[str], *,
                   census: int,
                   alternatives: Mapping[str, str] | None = None) -> dict[str, OfficialTable]:
    """The needed tables, keyed by dataset id.

    Parameters
    ----------
    source
        Tables already read (keyed by dataset id) or a folder searched recursively.
    needed
        Dataset ids (keys of :data:`DATASETS`).
    census
        For the error message.
    alternatives
        Needed id -> an id that can stand in for it (e.g. the long DC2101EW file for the wide).

    Raises
    ------
    InputDataError
        A needed table is absent: names it, the census and where to get it.
    """
    want = list(dict.fromkeys(needed))
    alt = dict(alternatives or {})
    pool: dict[str, OfficialTable]
    if isinstance(source, Mapping):
        pool = dict(source)
    else:
        pool = _read_folder(Path(source), [*want, *alt.values()])
    out: dict[str, OfficialTable] = {}
    missing = []
    for ds in want:
        if ds in pool:
            out[ds] = pool[ds]
        elif ds in alt and alt[ds] in pool:
            out[ds] = pool[alt[ds]]
        else:
            missing.append(ds)
    if missing:
        lines = "; ".join(f"{ds}: {DATASETS.get(ds, ('', ds))[1]}" for ds in missing)
        raise InputDataError(
            f"the Census {census} covariates need {len(missing)} table(s) not found: {lines}",
            file=None if isinstance(source, Mapping) else str(source), code=missing[0],
            hint="download the table(s) named (publisher and table code given) into the data "
                 "folder, or pass them read with socint.data.read_official")
    return out


def _read_folder(folder: Path, needed: list[str]) -> dict[str, OfficialTable]:
    if not folder.is_dir():
        raise InputDataError(f"data folder {folder} does not exist", file=folder,
                             hint="pass the folder holding the official tables")
    layouts = {DATASETS[d][0] for d in needed if d in DATASETS}
    pool: dict[str, OfficialTable] = {}
    for path in sorted(folder.rglob("*.csv")):
        try:
            _, layout = sniff(path)
        except InputDataError:
            continue
        if layout is None or layout.id not in layouts or layout.id not in KNOWN_LAYOUTS:
            continue
        table = read_official(path)
        if table.dataset in needed and table.dataset not in pool:
            pool[table.dataset] = table
    return pool


__all__ = ["DATASETS", "collect_tables"]
