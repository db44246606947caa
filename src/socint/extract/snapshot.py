"""The real-England run inputs as bundled package data: a snapshot of the official source.

``scripts/build_extract.py`` runs :func:`socint.official.official_source` on the official files
(``../shared/data``) for Census 2011 and 2021 and stores what the pipeline needs — geography,
the measures' unit counts, Model 3's area covariates, the post-stratification frame and the
provenance of every input — as compact tables (:func:`encode_source`). A fresh install loads
them back (:func:`decode_source`) and runs the same later stages offline, so ``socint run``
on the bundled extract and ``socint run --data ../shared/data`` give the same index (the frame's
fitted counts are rounded to 0.01 person in the snapshot; a test compares the two runs).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from socint.measures.units import UnitCounts
from socint.sources import Provenance, SourceData

#: Rounding of the frame's fitted (non-integer) counts in the snapshot, in persons.
FRAME_DECIMALS = 2


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic parquet bytes of a frame (no index, zstd, no timestamps)."""
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata(None)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", compression_level=19, use_dictionary=False,
                   write_statistics=False)
    return buf.getvalue()


def read_parquet(data: bytes) -> pd.DataFrame:
    """A frame from :func:`parquet_bytes` (codes as Python strings)."""
    frame = pq.read_table(io.BytesIO(data)).to_pandas()
    for col in frame.columns:
        if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
            frame[col] = frame[col].astype(object)
    return frame


#: Parent columns the measures group by (names are not needed and are left out).
UNIT_PARENTS = ("msoa_code", "lad_code")


def _units_frame(units: UnitCounts) -> pd.DataFrame:
    codes = pd.Series(units.codes.astype(str))
    # GSS codes are 3 characters + 6 digits: stored as the prefix and an integer (compact)
    out = pd.DataFrame({"unit_prefix": codes.str[:3],
                        "unit_number": codes.str[3:].astype(np.int32)})
    for j, cat in enumerate(units.categories):
        out[f"n_{cat}"] = units.counts[:, j].astype(np.int32)
    for col in units.parents.columns:
        if col in UNIT_PARENTS and col != f"{units.level}_code":
            out[f"p_{col}"] = units.parents[col].astype(str).to_numpy()
    return out.sort_values(["unit_prefix", "unit_number"], ignore_index=True)


def _units_of(frame: pd.DataFrame, level: str, scheme: str) -> UnitCounts:
    cats = tuple(c[2:] for c in frame.columns if c.startswith("n_"))
    parents = frame[[c for c in frame.columns if c.startswith("p_")]]
    parents = parents.rename(columns=lambda c: c[2:]).astype(object).reset_index(drop=True)
    codes = (frame["unit_prefix"].astype(str)
             + frame["unit_number"].astype(np.int64).map("{:06d}".format)).to_numpy(dtype=object)
    parents.insert(0, f"{level}_code", codes)
    return UnitCounts(level=level, codes=codes,
                      counts=frame[[f"n_{c}" for c in cats]].to_numpy(dtype=np.int64),
                      categories=cats, scheme=scheme, parents=parents,
                      source="bundled extract")


def _frame_wide(population: pd.DataFrame) -> pd.DataFrame:
    """Long cells → one row per MSOA, one column per cell (compact), counts rounded."""
    key = (population["sex"].astype(str) + "|" + population["age_band"].astype(str) + "|"
           + population["ethnicity"].astype(str))
    wide = (population.assign(cell=key)
            .pivot_table(index="msoa_code", columns="cell", values="count", aggfunc="sum",
                         fill_value=0.0, sort=True))
    wide = wide.round(FRAME_DECIMALS).astype(np.float32)
    return wide.reset_index()


def _frame_long(wide: pd.DataFrame) -> pd.DataFrame:
    long = wide.melt(id_vars="msoa_code", var_name="cell", value_name="count")
    # split the few distinct cell names once, then look each row's parts up (a row-by-row
    # string split of the ~600,000 rows took seconds)
    cells = pd.Index(long["cell"].unique())
    split = cells.str.split("|", expand=True)
    at = cells.get_indexer(long["cell"])
    parts = {i: pd.Series(split.get_level_values(i).to_numpy()[at], index=long.index)
             for i in range(3)}
    out = pd.DataFrame({"msoa_code": long["msoa_code"].astype(object),
                        "sex": parts[0], "age_band": parts[1], "ethnicity": parts[2],
                        "count": long["count"].astype(np.float64).round(FRAME_DECIMALS)})
    return out.sort_values(["msoa_code", "sex", "age_band", "ethnicity"], ignore_index=True)


