"""The validation report of a survey import: counts only, never respondent-level values.

Rows read, rows dropped for each reason, the share missing per variable and the Kish design
effect of the weights (Kish 1965, *Survey Sampling*: deff = n Σw² / (Σw)², the variance
inflation of a weighted mean from unequal weights alone).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

#: Reasons a row is dropped, in the order they are checked: each dropped row is counted once,
#: under the first reason that applies (per-variable counts in ``dropped_by_variable`` are not
#: exclusive).
DROP_REASONS = {
    "missing_area_code": "area code missing",
    "area_code_unknown": "area code unknown for the stated vintage",
    "missing_value": "missing code (a mapped variable is missing)",
    "unmapped_code": "code not covered by the mapping (unmapped: drop)",
    "out_of_range": "value outside the canonical range",
}


def kish_deff(weights: np.ndarray) -> float:
    """Kish's design effect from unequal weights, n Σw² / (Σw)² (1 when all weights are equal)."""
    w = np.asarray(weights, dtype=float)
    return float(len(w) * np.sum(w**2) / np.sum(w) ** 2) if len(w) else float("nan")


@dataclass(frozen=True)
class ImportReport:
    """What an import read, kept and dropped (aggregate counts; safe to publish).

    Parameters
    ----------
    survey, file, format
        The mapping's ``survey`` text, the file read and its format.
    area_level, vintage
        The mapped area key and the census vintage of its codes.
    rows_read, rows_kept
        Respondent rows in the file and in the canonical table.
    dropped
        Rows dropped per reason (:data:`DROP_REASONS`), each row once.
    dropped_by_variable
        ``{variable: {reason: rows}}``; a row may count under several variables.
    share_missing
        Share of rows read where each mapped variable (and the area code) is missing.
    other_vintage_matches
        For codes unknown in the stated vintage: how many rows' codes the other vintage knows.
    kish_deff, effective_n
        Of the kept rows' weights; ``None`` when no weight is mapped.
    not_mapped
        Canonical model variables the mapping does not give.
    """

    survey: str
    file: str
    format: str
    area_level: str
    vintage: int
    rows_read: int
    rows_kept: int
    dropped: dict[str, int]
    dropped_by_variable: dict[str, dict[str, int]]
    share_missing: dict[str, float]
    other_vintage_matches: dict[int, int] = field(default_factory=dict)
    kish_deff: float | None = None
    effective_n: float | None = None
    not_mapped: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (vintage keys as strings)."""
        out = asdict(self)
        out["other_vintage_matches"] = {str(k): v for k, v in self.other_vintage_matches.items()}
        out["not_mapped"] = list(self.not_mapped)
        return out

    def to_text(self) -> str:
        """The report as plain text, as printed by ``socint survey import``."""
        lines = [f"survey import report: {self.survey}",
                 f"file: {self.file} ({self.format}); area: {self.area_level}, "
                 f"vintage {self.vintage}",
                 f"rows read: {self.rows_read}",
                 f"rows kept: {self.rows_kept}",
                 f"rows dropped: {self.rows_read - self.rows_kept}"]
        for key, words in DROP_REASONS.items():
            line = f"  {words}: {self.dropped.get(key, 0)}"
            if key == "area_code_unknown" and self.other_vintage_matches:
                line += "".join(f" ({n} of them are known {v} codes)"
                                for v, n in self.other_vintage_matches.items())
            lines.append(line)
        lines.append("share missing per variable:")
        lines += [f"  {var}: {share:.1%}" for var, share in self.share_missing.items()]
        if self.kish_deff is None:
            lines.append("weights: none mapped (Kish design effect 1 by assumption)")
        else:
            lines.append(f"Kish design effect of the weights: {self.kish_deff:.3f} "
                         f"(effective n {self.effective_n:.0f})")
        if self.not_mapped:
            lines.append(f"model variables not mapped: {', '.join(self.not_mapped)}")
        return "\n".join(lines) + "\n"


__all__ = ["DROP_REASONS", "ImportReport", "kish_deff"]
