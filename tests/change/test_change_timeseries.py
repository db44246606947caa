"""Index change between two synthetic waves (``socint.composite.timeseries``).

The reference is the synthetic truth: the true change in LA trust (wave-2 truth minus wave-1
truth, computed from the finite populations) must fall inside the 90% intervals at about the
nominal rate, and the estimated changes must track the true ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socint.composite import IndexConfig
from socint.composite.outputs import write_index
from socint.composite.run import IndexResult
from socint.composite.timeseries import CHANGE_COLUMNS, change_table, write_change
from socint.errors import InputDataError
from socint.synthetic import generate_england
from socint.synthetic.demo import build_wave_indexes, run_change, synthetic_la_measures
from socint.synthetic.wave import second_wave

Runs = tuple[IndexResult, IndexResult]


def _runs(seed: int) -> Runs:
    first = generate_england(seed, scale=0.25, survey_size=5000)
    return build_wave_indexes(first, second_wave(first, seed + 10),
                              config=IndexConfig(n_draws=200, seed=seed))


@pytest.fixture(scope="module")
def runs() -> list[Runs]:
    return [_runs(1), _runs(2)]


def test_true_change_covered_at_nominal_rate(runs: list[Runs]) -> None:
    tables = [change_table(a, b) for a, b in runs]
    tab = pd.concat(tables, ignore_index=True)
    assert len(tab) > 120 and tab["trust_change"].notna().all()
    inside = (tab["true_trust_change"] >= tab["change_lower"]) & (
        tab["true_trust_change"] <= tab["change_upper"])
    # Nominal 0.90; with ~156 LAs the binomial SE is 0.024. MRP intervals are slightly
    # conservative (shrinkage), so the band is asymmetric: 0.80 (4 SE below) to 0.995.
    assert 0.80 <= inside.mean() <= 0.995
    # The estimates carry information about the true change, not only wide intervals.
    assert np.corrcoef(tab["trust_change"], tab["true_trust_change"])[0, 1] > 0.3
    assert abs((tab["trust_change"] - tab["true_trust_change"]).mean()) < 0.01
    # Sampled LAs get informative intervals (unsampled ones fall back on the model).
    assert (tab["change_upper"] - tab["change_lower"]).median() < 0.3


def test_columns_and_internal_consistency(runs: list[Runs]) -> None:
    a, b = runs[0]
    tab = change_table(a, b)
    assert tuple(tab.columns) == CHANGE_COLUMNS
    assert (tab["vintage_from"] == 2011).all() and (tab["vintage_to"] == 2021).all()
    assert set(tab["lad_code"]) == set(a.la["lad_code"])
    np.testing.assert_allclose(tab["edi_change"], tab["edi_to"] - tab["edi_from"])
    assert (tab["change_lower"] <= tab["trust_change"]).all()
    assert (tab["trust_change"] <= tab["change_upper"]).all()
    ok = tab["composite_change_lower"].notna()
    assert ok.all()
    assert (tab["composite_change_lower"] <= tab["composite_change_upper"]).all()
    # Diversity rose in (almost) every LA of the second wave, as in 2011-2021.
    assert (tab["edi_change"] > 0).mean() > 0.9
    # The draws of the two waves are independent: the second wave used seed + 1.
    assert b.config.seed == a.config.seed + 1


def test_narrow_interval_reduces_coverage(runs: list[Runs]) -> None:
    """A 50% interval is narrower and covers less: the level is honoured, not ignored."""
    a, b = runs[0]
    t90, t50 = change_table(a, b), change_table(a, b, level=0.5)
    assert ((t50["change_upper"] - t50["change_lower"])
            < (t90["change_upper"] - t90["change_lower"])).all()


def test_change_csv_is_read_by_the_report(runs: list[Runs], tmp_path: Path) -> None:
    from socint.report.context import change_rows
    from socint.report.inputs import validate_inputs
    from socint.report.load import load_site_inputs

    a, b = runs[0]
    write_index(b, tmp_path)
    path = write_change(change_table(a, b), tmp_path)
    assert path.name == "change.csv"
    site = load_site_inputs(tmp_path)
    validate_inputs(site)
    rows = change_rows(site)
    assert len(rows) == len(b.la) and all(r["span"] == "2011 to 2021" for r in rows.values())


def test_write_change_without_interval_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="change_lower"):
        write_change(pd.DataFrame({"lad_code": ["E06900001"], "trust_change": [0.1]}), tmp_path)


def test_level_out_of_range_is_refused(runs: list[Runs]) -> None:
    a, b = runs[0]
    with pytest.raises(InputDataError, match=r"level was 1\.5"):
        change_table(a, b, level=1.5)


def test_run_change_writes_change_csv(tmp_path: Path) -> None:
    from socint.composite.run import TRUST_FORMULA
    from socint.models import fit_glmm
    from socint.pipeline import DemoConfig

    first = generate_england(4, scale=0.1, survey_size=2000)
    model = fit_glmm(TRUST_FORMULA, first.survey)
    config = DemoConfig(out=tmp_path, seed=4, scale=0.1, survey_size=2000, draws=50)
    path = run_change(first, synthetic_la_measures(first), model, config, tmp_path)
    tab = pd.read_csv(path)
    assert list(tab.columns) == list(CHANGE_COLUMNS)
    assert len(tab) == len(first.las)
    # The demo's measures (MLID 14 groups, weighted MSOA mean) differ from the 18-group ones.
    assert tab["edi_from"].notna().all() and (tab["edi_to"] > tab["edi_from"]).mean() > 0.9
