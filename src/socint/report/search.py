"""Place search on every page, offline: LA and MSOA names and codes, and postcodes when the
user supplies a postcode lookup at build time.

The index is written as a script (``assets/search-index.js``), not JSON fetched at view time,
because ``fetch`` of local files is blocked under ``file://``; the postcode table
(``assets/postcodes.js``) is loaded by the search script only when the query looks like a
postcode. Nothing is requested from the network.

The postcode lookup follows the ONS Postcode Directory (ONSPD / NSPL) layout: ``pcds`` (the
postcode with its space), ``oslaua`` (or ``lad``/``laua``: the LA code), ``msoa21`` or
``msoa11`` (the MSOA code) and optionally ``doterm`` (date of termination: terminated postcodes
are left out). Only postcodes in the index's LAs are kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from socint.errors import InputDataError

_LA_KEYS = ("oslaua", "laua", "lad", "lad_code", "ladcd")
_MSOA_KEYS = ("msoa21", "msoa11", "msoa_code", "msoa21cd", "msoa11cd")
_PC_KEYS = ("pcds", "postcode", "pcd", "pcd7", "pcd8")


def normalise_postcode(text: str) -> str:
    """Upper case without spaces (``"sw1a 1aa"`` -> ``"SW1A1AA"``), as the search script does."""
    return re.sub(r"\s+", "", str(text)).upper()


def read_postcode_lookup(path: str | Path, lad_codes: set[str] | None = None) -> pd.DataFrame:
    """Read an ONS Postcode Directory-style CSV into ``postcode, lad_code, msoa_code``.

    Raises
    ------
    InputDataError
        When the file lacks a postcode or LA column (names the columns it has).
    """
    path = Path(path)
    head = pd.read_csv(path, nrows=0)
    cols = {c.lower(): c for c in head.columns}
    pc = next((cols[k] for k in _PC_KEYS if k in cols), None)
    la = next((cols[k] for k in _LA_KEYS if k in cols), None)
    ms = next((cols[k] for k in _MSOA_KEYS if k in cols), None)
    if pc is None or la is None:
        raise InputDataError(
            f"{path.name} is not a postcode lookup: it has no "
            f"{'postcode (pcds)' if pc is None else 'LA (oslaua)'} column; columns: "
            f"{', '.join(map(str, head.columns[:12]))}", file=path,
            column="pcds" if pc is None else "oslaua",
            hint="pass the ONS Postcode Directory CSV (columns pcds, oslaua, msoa21 or msoa11)")
    use = [c for c in (pc, la, ms, cols.get("doterm")) if c is not None]
    frame = pd.read_csv(path, usecols=use, dtype=str)
    if "doterm" in cols:
        frame = frame[frame[cols["doterm"]].isna() | (frame[cols["doterm"]].str.strip() == "")]
    out = pd.DataFrame({"postcode": frame[pc].map(normalise_postcode),
                        "lad_code": frame[la].str.strip(),
                        "msoa_code": frame[ms].str.strip() if ms else None})
    if lad_codes is not None:
        out = out[out["lad_code"].isin(lad_codes)]
    return out.dropna(subset=["postcode"]).drop_duplicates("postcode").reset_index(drop=True)


def _js(name: str, obj: object) -> str:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # a name like "</script>" cannot end the script: escape < > & as JSON unicode escapes
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.{name} = {text};\n"


def search_index_js(la: pd.DataFrame, msoa: pd.DataFrame | None) -> str:
    """``assets/search-index.js``: ``[code, name, kind, lad_code]`` rows of LAs and MSOAs."""
    rows = [[str(r.lad_code), str(r.lad_name), "la", str(r.lad_code)]
            for r in la.itertuples(index=False)]
    if msoa is not None:
        names = msoa["msoa_name"] if "msoa_name" in msoa else msoa["msoa_code"]
        rows += [[str(c), str(n if isinstance(n, str) else c), "msoa", str(lad)]
                 for c, n, lad in zip(msoa["msoa_code"], names, msoa["lad_code"], strict=True)]
    return _js("SOCINT_SEARCH", rows)


def postcodes_js(postcodes: pd.DataFrame) -> str:
    """``assets/postcodes.js``: normalised postcode -> ``[lad_code, msoa_code]``."""
    ms = postcodes["msoa_code"] if "msoa_code" in postcodes else [None] * len(postcodes)
    table = {str(p): [str(la), None if m is None or pd.isna(m) else str(m)]
             for p, la, m in zip(postcodes["postcode"], postcodes["lad_code"], ms, strict=True)}
    return _js("SOCINT_POSTCODES", table)


__all__ = ["normalise_postcode", "postcodes_js", "read_postcode_lookup", "search_index_js"]
