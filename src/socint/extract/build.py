"""Build the bundled real-England extract from the official files (``../shared/data``).

Every output is *derived*: England only, the columns the run needs, socint's area keys
(``oa_code, lsoa_code, msoa_code, lad_code, region_code`` + ``_name``), counts as published.
Tables are Parquet (zstd, no pandas metadata), boundary sets gzipped GeoJSON (mtime 0; see
:mod:`socint.extract.shapes`). The build is deterministic: the same files and library versions
give byte-identical outputs (checked by ``tests/extract``). Source files: :data:`F`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd

from socint.errors import InputDataError
from socint.extract import MANIFEST_NAME, sha256_bytes
from socint.extract.common import (
    ATTRIBUTION,
    DEFRA,
    MAX_FILE_BYTES,
    MAX_TOTAL_BYTES,
    MHCLG,
    OGL,
    ONS,
    Builder,
    F,
    Output,
    _england,
    _wide,
    lad11_reference,
)
from socint.extract.shapes import boundaries, expected_codes


def tables_2011(b: Builder) -> list[Output]:
    from socint.data import read_official
    from socint.geo.names import match_la_names

    ref = lad11_reference(b)
    oa = b.csv("oa11", usecols=["OA", "Persons", "WhiteBrit", "LSOA", "MSOA", "LAD"],
               dtype={"OA": str, "LSOA": str, "MSOA": str, "LAD": str})
    oa = _england(oa, "OA")
    names = pd.Series(oa["LAD"].unique())
    code_of = dict(zip(names, match_la_names(names, ref), strict=True))
    oa_t = pd.DataFrame({
        "oa_code": oa["OA"], "lsoa_code": oa["LSOA"], "msoa_code": oa["MSOA"],
        "lad_code": oa["LAD"].map(code_of), "white_british": oa["WhiteBrit"].astype("int64"),
        "total": oa["Persons"].astype("int64")})
    lsoa = read_official(b.path("lsoa11"))
    assert lsoa.areas is not None
    w = _wide(lsoa)
    w = w.merge(lsoa.areas[["area_code", "total"]], on="area_code")
    w = _england(w, "area_code")
    parent = oa_t.drop_duplicates("lsoa_code").set_index("lsoa_code")
    w["msoa_code"] = w["area_code"].map(parent["msoa_code"])
    w["lad_code"] = w["area_code"].map(parent["lad_code"])
    cats = [c for c in w.columns if c not in ("area_code", "msoa_code", "lad_code")]
    msoa = w.groupby(["msoa_code", "lad_code"], sort=True)[cats].sum().reset_index()
    msoa = msoa[["msoa_code", "lad_code", *cats]].astype({c: "int64" for c in cats})
    pop11 = w[["area_code", "total"]].rename(columns={"area_code": "lsoa_code",
                                                      "total": "population"})
    qs = read_official(b.path("qs201"))
    qsw = _england(_wide(qs), "area_code").rename(columns={"area_code": "lad_code"})
    assert qs.areas is not None
    qsw = qsw.merge(qs.areas[["area_code", "total"]].rename(columns={"area_code": "lad_code"}),
                    on="lad_code")
    qsw.insert(1, "lad_name", qsw["lad_code"].map(ref.set_index("lad_code")["lad_name"]))
    dc = b.csv("dc2101", dtype={"geography_code": str, "sex": str, "age_band": str,
                                "ethnic_group_code": str})
    dc = _england(dc, "geography_code").rename(columns={"geography_code": "lad_code"})
    dc = dc.sort_values(["lad_code", "sex", "age_band", "ethnic_group_code"], ignore_index=True)
    dc["count"] = dc["count"].astype("int64")
    lk14 = b.csv("lk_lad14", dtype=str)
    lk14 = _england(lk14, "ltlacd")
    reg = pd.DataFrame({"lad_code": lk14["ltlacd"],
                        "lad_name": lk14["ltlacd"].map(ref.set_index("lad_code")["lad_name"]),
                        "region_code": lk14["rgncd"], "region_name": lk14["rgnnm"]})
    reg = reg.sort_values("lad_code", ignore_index=True)
    mlid = "ONS Census 2011 (MLID compilation)"
    return [
        Output("ethnicity2011_oa", oa_t, "Census 2011 OAs (England): White British and all "
               "usual residents, with LSOA, MSOA and 2011 LA codes (also the OA -> LSOA -> "
               "MSOA -> LAD 2011 lookup); for the Index of Dissimilarity over OAs",
               ["oa11", "qs201"], mlid,
               {"kind": "counts", "level": "oa", "vintage": 2011, "topic": "ethnicity",
                "scheme": "ethnicity_white_british"}),
        Output("ethnicity2011_msoa", msoa, "Census 2011 MSOAs (England): the 15 MLID ethnic "
               "groups (Gypsy/Traveller derived as Persons minus the 14 published) and total, "
               "summed from LSOAs; for the Ethnic Diversity Index", ["lsoa11", "oa11"], mlid,
               {"kind": "counts", "level": "msoa", "vintage": 2011, "topic": "ethnicity",
                "scheme": "ethnicity_2011_mlid"}),
        Output("population2011_lsoa11", pop11, "Census 2011 usual residents per LSOA11 "
               "(England), the weights for carrying LSOA11 attributes to LSOA21",
               ["lsoa11"], mlid, {"kind": "attributes", "level": "lsoa", "vintage": 2011}),
        Output("ethnicity2011_lad_qs201ew", qsw, "Census 2011 QS201EW: 18 ethnic groups and "
               "total per LA (326 English LAs, codes as re-issued in 2013)", ["qs201"],
               ONS + " (Nomis)",
               {"kind": "counts", "level": "lad", "vintage": 2011, "topic": "ethnicity",
                "scheme": "ethnicity_2011_detailed"}),
        Output("dc2101ew_lad", dc, "Census 2011 DC2101EW: usual residents by LA x sex x age "
               "band (21) x ethnic group (18 codes), long, England", ["dc2101"], ONS + " (Nomis)",
               {"kind": "counts", "level": "lad", "vintage": 2011, "topic": "ethnicity_sex_age"}),
        Output("lookup_lad11_region", reg,
               "2011 Census LAs (326, codes as re-issued in 2013) -> region",
               ["lk_lad14", "qs201"], ONS, {"kind": "lookup", "vintage": 2011}),
    ]


def tables_iod_ruc(b: Builder) -> list[Output]:
    from socint.data import read_official

    iod = read_official(b.path("iod_lsoa")).data
    iod = _england(iod.rename(columns={"area_code": "lsoa_code"}), "lsoa_code")
    msoa = b.csv("iod_msoa", dtype={"msoa11_code": str})
    keep = ["msoa11_code", "Score", "Income_Score", "Crime_Score", "Employment_Score",
            "Education_Score", "Health_Score", "Housing_and_Access_Score", "Environment_Score"]
    msoa = _england(msoa[keep], "msoa11_code").rename(columns={"msoa11_code": "msoa_code"})
    msoa.columns = [c.lower() for c in msoa.columns]
    msoa = msoa.rename(columns={"score": "imd_score"})
    lad = b.csv("iod_lad", dtype={"ltla19_code": str})
    lad = _england(lad, "ltla19_code").rename(columns={"ltla19_code": "lad_code"})
    lad.columns = [c if c == "lad_code" else c.lower() for c in lad.columns]
    ruc = read_official(b.path("ruc")).data
    ruc = _england(ruc.rename(columns={"area_code": "lsoa_code"}), "lsoa_code")
    ruc = ruc[["lsoa_code", "ruc_code", "ruc_label", "rural"]].astype({"rural": bool})
    return [
        Output("iod2019_lsoa11", iod, "English Indices of Deprivation 2019: IMD and 7 domain "
               "ranks (1 = most deprived) and deciles per LSOA11", ["iod_lsoa"], MHCLG,
               {"kind": "attributes", "level": "lsoa", "vintage": 2011}),
        Output("iod2019_msoa11", msoa, "IoD 2019 population-weighted average scores per MSOA11 "
               "(IMD and 7 domains; higher = more deprived; not official MHCLG aggregates)",
               ["iod_msoa"], MHCLG, {"kind": "attributes", "level": "msoa", "vintage": 2011}),
        Output("iod2019_lad19", lad, "IoD 2019 LA summaries (LAD 2019): average scores and "
               "proportions, IMD and domains", ["iod_lad"], MHCLG,
               {"kind": "attributes", "level": "lad", "vintage": 2019}),
        Output("ruc2011_lsoa11", ruc, "2011 Rural-Urban Classification per LSOA11 (code, "
               "label, rural = town/fringe, village, hamlet)", ["ruc"], DEFRA,
               {"kind": "attributes", "level": "lsoa", "vintage": 2011}),
    ]


def _age_single(b: Builder) -> pd.DataFrame:
    from socint.data import read_official

    t = read_official(b.path("pop19"))
    w = _england(_wide(t), "area_code").rename(columns={"area_code": "msoa_code"})
    return w


def tables_2021(b: Builder) -> list[Output]:
    from socint.data import read_official

    lk = b.csv("lk_lsoa21", dtype=str)
    lk = _england(lk, "lsoa21_code")
    lsoa_lk = pd.DataFrame({"lsoa_code": lk["lsoa21_code"], "lsoa_name": lk["lsoa21_name"],
                            "msoa_code": lk["msoa21_code"], "msoa_name": lk["msoa21_name"],
                            "lad_code": lk["ltla22_code"], "lad_name": lk["ltla22_name"]})
    msoa_lad = lsoa_lk.drop_duplicates("msoa_code").set_index("msoa_code")["lad_code"]
    out: list[Output] = []
    for key, name, level, desc in (
            ("eth21_lsoa", "ethnicity2021_lsoa21", "lsoa", "5 broad ethnic groups"),
            ("eth21_msoa", "ethnicity2021_msoa21", "msoa", "6 ethnic groups (Black split "
             "African/Caribbean)"),
            ("eth21_lad", "ethnicity2021_lad21", "lad", "19 detailed ethnic groups"),
            ("prof21", "proficiency2021_msoa21", "msoa", "TS029 proficiency in English "
             "(main language English; 4 levels of spoken English)")):
        t = read_official(b.path(key))
        assert t.areas is not None
        w = _wide(t).merge(t.areas[["area_code", "total"]], on="area_code")
        code = f"{level}_code"
        w = _england(w.rename(columns={"area_code": code}), code)
        if level == "lsoa":
            w.insert(1, "msoa_code", w[code].map(lsoa_lk.set_index("lsoa_code")["msoa_code"]))
            w.insert(2, "lad_code", w[code].map(lsoa_lk.set_index("lsoa_code")["lad_code"]))
        elif level == "msoa":
            w.insert(1, "lad_code", w[code].map(msoa_lad))
        else:
            w.insert(1, "lad_name", t.areas.set_index("area_code")["area_name"]
                     .reindex(w[code]).to_numpy())
        out.append(Output(name, w, f"Census 2021 TS0{'29' if key == 'prof21' else '21'} "
                          f"per {level.upper()}21 (England): {desc} and total",
                          [key, "lk_lsoa21"], ONS, {"kind": "counts", "level": level,
                                                    "vintage": 2021, "scheme": t.scheme,
                                                    "topic": t.topic}))
    age = b.csv("age21", dtype={"msoa21_code": str})
    age = _england(age, "msoa21_code")
    bands = {"Aged 15 years and under": "age_0_15", "Aged 16 to 24 years": "age_16_24",
             "Aged 25 to 34 years": "age_25_34", "Aged 35 to 49 years": "age_35_49",
             "Aged 50 to 64 years": "age_50_64", "Aged 65 years and over": "age_65_plus"}
    age_t = pd.DataFrame({"msoa_code": age["msoa21_code"], "lad_code": age["ltla22_code"],
                          "total": age["total_residents"].astype("int64"),
                          **{v: age[k].astype("int64") for k, v in bands.items()}})
    out.append(Output("age6_msoa21", age_t, "Census 2021 usual residents by 6 age bands per "
                      "MSOA21 (England), summed from LSOA21 TS007", ["age21"], ONS,
                      {"kind": "counts", "level": "msoa", "vintage": 2021, "topic": "age"}))
    out.append(Output("population2019_msoa11_age", _age_single(b), "ONS mid-2019 population "
                      "estimates by single year of age (0-89, 90+) per MSOA11 (England)",
                      ["pop19"], ONS, {"kind": "counts", "level": "msoa", "vintage": 2011,
                                       "scheme": "age_single_year", "topic": "age"}))
    l1121 = b.csv("lk_lsoa11_21", dtype=str)
    l1121 = l1121[l1121["lsoa21_code"].str.startswith("E")]
    l1121 = l1121[["lsoa11_code", "lsoa21_code", "change_code"]].sort_values(
        ["lsoa11_code", "lsoa21_code"], ignore_index=True)
    reg = b.csv("lk_lad21_rgn", dtype=str).rename(columns={
        "ltla21_code": "lad_code", "ltla21_name": "lad_name", "region21_code": "region_code",
        "region21_name": "region_name"})
    reg = _england(reg[["lad_code", "lad_name", "region_code", "region_name"]], "lad_code")
    l2223 = b.csv("lk_lad22_23", dtype=str)
    l2223 = _england(l2223, "ltla22_code")
    out += [
        Output("lookup_lsoa11_lsoa21", l1121, "ONS LSOA11 -> LSOA21 (England; change_code U "
               "unchanged, S split, M merged, X complex)", ["lk_lsoa11_21"], ONS,
               {"kind": "lookup"}),
        Output("lookup_lsoa21_msoa21_lad21", lsoa_lk, "LSOA21 -> MSOA21 -> LTLA21 (= LAD22), "
               "England", ["lk_lsoa21"], ONS, {"kind": "lookup", "vintage": 2021}),
        Output("lookup_lad21_region", reg, "LTLA21 (309 English LAs) -> region",
               ["lk_lad21_rgn"], ONS, {"kind": "lookup", "vintage": 2021}),
        Output("lookup_lad22_lad23", l2223, "LAD22 (= LTLA21) -> LAD23, England (2023 merges "
               "in Cumbria, North Yorkshire and Somerset)", ["lk_lad22_23"], ONS,
               {"kind": "lookup"}),
    ]
    return out


def tables_changes(b: Builder) -> list[Output]:
    from socint.data import read_official

    ch = read_official(b.path("changes")).data.sort_values(
        ["year", "old_code", "new_code"], ignore_index=True)
    return [Output("la_changes", ch, "ONS LA code changes and mergers 2014-2025 (canonical "
                   "old_code, old_name, new_code, new_name, change_type, year)", ["changes"],
                   ONS, {"kind": "changes"})]


# -- writing --------------------------------------------------------------------------------
#: Tables of the official files the run itself reads at run time (besides its snapshots).
RUNTIME_TABLES = frozenset({"lookup_lsoa21_msoa21_lad21", "lookup_lad22_lad23"})


def run_snapshots(data: Path) -> list[tuple[Output, bytes, str, int]]:
    """The run inputs of Census 2021 and 2011 (:mod:`socint.extract.snapshot`), as outputs.

    Each is built by :func:`socint.official.official_source` from the official files in
    ``data`` — the same code ``socint run --data`` runs — so the bundled run and a run on the
    official files give the same index.
    """
    from socint.extract.snapshot import encode_source
    from socint.official import official_source

    out: list[tuple[Output, bytes, str, int]] = []
    for census in (2021, 2011):
        source = official_source(census, data=data)
        used = sorted({(str(Path(p.file).resolve().relative_to(data.resolve())), p.sha256)
                       for p in source.provenance if p.sha256})
        sources = [{"file": f, "sha256": h} for f, h in used]
        for fname, raw in encode_source(source, root=data).items():
            name, suffix = fname.split(".", 1)
            o = Output(name, {}, f"Census {census} run input ({name.split('_', 1)[1]}) derived "
                       "by socint.official.official_source from the official tables listed "
                       "under sources", [], ONS, {"kind": "run input", "census": census,
                                                  "sources_direct": sources})
            out.append((o, raw, "." + suffix, 0))
    return out


def encode(obj: pd.DataFrame | dict[str, Any]) -> tuple[bytes, str, int]:
    """Deterministic bytes, file suffix and row count of a table or boundary set."""
    if isinstance(obj, dict):
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        return (gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0), ".geojson.gz",
                len(obj["features"]))
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(obj.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata(None)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", compression_level=19, use_dictionary=True,
                   write_statistics=False)
    return buf.getvalue(), ".parquet", len(obj)


def build(data: str | Path, out: str | Path) -> dict[str, Any]:
    """Build every extract file from the official files in ``data`` into ``out``.

    Returns the manifest written to ``out/MANIFEST.json``. Refuses (before writing anything
    over the limit) when a file exceeds 2 MB or the whole extract exceeds 10 MB.
    """
    b = Builder(Path(data))
    codes = expected_codes(b)
    outputs = [o for o in tables_2021(b) if o.name in RUNTIME_TABLES]
    outputs.append(Output("area_codes", codes, "English area codes and names per level and "
                          "vintage (LA 2011/2019/2021/2023, MSOA 2011/2021), from the ONS "
                          "lookups: the areas a boundary set must cover exactly",
                          ["qs201", "lk_lad19_rgn", "lk_lad21_rgn", "lk_lad22_23",
                           "lk_msoa11_lad19", "lk_lsoa21"], ONS, {"kind": "lookup"}))
    outputs += boundaries(b, codes)
    encoded = [(o, *encode(o.obj)) for o in outputs]
    encoded += run_snapshots(Path(data))
    big = [f"{o.name} ({len(raw)} bytes)" for o, raw, _, _ in encoded if len(raw) > MAX_FILE_BYTES]
    total = sum(len(raw) for _, raw, _, _ in encoded)
    if big or total > MAX_TOTAL_BYTES:
        raise InputDataError(f"extract over its limits: files over 2 MB: {big or 'none'}; "
                             f"total {total} bytes (limit {MAX_TOTAL_BYTES})",
                             hint="simplify boundaries more or keep fewer columns")
    files: dict[str, Any] = {}
    blobs: dict[str, bytes] = {}
    for o, raw, suffix, rows in encoded:
        fname = o.name + suffix
        blobs[fname] = raw
        meta = dict(o.meta)
        extra = meta.pop("attribution_extra", None)
        direct = meta.pop("sources_direct", None)
        files[o.name] = {
            "file": fname, "rows": rows, "bytes": len(raw), "sha256": sha256_bytes(raw),
            "description": o.description,
            "columns": list(o.obj.columns) if isinstance(o.obj, pd.DataFrame) else None,
            "sources": direct or [{"file": F[k], "sha256": b.sha(k)} for k in o.sources],
            "publisher": o.publisher, "licence": OGL,
            "attribution": ATTRIBUTION + (f". {extra}" if extra else ""), **meta}
    manifest = {"name": "socint real-England extract", "built_by": "scripts/build_extract.py",
                "licence": OGL, "attribution": ATTRIBUTION, "total_bytes": total,
                "files": files}
    blobs[MANIFEST_NAME] = (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False)
                            + "\n").encode("utf-8")
    _write_folder(Path(out), blobs)
    return manifest


def _write_folder(out: Path, blobs: dict[str, bytes]) -> None:
    """Replace the extract files in ``out`` all at once: written beside it, then swapped in.

    Other files in ``out`` (``__init__.py``, a README) are kept; extract files of an earlier
    build that are no longer produced are removed.
    """
    import shutil
    import tempfile

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=out.parent))
    try:
        for fname, raw in blobs.items():
            (tmp / fname).write_bytes(raw)
        old = [p for p in out.iterdir() if p.name.endswith((".parquet", ".geojson.gz", ".json"))
               or p.name == MANIFEST_NAME]
        for p in old:
            p.unlink()
        for fname in sorted(blobs):
            (tmp / fname).replace(out / fname)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


__all__ = ["build", "encode"]
