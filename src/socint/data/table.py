"""The table every reader returns, the canonical category schemes, and the wide view of counts.

`OfficialTable` follows the contract in ``docs/architecture.md``: one frozen record per file read,
carrying the tidy data, one row per area (``areas``), and the provenance the store keeps
(publisher, licence, path, sha256).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from socint.errors import InputDataError

OGL = "Open Government Licence v3.0"
ONS = "Office for National Statistics"
MHCLG = "Ministry of Housing, Communities and Local Government"

KINDS: tuple[str, ...] = ("counts", "attributes", "lookup", "changes", "boundaries")

#: Canonical category schemes (``docs/architecture.md``), categories in scheme order.
SCHEMES: dict[str, tuple[str, ...]] = {
    "ethnicity_2011_detailed": (
        "white_british", "white_irish", "white_gypsy_traveller", "white_other",
        "mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
        "mixed_other", "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese",
        "asian_other", "black_african", "black_caribbean", "black_other", "other_arab",
        "other_any",
    ),
    "ethnicity_2011_mlid": (
        "white_british", "white_irish", "white_gypsy_traveller", "white_other", "mixed",
        "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese", "asian_other",
        "black_african", "black_caribbean", "black_other", "other_arab", "other_any",
    ),
    "ethnicity_broad": ("white", "mixed", "asian", "black", "other"),
    "ethnicity_survey6": ("white", "asian", "black", "mixed", "chinese", "other"),
    "ethnicity_2021_detailed": (
        "white_british", "white_irish", "white_gypsy_traveller", "white_roma", "white_other",
        "mixed_white_black_caribbean", "mixed_white_black_african", "mixed_white_asian",
        "mixed_other", "asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese",
        "asian_other", "black_african", "black_caribbean", "black_other", "other_arab",
        "other_any",
    ),
    "ethnicity_2021_msoa6": ("asian", "black_african", "black_caribbean", "mixed", "white",
                             "other"),
    "ethnicity_2021_broad": ("white", "mixed", "asian", "black", "other"),
    "religion_2021": ("no_religion", "christian", "buddhist", "hindu", "jewish", "muslim", "sikh",
                      "other_religion", "not_answered"),
    "religion_2011": ("no_religion", "christian", "buddhist", "hindu", "jewish", "muslim", "sikh",
                      "other_religion", "not_answered"),
    "proficiency_2021": ("english_main", "very_well", "well", "not_well", "not_at_all"),
    "proficiency_2011": ("english_main", "very_well", "well", "not_well", "not_at_all"),
    "age_single_year": (*(str(a) for a in range(90)), "90+"),
    "age_2021_6": ("0-15", "16-24", "25-34", "35-49", "50-64", "65+"),
}


@dataclass(frozen=True)
class OfficialTable:
    """One official file, read and schema-checked.

    Parameters
    ----------
    dataset
        Canonical dataset id, e.g. ``census2011_ethnicity`` or ``iod2019_lsoa``.
    kind
        One of ``counts``, ``attributes``, ``lookup``, ``changes``, ``boundaries``.
    level, vintage
        Geography level and vintage of the rows; ``None`` for lookups and changes spanning
        levels or vintages (per-column vintages are then in ``meta["vintages"]``).
    topic, scheme
        Counts only: topic (``ethnicity``, ``religion``, ``proficiency``, ``age``) and category
        scheme (a key of :data:`SCHEMES`).
    data
        The table, laid out by kind (see ``docs/architecture.md``).
    areas
        Counts and attributes: one row per area (``area_code``, ``area_name``, ``level``,
        ``vintage``, ``total`` and the parent columns the file carries); ``None`` otherwise.
    source, licence
        Publisher and licence text.
    path, sha256
        The file read and its SHA-256 checksum (provenance for the store).
    layout
        Id of the layout in :data:`socint.data.KNOWN_LAYOUTS` that was read.
    meta
        Extra facts about the file, e.g. the IoD ``edition`` or per-column ``vintages``.
    """

    dataset: str
    kind: str
    level: str | None
    vintage: int | None
    topic: str | None
    scheme: str | None
    data: pd.DataFrame
    areas: pd.DataFrame | None
    source: str
    licence: str
    path: Path
    sha256: str
    layout: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind was {self.kind!r} but is expected to be one of {KINDS}")
        if self.kind == "counts" and self.scheme not in SCHEMES:
            raise ValueError(f"scheme was {self.scheme!r} but is expected to be one of "
                             f"{sorted(SCHEMES)}")

    @property
    def n_areas(self) -> int:
        """Number of areas (rows of ``areas``, or of ``data`` when there is no area table)."""
        return len(self.areas) if self.areas is not None else len(self.data)


def counts_long(codes: np.ndarray, matrix: np.ndarray, scheme: str) -> pd.DataFrame:
    """Long counts (``area_code``, ``category``, ``count``) from an area × category matrix.

    ``category`` is a pandas Categorical whose categories are the scheme's, in scheme order, so
    that pivoting back (:func:`counts_wide`) keeps the order without sorting strings.
    """
    categories = SCHEMES[scheme]
    n, k = matrix.shape
    if k != len(categories):
        raise ValueError(f"matrix has {k} columns but scheme {scheme} has {len(categories)}")
    cat = pd.Categorical.from_codes(np.tile(np.arange(k, dtype=np.int64), n),
                                    categories=pd.Index(list(categories)))
    # Repeat the codes with pyarrow's take: ~4x faster than building 2.7M Python strings.
    taken = pa.array(np.asarray(codes, dtype=object), type=pa.large_string()).take(
        pa.array(np.repeat(np.arange(n, dtype=np.int64), k)))
    return pd.DataFrame({
        "area_code": pd.array(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
        "category": cat,
        "count": np.ascontiguousarray(matrix, dtype=np.int64).ravel(),
    })


def counts_wide(table: OfficialTable) -> pd.DataFrame:
    """The area × category matrix of a counts table.

    Returns
    -------
    DataFrame
        Index ``area_code`` (areas in file order), one int64 column per category in scheme
        order.
    """
    if table.kind != "counts" or table.scheme is None:
        raise InputDataError(f"counts_wide needs a counts table, got kind {table.kind!r} "
                             f"({table.dataset})", file=table.path)
    categories = list(SCHEMES[table.scheme])
    data = table.data
    k = len(categories)
    cat_codes = pd.Categorical(data["category"], categories=categories).codes
    codes = data["area_code"].to_numpy()
    # Fast path: the reader's own layout (areas in blocks of k rows, categories in order).
    if (len(data) % k == 0 and len(data)
            and np.array_equal(cat_codes, np.tile(np.arange(k), len(data) // k))):
        first = codes[::k]
        same_area = all(np.array_equal(first, codes[j::k]) for j in range(1, k))
        if same_area:
            values = data["count"].to_numpy(dtype=np.int64).reshape(-1, k)
            return pd.DataFrame(values, index=pd.Index(first, name="area_code"),
                                columns=categories)
    wide = data.pivot_table(index="area_code", columns="category", values="count",
                            aggfunc="sum", observed=False, sort=False)
    return wide.reindex(columns=categories).fillna(0).astype(np.int64)


def areas_frame(codes: Sequence[str] | np.ndarray, *, level: str, vintage: int | None,
                names: Sequence[object] | np.ndarray | None = None,
                total: np.ndarray | None = None,
                parents: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Build the ``areas`` table of the contract (one row per area, file order)."""
    n = len(codes)
    out = pd.DataFrame({
        "area_code": np.asarray(codes, dtype=object),
        "area_name": pd.array(np.asarray(names if names is not None else [None] * n,
                                         dtype=object), dtype=pd.StringDtype()),
        "level": level,
        "vintage": pd.array([vintage] * n, dtype="Int64"),
        "total": (pd.array(total, dtype="Int64") if total is not None
                  else pd.array([pd.NA] * n, dtype="Int64")),
    })
    for name, values in (parents or {}).items():
        out[name] = np.asarray(values, dtype=object)
    return out


__all__ = ["KINDS", "MHCLG", "OGL", "ONS", "SCHEMES", "OfficialTable", "areas_frame",
           "counts_long", "counts_wide"]
