"""Benchmark: the whole ``socint schools`` run on the real DfE 2022/23 school census.

Times each stage (read the 24,442-school file, the census tables, score the schools, LA
segregation, residential D from 33,755 LSOAs, write CSV + HTML) and the whole run, and prints
medians over ``--repeat`` runs plus each stage's share of the total. Run from the repository
root (needs ``../shared/data`` or ``SOCINT_SHARED_DATA``)::

    python benchmarks/bench_instruments.py [--repeat 3]

There is no reference tool for this pipeline; the ratio printed is stage time / whole run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from socint.instruments.run import read_census_table, read_input, run_schools

DATA = Path(os.environ.get("SOCINT_SHARED_DATA", Path(__file__).resolve().parents[1].parent
                           / "shared" / "data"))
DFE = (DATA / "dfe_spc_school_level_2022_23"
       / "spc_school_level_underlying_data_2022_23_selected.csv")
LTLA = DATA / "census2021_demographr" / "ethnicity21_ltla21.csv"
LSOA = DATA / "census2021_demographr" / "ethnicity21_lsoa21.csv"
LOOKUP = DATA / "geographr_2021_lookups_boundaries" / "lookup_lsoa21_msoa21_ltla22.csv"


def once(out: Path) -> dict[str, float]:
    """One full run; seconds per stage."""
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    schools = read_input(DFE, "school census", text=True)
    t["read DfE file"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    pop = read_census_table(LTLA, "census LA")
    res = read_census_table(LSOA, "census LSOA")
    lookup = pd.read_csv(LOOKUP)
    t["read census tables"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    run_schools(schools, pop, out, residential=res, lookup=lookup)
    t["score, segregation, residential D, write"] = time.perf_counter() - t2
    t["whole run"] = time.perf_counter() - t0
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            runs.append(once(Path(tmp) / str(i)))
        table = pd.read_csv(Path(tmp) / "0" / "schools.csv")
        seg = pd.read_csv(Path(tmp) / "0" / "school_segregation.csv")
    whole = statistics.median(r["whole run"] for r in runs)
    print(f"socint schools on the DfE 2022/23 file, median of {args.repeat} runs")
    for stage in runs[0]:
        med = statistics.median(r[stage] for r in runs)
        print(f"  {stage:45s} {med:7.2f} s   ratio to whole run {med / whole:5.2f}")
    print(f"  schools scored (ranked): {int(table['diversity_rank_national'].notna().sum()):,} "
          f"of {len(table):,} state-funded schools kept")
    lad = seg[(seg["tier"] == "lad") & seg["enough_schools"]]
    print("  districts with school segregation: "
          + ", ".join(f"{p} {int((lad['phase'] == p).sum())}" for p in ("primary", "secondary")))


if __name__ == "__main__":
    main()
