"""A small, fully known set of dashboard inputs for the report tests.

``make_inputs(n)`` builds ``n`` LAs whose polygons are quadrilaterals of a jittered lon/lat grid
(they tile a rectangle over England without overlaps, like Voronoi cells of a perturbed lattice),
with index values drawn from a seeded generator and deciles computed here by the rule
"decile = floor(10·(ascending rank − 1)/n) + 1" (10 = highest). The first three LAs carry the
names the tests look for: "Herefordshire, County of", "King's Lynn & West Norfolk" and a hostile
``<script>`` name.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from socint.published import ETHNICITY_SURVEY6, MODEL3_ODDS_RATIOS, NSSEC_GROUPS
from socint.report import SiteInputs

#: Number of LAs of the session-wide test site.
N_LAS = 40
SPECIAL_NAMES = ("Herefordshire, County of", "King's Lynn & West Norfolk",
                 "<script>alert(1)</script>")
REGIONS = (("E12000005", "West Midlands"), ("E12000006", "East of England"),
           ("E12000007", "London"))


def code_of(i: int) -> str:
    """GSS-shaped LA code of the i-th LA (0-based)."""
    return f"E07{i + 1:06d}"


def deciles(values: np.ndarray) -> np.ndarray:
    """Decile 1-10 (10 = highest) by ascending rank, ties broken by position."""
    n = len(values)
    asc = np.empty(n, dtype=int)
    asc[np.argsort(values, kind="stable")] = np.arange(1, n + 1)
    return np.floor(10 * (asc - 1) / n).astype(int) + 1


def grid_polygons(n: int, seed: int) -> tuple[list[list[list[float]]], int]:
    """``n`` quadrilaterals (closed lon/lat rings) of a jittered grid; also the column count."""
    rng = np.random.default_rng(seed)
    ncol = math.ceil(math.sqrt(n * 1.3))
    nrow = math.ceil(n / ncol)
    lon = np.linspace(-3.0, 1.0, ncol + 1)
    lat = np.linspace(54.0, 51.0, nrow + 1)
    gx, gy = np.meshgrid(lon, lat)
    dx, dy = abs(lon[1] - lon[0]) * 0.25, abs(lat[1] - lat[0]) * 0.25
    gx[1:-1, 1:-1] += rng.uniform(-dx, dx, size=(nrow - 1, ncol - 1))
    gy[1:-1, 1:-1] += rng.uniform(-dy, dy, size=(nrow - 1, ncol - 1))
    rings = []
    for k in range(n):
        r, c = divmod(k, ncol)
        corners = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c), (r, c)]
        rings.append([[round(float(gx[a, b]), 5), round(float(gy[a, b]), 5)]
                      for a, b in corners])
    return rings, ncol


def make_la_index(n: int, seed: int = 1) -> pd.DataFrame:
    """An ``la_index`` table following the ``socint.composite`` contract (plus extras)."""
    rng = np.random.default_rng(seed)
    codes = [code_of(i) for i in range(n)]
    names = list(SPECIAL_NAMES[:n]) + [f"Area {i:02d}" for i in range(len(SPECIAL_NAMES), n)]
    trust = rng.uniform(0.2, 0.6, n)
    half = rng.uniform(0.02, 0.06, n)
    edi = rng.uniform(0.05, 0.7, n)
    diss = rng.uniform(5.0, 50.0, n)
    z = lambda v: (v - v.mean()) / v.std()  # noqa: E731
    composite = (z(trust) + z(edi) - z(diss)) / 3.0
    order = np.argsort(-composite, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    t_dec, e_dec, d_dec = deciles(trust), deciles(edi), deciles(diss)
    n_resp = rng.integers(0, 120, n)
    direct = np.clip(trust + rng.normal(0, 0.05, n), 0.01, 0.99)
    region = [REGIONS[min(i * len(REGIONS) // n, len(REGIONS) - 1)] for i in range(n)]
    return pd.DataFrame({
        "lad_code": codes, "lad_name": names,
        "region_code": [r[0] for r in region], "region_name": [r[1] for r in region],
        "n_respondents": n_resp,
        "direct": direct, "direct_lower95": np.clip(direct - 0.1, 0, 1),
        "direct_upper95": np.clip(direct + 0.1, 0, 1),
        "trust": trust, "trust_lower90": trust - half, "trust_upper90": trust + half,
        "trust_decile": t_dec, "edi": edi, "edi_decile": e_dec,
        "dissimilarity": diss, "dissimilarity_decile": d_dec,
        "imd_score": rng.uniform(5, 45, n), "imd_decile": deciles(rng.uniform(0, 1, n)),
        "composite": composite, "rank": rank,
        "rank_lower90": np.maximum(rank - 3, 1), "rank_upper90": np.minimum(rank + 3, n),
        "p_top_decile": rng.uniform(0, 1, n), "p_most_integrated": rng.uniform(0, 1, n),
        "most_integrated": (e_dec >= 9) & (t_dec >= 6) & (d_dec <= 5),
        "suppressed": n_resp < 10,
    })


def make_boundaries(n: int, seed: int = 2, names: list[str] | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the grid polygons with ``area_code``/``area_name``."""
    rings, _ = grid_polygons(n, seed)
    names = names or [code_of(i) for i in range(n)]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"area_code": code_of(i), "area_name": names[i]},
         "geometry": {"type": "Polygon", "coordinates": [rings[i]]}} for i in range(n)]}


