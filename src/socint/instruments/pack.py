"""Local Integration Plan evidence pack: one HTML page per LA (offline, with its folder's assets).

The pack reads an *index folder* (what ``socint run --out DIR`` / ``socint index`` writes:
``la_index.csv`` and ``manifest.json``) and two versioned content files of this package:
``data/integration_domains.yaml`` (the Home Office *Indicators of Integration* domains and the
indicators socint can place under them) and ``data/local_actions.yaml`` (the British Academy's
ten candidate local actions, with the indicators each targets).

**Similar areas.** The nearest LAs on the model's area covariates: every covariate column
present (``edi``, ``dissimilarity`` and ``deprivation`` of ``la_index.csv``; the MSOA
covariates of ``msoa_covariates.csv`` averaged over each LA's MSOAs, when the folder holds that
file) is standardised to mean 0 and standard deviation 1 across LAs, and LAs are ranked by the
Euclidean distance between their standardised vectors (equal weight per covariate; LAs missing
a covariate are left out). Trust itself is *not* used, so similar areas are comparable on
context, and their trust can be compared with the LA's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from socint.errors import GeographyError, InputDataError, SchemaError, _preview
from socint.instruments._common import read_csv, require_columns

#: la_index.csv columns the pack needs.
INDEX_COLUMNS = ("lad_code", "lad_name", "region_code", "region_name", "trust", "edi",
                 "dissimilarity", "composite", "rank")
#: Covariates taken from la_index.csv when present.
INDEX_COVARIATES = ("edi", "dissimilarity", "deprivation")
#: How many similar areas the pack lists.
N_SIMILAR = 5
#: Values an indicator's ``from`` may take.
SOURCES = ("index", "covariate", "schools", "survey", "bring")


@dataclass(frozen=True)
class IndexFolder:
    """An index folder read: the LA table, its covariates and its manifest."""

    path: Path
    la: pd.DataFrame
    covariates: pd.DataFrame
    manifest: dict[str, Any]
    trust_interval: tuple[str, str] | None


@lru_cache(maxsize=4)
def _yaml(name: str) -> dict[str, Any]:
    ref = resources.files("socint.instruments").joinpath("data", name)
    data = yaml.safe_load(ref.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "version" not in data:
        raise SchemaError(f"package data file {name} has no version", file=name)
    return data


def integration_domains() -> dict[str, Any]:
    """The Home Office domains with socint's indicators (``data/integration_domains.yaml``)."""
    data = _yaml("integration_domains.yaml")
    for g in data["groups"]:
        for d in g["domains"]:
            for ind in d["indicators"]:
                if ind.get("from") not in SOURCES:
                    raise SchemaError(f"indicator {ind.get('id')!r} has from={ind.get('from')!r}"
                                      f"; allowed {SOURCES}", file="integration_domains.yaml")
    return data


