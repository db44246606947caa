"""Stage 4 of the GLMM (lme4's ``mkMerMod``): the frozen fitted model.

Everything is on the original scale of the covariates (the internal centring/scaling is undone
with its exact linear map, including in ``vcov``). Standard errors come from the inverse of the
Hessian of the Laplace deviance in ``(β, σ)``, as glmer (``use.hessian = TRUE``) and glmmTMB
(``sdreport``) do; variance SEs use the delta method ``se(σ²) = 2σ·se(σ)``. Wald tests and
intervals are the usual normal ones (Bolker et al. 2009, *Trends Ecol. Evol.* 24:127, on their
limits for variance components).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from socint.errors import ModelError
from socint.models.frame import FloatArray

#: Variance of the standard logistic distribution, the level-1 variance on the latent scale
#: (Snijders & Bosker 2012, *Multilevel Analysis*, 2nd ed., section 17.3).
LOGISTIC_VARIANCE = math.pi**2 / 3

#: Level-1 variance on the latent scale of the probit link (a standard normal error).
PROBIT_VARIANCE = 1.0

#: The correlations of a model without random slopes, copied into each result (a copy costs
#: half of building an empty Series)
_NO_CORRELATIONS = pd.Series(dtype=float)


@dataclass(frozen=True)
class GlmmResult:
    """A fitted three- (or more-) level random-intercept logistic regression.

    Attributes
    ----------
    formula
        The formula as given.
    nagq
        1 = Laplace approximation, 0 = glmer's fast nAGQ=0 fit.
    fixef
        Fixed effects (log-odds) by design column.
    vcov
        Their covariance matrix.
    sd, variances, variances_se
        Random-intercept standard deviations, variances and the variances' SEs, by factor.
    loglik
        Laplace log-likelihood (binomial constants included, as in lme4).
    nobs, n_groups
        Rows used and number of groups per factor.
    ranef
        Per factor, a table of conditional modes ``mode`` and conditional variances
        ``condvar`` of the random intercepts (lme4's ``ranef(condVar = TRUE)``).
    converged, diagnostics
        Honest convergence verdict and the numbers behind it (largest gradient, lme4's scaled
        gradient, Hessian positive definite, boundary fits, optimiser message, evaluations).
    cov_full
        Covariance of ``(β, σ)`` (NaN rows for σ on the boundary), used by the margins.
    link
        ``"logit"`` (coefficients are log-odds) or ``"probit"`` (latent-normal scale).
    vcov_model
        With ``fit_glmm(robust=...)``, the model-based covariance of the fixed effects (``vcov``
        then holds the cluster-robust one); None otherwise.
    correlations, correlations_se
        Correlations of random intercepts and slopes of ``(x | g)`` terms (``"cor(1, x|g)"``)
        and their SEs; empty without random slopes. With slopes, ``sd`` holds one entry per
        random coefficient: the intercept under the factor's name, a slope as ``"x|g"``, and
        ``ranef[g]`` adds ``mode:x``, ``condvar:x`` and ``condcov:1,x`` columns.
    """

    formula: str
    nagq: int
    fixef: pd.Series
    vcov: pd.DataFrame
    sd: pd.Series
    variances: pd.Series
    variances_se: pd.Series
    loglik: float
    nobs: int
    n_groups: dict[str, int]
    ranef: dict[str, pd.DataFrame]
    converged: bool
    diagnostics: dict[str, Any]
    cov_full: FloatArray
    n_dropped: int = 0
    weighted: bool = False
    link: str = "logit"
    vcov_model: pd.DataFrame | None = None
    correlations: pd.Series = field(default_factory=lambda: _NO_CORRELATIONS.copy())
    correlations_se: pd.Series = field(default_factory=lambda: _NO_CORRELATIONS.copy())
    _spec: Any = field(default=None, repr=False)
    _data: pd.DataFrame | None = field(default=None, repr=False)

    # ---- the model's design (public; small-area estimation builds on it) ------------------
    @property
    def fixed_terms(self) -> tuple[str, ...]:
        """Design column names, in the order of :attr:`fixef` and of :meth:`design_matrix`."""
        return tuple(str(c) for c in self.fixef.index)

    @property
    def grouping_factors(self) -> dict[str, tuple[str, ...]]:
        """Per random-effect factor (as in :attr:`ranef`), the data columns defining its groups
        (``("la", "msoa")`` for ``la:msoa``)."""
        cols = self._spec["factor_columns"] if self._spec else ()
        return dict(zip(self.n_groups, (tuple(c) for c in cols), strict=True))

    @property
    def random_slopes(self) -> dict[str, tuple[str, ...]]:
        """Per grouping factor, the columns with a random slope (empty tuples if none)."""
        sl = (self._spec or {}).get("slopes", {})
        return {f: tuple(sl.get(f, ())) for f in self.n_groups}

    def design_matrix(self, data: pd.DataFrame, *, unseen: str = "raise") -> FloatArray:
        """The fixed-effects design matrix of ``data`` (n × p, columns :attr:`fixed_terms`),
        encoded exactly as in the fit, so ``design_matrix(d) @ fixef`` is the linear predictor
        without random effects.

        A category absent from the fit (e.g. a population frame with an ethnicity the survey
        lacks) raises a :class:`~socint.errors.ModelError` naming it, or with
        ``unseen="warn"`` gives a :class:`~socint.errors.ModelWarning` and NaN rows.
        """
        from socint.models.design import design_matrix

        return design_matrix(self._spec["model_spec"], list(self.fixed_terms), data,
                             unseen=unseen)

    # ---- inference ---------------------------------------------------------------------
    @property
    def se(self) -> pd.Series:
        """Standard errors of the fixed effects."""
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.fixef.index)

    @property
    def z(self) -> pd.Series:
        """Wald z statistics."""
        return self.fixef / self.se

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided Wald p-values."""
        return pd.Series(2 * stats.norm.sf(np.abs(self.z.to_numpy())), index=self.fixef.index)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald confidence intervals of the fixed effects (log-odds)."""
        q = stats.norm.ppf(0.5 + level / 2)
        return pd.DataFrame(
            {"lower": self.fixef - q * self.se, "upper": self.fixef + q * self.se}
        )

    def odds_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """Odds ratios with Wald intervals (exponentiated log-odds intervals); logit only."""
        if self.link != "logit":
            raise ModelError(
                f"odds ratios were requested from a fit with the {self.link!r} link",
                hint="odds ratios exist for the logit link only; use fixef/conf_int",
            )
        ci = self.conf_int(level)
        return pd.DataFrame(
            {"OR": np.exp(self.fixef), "lower": np.exp(ci["lower"]),
             "upper": np.exp(ci["upper"])}
        )

    # ---- fit statistics ----------------------------------------------------------------
    @property
    def n_params(self) -> int:
        """Number of estimated parameters (fixed effects, variances, correlations)."""
        return int(self.fixef.size + self.sd.size + self.correlations.size)

    @property
    def deviance(self) -> float:
        """``−2 × loglik`` (what lme4's summary prints as deviance)."""
        return -2.0 * self.loglik

    @property
    def aic(self) -> float:
        """Akaike information criterion ``−2ℓ + 2k``."""
        return self.deviance + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        """Bayesian information criterion ``−2ℓ + k log n`` (n = rows, as lme4)."""
        return self.deviance + self.n_params * math.log(self.nobs)

    @property
    def level1_variance(self) -> float:
        """Latent-scale residual variance: π²/3 (logit) or 1 (probit)."""
        return PROBIT_VARIANCE if self.link == "probit" else LOGISTIC_VARIANCE

    @property
    def icc(self) -> pd.Series:
        """Variance partition per factor on the latent scale: σ²_f / (Σσ² + σ²_e).

        ``σ²_e`` is the latent residual variance, π²/3 for the logit link and 1 for the
        probit (Snijders & Bosker 2012, section 17.3). For nested factors, the correlation of
        two respondents in the same lowest-level group is the sum of the shares of that group
        and all its ancestors.
        """
        if self.correlations.size or any(self.random_slopes.values()):
            raise ModelError(
                "the variance partition of a model with random slopes depends on the slope "
                "covariates", hint="compute z'Σz at chosen covariate values from sd and "
                "correlations")
        total = float(self.variances.sum()) + self.level1_variance
        return self.variances / total

    # ---- tables ------------------------------------------------------------------------
    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per fixed effect: estimate, SE, z, p, CI, OR and OR CI (OR only for logit)."""
        ci = self.conf_int(level)
        out = pd.DataFrame({
            "term": self.fixef.index, "estimate": self.fixef.to_numpy(),
            "std_error": self.se.to_numpy(), "z": self.z.to_numpy(),
            "p_value": self.pvalues.to_numpy(), "conf_low": ci["lower"].to_numpy(),
            "conf_high": ci["upper"].to_numpy(),
        })
        if self.link == "logit":
            orr = self.odds_ratios(level)
            out["odds_ratio"] = orr["OR"].to_numpy()
            out["or_low"] = orr["lower"].to_numpy()
            out["or_high"] = orr["upper"].to_numpy()
        return out

    def summary_table(self, digits: int = 2) -> pd.DataFrame:
        """A table laid out like the report's Tables 3-4: OR, SE, p, then the variances.

        SE is the standard error of the log-odds coefficient, as in the report. For the probit
        link the first column holds the coefficient itself (there are no odds ratios).
        """
        rows = self.tidy()
        first = rows["odds_ratio"] if self.link == "logit" else rows["estimate"]
        body = pd.DataFrame({
            "OR": first.round(digits).to_numpy(),
            "SE": rows["std_error"].round(digits + 1).to_numpy(),
            "p": rows["p_value"].round(3).to_numpy(),
        }, index=rows["term"].to_numpy())
        body = body.drop(index=[t for t in body.index if t == "Intercept"])
        extra = {}
        for f in self.variances.index:
            extra[f"{f} variance"] = [round(float(self.variances[f]), digits + 1),
                                      round(float(self.variances_se[f]), digits + 1), np.nan]
        for c in self.correlations.index:
            extra[c] = [round(float(self.correlations[c]), digits + 1),
                        round(float(self.correlations_se[c]), digits + 1), np.nan]
        extra["N"] = [float(self.nobs), np.nan, np.nan]
        for f, g in self.n_groups.items():
            extra[f"N {f}"] = [float(g), np.nan, np.nan]
        extra["log-likelihood"] = [round(self.loglik, 2), np.nan, np.nan]
        extra["AIC"] = [round(self.aic, 2), np.nan, np.nan]
        extra["BIC"] = [round(self.bic, 2), np.nan, np.nan]
        tail = pd.DataFrame.from_dict(extra, orient="index", columns=["OR", "SE", "p"])
        return pd.concat([body, tail])

    # ---- predictions -------------------------------------------------------------------
    def predict(self, new_data: pd.DataFrame | None = None, *, include_random: bool = True,
                type: str = "response", unseen: str = "raise") -> pd.Series:
        """Predicted probabilities (``type="response"``) or the linear predictor (``"link"``).

        With ``include_random`` the conditional modes of the groups are added; groups not seen
        in the fit get 0 (the population mean), as lme4 with ``allow.new.levels = TRUE``.
        A category of a covariate not seen in the fit raises (``unseen="raise"``) or warns and
        gives NaN (``"warn"``); see :meth:`design_matrix`.
        """
        from socint.models.predict import predict_frame

        return predict_frame(self, new_data, include_random=include_random, type=type,
                             unseen=unseen)

    def margins(self, variable: str, values: list[Any] | None = None, *,
                data: pd.DataFrame | None = None, integrate: bool = False,
                level: float = 0.95) -> pd.DataFrame:
        """Means of predicted probability with everyone's ``variable`` set to each value.

        ``integrate=False`` conditions on the random-effect modes; ``True`` integrates the
        prediction over the random-effect distribution. Delta-method intervals.
        """
        from socint.models.predict import margins

        return margins(self, variable, values, data=data, integrate=integrate, level=level)


__all__ = ["LOGISTIC_VARIANCE", "PROBIT_VARIANCE", "GlmmResult"]
