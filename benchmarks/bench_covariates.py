"""Time building the area covariates and the post-stratification frame for each census.

Reads the official tables once from ``../shared/data`` (timed separately), then builds each
census's covariates and frame ``REPEATS`` times and prints the medians. No reference tool exists
for this step, so there is no ratio; the target is a few seconds per census on 2 cores.

    PYTHONPATH=src python benchmarks/bench_covariates.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from socint.covariates import DATASETS, build_area_covariates, build_frame, collect_tables

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REPEATS = 3


def main() -> None:
    t0 = time.perf_counter()
    tables = collect_tables(DATA, list(DATASETS), census=2021)
    print(f"read {len(tables)} official tables: {time.perf_counter() - t0:.2f} s")
    for census in (2011, 2021):
        cov_t, frame_t = [], []
        for _ in range(REPEATS):
            t1 = time.perf_counter()
            cov = build_area_covariates(census, tables)
            t2 = time.perf_counter()
            fr = build_frame(census, tables, cov)
            t3 = time.perf_counter()
            cov_t.append(t2 - t1)
            frame_t.append(t3 - t2)
        print(f"census {census}: covariates median {statistics.median(cov_t):.2f} s "
              f"({len(cov.msoa)} MSOAs, {len(cov.la)} LAs); frame median "
              f"{statistics.median(frame_t):.2f} s ({len(fr.counts)} cells, "
              f"{fr.counts['count'].sum():,.0f} adults)")


if __name__ == "__main__":
    main()
