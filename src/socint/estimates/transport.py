"""Trust for every area from a published or saved model, transported onto the census frame.

Most users hold no survey microdata. They can still predict neighbourhood trust for every MSOA
and LA by applying a fitted multilevel model (Bright Blue's published Model 3, or any socint fit
saved as JSON) to the census population of each area:

1. every cell of the post-stratification frame (MSOA × sex × age band × ethnicity, adults) gets
   the model's linear predictor from its individual covariates (sex, age at the band's mid-point,
   ethnicity) and its area covariates (the MSOA's and LA's);
2. the area random effects are integrated out: a cell's trust is
   ``E[logit⁻¹(η + u + v)]`` with ``u ~ N(0, σ²_MSOA)``, ``v ~ N(0, σ²_LA)`` (Gauss-Hermite),
   the expected share of a population *like* that cell in an area *like* that MSOA — not a
   measurement of that particular MSOA;
3. individual covariates the census does not cross-tabulate with the cells (income band,
   married, 5+ years at the address, NS-SEC, survey year) are held at fixed values; with a
   calibrated intercept their constant contribution is absorbed into it (stated assumption);
4. the intercept, when not published, is calibrated so that the mean predicted trust of a stated
   population equals a stated figure (default: the report's 0.39 over the adults of the frame,
   optionally reweighted to a supplied ethnic mix, since the survey over-sampled minorities);
5. uncertainty: coefficients are drawn from normal distributions with the published SEs, treated
   as independent because the covariance of the estimates is not published (a saved socint fit
   carries its full covariance, which is then used); the variances are drawn from their SEs;
   the intercept is re-calibrated in every draw. Intervals are the draws' central quantiles.

References: Gelman & Little (1997) on post-stratification; Bright Blue (2019) *Distant
neighbours?* Annex Table 4 for the model.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from socint.errors import InputDataError, ModelError, _preview

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Default age (years) of the open top band and of any band without an upper bound.
TOP_BAND_AGE = 80.0

#: Gauss-Hermite nodes used to integrate over the random effects.
GH_NODES = 32


@dataclass(frozen=True)
class TransportableModel:
    """A trust model that can be applied to a census frame.

    Attributes
    ----------
    name
        Short name, e.g. ``"Bright Blue (2019) Model 3"``.
    description
        What the model is, in plain words (shown on the methodology page).
    terms
        Log-odds coefficients by term name (``female``, ``age``, ``income_sq``,
        ``ethnicity[Asian]``, ``div_decile:poor_english``, ``wb_change[>0%]`` …).
    se
        Standard errors of the log-odds coefficients (used when ``vcov`` is absent).
    variances, variance_se
        Random-intercept variances (logit scale) by level (``lad``, ``msoa``) and their SEs.
    intercept
        The intercept when known (a saved fit); ``None`` = calibrate.
    vcov
        Covariance of the coefficients in ``terms`` order (+ intercept first when known), or
        ``None`` when not published.
    held
        Individual covariates the census frame lacks, and the values they are held at.
    source
        Citation of the model (for the manifest).
    """

    name: str
    description: str
    terms: Mapping[str, float]
    se: Mapping[str, float]
    variances: Mapping[str, float]
    variance_se: Mapping[str, float]
    intercept: float | None = None
    vcov: FloatArray | None = None
    held: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""


def published_model3() -> TransportableModel:
    """Bright Blue's published Model 3 (odds ratios and SEs as printed, Annex Table 4).

    SEs are converted to the log-odds scale by the delta method (``se(log OR) = se(OR)/OR``);
    an SE printed as 0.00 is taken as :data:`socint.published.SE_PRINTED_ZERO`.
    """
    from socint.published import (
        MODEL3_ODDS_RATIOS,
        MODEL3_SE_ODDS_RATIOS,
        MODEL3_VARIANCE_SES,
        MODEL3_VARIANCES,
        SE_PRINTED_ZERO,
    )

    terms = {k: math.log(v) for k, v in MODEL3_ODDS_RATIOS.items()}
    se = {k: max(MODEL3_SE_ODDS_RATIOS[k], SE_PRINTED_ZERO) / MODEL3_ODDS_RATIOS[k]
          for k in terms}
    return TransportableModel(
        name="Bright Blue (2019) Model 3",
        description=("the multilevel model of neighbourhood trust published by Bright Blue "
                     "(2019), fitted to the Citizenship Survey 2009-11 with Census 2011 and "
                     "IMD 2015 area data; odds ratios and standard errors as printed (rounded "
                     "to 2 decimal places), intercept not published"),
        terms=terms, se=se,
        variances={"lad": MODEL3_VARIANCES["la"], "msoa": MODEL3_VARIANCES["msoa"]},
        variance_se={"lad": MODEL3_VARIANCE_SES["la"], "msoa": MODEL3_VARIANCE_SES["msoa"]},
        held=HELD_DEFAULTS,
        source="Bright Blue (2019), Distant neighbours?, Annex Table 4 (Model 3)",
    )


#: Values at which the individual covariates the census frame lacks are held.
HELD_DEFAULTS: Mapping[str, Any] = {"income": 7, "married": 0, "years5": 1,
                                    "nssec": "Managerial", "year_2010": 0}


def save_model(result: Any, path: str | Path, *, name: str, description: str) -> Path:
    """Save a fitted :class:`socint.models.GlmmResult` as a transportable JSON model.

    The file holds the coefficients by canonical term name, their covariance (intercept
    first), the random-intercept variances and their SEs; no respondent data.
    """
    from socint.io import write_json
    from socint.models.simulate import canonical_term_name

    fixef = pd.Series(result.fixef, dtype=float)
    names = [canonical_term_name(str(c)) for c in fixef.index]
    if "Intercept" not in names:
        raise ModelError("the fit has no intercept; a transportable model needs one")
    vcov = np.asarray(getattr(result.vcov, "to_numpy", lambda: result.vcov)(), dtype=float)
    order = [names.index("Intercept")] + [i for i, n in enumerate(names) if n != "Intercept"]
    variances = {_level_of(str(k)): float(v) for k, v in result.variances.items()}
    var_se = getattr(result, "variances_se", None)
    var_se = {} if var_se is None else dict(var_se)
    payload = {
        "format": "socint-transportable-model/1",
        "name": name, "description": description,
        "intercept": float(fixef.iloc[order[0]]),
        "terms": {names[i]: float(fixef.iloc[i]) for i in order[1:]},
        "vcov": vcov[np.ix_(order, order)].tolist(),
        "variances": variances,
        "variance_se": {_level_of(str(k)): float(v) for k, v in var_se.items()},
        "nobs": int(getattr(result, "nobs", 0)),
    }
    write_json(payload, Path(path))
    return Path(path)


def _level_of(factor: str) -> str:
    key = factor.split(":")[-1]
    return {"la": "lad", "lad_code": "lad", "msoa": "msoa", "msoa_code": "msoa"}.get(key, key)


def load_model(path: str | Path) -> TransportableModel:
    """Read a model saved by :func:`save_model` (refusing other JSON, with the reason)."""
    p = Path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputDataError(f"cannot read the saved model: {exc}", file=p,
                             hint="pass a JSON file written by socint (save_model)") from None
    if not isinstance(raw, dict) or raw.get("format") != "socint-transportable-model/1":
        raise InputDataError("not a socint saved model (no format "
                             "'socint-transportable-model/1')", file=p,
                             hint="save a fit with socint.estimates.transport.save_model")
    missing = [k for k in ("terms", "vcov", "variances", "intercept") if k not in raw]
    if missing:
        raise InputDataError(f"the saved model lacks {missing}", file=p)
    terms = {str(k): float(v) for k, v in raw["terms"].items()}
    vcov = np.asarray(raw["vcov"], dtype=float)
    if vcov.shape != (len(terms) + 1, len(terms) + 1):
        raise InputDataError(f"vcov is {vcov.shape} but the model has {len(terms) + 1} "
                             "coefficients (intercept first)", file=p)
    se = dict(zip(terms, np.sqrt(np.diag(vcov))[1:], strict=True))
    return TransportableModel(
        name=str(raw.get("name", p.stem)), description=str(raw.get("description", "")),
        terms=terms, se=se, variances={str(k): float(v) for k, v in raw["variances"].items()},
        variance_se={str(k): float(v) for k, v in raw.get("variance_se", {}).items()},
        intercept=float(raw["intercept"]), vcov=vcov, held=HELD_DEFAULTS,
        source=f"socint saved model {p.name} (n = {raw.get('nobs', '?')})")


# --------------------------------------------------------------------------------------------
# Design of the frame


def band_ages(labels: pd.Series) -> FloatArray:
    """Mid-point age of band labels such as ``16-24`` (20.0) and ``75+`` (80.0)."""
    text = labels.astype(str)
    codes, uniques = pd.factorize(text)  # a frame has a handful of distinct bands
    mids = np.empty(len(uniques))
    for j, lab in enumerate(uniques):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)|\+)\s*", lab)
        if m is None:
            row = int(np.flatnonzero(codes == j)[0])
            raise InputDataError(f"age band {lab!r} is not like '16-24' or '75+'",
                                 column="age_band", row=row + 1)
        mids[j] = ((int(m.group(1)) + int(m.group(2))) / 2 if m.group(2)
                   else max(TOP_BAND_AGE, int(m.group(1)) + 5.0))
    return np.asarray(mids[codes], dtype=float)


def term_matrix(data: pd.DataFrame, terms: list[str]) -> FloatArray:
    """Columns of the design for canonical term names (see :class:`TransportableModel`)."""
    cols = []
    for name in terms:
        m = re.fullmatch(r"(\w+)\[(.+)\]", name)
        try:
            x: FloatArray
            if m:
                x = np.asarray(data[m.group(1)].astype(str) == m.group(2), dtype=float)
            elif name.endswith("_sq") and name not in data.columns:
                x = data[name[:-3]].to_numpy(dtype=float) ** 2
            elif ":" in name:
                x = np.ones(len(data))
                for part in name.split(":"):
                    x = x * data[part].to_numpy(dtype=float)
            else:
                x = data[name].to_numpy(dtype=float)
        except KeyError as exc:
            raise InputDataError(f"the model's term {name!r} needs the covariate {exc.args[0]!r}, "
                                 "which the census frame does not have",
                                 hint="build the area covariates for this census "
                                      "(socint.covariates) or use a model without the term"
                                 ) from None
        cols.append(x)
    return np.column_stack(cols) if cols else np.zeros((len(data), 0))


@dataclass(frozen=True)
class FrameDesign:
    """The frame, split into cells, with the design rows of its terms.

    ``X`` is (rows × terms) for rows of the long frame (MSOA × cell), ``weight`` their adults,
    ``msoa`` the row's MSOA index into ``msoa_codes``, ``lad_codes[j]`` MSOA j's LA.
    """

    X: FloatArray
    weight: FloatArray
    msoa: np.ndarray
    msoa_codes: pd.Index
    lad_codes: np.ndarray
    ethnicity: np.ndarray
    terms: list[str]


def frame_design(model: TransportableModel, counts: pd.DataFrame,
                 msoa_covariates: pd.DataFrame, la_covariates: pd.DataFrame) -> FrameDesign:
    """Join the frame's cells to their area covariates and evaluate the model's terms.

    ``counts``: ``msoa_code, sex ("male"/"female"), age_band, ethnicity, count`` (adults).
    """
    need = ("msoa_code", "sex", "age_band", "ethnicity", "count")
    miss = [c for c in need if c not in counts.columns]
    if miss:
        raise InputDataError(f"the population frame lacks column(s) {miss}",
                             hint=f"expected columns {need}")
    cells = counts.loc[pd.to_numeric(counts["count"], errors="coerce").fillna(0) > 0]
    cells = cells.reset_index(drop=True)
    mcov = msoa_covariates.drop_duplicates("msoa_code").set_index("msoa_code")
    unknown = pd.Index(cells["msoa_code"].unique()).difference(mcov.index)
    if len(unknown):
        raise InputDataError(f"{len(unknown)} MSOA(s) of the frame have no area covariates: "
                             f"{_preview(unknown)}", code=str(unknown[0]),
                             hint="build covariates for every MSOA of the frame")
    lcov = la_covariates.drop_duplicates("lad_code").set_index("lad_code")
    data = cells.merge(mcov, left_on="msoa_code", right_index=True, how="left",
                       suffixes=("", "_msoa"))
    la_missing = pd.Index(data["lad_code"].unique()).difference(lcov.index)
    if len(la_missing):
        raise InputDataError(f"{len(la_missing)} LA(s) have no LA covariates: "
                             f"{_preview(la_missing)}", code=str(la_missing[0]))
    data = data.join(lcov.drop(columns=[c for c in lcov.columns if c in data.columns],
                               errors="ignore"), on="lad_code")
    data["female"] = (data["sex"].astype(str).str.lower() == "female").astype(float)
    data["age"] = band_ages(data["age_band"])
    for k, v in model.held.items():
        data[k] = v
    terms = list(model.terms)
    X = term_matrix(data, terms)
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        col = terms[int(np.flatnonzero(~np.isfinite(X[r]))[0])]
        raise InputDataError(f"the covariate of term {col!r} is missing for MSOA "
                             f"{data['msoa_code'].iloc[r]}", code=str(data["msoa_code"].iloc[r]),
                             column=col, hint="every MSOA needs every area covariate")
    codes = pd.Index(pd.unique(data["msoa_code"].astype(str)), name="msoa_code")
    msoa = codes.get_indexer(pd.Index(data["msoa_code"].astype(str)))
    lad = (data.drop_duplicates("msoa_code").set_index("msoa_code")["lad_code"]
           .reindex(codes).astype(str).to_numpy())
    return FrameDesign(X, data["count"].to_numpy(dtype=float), msoa, codes, lad,
                       data["ethnicity"].astype(str).to_numpy(), terms)


# --------------------------------------------------------------------------------------------
# Integration over the random effects and calibration


_GRID = np.linspace(-12.0, 12.0, 2401)


def _grid_values(variance: float) -> tuple[FloatArray, FloatArray]:
    """``E[logit⁻¹(g + e)]`` and its derivative on :data:`_GRID` (Gauss-Hermite)."""
    x, w = np.polynomial.hermite_e.hermegauss(GH_NODES)
    w = w / w.sum()
    p = expit(_GRID[:, None] + math.sqrt(max(variance, 0.0)) * x[None, :])
    return p @ w, (p * (1 - p)) @ w


def integrated_probability(eta: FloatArray, variance: float) -> FloatArray:
    """``E[logit⁻¹(eta + e)]`` for ``e ~ N(0, variance)``, by Gauss-Hermite quadrature.

    Evaluated exactly on a grid of ``eta`` and interpolated (the function is smooth and
    monotone; grid step 0.01 on [-12, 12] keeps the error below 1e-5).
    """
    if variance <= 0:
        return np.asarray(expit(eta), dtype=float)
    f, _ = _grid_values(variance)
    return np.interp(np.clip(eta, -12.0, 12.0), _GRID, f)


@dataclass(frozen=True)
class Calibration:
    """How the intercept is set when it is not published.

    ``target`` mean trust over the frame's adults, optionally reweighted so the ethnic groups
    have the shares in ``ethnic_mix`` (e.g. the survey's achieved sample).
    """

    target: float = 0.39
    ethnic_mix: Mapping[str, float] | None = None

    def weights(self, design: FrameDesign) -> FloatArray:
        """Per-row calibration weights (adults, reweighted to the ethnic mix if given)."""
        w = design.weight.copy()
        if self.ethnic_mix:
            groups = pd.Series(w).groupby(design.ethnicity).sum()
            unknown = sorted(set(self.ethnic_mix) - set(groups.index))
            if unknown:
                raise InputDataError(f"ethnic mix names group(s) {unknown} absent from the "
                                     f"frame; groups: {sorted(groups.index)}")
            total = sum(self.ethnic_mix.values())
            factor = {g: self.ethnic_mix.get(g, 0.0) / total / (groups[g] / groups.sum())
                      for g in groups.index}
            w = w * np.array([factor[g] for g in design.ethnicity])
        return w / w.sum()

    def describe(self) -> str:
        """The calibration in plain words."""
        pop = ("adults of the census frame" if not self.ethnic_mix else
               "adults of the census frame reweighted to the ethnic mix " +
               ", ".join(f"{k} {v:.0%}" for k, v in self.ethnic_mix.items()))
        return f"intercept set so that mean predicted trust is {self.target:.2f} among the {pop}"


def calibrate_intercept(eta0: FloatArray, weights: FloatArray, variance: float,
                        target: float, start: float = 0.0) -> float:
    """The intercept ``b`` with ``Σ w · E[logit⁻¹(eta0 + b + e)] = target`` (Newton).

    The weights are first binned on ``eta0`` (bins of 0.002 on the logit scale, each placed at
    its weighted mean, so the error in the mean is of order 1e-7), which makes each step cheap.
    """
    if not 0 < target < 1:
        raise InputDataError(f"calibration target {target} must be strictly between 0 and 1")
    lo = float(eta0.min())
    idx = np.floor((eta0 - lo) / 0.002).astype(np.int64)
    wb = np.bincount(idx, weights)
    keep = wb > 0
    centres = np.bincount(idx, weights * eta0)[keep] / wb[keep]  # weighted mean in each bin
    wb = wb[keep] / wb[keep].sum()
    f, df = _grid_values(variance)
    b = start
    for _ in range(100):
        x = np.clip(centres + b, -12.0, 12.0)
        gap = float(wb @ np.interp(x, _GRID, f)) - target
        slope = float(wb @ np.interp(x, _GRID, df))
        step = gap / max(slope, 1e-12)
        b -= step
        if abs(step) < 1e-10:
            break
    return b


@dataclass(frozen=True)
class Transported:
    """Transported trust: MSOA and LA draws (areas × draws) and the point prediction."""

    msoa_codes: pd.Index
    lad_codes: pd.Index
    msoa_lad: np.ndarray
    msoa_point: FloatArray
    lad_point: FloatArray
    msoa_draws: FloatArray
    lad_draws: FloatArray
    msoa_adults: FloatArray
    lad_adults: FloatArray
    intercept: float
    notes: tuple[str, ...]


def _aggregate(p_rows: FloatArray, design: FrameDesign, lad_index: np.ndarray,
               n_lad: int) -> tuple[FloatArray, FloatArray]:
    n_msoa = len(design.msoa_codes)
    adults = np.bincount(design.msoa, design.weight, n_msoa)
    msoa = np.bincount(design.msoa, design.weight * p_rows, n_msoa) / adults
    la_adults = np.bincount(lad_index, adults, n_lad)
    la = np.bincount(lad_index, adults * msoa, n_lad) / la_adults
    return msoa, la


def transport(model: TransportableModel, design: FrameDesign, *, n_draws: int = 500,
              seed: int = 2011, calibration: Calibration | None = None) -> Transported:
    """Predicted trust of every MSOA and LA of the frame, with simulation draws.

    See the module docstring for the method and its assumptions.
    """
    calibration = calibration or Calibration()
    beta = np.array([model.terms[t] for t in design.terms])
    var = float(sum(model.variances.get(k, 0.0) for k in ("lad", "msoa")))
    cw = calibration.weights(design)
    lad_codes = pd.Index(pd.unique(design.lad_codes), name="lad_code")
    lad_index = lad_codes.get_indexer(design.lad_codes)
    eta0 = design.X @ beta
    if model.intercept is None:
        b0 = calibrate_intercept(eta0, cw, var, calibration.target)
    else:
        b0 = model.intercept
    p = integrated_probability(eta0 + b0, var)
    msoa_point, lad_point = _aggregate(p, design, lad_index, len(lad_codes))
    rng = np.random.default_rng([seed, 7])
    k = len(beta)
    i_draws: FloatArray | None
    if model.vcov is not None:
        full = rng.multivariate_normal(np.r_[model.intercept or 0.0, beta], model.vcov,
                                       size=n_draws, method="cholesky")
        b_draws, i_draws = full[:, 1:], full[:, 0]
    else:
        se = np.array([model.se[t] for t in design.terms])
        b_draws = beta + rng.standard_normal((n_draws, k)) * se
        i_draws = None if model.intercept is None else np.full(n_draws, model.intercept)
    var_draws = np.zeros(n_draws)
    for lev in ("lad", "msoa"):
        v = model.variances.get(lev, 0.0)
        s = model.variance_se.get(lev, 0.0)
        var_draws += np.abs(v + s * rng.standard_normal(n_draws))
    msoa_draws = np.empty((len(design.msoa_codes), n_draws))
    lad_draws = np.empty((len(lad_codes), n_draws))
    for d in range(n_draws):
        e0 = design.X @ b_draws[d]
        if model.intercept is None:
            bd = calibrate_intercept(e0, cw, float(var_draws[d]), calibration.target, start=b0)
        else:
            assert i_draws is not None
            bd = float(i_draws[d])
        pd_ = integrated_probability(e0 + bd, float(var_draws[d]))
        msoa_draws[:, d], lad_draws[:, d] = _aggregate(pd_, design, lad_index, len(lad_codes))
    adults = np.bincount(design.msoa, design.weight, len(design.msoa_codes)).astype(float)
    notes = [f"trust predicted by {model.name}: {model.description}",
             "area random effects integrated out (an area is predicted like a typical area "
             "with its census make-up and covariates, not measured)",
             "individual covariates not in the census frame held at fixed values: " +
             ", ".join(f"{k} = {v}" for k, v in model.held.items()) +
             (" (absorbed by the calibrated intercept)" if model.intercept is None else ""),
             "age within each band at the band's mid-point (top band at "
             f"{TOP_BAND_AGE:.0f})"]
    if model.intercept is None:
        notes.append(calibration.describe() + "; re-calibrated in every simulation draw")
    if model.vcov is None:
        notes.append("intervals from the published standard errors treated as independent "
                     "(the covariance of the estimates is not published)")
    return Transported(design.msoa_codes, lad_codes, design.lad_codes, msoa_point, lad_point,
                       msoa_draws, lad_draws, adults,
                       np.bincount(lad_index, adults, len(lad_codes)).astype(float),
                       float(b0), tuple(notes))


__all__ = ["HELD_DEFAULTS", "Calibration", "FrameDesign", "TransportableModel", "Transported",
           "band_ages", "calibrate_intercept", "frame_design", "integrated_probability",
           "load_model", "published_model3", "save_model", "term_matrix", "transport"]