def indicator_ids() -> dict[str, tuple[str, dict[str, Any]]]:
    """Indicator id → (domain name, indicator entry); domain ids map to themselves too."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for g in integration_domains()["groups"]:
        for d in g["domains"]:
            out[d["id"]] = (d["name"], {"id": d["id"], "label": d["name"], "from": "domain"})
            for ind in d["indicators"]:
                out[ind["id"]] = (d["name"], ind)
    return out


def local_actions() -> dict[str, Any]:
    """The ten candidate actions (``data/local_actions.yaml``), targets checked."""
    data = _yaml("local_actions.yaml")
    known = indicator_ids()
    from socint.instruments.survey import load_bank

    items = set(load_bank().items)
    for a in data["actions"]:
        bad = [t for t in a["targets"] if t not in known]
        bad += [s for s in a.get("survey", []) if s not in items]
        if bad:
            raise SchemaError(f"action {a['id']!r} refers to unknown indicator(s) or survey "
                              f"item(s) {_preview(bad)}", file="local_actions.yaml")
    return data


def _find(folder: Path, name: str) -> Path | None:
    for p in (folder / name, folder / "inputs" / name):
        if p.is_file():
            return p
    return None


def read_index_folder(folder: str | Path) -> IndexFolder:
    """Read ``la_index.csv`` (+ ``manifest.json``, ``msoa_covariates.csv`` when present).

    When the folder also holds ``la_index_analysis.csv`` (the same columns at full precision)
    that file is read instead, so the pack rounds once, as the dashboard does (the published
    table's 0.2995 would otherwise print 29.9% where the dashboard prints 30.0%).

    Raises
    ------
    InputDataError
        The folder or its ``la_index.csv`` is missing, or required columns are absent.
    """
    path = Path(folder)
    idx = path / "la_index.csv"
    if not idx.is_file():
        raise InputDataError("the index folder has no la_index.csv", file=path,
                             hint="pass the folder written by `socint run --out DIR`")
    full = path / "la_index_analysis.csv"
    if full.is_file():
        idx = full
    la = read_csv(idx, what="LA index table")
    require_columns(la, INDEX_COLUMNS, what="LA index table", file=idx)
    la["lad_code"] = la["lad_code"].astype(str)
    trust_iv = next(((lo, hi) for lo, hi in (("trust_lower90", "trust_upper90"),
                                             ("trust_lower", "trust_upper"))
                     if lo in la.columns and hi in la.columns), None)
    man = path / "manifest.json"
    manifest = json.loads(man.read_text(encoding="utf-8")) if man.is_file() else {}
    cov = la.set_index("lad_code")[[c for c in INDEX_COVARIATES if c in la.columns]]
    msoa = _find(path, "msoa_covariates.csv")
    if msoa is not None:
        m = read_csv(msoa, what="MSOA covariates")
        if "lad_code" in m.columns:
            num = m.drop(columns=[c for c in m.columns if c.endswith(("_code", "_name"))])
            num = num.apply(pd.to_numeric, errors="coerce").dropna(axis=1, how="all")
            cov = cov.join(num.groupby(m["lad_code"].astype(str)).mean(), how="left")
    return IndexFolder(path, la, cov.astype(float), manifest, trust_iv)


def similar_areas(covariates: pd.DataFrame, lad_code: str, k: int = N_SIMILAR) -> pd.DataFrame:
    """The ``k`` nearest LAs on standardised covariates (see the module docstring).

    Returns ``lad_code, distance`` sorted by distance; covariates with no spread are dropped.
    """
    c = covariates.dropna(axis=0, how="any")
    sd = c.std(ddof=0)
    c = c.loc[:, sd > 0]
    if lad_code not in c.index or c.shape[1] == 0:
        return pd.DataFrame(columns=["lad_code", "distance"])
    z = (c - c.mean()) / c.std(ddof=0)
    dist = np.sqrt(((z - z.loc[lad_code]) ** 2).sum(axis=1)).drop(lad_code)
    out = dist.sort_values(kind="stable").head(k)
    return pd.DataFrame({"lad_code": out.index, "distance": out.to_numpy()})


def _value(ind: dict[str, Any], row: pd.Series, cov: pd.Series | None,
           schools: pd.DataFrame | None, lad_code: str) -> tuple[float | None, str]:
    """The LA's value of one indicator and where it comes from ('' when it is a gap)."""
    src = ind["from"]
    if src == "index" and ind["column"] in row.index and pd.notna(row[ind["column"]]):
        return float(row[ind["column"]]), f"la_index.csv column {ind['column']}"
    if src == "covariate" and cov is not None and pd.notna(cov.get(ind["column"], np.nan)):
        return float(cov[ind["column"]]), (f"model covariate {ind['column']} (mean over the "
                                           "LA's MSOAs)")
    if src == "schools" and schools is not None:
        s = schools[(schools["tier"] == "lad") & (schools["area_code"] == lad_code)
                    & (schools["phase"] == ind.get("phase", "secondary"))]
        if len(s) and pd.notna(s[ind["column"]].iloc[0]):
            return float(s[ind["column"]].iloc[0]), "socint schools (DfE school census)"
    return None, ""


def domain_rows(row: pd.Series, cov: pd.Series | None,
                schools: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The framework groups, each domain's indicators with value or gap status."""
    from socint.instruments.survey import load_bank

    bank = load_bank()
    groups = []
    for g in integration_domains()["groups"]:
        domains = []
        for d in g["domains"]:
            inds = []
            for ind in d["indicators"]:
                value, source = _value(ind, row, cov, schools, str(row["lad_code"]))
                if value is not None:
                    status = "data here"
                elif ind["from"] == "survey":
                    status, source = "collect", (f"local survey item “{ind['item']}”: "
                                                 f"{bank.items[ind['item']].text}")
                elif ind["from"] in ("index", "covariate", "schools"):
                    status, source = "gap", {
                        "index": "not in this index folder",
                        "covariate": "this folder holds no msoa_covariates.csv",
                        "schools": "run `socint schools` and pass --schools DIR"}[ind["from"]]
                else:
                    status, source = "gap", f"bring: {ind['layout']}"
                inds.append({"id": ind["id"], "label": ind["label"], "status": status,
                             "value": value, "percent": bool(ind.get("percent")),
                             "source": source})
            domains.append({"id": d["id"], "name": d["name"], "indicators": inds,
                            "has_data": any(i["status"] == "data here" for i in inds)})
        groups.append({"name": g["name"], "domains": domains})
    return groups


def action_rows(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each candidate action with the indicators it targets and their status here."""
    from socint.instruments.survey import load_bank

    bank = load_bank()
    data = local_actions()
    status = {i["id"]: (i["label"], i["status"]) for g in groups for d in g["domains"]
              for i in d["indicators"]}
    status |= {d["id"]: (d["name"], "domain") for g in groups for d in g["domains"]}
    out = []
    for a in data["actions"]:
        out.append({
            "title": a["title"],
            "targets": [{"label": status[t][0], "status": status[t][1]} for t in a["targets"]],
            "evidence": a.get("evidence", data["evidence_default"]),
            "evaluation": a.get("evaluation", data["evaluation_default"]),
            "survey": [bank.items[s].text for s in a.get("survey", [])],
        })
    return out


def pack_context(index: IndexFolder, lad_code: str,
                 schools: pd.DataFrame | None = None) -> dict[str, Any]:
    """Everything the pack page shows for one LA (plain Python values)."""
    la = index.la.set_index("lad_code", drop=False)
    if lad_code not in la.index:
        raise GeographyError(f"LA {lad_code} is not in the index table", code=lad_code,
                             file=index.path / "la_index.csv",
                             hint="use a code of the index's LA vintage (see la_index.csv)")
    for a, b in (("rank_lower", "rank_lower90"), ("rank_upper", "rank_upper90")):
        if a not in la.columns and b in la.columns:
            la[a] = la[b]
    row: pd.Series = la.loc[lad_code]  # type: ignore[assignment]
    cov: pd.Series | None = (index.covariates.loc[lad_code]  # type: ignore[assignment]
                             if lad_code in index.covariates.index else None)
    lo, hi = index.trust_interval or (None, None)
    region = la[la["region_code"] == row["region_code"]]
    sim = similar_areas(index.covariates, lad_code)
    sim = sim.merge(la.reset_index(drop=True), on="lad_code", how="left")
    groups = domain_rows(row, cov, schools)
    ranked = int(la["rank"].notna().sum())
    settings = index.manifest.get("settings", {}) if isinstance(index.manifest, dict) else {}
    return {
        "la": row.to_dict(), "trust_lower_col": lo, "trust_upper_col": hi,
        "interval_level": "90%" if lo else "", "n_ranked": ranked,
        "region": {"name": row["region_name"], "n": len(region),
                   "rank": int((region["trust"] > row["trust"]).sum() + 1),
                   "median_trust": float(region["trust"].median()),
                   "median_edi": float(region["edi"].median()),
                   "median_dissimilarity": float(region["dissimilarity"].median())},
        "similar": sim.to_dict("records"), "covariates": list(index.covariates.columns),
        "groups": groups, "actions": action_rows(groups),
        "domains_version": integration_domains()["version"],
        "actions_version": local_actions()["version"],
        "framework": integration_domains()["framework"],
        "actions_source": local_actions()["source"],
        "source": _source_note(index.manifest, settings), "index_path": str(index.path),
    }


def _source_note(manifest: dict[str, Any], settings: dict[str, Any]) -> str:
    src = manifest.get("source")
    if isinstance(src, dict) and src.get("kind"):
        synthetic = src["kind"] == "synthetic"
    else:
        synthetic = "synthetic" in json.dumps(manifest)[:20000].lower()
    if not synthetic and isinstance(src, dict) and src.get("name"):
        trust = manifest.get("trust", {})
        how = trust.get("assumptions", [""])[0] if isinstance(trust, dict) else ""
        return (f"Source: {src['name']}; socint {manifest.get('socint_version', '')}. "
                f"{str(how)[:400]}").strip()
    if synthetic:
        return ("SYNTHETIC DATA: this index folder was built from socint's synthetic England. "
                "The figures illustrate the pack; they describe no real place.")
    version = manifest.get("socint_version", "")
    return f"Index folder built by socint {version}".strip() + "."


def render_pack(context: dict[str, Any], chrome: Any = None) -> str:
    """The pack page (autoescaped jinja2, in the instruments' chrome, no external requests)."""
    from socint.instruments.pages import _render

    title = f"Local Integration Plan evidence pack: {context['la']['lad_name']}"
    return _render("pack.html", chrome, title, **context)


def write_pack(lad_code: str, index_dir: str | Path, out: str | Path, *,
               schools_dir: str | Path | None = None) -> Path:
    """Write ``pack_<lad_code>.html`` into ``out`` (with the folder's ``assets/`` and
    ``index.html``, see :func:`socint.instruments.pages.finish_folder`) and return its path."""
    from socint.instruments.pages import chrome_for, finish_folder
    from socint.io import write_text

    index = read_index_folder(index_dir)
    schools = None
    if schools_dir is not None:
        p = Path(schools_dir) / "school_segregation.csv"
        schools = read_csv(p, what="school segregation table (socint schools)")
        require_columns(schools, ["tier", "area_code", "phase", "d_multigroup"],
                        what="school segregation table", file=p)
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    html = render_pack(pack_context(index, lad_code, schools), chrome_for(target))
    path = write_text(html, target / f"pack_{lad_code}.html")
    finish_folder(target)
    return path
