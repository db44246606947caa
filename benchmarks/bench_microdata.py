"""Survey microdata import: time of ``import_survey`` on a .sav file vs pyreadstat's read alone.

Builds an archive-style .sav from the synthetic survey (the test suite's encoding, repeated to
``--rows`` rows), then prints the median of ``--repeats`` runs of (a) ``pyreadstat.read_sav`` and
(b) the full import (read + mapping + area check + report), and their ratio.

    PYTHONPATH=src python benchmarks/bench_microdata.py --rows 100000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "microdata"))

from _microdata_archive import MAPPING, canonical, encode, write_archive


def main() -> None:
    import pyreadstat

    from socint.errors import SocintWarning
    from socint.microdata import import_survey
    from socint.synthetic import generate_england

    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    england = generate_england(11, scale=0.1, survey_size=2000)
    table = canonical(england.survey)
    table = pd.concat([table] * (args.rows // len(table) + 1), ignore_index=True).iloc[:args.rows]
    lookup = england.lookup[["msoa_code", "lad_code"]].drop_duplicates()
    with tempfile.TemporaryDirectory() as tmp:
        path = write_archive(encode(table), Path(tmp) / "bench.sav")
        read, full = [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            pyreadstat.read_sav(str(path))
            t1 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SocintWarning)
                import_survey(path, MAPPING, lookup=lookup)
            t2 = time.perf_counter()
            read.append(t1 - t0)
            full.append(t2 - t1)
    r, f = statistics.median(read), statistics.median(full)
    print(f"rows {args.rows}: pyreadstat.read_sav median {r:.3f} s; import_survey median "
          f"{f:.3f} s; ratio {f / r:.2f}x")


if __name__ == "__main__":
    main()
