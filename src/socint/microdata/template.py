"""``socint survey map-template``: a starting mapping written from a file's own variables.

Nothing is guessed: every canonical entry starts as ``FILL_IN`` (which the mapping reader
refuses until replaced), and every variable of the file is listed below with its label and
every value label, ready to copy under ``variables:``. Counts are never written, only the codes
the file defines, so the template can be shared without disclosing respondents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from socint.microdata.read import Microdata
from socint.microdata.spec import CANONICAL, FILL_IN

#: Text files carry no labels: their distinct values are listed when there are at most this many.
MAX_LISTED_VALUES = 20


def _fmt(code: object) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return repr(code) if isinstance(code, str) else str(code)


def _order(code: object) -> tuple[int, float, str]:
    """Sort key of a code: numbers first in numeric order, then text alphabetically."""
    if isinstance(code, int | float) and not isinstance(code, bool):
        return (0, float(code), "")
    return (1, 0.0, str(code))


def _codes_of(data: Microdata, column: str) -> list[tuple[str, str]]:
    labels = data.value_labels.get(column)
    if labels:
        return [(_fmt(k), v) for k, v in sorted(labels.items(), key=lambda kv: _order(kv[0]))]
    if data.format in ("csv", "tsv"):
        values = pd.Series(data.frame[column].dropna().unique())
        if 0 < len(values) <= MAX_LISTED_VALUES:
            return [(_fmt(v), "") for v in sorted(values.tolist(), key=_order)]
    return []


def map_template(data: Microdata) -> str:
    """The YAML text of a starting mapping for ``data`` (see the module docstring)."""
    path = Path(data.path)
    lines = [
        f"# socint survey mapping — template written from {path.name} by "
        "`socint survey map-template`.",
        f"# Replace every {FILL_IN}; delete the entries your file does not have.",
        "# Check every code against the archive's codebook/user guide: value labels in a file",
        "# can be abbreviated, and the codes of the same question can differ between waves.",
        "# Schema and canonical values: docs/methods/microdata.md",
        f"survey: {json.dumps(path.stem)}",
        f"area: {{msoa_code: {FILL_IN}, vintage: {FILL_IN}}}   # or lsoa_code / lad_code; "
        "vintage 2011 or 2021",
        f"weight: {FILL_IN}      # optional, like psu: and strata: (delete if none)",
        "missing: []          # codes treated as missing in every column, e.g. [-9, -8]",
        "unmapped: error      # or drop: rows with codes not listed under codes: are dropped",
        "variables:",
    ]
    for canon in CANONICAL.values():
        lines.append(f"  {canon.name}:   # {canon.description}; allowed: {canon.allowed()}")
        lines.append(f"    column: {FILL_IN}")
        if canon.values is not None:
            lines.append("    codes: {}   # source code: canonical value "
                         "(copy the codes from the list below)")
    lines += ["", f"# ---- the {data.frame.shape[1]} variables of {path.name} ----"]
    for col in data.frame.columns:
        label = data.column_labels.get(col, "")
        kind = "numeric" if pd.api.types.is_numeric_dtype(data.frame[col]) else "text"
        lines.append(f"#   {col}:   # {kind}" + (f"; {label}" if label else ""))
        codes = _codes_of(data, col)
        if codes:
            lines.append("#     codes:")
            lines += [f"#       {code}: {FILL_IN}" + (f"   # {lab}" if lab else "")
                      for code, lab in codes]
    return "\n".join(lines) + "\n"


__all__ = ["MAX_LISTED_VALUES", "map_template"]
