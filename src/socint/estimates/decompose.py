"""Why is an LA's predicted trust what it is? A counterfactual decomposition.

For the profile pages, an LA's model-predicted trust (at the fitted values) is split into
sequential counterfactual steps (the Oaxaca-Blinder idea applied to model predictions; Fortin,
Lemieux & Firpo 2011, *Handbook of Labor Economics* 4A, section 2, on sequential
decompositions):

* ``baseline`` — England: the national adult population mix (cells and covariate profiles) in
  the population-weighted average area context, random effects 0 (a typical area);
* ``+ composition`` — the LA's own population mix, still in the England-average context;
* ``+ context`` — the LA's own MSOA covariates (diversity, deprivation, rurality…) and LA
  covariates, random effects still 0;
* ``+ own effect`` — the conditional modes of the LA's and its MSOAs' random effects (0 for
  unsampled areas, so their own effect is 0 by construction).

The three effects add up exactly to ``predicted − baseline`` (a telescoping sum); the order of
the steps matters for non-linear models and is fixed as listed (documented in
``docs/methods/estimates.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socint.estimates.mrp import la_weights, population_probabilities, split_design
from socint.estimates.poststrat import PoststratFrame
from socint.estimates.simulate_draws import FittedParts


def decompose(parts: FittedParts, frame: PoststratFrame, *,
              split: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """Composition / context / own-effect decomposition of each LA's predicted trust.

    ``split`` reuses the design split of an MRP run (:attr:`MrpResult.split`).

    Returns
    -------
    DataFrame
        Indexed by ``lad_code``: ``baseline``, ``composition``, ``context``, ``own_effect``,
        ``predicted`` (= baseline + the three effects).
    """
    X_prof, Z = split if split is not None else split_design(parts, frame)
    beta = parts.fixef.to_numpy()
    eta = (X_prof @ beta)[:, None]
    cell = frame.profiles["cell"].to_numpy()
    w = frame.profiles["weight"].to_numpy(dtype=float)
    z = Z @ beta
    total = frame.adults.sum()
    z_bar = float(frame.adults @ z / total)
    codes, M = la_weights(frame)
    S = frame.shares
    s_la = np.asarray(M @ S)
    s_eng = (frame.adults @ S / total)[None, :]

    def probs(shares: np.ndarray, offset: np.ndarray) -> np.ndarray:
        return population_probabilities(eta, cell, w, shares, offset[:, None], chunk=1)[:, 0]

    base = float(probs(s_eng, np.array([z_bar]))[0])
    comp = probs(s_la, np.full(len(codes), z_bar))
    ctx = np.asarray(M @ probs(S, z))
    u = parts.msoa.modes.reindex(frame.msoa_codes).fillna(0.0).to_numpy()
    v = parts.la.modes.reindex(codes).fillna(0.0).to_numpy()
    full = np.asarray(M @ probs(S, z + u + v[codes.get_indexer(pd.Index(frame.la_codes))]))
    return pd.DataFrame({"baseline": base, "composition": comp - base, "context": ctx - comp,
                         "own_effect": full - ctx, "predicted": full}, index=codes)


__all__ = ["decompose"]
