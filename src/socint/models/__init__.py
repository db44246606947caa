"""Multilevel logistic and probit regression by the Laplace approximation (or AGQ).

lme4's four stages (Bates et al. 2015, J. Stat. Softw. 67(1)): :mod:`.frame` (formula → model
frame), :mod:`.laplace` (deviance and analytic gradient, with the nested O(n) path in
:mod:`.blocks`, the sparse crossed path in :mod:`.crossed`, links in :mod:`.links`),
:mod:`.optimize` (nAGQ=0 start, Newton / L-BFGS-B, convergence checks) and
:mod:`.result` (the frozen :class:`GlmmResult`). Random slopes ``(x | g)``/``(x || g)`` use
the dense path of :mod:`.slopes`/:mod:`.slopes_fit`; adaptive Gauss-Hermite quadrature for one
factor is :mod:`.agq`; cluster-robust SEs :mod:`.robust`; the diagnostics and their lme4-style
check levels :mod:`.checks`; the design of new data :mod:`.design`. See
``docs/methods/glmm.md``.
"""

from socint.models.compare import compare_models
from socint.models.fit import check_separation, fit_glmm
from socint.models.formula import ParsedFormula, parse_formula
from socint.models.optimize import Control
from socint.models.result import LOGISTIC_VARIANCE, PROBIT_VARIANCE, GlmmResult
from socint.models.simulate import MODEL3_FORMULA, canonical_term_name, simulate_model3
from socint.models.weights import scale_weights

__all__ = [
    "LOGISTIC_VARIANCE",
    "MODEL3_FORMULA",
    "PROBIT_VARIANCE",
    "Control",
    "GlmmResult",
    "ParsedFormula",
    "canonical_term_name",
    "check_separation",
    "compare_models",
    "fit_glmm",
    "parse_formula",
    "scale_weights",
    "simulate_model3",
]
