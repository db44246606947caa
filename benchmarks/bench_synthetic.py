"""Time the synthetic England: generation at several scales and writing to disk.

Run: ``.venv/bin/python benchmarks/bench_synthetic.py [--repeats 3]``. Prints the median wall
time per stage of :func:`socint.synthetic.generate_england` (target: the default country in well
under 15 s on a 2-core machine) and of :meth:`SyntheticEngland.write`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from socint.synthetic import generate_england


def _median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    generate_england(1, scale=0.1, survey_size=3_000)  # warm-up: imports, caches
    for scale, size in ((0.1, 3_000), (1.0, 30_000)):
        t = _median_time(partial(generate_england, 2011, scale=scale, survey_size=size),
                         args.repeats)
        e = generate_england(2011, scale=scale, survey_size=size)
        print(f"generate_england(scale={scale}, survey_size={size}): median {t:.2f} s over "
              f"{args.repeats} runs ({len(e.las)} LAs, {len(e.msoas)} MSOAs, {len(e.lsoas)} "
              f"LSOAs, {len(e.population):,} people)")
    with tempfile.TemporaryDirectory() as tmp:
        t = _median_time(lambda: e.write(Path(tmp)), args.repeats)
    print(f"SyntheticEngland.write (scale 1, without population): median {t:.2f} s")


if __name__ == "__main__":
    main()
