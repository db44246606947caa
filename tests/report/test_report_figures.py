"""Figures draw exactly the numbers they are given (read back from the matplotlib artists)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_hex
from report_factory import make_inputs

from socint.report.context import prepare_index
from socint.report.figures import (
    decile_map_figure,
    interaction_figure,
    margin_figure,
    scatter_figure,
    validation_figure,
)
from socint.report.palette import DECILE_COLOURS, MISSING_COLOUR

INPUTS = make_inputs(15)


def test_scatter_points_and_colours_are_the_index_values() -> None:
    la = INPUTS.la_index
    fig = scatter_figure(la)
    ax = fig.axes[0]
    pts = ax.collections[-1]
    np.testing.assert_allclose(np.asarray(pts.get_offsets()), la[["edi", "trust"]].to_numpy())
    np.testing.assert_allclose(np.asarray(pts.get_array()), la["dissimilarity"].to_numpy())
    # the 90% interval bars span trust_lower90..trust_upper90
    bars = ax.collections[0]
    assert isinstance(bars, LineCollection)
    segs = bars.get_segments()
    np.testing.assert_allclose([s[0][1] for s in segs], la["trust_lower90"])
    np.testing.assert_allclose([s[1][1] for s in segs], la["trust_upper90"])


def test_scatter_leaves_out_missing_values() -> None:
    la = INPUTS.la_index.copy()
    la.loc[4, "edi"] = np.nan
    pts = scatter_figure(la).axes[0].collections[-1]
    assert len(np.asarray(pts.get_offsets())) == len(la) - 1


def test_decile_map_colours_follow_the_deciles() -> None:
    la = prepare_index(INPUTS.la_index)
    la.loc[3, "trust_decile"] = np.nan
    fig = decile_map_figure(INPUTS.boundaries, la)
    coll = fig.axes[0].collections[0]
    assert isinstance(coll, PatchCollection)
    got = [to_hex(tuple(c)) for c in np.asarray(coll.get_facecolor())]
    want = [MISSING_COLOUR if pd.isna(d) else DECILE_COLOURS[int(d) - 1]
            for d in la["trust_decile"]]
    assert got == want
    assert len(coll.get_paths()) == len(la)


def test_margin_curve_with_band_for_age() -> None:
    age = INPUTS.margins["age"]
    ax = margin_figure("age", age).axes[0]
    line = ax.get_lines()[0]
    np.testing.assert_allclose(np.asarray(line.get_xdata()), age["value"])
    np.testing.assert_allclose(np.asarray(line.get_ydata()), age["estimate"])
    band = np.asarray(ax.collections[0].get_paths()[0].vertices)
    assert band[:, 1].min() == pytest.approx(age["lower"].min())
    assert band[:, 1].max() == pytest.approx(age["upper"].max())


def test_margin_points_with_error_bars_for_categories() -> None:
    eth = INPUTS.margins["ethnicity"]
    ax = margin_figure("ethnicity", eth).axes[0]
    np.testing.assert_allclose(np.asarray(ax.get_lines()[0].get_ydata()), eth["estimate"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(eth["value"])
    bars = ax.collections[0]
    assert isinstance(bars, LineCollection)
    segs = bars.get_segments()
    np.testing.assert_allclose([s[0][1] for s in segs], eth["lower"])
    np.testing.assert_allclose([s[1][1] for s in segs], eth["upper"])


def test_interaction_has_one_line_per_english_group() -> None:
    inter = INPUTS.interaction
    assert inter is not None
    ax = interaction_figure(inter).axes[0]
    lines = ax.get_lines()
    assert len(lines) == 2
    for flag, line in zip((0, 1), lines, strict=True):
        part = inter[inter["poor_english"] == flag].sort_values("div_decile")
        np.testing.assert_allclose(np.asarray(line.get_ydata()), part["estimate"])


def test_validation_against_truth() -> None:
    assert INPUTS.truth is not None
    ax = validation_figure(INPUTS.la_index, INPUTS.truth).axes[0]
    pts = ax.get_lines()[0]
    np.testing.assert_allclose(np.asarray(pts.get_xdata()), INPUTS.truth["true_trust"])
    np.testing.assert_allclose(np.asarray(pts.get_ydata()), INPUTS.la_index["trust"])