def msoa_code_of(i: int) -> str:
    """Code of the i-th MSOA (three per LA: MSOAs 3k, 3k+1, 3k+2 lie in LA k)."""
    return f"E02{i:06d}"


def make_msoa_boundaries(la_boundaries: dict[str, Any]) -> dict[str, Any]:
    """Each LA quadrilateral cut into three strips (west to east): the LA's three MSOAs."""
    feats = []
    for k, feat in enumerate(la_boundaries["features"]):
        tl, tr, br, bl = (np.array(p, dtype=float) for p in feat["geometry"]["coordinates"][0][:4])
        for j in range(3):
            a, b = j / 3, (j + 1) / 3
            ring = [tl + a * (tr - tl), tl + b * (tr - tl), bl + b * (br - bl), bl + a * (br - bl)]
            coords = [[round(float(x), 6), round(float(y), 6)] for x, y in ring]
            feats.append({"type": "Feature",
                          "properties": {"msoa_code": msoa_code_of(3 * k + j),
                                         "lad_code": code_of(k)},
                          "geometry": {"type": "Polygon", "coordinates": [coords + coords[:1]]}})
    return {"type": "FeatureCollection", "features": feats}


def make_margins() -> dict[str, pd.DataFrame]:
    """Margins tables with intervals (shapes as ``GlmmResult.margins`` gives them)."""
    def cat(values: list[str], est: list[float]) -> pd.DataFrame:
        e = np.array(est)
        return pd.DataFrame({"value": values, "estimate": e, "lower": e - 0.03,
                             "upper": e + 0.03})
    age = np.arange(16, 91, 1.0)
    p_age = 1 / (1 + np.exp(-(-1.2 + 0.02 * (age - 16))))
    inc = np.arange(1, 16)
    return {
        "sex": cat(["Male", "Female"], [0.41, 0.37]),
        "age": pd.DataFrame({"value": age, "estimate": p_age, "lower": p_age - 0.02,
                             "upper": p_age + 0.02}),
        "ethnicity": cat(list(ETHNICITY_SURVEY6), [0.40, 0.35, 0.31, 0.36, 0.37, 0.28]),
        "nssec": cat(list(NSSEC_GROUPS), [0.45, 0.40, 0.34, 0.39]),
        "income": cat([str(i) for i in inc], list(0.35 + 0.004 * inc)),
    }


