"""Iterative proportional fitting: a joint population table from an area's margins.

When the census does not publish the joint ``sex × age_band × ethnicity`` table of adults for an
area, :func:`frame_from_margins` estimates it by iterative proportional fitting (Deming & Stephan
1940, *Ann. Math. Stat.* 11:427-444) of a national joint table (the seed) to the area's margins:
its adults by sex × age band, and its ethnic mix. Assumptions (documented in
``docs/methods/estimates.md``): the area's interaction structure — e.g. the age profile of each
ethnic group — is the national one (IPF keeps the seed's odds ratios, Mosteller 1968, JASA
63:1-28), and, when the ethnic counts cover all ages, the adults' ethnic mix is the area's
all-age mix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from socint.errors import ConvergenceError, GeographyError, InputDataError, _preview


def ipf(seed: np.ndarray, margins: list[tuple[tuple[int, ...], np.ndarray]], *,
        tol: float = 1e-8, max_iter: int = 1000) -> np.ndarray:
    """Iterative proportional fitting of ``seed`` to one or more margins.

    Parameters
    ----------
    seed
        Non-negative starting table (e.g. the national joint distribution).
    margins
        ``(axes, target)`` pairs: ``target`` is the table summed over all axes not in
        ``axes`` (kept in order). Targets of a consistent problem share the same total.
    tol
        Stop when every margin is matched within ``tol`` × total (absolute).
    max_iter
        Iteration limit; reaching it raises :class:`ConvergenceError`.

    Returns
    -------
    ndarray
        The fitted table (same shape as ``seed``).

    Raises
    ------
    InputDataError
        Negative inputs, inconsistent totals, or a margin cell positive where the seed is zero.
    ConvergenceError
        If the margins are not matched within ``max_iter`` sweeps.
    """
    x = np.asarray(seed, dtype=np.float64).copy()
    if (x < 0).any() or not np.isfinite(x).all():
        raise InputDataError("IPF seed has negative or non-finite cells",
                             hint="use non-negative counts or shares as the seed")
    norm: list[tuple[tuple[int, ...], np.ndarray]] = []
    for axes, target in margins:
        t = np.asarray(target, dtype=np.float64)
        if (t < 0).any() or not np.isfinite(t).all():
            raise InputDataError(f"IPF margin over axes {axes} has negative or non-finite cells")
        order = np.argsort(axes)
        # store every margin with its axes in increasing order, as x.sum() returns them
        norm.append((tuple(int(axes[i]) for i in order), np.transpose(t, order)))
    totals = [float(t.sum()) for _, t in norm]
    if totals and not np.allclose(totals, totals[0], rtol=1e-9):
        raise InputDataError(f"IPF margins have different totals {totals}",
                             hint="all margins must describe the same population")
    total = totals[0] if totals else float(x.sum())
    worst = np.inf
    for _ in range(max_iter):
        worst = 0.0
        for axes, t in norm:
            other = tuple(a for a in range(x.ndim) if a not in axes)
            cur = x.sum(axis=other)
            if ((cur == 0) & (t > 0)).any():
                raise InputDataError(
                    f"IPF margin over axes {axes} is positive where the seed is empty",
                    hint="the seed must allow every populated margin cell (use a national seed "
                    "with no structural zeros)")
            worst = max(worst, float(np.abs(cur - t).max()))
            ratio = np.divide(t, cur, out=np.zeros_like(t), where=cur > 0)
            x *= ratio.reshape([x.shape[a] if a in axes else 1 for a in range(x.ndim)])
        if worst <= tol * max(total, 1.0):
            return x
    raise ConvergenceError(f"IPF did not converge in {max_iter} sweeps (largest margin gap "
                           f"{worst:.3g})", hint="check that the margins are consistent")


def frame_from_margins(national: pd.DataFrame, age_sex: pd.DataFrame, ethnicity: pd.DataFrame,
                       *, tol: float = 1e-8, max_iter: int = 1000) -> pd.DataFrame:
    """Adults per MSOA × sex × age band × ethnicity by IPF of a national seed to MSOA margins.

    Parameters
    ----------
    national
        Seed: ``sex, age_band, ethnicity, count`` (national adults; no structural zeros).
    age_sex
        ``msoa_code, sex, age_band, count``: the MSOA's adults.
    ethnicity
        ``msoa_code, ethnicity, count``: the MSOA's ethnic counts (any age); rescaled to the
        MSOA's adult total.

    Returns
    -------
    DataFrame
        The long ``msoa_code, sex, age_band, ethnicity, count`` table
        :func:`socint.estimates.poststrat.build_poststrat_frame` takes (counts are fitted,
        non-integer, values).

    Raises
    ------
    GeographyError
        If the two margin tables cover different MSOAs.
    InputDataError
        For negative counts or a margin the seed cannot reach.
    ConvergenceError
        If IPF does not converge.
    """
    seed = national.pivot_table(index=["sex", "age_band"], columns="ethnicity", values="count",
                                aggfunc="sum", fill_value=0.0)
    sexes = list(dict.fromkeys(seed.index.get_level_values(0)))
    bands = list(dict.fromkeys(seed.index.get_level_values(1)))
    groups = list(seed.columns)
    a = age_sex.pivot_table(index="msoa_code", columns=["sex", "age_band"], values="count",
                            aggfunc="sum", fill_value=0.0)
    e = ethnicity.pivot_table(index="msoa_code", columns="ethnicity", values="count",
                              aggfunc="sum", fill_value=0.0)
    only_a = a.index.difference(e.index)
    only_e = e.index.difference(a.index)
    if len(only_a) or len(only_e):
        bad = only_a.union(only_e)
        raise GeographyError(f"{len(bad)} MSOA(s) are in only one margin table: "
                             f"{_preview(bad)}", code=str(bad[0]),
                             hint="use age/sex and ethnicity tables of the same geography")
    codes = a.index
    S, A, E = len(sexes), len(bands), len(groups)
    a_arr = a.reindex(columns=pd.MultiIndex.from_product([sexes, bands])).fillna(0.0)
    m_as = a_arr.to_numpy(dtype=float).reshape(len(codes), S, A)
    m_e = e.loc[codes].reindex(columns=groups).fillna(0.0).to_numpy(dtype=float)
    tot_a = m_as.sum(axis=(1, 2))
    tot_e = m_e.sum(axis=1)
    zero = (tot_e <= 0) & (tot_a > 0)
    if zero.any():
        raise InputDataError(f"MSOA {codes[np.flatnonzero(zero)[0]]} has adults but no ethnic "
                             "counts", code=str(codes[np.flatnonzero(zero)[0]]))
    m_e = m_e * (tot_a / np.where(tot_e > 0, tot_e, 1.0))[:, None]
    seed_arr = seed.reindex(pd.MultiIndex.from_product([sexes, bands])).to_numpy(dtype=float)
    x0 = np.broadcast_to(seed_arr.reshape(1, S, A, E), (len(codes), S, A, E)).copy()
    fitted = ipf(x0, [((0, 1, 2), m_as), ((0, 3), m_e)], tol=tol, max_iter=max_iter)
    m, s_, b_, g_ = np.meshgrid(np.arange(len(codes)), np.arange(S), np.arange(A), np.arange(E),
                                indexing="ij")
    return pd.DataFrame({
        "msoa_code": codes.to_numpy()[m.ravel()],
        "sex": np.array(sexes, dtype=object)[s_.ravel()],
        "age_band": np.array(bands, dtype=object)[b_.ravel()],
        "ethnicity": np.array(groups, dtype=object)[g_.ravel()],
        "count": fitted.ravel(),
    })


__all__ = ["frame_from_margins", "ipf"]
