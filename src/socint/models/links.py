"""Link functions of the binomial family: the probit's derivatives for the Laplace objective.

The logit link is canonical: observed and expected information coincide (``W = mμ(1 − μ)``)
and its derivatives live inline in :meth:`socint.models.laplace.LaplaceProblem._weights`. For
the probit link ``μ = Φ(η)`` they differ, which matters for the Laplace approximation: glmmTMB
(and socint by default) use the observed information, glmer the expected one in ``log|H|``
(McCullagh & Nelder 1989, *Generalized Linear Models*, 2nd ed., section 4.4; Bates et al. 2015,
J. Stat. Softw. 67(1), section 5).
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr

from socint.models.frame import FloatArray

#: Supported links of the binomial family.
LINKS = ("logit", "probit")

#: Information used in ``log|H|`` for the probit: "observed" (glmmTMB) or "expected" (glmer).
INFORMATION = ("observed", "expected")


def _mills(eta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverse Mills ratios ``λ₁ = φ/Φ(η)`` and ``λ₀ = φ/Φ(−η)``, finite in the tails."""
    log_phi = -0.5 * eta * eta - 0.5 * np.log(2.0 * np.pi)
    return np.exp(log_phi - log_ndtr(eta)), np.exp(log_phi - log_ndtr(-eta))


def probit_derivatives(eta: FloatArray, wy: FloatArray,
                       wm: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Score, observed information and its derivative of the binomial-probit log-likelihood.

    ``ℓ = y log Φ(η) + (m − y) log Φ(−η)`` (weighted). With the inverse Mills ratios
    ``λ₁ = φ/Φ(η)`` and ``λ₀ = φ/Φ(−η)`` (``λ₁' = −λ₁(η + λ₁)``, ``λ₀' = λ₀(λ₀ − η)``):

        s  = y λ₁ − (m − y) λ₀,
        W  = y λ₁(η + λ₁) + (m − y) λ₀(λ₀ − η),
        W' = y λ₁[1 − (η + λ₁)(η + 2λ₁)] + (m − y) λ₀[(λ₀ − η)(2λ₀ − η) − 1].

    The ratios are formed from ``log_ndtr`` so they stay finite in the tails. This is the
    *observed* information, i.e. the exact Laplace approximation as glmmTMB computes it; glmer
    uses the expected information ``m φ²/(Φ(1 − Φ))`` in ``log|H|`` for non-canonical links,
    so its optimum differs slightly (McCullagh & Nelder 1989, section 4.4.1; Bates et al. 2015).
    Returns ``(W', s, W)`` in the order of :meth:`LaplaceProblem._weights`.
    """
    lam1, lam0 = _mills(eta)
    wf = wm - wy
    score = wy * lam1 - wf * lam0
    a1 = eta + lam1
    a0 = lam0 - eta
    W = wy * lam1 * a1 + wf * lam0 * a0
    dW = wy * lam1 * (1.0 - a1 * (a1 + lam1)) + wf * lam0 * (a0 * (a0 + lam0) - 1.0)
    return dW, score, W


def probit_expected(eta: FloatArray, wm: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Expected (Fisher) information of the binomial probit and its derivative in ``η``.

    ``W_E = m φ(η)² / (Φ(η)Φ(−η)) = m λ₁λ₀`` and ``W_E' = W_E (λ₀ − λ₁ − 2η)``; glmer's PIRLS
    weights, used in its Laplace ``log|H|``. Returns ``(W_E', W_E)``.
    """
    lam1, lam0 = _mills(eta)
    WE = wm * lam1 * lam0
    return WE * (lam0 - lam1 - 2.0 * eta), WE


__all__ = ["INFORMATION", "LINKS", "probit_derivatives", "probit_expected"]
