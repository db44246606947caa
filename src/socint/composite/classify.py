"""The report's classification of the "most socially integrated" local authorities.

Bright Blue (2019), *Distant neighbours?*: an LA is "most socially integrated" when it is in the
top two deciles of ethnic diversity (EDI decile 9-10) and the top five deciles of predicted
neighbourhood trust (trust decile 6-10), *confirmed* by being in the bottom five deciles of
residential segregation (Index of Dissimilarity decile 1-5). LAs that pass the first two tests
but fail the segregation check are flagged rather than silently dropped, because the report
discusses them ("diverse and trusting, but segregated").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from socint.errors import InputDataError


@dataclass(frozen=True)
class ClassificationRule:
    """Thresholds of the classification (defaults: the report's).

    Parameters
    ----------
    min_edi_decile
        Lowest EDI decile that counts as "top deciles of diversity" (9 = top two).
    min_trust_decile
        Lowest trust decile that counts as "top deciles of trust" (6 = top five).
    max_dissimilarity_decile
        Highest dissimilarity decile that passes the segregation check (5 = bottom five).
    """

    min_edi_decile: int = 9
    min_trust_decile: int = 6
    max_dissimilarity_decile: int = 5

    def __post_init__(self) -> None:
        for name in ("min_edi_decile", "min_trust_decile", "max_dissimilarity_decile"):
            v = getattr(self, name)
            if not 1 <= v <= 10:
                raise InputDataError(f"classification rule {name} was {v!r} but must be 1-10",
                                     hint="deciles run from 1 (lowest) to 10 (highest)")


REPORT_RULE = ClassificationRule()

#: Values of the ``classification`` column.
MOST_INTEGRATED = "most integrated"
FAILS_SEGREGATION = "diverse and trusting, fails segregation check"
NOT_CLASSIFIED = "not classified"
MISSING = "missing input"


def classify(
    trust_decile: npt.ArrayLike,
    edi_decile: npt.ArrayLike,
    dissimilarity_decile: npt.ArrayLike,
    rule: ClassificationRule = REPORT_RULE,
) -> pd.DataFrame:
    """Classify areas from their three deciles.

    Parameters
    ----------
    trust_decile, edi_decile, dissimilarity_decile
        Deciles (1-10, 10 = highest; NaN/NA where the value is missing or suppressed).
    rule
        The thresholds (default: the report's).

    Returns
    -------
    DataFrame
        ``most_integrated`` (bool), ``fails_segregation_check`` (bool: passes diversity and
        trust but not segregation) and ``classification`` (one of :data:`MOST_INTEGRATED`,
        :data:`FAILS_SEGREGATION`, :data:`NOT_CLASSIFIED`, :data:`MISSING`). An area with a
        missing decile is never classified most integrated and is labelled :data:`MISSING`.
    """
    t = pd.to_numeric(pd.Series(np.asarray(trust_decile, dtype=object)), errors="coerce")
    e = pd.to_numeric(pd.Series(np.asarray(edi_decile, dtype=object)), errors="coerce")
    d = pd.to_numeric(pd.Series(np.asarray(dissimilarity_decile, dtype=object)), errors="coerce")
    if not len(t) == len(e) == len(d):
        raise InputDataError(
            f"decile arrays differ in length: trust {len(t)}, edi {len(e)}, "
            f"dissimilarity {len(d)}", hint="pass one value per area for each decile")
    missing = (t.isna() | e.isna() | d.isna()).to_numpy()
    first_two = ((e >= rule.min_edi_decile) & (t >= rule.min_trust_decile)).to_numpy() & ~missing
    seg_ok = (d <= rule.max_dissimilarity_decile).to_numpy()
    most = first_two & seg_ok
    fails = first_two & ~seg_ok
    label = np.where(most, MOST_INTEGRATED, np.where(fails, FAILS_SEGREGATION, NOT_CLASSIFIED))
    label = np.where(missing, MISSING, label)
    return pd.DataFrame({"most_integrated": most, "fails_segregation_check": fails,
                         "classification": label})


def classify_draws(
    trust_deciles: np.ndarray,
    edi_decile: npt.ArrayLike,
    dissimilarity_decile: npt.ArrayLike,
    rule: ClassificationRule = REPORT_RULE,
) -> np.ndarray:
    """Most-integrated indicator per area and draw, from trust deciles per draw (areas × draws).

    EDI and dissimilarity are census counts, treated as fixed; the trust decile varies by draw.
    """
    e = np.asarray(pd.to_numeric(pd.Series(np.asarray(edi_decile, dtype=object)),
                                 errors="coerce"), dtype=float)
    d = np.asarray(pd.to_numeric(pd.Series(np.asarray(dissimilarity_decile, dtype=object)),
                                 errors="coerce"), dtype=float)
    fixed = (e >= rule.min_edi_decile) & (d <= rule.max_dissimilarity_decile)
    return np.asarray(fixed[:, None] & (trust_deciles >= rule.min_trust_decile))


__all__ = ["FAILS_SEGREGATION", "MISSING", "MOST_INTEGRATED", "NOT_CLASSIFIED", "REPORT_RULE",
           "ClassificationRule", "classify", "classify_draws"]
