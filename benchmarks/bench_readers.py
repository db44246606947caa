"""Benchmark: reading and validating the 2011 Census OA ethnicity file (181,408 OAs).

Prints the median wall and CPU time of ``read_census2011_ethnicity_small_area`` over repeats,
next to a plain ``pandas.read_csv`` of the same file (the floor: parsing without any checks), and
their ratio. Needs ``../shared/data``.

    .venv/bin/python benchmarks/bench_readers.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd

from socint.data import read_census2011_ethnicity_small_area

OA = (Path(__file__).resolve().parents[1].parent / "shared" / "data"
      / "census2011_ethnicity_oa_lsoa_mlid" / "ethnicity_2011_oa_ew.csv")


def _time(fn: object, repeats: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not OA.exists():
        raise SystemExit(f"needs {OA} (the shared open data)")
    ours = _time(lambda: read_census2011_ethnicity_small_area(OA), args.repeats)
    floor = _time(lambda: pd.read_csv(OA), args.repeats)
    print(f"socint read+validate : median wall {ours[0]:.3f} s, cpu {ours[1]:.3f} s")
    print(f"pandas.read_csv only : median wall {floor[0]:.3f} s, cpu {floor[1]:.3f} s")
    print(f"ratio (socint / bare parse, wall): {ours[0] / floor[0]:.2f}")


if __name__ == "__main__":
    main()
