"""Benchmark of the main job: ``socint run`` on real England (bundled extract), stage by stage.

Prints the median wall time of each stage and of the whole run over ``--repeat`` runs, for
Census 2021 (default) or 2011, with the published model's trust (``--draws`` simulation draws).

    python benchmarks/bench_run.py --repeat 3
    python benchmarks/bench_run.py --census 2011 --data ../shared/data
    python benchmarks/bench_run.py --lad-vintage 2023   # the 296 LAs of 2023
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from socint.pipeline import RunConfig, run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--census", type=int, default=2021)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--lad-vintage", type=int, default=None)
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            start = time.perf_counter()
            result = run(RunConfig(out=Path(tmp) / f"run{i}", census=args.census,
                                   data=args.data, draws=args.draws,
                                   lad_vintage=args.lad_vintage))
            totals.append(time.perf_counter() - start)
            for name, sec in result.manifest["stages_seconds"].items():
                stages.setdefault(name, []).append(sec)
    where = "bundled extract" if args.data is None else args.data
    las = f" --lad-vintage {args.lad_vintage}" if args.lad_vintage else ""
    print(f"socint run --census {args.census}{las} ({where}), "
          f"{args.draws} draws, {args.repeat} runs: {len(result.index.la)} LAs, "
          f"{len(result.index.msoa)} MSOAs")
    for name, secs in stages.items():
        print(f"  {name:<12} median {statistics.median(secs):6.2f} s")
    print(f"  {'total':<12} median {statistics.median(totals):6.2f} s (target < 60 s)")


if __name__ == "__main__":
    main()