def encode_source(source: SourceData, root: Path | None = None) -> dict[str, bytes]:
    """The snapshot files of one census's official source (name → bytes).

    ``root``: input file paths are recorded relative to it (no machine-specific paths).
    """
    c = source.census

    def rel(file: str) -> str:
        if root is None:
            return file
        try:
            return str(Path(file).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            return Path(file).name
    files = {
        f"source{c}_las.parquet": parquet_bytes(source.las),
        f"source{c}_msoas.parquet": parquet_bytes(source.msoas),
        f"source{c}_msoa_covariates.parquet": parquet_bytes(source.msoa_covariates),
        f"source{c}_la_covariates.parquet": parquet_bytes(source.la_covariates),
        f"source{c}_frame.parquet": parquet_bytes(_frame_wide(source.population)),
    }
    units_meta = []
    for i, m in enumerate(source.measures):
        files[f"source{c}_units{i}.parquet"] = parquet_bytes(_units_frame(m.units))
        units_meta.append({"level": m.units.level, "scheme": m.units.scheme})
    meta = {"census": c, "lad_vintage": source.lad_vintage,
            "units": units_meta,
            "provenance": [{**p.as_dict(), "file": rel(p.file)} for p in source.provenance],
            "assumptions": [list(a) for a in source.assumptions],
            "found": [{**f, "files": ", ".join(rel(x) for x in str(f.get("files", "")).split(", ")
                                                if x)} for f in source.extra.get("found", [])],
            "lad_mapping_2011": dict(sorted(source.extra.get("lad_mapping_2011", {}).items()))}
    files[f"source{c}_meta.json"] = (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode()
    return files


def decode_source(census: int, read: Callable[[str], bytes],
                  boundaries: Mapping[str, Any] | None = None) -> SourceData:
    """Rebuild the :class:`SourceData` of ``census`` from snapshot files (``read(name)``)."""
    from socint.official import measure_inputs_2011, measure_inputs_2021

    c = census
    meta = json.loads(read(f"source{c}_meta.json"))
    units = [_units_of(read_parquet(read(f"source{c}_units{i}.parquet")), u["level"],
                       u["scheme"]) for i, u in enumerate(meta["units"])]
    measures = measure_inputs_2021(*units) if c == 2021 else measure_inputs_2011(*units)
    b = dict(boundaries or {})
    return SourceData(
        name=f"official tables, Census {c} (bundled real-England extract)",
        kind="official", census=c, lad_vintage=int(meta["lad_vintage"]), measures=measures,
        las=read_parquet(read(f"source{c}_las.parquet")),
        msoas=read_parquet(read(f"source{c}_msoas.parquet")),
        msoa_covariates=read_parquet(read(f"source{c}_msoa_covariates.parquet")),
        la_covariates=read_parquet(read(f"source{c}_la_covariates.parquet")),
        population=_frame_long(read_parquet(read(f"source{c}_frame.parquet"))),
        la_boundaries=b.get("lad"), msoa_boundaries=b.get("msoa"),
        provenance=tuple(Provenance(**p) for p in meta["provenance"]),
        assumptions=tuple((str(t), str(w)) for t, w in meta["assumptions"]),
        extra={"found": meta["found"], "notes": [], "bundled": True,
               "lad_mapping_2011": meta.get("lad_mapping_2011", {})})




def bundled_source(census: int, folder: str | None = None) -> SourceData:
    """The official source of ``census`` from the bundled extract, checksums verified.

    Raises :class:`socint.errors.InputDataError` when the extract lacks the census or a file
    does not match its checksum in the extract's manifest.
    """
    import hashlib

    from socint.errors import InputDataError
    from socint.extract import data_dir, load, manifest

    base = Path(folder) if folder else data_dir()
    files = manifest(folder)["files"]

    by_file = {e["file"]: e for e in files.values()}

    def read(name: str) -> bytes:
        entry = by_file.get(name)
        if entry is None:
            raise InputDataError(
                f"the bundled extract has no Census {census} run inputs ({name})",
                file=base, hint="rebuild it: python scripts/build_extract.py --data "
                "../shared/data, or pass --data DIR with the official files")
        data = (base / entry["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise InputDataError(f"the bundled file {entry['file']} does not match its "
                                 "checksum (altered or truncated)", file=base / entry["file"],
                                 hint="reinstall socint or rebuild the extract")
        return data

    year = 2021 if census == 2021 else 2011
    bounds = {"lad": load(f"boundaries_lad{year}", folder),
              "msoa": load(f"boundaries_msoa{census}", folder)}
    return decode_source(census, read, bounds)


__all__ = ["FRAME_DECIMALS", "bundled_source", "decode_source", "encode_source",
           "parquet_bytes", "read_parquet"]
