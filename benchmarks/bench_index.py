"""Benchmark: the whole-England Social Integration Index (all LAs and MSOAs, 1,000 draws).

Times each stage of :func:`socint.composite.run.build_index` on the full-size synthetic England
(about 310 LAs, 3,100 MSOAs, 30,000 respondents) and the writing of the outputs, repeating the
run and printing the median of each stage. Target: the index (model fit + estimates + composite)
in under 30 s on a 2-core machine. Run::

    .venv/bin/python benchmarks/bench_index.py [--repeat 3] [--draws 1000] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    """Run the benchmark and print the stage medians."""
    from socint.composite.outputs import write_index
    from socint.composite.run import IndexConfig, build_index
    from socint.estimates.mrp import mrp
    from socint.estimates.poststrat import build_poststrat_frame
    from socint.estimates.simulate_draws import parts_from_result
    from socint.models import fit_glmm
    from socint.synthetic import generate_england
    from socint.synthetic.source import inputs_from_synthetic

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=2011)
    args = ap.parse_args()

    england = generate_england(args.seed, scale=args.scale)
    inputs = inputs_from_synthetic(england)
    config = IndexConfig(n_draws=args.draws, seed=args.seed)
    print(f"synthetic England: {len(england.las)} LAs, {len(england.msoas)} MSOAs, "
          f"{len(england.survey)} respondents; {args.draws} draws; {args.repeat} repeats")
    times: dict[str, list[float]] = {k: [] for k in
                                     ("fit", "frame", "mrp", "build_index", "write_index")}
    for _ in range(args.repeat):
        fit, t = _timed(lambda: fit_glmm(config.formula, inputs.survey))
        times["fit"].append(t)
        parts = parts_from_result(fit)
        frame, t = _timed(lambda: build_poststrat_frame(
            inputs.population, inputs.survey, inputs.msoa_covariates, inputs.la_covariates,
            seed=config.seed))
        times["frame"].append(t)
        _, t = _timed(lambda p=parts, f=frame: mrp(p, f, n_draws=config.n_draws,
                                                   seed=config.seed))
        times["mrp"].append(t)
        result, t = _timed(lambda: build_index(inputs, config=config))
        times["build_index"].append(t)
        with tempfile.TemporaryDirectory() as tmp:
            _, t = _timed(lambda tmp=tmp, r=result: write_index(r, tmp))
        times["write_index"].append(t)
    print(f"{'stage':<14}{'median s':>10}{'min s':>10}")
    for k, v in times.items():
        print(f"{k:<14}{statistics.median(v):>10.2f}{min(v):>10.2f}")
    total = statistics.median(times["build_index"]) + statistics.median(times["write_index"])
    print(f"whole index (build + write), median: {total:.2f} s (target < 30 s)")
    v = result.validation
    if v is not None:
        print(v.round(4).to_string(index=False))
    print(f"LAs most integrated: {int(np.sum(result.la['most_integrated']))}")


if __name__ == "__main__":
    main()
