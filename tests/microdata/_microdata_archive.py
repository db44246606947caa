"""Build archive-style survey files from a canonical respondent table (for the round trips).

The canonical table is encoded as a data archive would ship it: archive-style variable names,
numeric codes with value labels, several source codes per canonical value (so the mapping does
real work), negative missing codes, and a known number of rows that must be dropped for each
reason. Decoding must give back exactly the canonical rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CANON = ["msoa_code", "lad_code", "trust", "female", "age", "income", "ethnicity", "married",
         "years5", "nssec", "year_2010", "weight"]

LABELS: dict[str, dict[int, str]] = {
    "nbrtrust": {1: "Many can be trusted", 2: "Some can be trusted", 3: "A few can be trusted",
                 4: "None can be trusted", -9: "Refused", -8: "Don't know"},
    "sex": {1: "Male", 2: "Female"},
    "dvage": {-9: "Refused"},
    "incband": {**{i: f"Band {i}" for i in range(1, 16)}, -8: "Don't know"},
    "ethnic": {1: "White", 2: "Asian or Asian British", 3: "Black or Black British",
               4: "Mixed", 5: "Chinese", 6: "Other ethnic group"},
    "marstat": {1: "Married/civil partnership", 2: "Cohabiting", 3: "Single",
                4: "Widowed", 5: "Divorced", 6: "Separated"},
    "yrsarea": {1: "Less than a year", 2: "1 to 5 years", 3: "5 to 10 years",
                4: "10 years or more"},
    "nssec8": {1: "Higher managerial", 2: "Lower managerial", 3: "Intermediate",
               4: "Small employers", 5: "Lower supervisory", 6: "Semi-routine", 7: "Routine",
               8: "Never worked", 9: "Full-time student"},
    "wave": {1: "2009-10", 2: "2010-11"},
}
ETHNIC = {"White": 1, "Asian": 2, "Black": 3, "Mixed": 4, "Chinese": 5, "Other": 6}
NSSEC = {"Managerial": (1, 2), "Intermediate": (3, 4), "Routine": (5, 6, 7), "Other": (8, 9)}

MAPPING: dict[str, Any] = {
    "survey": "round-trip test survey (synthetic)",
    "area": {"msoa_code": "msoa11cd", "vintage": 2011},
    "weight": "wt_ind",
    "missing": [-9, -8],
    "unmapped": "drop",
    "variables": {
        "trust": {"column": "nbrtrust", "codes": {1: 1, 2: 0, 3: 0, 4: 0}},
        "female": {"column": "sex", "codes": {1: 0, 2: 1}},
        "age": {"column": "dvage"},
        "income": {"column": "incband", "codes": {i: i for i in range(1, 16)}},
        "ethnicity": {"column": "ethnic", "codes": {v: k for k, v in ETHNIC.items()}},
        "married": {"column": "marstat", "codes": {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}},
        "years5": {"column": "yrsarea", "codes": {1: 0, 2: 0, 3: 1, 4: 1}},
        "nssec": {"column": "nssec8", "codes": {c: k for k, cs in NSSEC.items() for c in cs}},
        "year_2010": {"column": "wave", "codes": {1: 0, 2: 1}},
    },
}

#: Rows injected per drop reason (each with exactly one fault).
INJECTED = {"missing_area_code": 5, "area_code_unknown": 4, "missing_value": 9,
            "unmapped_code": 2, "out_of_range": 5}


def canonical(survey: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    """The canonical columns of a synthetic survey plus a survey weight."""
    rng = np.random.default_rng(seed)
    table = survey[CANON[:-1]].reset_index(drop=True).copy()
    table["weight"] = np.round(rng.gamma(4.0, 0.25, len(table)), 6)
    return table


def encode(table: pd.DataFrame, seed: int = 4) -> pd.DataFrame:
    """The archive-style file content of ``table`` (no faults)."""
    rng = np.random.default_rng(seed)
    n = len(table)

    def pick(options: list[tuple[int, ...]]) -> np.ndarray:
        return np.array([o[rng.integers(len(o))] for o in options], dtype=np.int64)

    return pd.DataFrame({
        "serial": np.arange(1, n + 1, dtype=np.int64),
        "msoa11cd": table["msoa_code"].astype(str).to_numpy(dtype=object),
        "nbrtrust": pick([(1,) if t else (2, 3, 4) for t in table["trust"]]),
        "sex": np.where(table["female"] == 1, 2, 1).astype(np.int64),
        "dvage": table["age"].to_numpy(dtype=np.int64),
        "incband": table["income"].to_numpy(dtype=np.int64),
        "ethnic": table["ethnicity"].map(ETHNIC).to_numpy(dtype=np.int64),
        "marstat": pick([(1,) if m else (2, 3, 4, 5) for m in table["married"]]),
        "yrsarea": pick([(3, 4) if y else (1, 2) for y in table["years5"]]),
        "nssec8": pick([NSSEC[k] for k in table["nssec"]]),
        "wave": np.where(table["year_2010"] == 1, 2, 1).astype(np.int64),
        "wt_ind": table["weight"].to_numpy(dtype=float),
    })


def with_faults(archive: pd.DataFrame, seed: int = 5) -> pd.DataFrame:
    """``archive`` with :data:`INJECTED` faulty rows inserted at random places (order kept)."""
    rng = np.random.default_rng(seed)
    faults = []
    for reason, count in INJECTED.items():
        for k in range(count):
            row = archive.iloc[[int(rng.integers(len(archive)))]].copy()
            if reason == "missing_area_code":
                row["msoa11cd"] = ""
            elif reason == "area_code_unknown":
                row["msoa11cd"] = "E02999999"
            elif reason == "missing_value":
                col, code = ("nbrtrust", -9) if k < 6 else ("incband", -8)
                row[col] = code
            elif reason == "unmapped_code":
                row["marstat"] = 6
            else:
                row["dvage"] = 14
            faults.append(row)
    bad = pd.concat(faults)
    keys = np.concatenate([np.arange(len(archive), dtype=float),
                           rng.uniform(0, len(archive), len(bad))])
    out = pd.concat([archive, bad], ignore_index=True)
    out = out.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)
    out["serial"] = np.arange(1, len(out) + 1, dtype=np.int64)
    return out


def write_archive(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as .sav (with user-missing ranges) or .dta, with value labels."""
    import pyreadstat

    labels = {c: v for c, v in LABELS.items() if c in frame.columns}
    column_labels = {"msoa11cd": "MSOA 2011 code", "nbrtrust": "Trust people in neighbourhood",
                     "wt_ind": "Individual weight"}
    names = [column_labels.get(c, c) for c in frame.columns]
    if path.suffix == ".sav":
        pyreadstat.write_sav(frame, str(path), column_labels=names,
                             variable_value_labels=labels,
                             missing_ranges={"nbrtrust": [-9, -8], "incband": [-8]})
    else:
        pyreadstat.write_dta(frame, str(path), column_labels=names,
                             variable_value_labels=labels)
    return path