def make_la_covariates(la: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """Per-LA covariates on known, distinct scales (deciles, percentages, a 0/1 share)."""
    rng = np.random.default_rng(seed + 7)
    n = len(la)
    return pd.DataFrame({"lad_code": la["lad_code"],
                         "div_decile": rng.uniform(1, 10, n), "family_pct": rng.uniform(10, 30, n),
                         "pct65": rng.uniform(8, 30, n), "rural": rng.uniform(0, 1, n)})


def make_inputs(n: int = 40, *, seed: int = 1, extras: bool = True) -> SiteInputs:
    """Complete dashboard inputs for ``n`` LAs (``extras=False``: only the required tables)."""
    la = make_la_index(n, seed)
    bounds = make_boundaries(n, seed + 1, list(la["lad_name"]))
    if not extras:
        return SiteInputs(la_index=la.drop(columns=["region_code", "region_name", "direct",
                                                    "direct_lower95", "direct_upper95",
                                                    "imd_score", "imd_decile",
                                                    "p_most_integrated"]),
                          boundaries=bounds)
    rng = np.random.default_rng(seed + 2)
    dec = np.arange(1, 11)
    inter = pd.DataFrame({
        "div_decile": np.concatenate([dec, dec]), "poor_english": [0] * 10 + [1] * 10,
        "estimate": np.concatenate([0.42 - 0.005 * dec, 0.33 + 0.004 * dec])})
    inter["lower"], inter["upper"] = inter["estimate"] - 0.03, inter["estimate"] + 0.03
    summary = pd.DataFrame({"term": list(MODEL3_ODDS_RATIOS),
                            "odds_ratio": list(MODEL3_ODDS_RATIOS.values()),
                            "se": rng.uniform(0.01, 0.1, len(MODEL3_ODDS_RATIOS)),
                            "p": rng.uniform(0, 0.2, len(MODEL3_ODDS_RATIOS))})
    comp = rng.normal(0, 0.03, n)
    ctx = rng.normal(0, 0.03, n)
    return SiteInputs(
        la_index=la, boundaries=bounds,
        msoa_index=pd.DataFrame({"msoa_code": [msoa_code_of(i) for i in range(3 * n)],
                                 "msoa_name": [f"MSOA {i:03d}" for i in range(3 * n)],
                                 "lad_code": [code_of(i // 3) for i in range(3 * n)],
                                 "trust": rng.uniform(0.2, 0.6, 3 * n)}),
        msoa_boundaries=make_msoa_boundaries(bounds),
        model_summary=summary,
        model_stats={"var_la": 0.06, "var_msoa": 0.24, "icc_la": 0.0171, "aic": 36750.2,
                     "bic": 36980.9, "nobs": 28822},
        model_comparison=pd.DataFrame({"model": ["Model 1", "Model 2", "Model 3"],
                                       "loglik": [-18400.1, -18390.4, -18380.0],
                                       "aic": [36850.2, 36832.8, 36814.0]}),
        margins=make_margins(), interaction=inter,
        decomposition=pd.DataFrame({"lad_code": la["lad_code"], "composition": comp,
                                    "context": ctx,
                                    "own_effect": la["trust"] - 0.39 - comp - ctx}),
        change=pd.DataFrame({"lad_code": la["lad_code"], "trust_change": rng.normal(0, 0.02, n),
                             "change_lower": -0.05, "change_upper": 0.05,
                             "vintage_from": 2011, "vintage_to": 2021}),
        validation=pd.DataFrame({"method": ["direct", "mrp"], "correlation": [0.61, 0.93],
                                 "rmse": [0.08, 0.02], "coverage_90": [0.89, 0.91]}),
        la_covariates=make_la_covariates(la, seed),
        postcodes=pd.DataFrame({"postcode": ["SW1A1AA", "B11BB"],
                                "lad_code": [la["lad_code"].iloc[-1], la["lad_code"].iloc[0]],
                                "msoa_code": [msoa_code_of(3 * (n - 1)), msoa_code_of(0)]}),
        truth=pd.DataFrame({"lad_code": la["lad_code"],
                            "true_trust": np.clip(la["trust"] + rng.normal(0, 0.02, n), 0, 1)}),
        manifest={"socint_version": "0.1.0", "seed": seed,
                  "inputs": [{"file": "survey.csv", "sha256": "ab" * 32}],
                  "note": "</pre><script>alert(2)</script>"},
    )


def inputs_for_boundaries(boundaries: dict[str, Any], codes: list[str], names: list[str],
                          seed: int = 3) -> SiteInputs:
    """Factory index values for given real LA polygons (only the required tables)."""
    la = make_la_index(len(codes), seed).drop(columns=["region_code", "region_name"])
    la["lad_code"], la["lad_name"] = codes, names
    return SiteInputs(la_index=la, boundaries=boundaries)


def ons_england_inputs(shared_data: Path) -> SiteInputs:
    """Factory values on the real ONS LAD 2019 boundaries of England (317 LAs)."""
    path = shared_data / "geographr_lookups_boundaries" / "boundaries_ltla19.geojson"
    if not path.is_file():
        pytest.skip(f"needs the shared open data file {path}")
    fc = json.loads(path.read_text("utf-8"))
    feats = [f for f in fc["features"] if f["properties"]["ltla19_code"].startswith("E")]
    england = {"type": "FeatureCollection", "features": feats}
    return inputs_for_boundaries(england, [f["properties"]["ltla19_code"] for f in feats],
                                 [f["properties"]["ltla19_name"] for f in feats])


_LEGEND_NUMBER = re.compile(r"[−-]?\d+(?:\.(\d+))?")


def check_legend(texts: dict[int, str], values: pd.Series, classes: pd.Series,
                 percent: bool) -> None:
    """Assert that legend texts (class → "41.2%–45.0%") are the data's class ranges.

    Each printed end must be the class's lowest/highest value rounded to the decimals printed
    (within half a unit of the last digit), and wherever a class's highest value is below the
    next class's lowest one, the two must print differently (adjacent classes distinct).
    """
    scale = 100.0 if percent else 1.0
    printed: dict[int, tuple[str, str]] = {}
    for d, text in texts.items():
        part = values[classes == d].dropna() * scale
        nums = list(_LEGEND_NUMBER.finditer(text))
        assert len(nums) in (1, 2), text
        lo_s, hi_s = nums[0].group(0), nums[-1].group(0)
        for s, m, want in ((lo_s, nums[0], part.min()), (hi_s, nums[-1], part.max())):
            digits = len(m.group(1) or "")
            got = float(s.replace("−", "-"))
            assert abs(got - want) <= 0.5 * 10 ** -digits + 1e-9, (d, text, want)
        printed[d] = (lo_s, hi_s)
    for d in range(1, 10):
        if d in printed and d + 1 in printed:
            below = values[classes == d].max()
            above = values[classes == d + 1].min()
            if below < above:
                assert printed[d][1] != printed[d + 1][0], (d, printed[d], printed[d + 1])
