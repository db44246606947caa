"""Census 2011 tables in the Nomis bulk wide CSV layout (e.g. QS201EW ethnic group).

Nomis (ONS's labour-market and census service) writes one row per area with identifier columns
``date``, ``geography``, ``geography code`` (and optionally ``Rural Urban``) and one column per
cell, headed ``<Topic>: <label path>; measures: Value``, for example
``Ethnic Group: White: Irish; measures: Value``. The header parser is generic: the topic prefix
selects a :class:`NomisTopic` (a map from label path to canonical category, plus the total and any
subtotals), so another Nomis table plugs in by adding one entry to :data:`NOMIS_TOPICS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from socint.data.source import csv_header, read_csv, sha256_of, text
from socint.data.table import OGL, ONS, SCHEMES, OfficialTable, areas_frame, counts_long
from socint.data.validate import (
    ReadOptions,
    check_codes,
    check_total,
    check_unique,
    check_vintage,
    count_matrix,
)
from socint.errors import InputDataError, SchemaError, _preview
from socint.geo.codes import levels_of

ID_COLUMNS = ("date", "geography", "geography code")
MEASURE_SUFFIX = "; measures: Value"

#: LA codes only in the original 2011 set, and their post-2013 replacements (ONS Code History
#: Database; Northumberland, Gateshead, East Hertfordshire, St Albans, Stevenage).
LAD_2011_ONLY = frozenset({"E06000048", "E08000020", "E07000097", "E07000100", "E07000101"})
LAD_2013_NEW = frozenset({"E06000057", "E08000037", "E07000240", "E07000242", "E07000243"})


@dataclass(frozen=True)
class NomisTopic:
    """How to read one Nomis topic.

    Parameters
    ----------
    prefix
        Header prefix before the first ``": "`` (e.g. ``"Ethnic Group"``).
    topic, scheme, dataset
        Canonical topic, category scheme and dataset id of the output.
    total
        Label path of the all-categories total.
    categories
        Label path -> canonical category (must cover the scheme exactly).
    subtotals
        Label path -> the canonical categories it adds up (checked, then dropped).
    """

    prefix: str
    topic: str
    scheme: str
    dataset: str
    total: str
    categories: dict[str, str]
    subtotals: dict[str, tuple[str, ...]]

    def expected_headers(self) -> list[str]:
        """Every cell header this topic knows, as Nomis writes it."""
        labels = [self.total, *self.subtotals, *self.categories]
        return [f"{self.prefix}: {lab}{MEASURE_SUFFIX}" for lab in labels]


_M = "Mixed/multiple ethnic group"
_A = "Asian/Asian British"
_B = "Black/African/Caribbean/Black British"
_NE = "Main language is not English (English or Welsh in Wales)"

NOMIS_TOPICS: dict[str, NomisTopic] = {
    "Ethnic Group": NomisTopic(
        prefix="Ethnic Group", topic="ethnicity", scheme="ethnicity_2011_detailed",
        dataset="census2011_ethnicity", total="All categories: Ethnic group",
        categories={
            "White: English/Welsh/Scottish/Northern Irish/British": "white_british",
            "White: Irish": "white_irish", "White: Gypsy or Irish Traveller":
                "white_gypsy_traveller", "White: Other White": "white_other",
            f"{_M}: White and Black Caribbean": "mixed_white_black_caribbean",
            f"{_M}: White and Black African": "mixed_white_black_african",
            f"{_M}: White and Asian": "mixed_white_asian", f"{_M}: Other Mixed": "mixed_other",
            f"{_A}: Indian": "asian_indian", f"{_A}: Pakistani": "asian_pakistani",
            f"{_A}: Bangladeshi": "asian_bangladeshi", f"{_A}: Chinese": "asian_chinese",
            f"{_A}: Other Asian": "asian_other", f"{_B}: African": "black_african",
            f"{_B}: Caribbean": "black_caribbean", f"{_B}: Other Black": "black_other",
            "Other ethnic group: Arab": "other_arab",
            "Other ethnic group: Any other ethnic group": "other_any",
        },
        subtotals={
            "White": ("white_british", "white_irish", "white_gypsy_traveller", "white_other"),
            "Mixed": ("mixed_white_black_caribbean", "mixed_white_black_african",
                      "mixed_white_asian", "mixed_other"),
            "Asian": ("asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese",
                      "asian_other"),
            "Black": ("black_african", "black_caribbean", "black_other"),
            "Other": ("other_arab", "other_any"),
        },
    ),
    # QS208EW (religion); labels as in the Nomis bulk download.
    "Religion": NomisTopic(
        prefix="Religion", topic="religion", scheme="religion_2011",
        dataset="census2011_religion", total="All categories: Religion",
        categories={"No religion": "no_religion", "Christian": "christian",
                    "Buddhist": "buddhist", "Hindu": "hindu", "Jewish": "jewish",
                    "Muslim": "muslim", "Sikh": "sikh", "Other religion": "other_religion",
                    "Religion not stated": "not_answered"},
        subtotals={},
    ),
    # QS205EW (proficiency in English, usual residents aged 3+).
    "Proficiency in English": NomisTopic(
        prefix="Proficiency in English", topic="proficiency", scheme="proficiency_2011",
        dataset="census2011_proficiency", total="All categories: Proficiency in English",
        categories={"Main language is English (English or Welsh in Wales)": "english_main",
                    f"{_NE}: Can speak English very well": "very_well",
                    f"{_NE}: Can speak English well": "well",
                    f"{_NE}: Cannot speak English well": "not_well",
                    f"{_NE}: Cannot speak English": "not_at_all"},
        subtotals={_NE: ("very_well", "well", "not_well", "not_at_all")},
    ),
}


def is_nomis_header(header: list[str]) -> bool:
    """True if the header looks like a Nomis bulk wide CSV."""
    return "geography code" in header and any(h.endswith(MEASURE_SUFFIX) for h in header)


def _topic_of(header: list[str], file: Path) -> NomisTopic:
    cells = [h for h in header if h not in ID_COLUMNS and h != "Rural Urban"]
    prefixes = {h.split(": ", 1)[0] for h in cells}
    known = [NOMIS_TOPICS[p] for p in prefixes if p in NOMIS_TOPICS]
    if len(prefixes) != 1 or not known:
        raise SchemaError(
            f"Nomis table with topic prefix(es) {_preview(sorted(prefixes))}, which socint does "
            f"not know; known topics: {_preview(sorted(NOMIS_TOPICS))}; expected headers like "
            f"{NOMIS_TOPICS['Ethnic Group'].expected_headers()[1]!r}",
            file=file, column=cells[0] if cells else None,
            hint="add a NomisTopic to socint.data.nomis.NOMIS_TOPICS for this table")
    return known[0]


def _lad_vintage(codes: np.ndarray) -> int:
    found = set(codes.tolist())
    return 2011 if found & LAD_2011_ONLY else 2013 if found & LAD_2013_NEW else 2011


def read_census2011_nomis(path: str | Path, *, options: ReadOptions | None = None) -> OfficialTable:
    """Read a Census 2011 Nomis bulk wide CSV (QS201EW and the topics of :data:`NOMIS_TOPICS`).

    Every cell column must be one the topic knows; broad subtotals and the detailed categories
    are both checked against the total (exactly by default), then only the detailed categories
    are kept. The level comes from the codes; for LAs the vintage is 2013 when the post-2013
    codes (e.g. Northumberland ``E06000057``) are present, 2011 when the original 2011 codes are.

    Raises
    ------
    SchemaError
        Unknown topic or header (names the file and the expected headers); missing categories.
    InputDataError
        Bad counts, totals that do not add up, duplicated or wrong codes, mixed levels.
    """
    opts = options or ReadOptions()
    p = Path(path)
    header = csv_header(p)
    topic = _topic_of(header, p)
    by_header = {f"{topic.prefix}: {lab}{MEASURE_SUFFIX}": lab
                 for lab in (topic.total, *topic.subtotals, *topic.categories)}
    unknown = [h for h in header if h.startswith(f"{topic.prefix}: ") and h not in by_header]
    if unknown:
        raise SchemaError(f"unknown {topic.prefix} column(s) {_preview(unknown)}; expected "
                          f"headers: {_preview(topic.expected_headers(), 40)}", file=p,
                          column=unknown[0],
                          hint="check the table id; add the labels to NOMIS_TOPICS if new")
    cat_headers = {canon: h for h, lab in by_header.items()
                   if (canon := topic.categories.get(lab)) is not None}
    ordered = [cat_headers[c] for c in SCHEMES[topic.scheme] if c in cat_headers]
    total_header = f"{topic.prefix}: {topic.total}{MEASURE_SUFFIX}"
    required = ["geography", "geography code", total_header,
                *(cat_headers.get(c, f"{topic.prefix}: <{c}>{MEASURE_SUFFIX}")
                  for c in SCHEMES[topic.scheme])]
    df = read_csv(p, required=required, layout=f"Nomis {topic.prefix} table",
                  text_columns=["geography", "geography code", "Rural Urban"])
    codes = text(df, "geography code").fillna("").to_numpy(dtype=object)
    if "Rural Urban" in df.columns:
        ru = text(df, "Rural Urban").fillna("")
        bad = np.flatnonzero((ru != "Total").to_numpy())
        if bad.size:
            i = int(bad[0])
            raise InputDataError(f"Rural Urban is {ru.iloc[i]!r}; only 'Total' rows are read",
                                 file=p, row=i + 1, column="Rural Urban", code=str(codes[i]),
                                 hint="download the table with Rural Urban = Total only")
    detected = levels_of(codes)
    found_levels = detected.dropna().unique()
    level = str(found_levels[0]) if len(found_levels) else "lad"
    if len(found_levels) > 1:
        i = int(np.flatnonzero((detected.notna() & (detected != level)).to_numpy())[0])
        raise InputDataError(f"the file mixes geography levels {_preview(sorted(found_levels))}; "
                             f"the first recognised code is {level} but this row is "
                             f"{detected.iloc[i]}", file=p,
                             row=i + 1, column="geography code", code=str(codes[i]),
                             hint="download one geography level per file")
    check_codes(codes, level=level, countries=opts.countries, file=p, column="geography code")
    check_unique(codes, file=p, column="geography code")
    vintage = _lad_vintage(codes) if level == "lad" else 2011
    check_vintage(codes, level=level, vintage=vintage, file=p, column="geography code",
                  known_codes=opts.known_codes)
    matrix = count_matrix(df, ordered, codes=codes, file=p)
    total = count_matrix(df, [total_header], codes=codes, file=p)[:, 0]
    check_total(matrix, total, options=opts, file=p, codes=codes, total_column=total_header,
                parts_label="the detailed categories")
    cats = list(SCHEMES[topic.scheme])
    for label, parts in topic.subtotals.items():
        h = f"{topic.prefix}: {label}{MEASURE_SUFFIX}"
        if h in df.columns:
            sub = count_matrix(df, [h], codes=codes, file=p)[:, 0]
            check_total(matrix[:, [cats.index(c) for c in parts]], sub, options=opts, file=p,
                        codes=codes, total_column=h, parts_label=f"the {label} categories")
    return OfficialTable(
        dataset=f"{topic.dataset}_{level}", kind="counts", level=level, vintage=vintage,
        topic=topic.topic,
        scheme=topic.scheme, data=counts_long(codes, matrix, topic.scheme),
        areas=areas_frame(codes, level=level, vintage=vintage,
                          names=text(df, "geography").to_numpy(dtype=object), total=total),
        source=f"{ONS}, Census 2011 via Nomis", licence=OGL, path=p, sha256=sha256_of(p),
        layout="census2011_nomis", meta={"nomis_topic": topic.prefix},
    )


__all__ = ["NOMIS_TOPICS", "NomisTopic", "is_nomis_header", "read_census2011_nomis"]
