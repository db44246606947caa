"""Level-1 sampling weights for pseudo-maximum-likelihood GLMM estimation.

Each respondent's log-likelihood contribution is multiplied by its weight (pseudo-maximum
likelihood, Pfeffermann, Skinner, Holmes, Goldstein & Rasbash 1998, *J. R. Stat. Soc. B*
60(1):23; Rabe-Hesketh & Skrondal 2006, *J. R. Stat. Soc. A* 169(4):805). In multilevel models
the level-1 weights must be scaled within clusters, otherwise the variance components are
biased; the two usual scalings (Pfeffermann et al. 1998; Carle 2009, *BMC Med. Res. Methodol.*
9:49) are offered:

* ``"size"`` — weights sum to the cluster's sample size ``n_j`` (method 1 / "A");
* ``"effective"`` — weights sum to the effective cluster size ``(Σw)²/Σw²`` (method 2 / "B");
* ``"none"`` — raw weights (only sensible when they are already scaled).

Clusters are the lowest-level groups (MSOAs); weights of higher levels are taken as 1.
Standard errors are model-based (inverse Hessian) unless ``fit_glmm(robust=...)`` asks for the
cluster-robust sandwich (:mod:`socint.models.robust`).
"""

from __future__ import annotations

import numpy as np

from socint.errors import ModelError
from socint.models.frame import FloatArray, IntArray

SCALINGS = ("none", "size", "effective")


def scale_weights(w: FloatArray, cluster: IntArray, method: str) -> FloatArray:
    """Scale level-1 weights within clusters.

    Parameters
    ----------
    w
        Positive weights, one per row.
    cluster
        Integer cluster code per row (0..J-1).
    method
        One of ``"none"``, ``"size"``, ``"effective"``.

    Returns
    -------
    ndarray
        The scaled weights.
    """
    if method not in SCALINGS:
        raise ModelError(
            f'`weights_scaling` was "{method}" but is expected to be in {list(SCALINGS)}',
            hint='use "size" (sum to cluster size) or "effective" (sum to effective size)',
        )
    if method == "none":
        return np.asarray(w, dtype=float)
    J = int(cluster.max()) + 1
    s1 = np.bincount(cluster, w, J)
    if method == "size":
        n_j = np.bincount(cluster, minlength=J).astype(float)
        factor = n_j / s1
    else:
        s2 = np.bincount(cluster, w * w, J)
        factor = s1 / s2
    return np.asarray(w * factor[cluster], dtype=float)


__all__ = ["SCALINGS", "scale_weights"]
