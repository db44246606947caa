"""Benchmark: Index of Dissimilarity and Simpson's index for all 326 English LAs from the
171,372 2011 Output Areas, socint vs PySAL ``segregation`` (reference tool, not a dependency).

Run from the repository root (needs ``../shared/data`` or ``SOCINT_SHARED_DATA``; PySAL part
needs ``pip install "segregation>=2.5"``)::

    python benchmarks/bench_measures.py [--repeat 7]

Prints the median wall times, their ratio and the largest difference between the two D values.
Reading the file is not timed. PySAL has no batch-by-area interface for these indices, so it is
called once per LA (its documented use); socint computes all LAs in one vectorised call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from socint.data.census2011 import read_census2011_ethnicity_small_area
from socint.measures import UnitCounts, area_diversity, dissimilarity


def _median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls of ``fn`` and its last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    shared = Path(os.environ.get("SOCINT_SHARED_DATA",
                                 Path(__file__).resolve().parents[2] / "shared" / "data"))
    table = read_census2011_ethnicity_small_area(
        shared / "census2011_ethnicity_oa_lsoa_mlid" / "ethnicity_2011_oa_ew.csv")
    units = UnitCounts.from_table(table)
    units = units.only(np.char.startswith(units.codes.astype(str), "E"))
    parent, keys = units.area_index("lad")
    wb = units.to_scheme("ethnicity_white_british").counts
    counts = units.counts
    print(f"{len(units.codes):,} OAs in {len(keys)} LAs")

    def ours() -> tuple[np.ndarray, np.ndarray]:
        return (dissimilarity(wb, parent),
                area_diversity(counts, parent, measure="simpson"))

    t_ours, _ = _median_time(ours, args.repeat)
    ours_d, ours_s = ours()
    print(f"socint  D + Simpson, all LAs: median {t_ours * 1e3:8.1f} ms")
    try:
        from segregation.multigroup import SimpsonsInteraction
        from segregation.singlegroup import Dissim
    except ImportError:
        print("PySAL segregation not installed: skipping the comparison")
        return
    cats = list(units.categories)
    frame = pd.DataFrame(counts, columns=cats).assign(
        la=parent, x=wb[:, 0], t=wb.sum(axis=1))
    groups = [g for _, g in frame.groupby("la", sort=True)]

    def pysal() -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = np.array([Dissim(g, "x", "t").statistic for g in groups])
            s = np.array([SimpsonsInteraction(g, cats).statistic for g in groups])
            return d, s

    t_ref, _ = _median_time(pysal, max(1, args.repeat // 2))
    ref_d, ref_s = pysal()
    print(f"PySAL   D (Dissim) + Simpson (SimpsonsInteraction) per LA: median "
          f"{t_ref * 1e3:8.1f} ms")
    print(f"ratio PySAL / socint: {t_ref / t_ours:,.0f}x")
    print(f"max |D socint - D PySAL| = {np.max(np.abs(ours_d - ref_d)):.2e}; "
          f"max |Simpson socint - PySAL| = {np.max(np.abs(ours_s - ref_s)):.2e}")


if __name__ == "__main__":
    main()
