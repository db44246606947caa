"""Survey microdata import: archive files (SPSS, Stata, CSV/TSV) + a mapping → the canonical
respondent table the trust model and MRP read, with a validation report.

Public API (``socint run --survey FILE --survey-map MAP`` calls :func:`import_survey`)::

    result = import_survey("cs2010.sav", "cs2010.yaml", lookup={2011: msoa11_to_lad})
    result.table    # msoa_code, lad_code, trust, female, age, ... (never publish it)
    result.report   # counts only: rows read/dropped per reason, share missing, Kish deff

See ``docs/methods/microdata.md``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from socint.microdata.apply import (
    MAX_UNKNOWN_AREA_SHARE,
    ImportResult,
    apply_mapping,
    import_survey,
)
from socint.microdata.areas import (
    LookupArg,
    _default_lookup,
    combine_lookups,
    lookups_from_files,
    read_lookup,
)
from socint.microdata.read import FORMATS, Microdata, read_microdata
from socint.microdata.report import DROP_REASONS, ImportReport, kish_deff
from socint.microdata.spec import CANONICAL, SurveyMapping, load_mapping, parse_mapping
from socint.microdata.template import map_template
from socint.microdata.write import report_paths, write_import


def example_mappings() -> dict[str, Path]:
    """The commented example mappings shipped with socint, by name."""
    folder = resources.files("socint.microdata") / "examples"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir()
            if str(p).endswith(".yaml")}


__all__ = [
    "CANONICAL", "DROP_REASONS", "FORMATS", "MAX_UNKNOWN_AREA_SHARE", "ImportReport",
    "ImportResult", "LookupArg", "Microdata", "SurveyMapping", "_default_lookup",
    "apply_mapping", "combine_lookups", "example_mappings", "import_survey", "kish_deff",
    "load_mapping", "lookups_from_files", "map_template", "parse_mapping", "read_lookup",
    "read_microdata",
    "report_paths", "write_import",
]
