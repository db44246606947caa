"""Benchmark: building the offline dashboard and how fast its map becomes interactive.

Builds the index of the full-size synthetic England once (309 LAs, 2,990 MSOAs), then times
``build_site`` (figures included) over repeats, prints the site size, and — when Debian's
``/usr/bin/chromium`` and the ``playwright`` package are present — opens the map page in headless
Chromium several times and prints the median time from navigation start to the map being ready
(the page's ``data-ready-ms``). Issue 6 targets: < 10 s build, < 2 s interactive, < 15 MB.
Also times writing an instruments folder beside the site (assets, index page, and the
*Instruments* link added to every page of the site).

    .venv/bin/python benchmarks/bench_report.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from socint.composite import IndexConfig, build_index, write_index
from socint.instruments.pages import finish_folder
from socint.report import SYNTHETIC_SOURCES, build_site, load_site_inputs
from socint.synthetic import generate_england
from socint.synthetic.source import inputs_from_synthetic

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _map_ready_ms(index_html: Path, repeats: int) -> list[int]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        for _ in range(repeats):
            page = browser.new_page()
            page.goto(index_html.as_uri())
            page.wait_for_selector("html[data-ready='1']", timeout=20_000)
            out.append(int(page.get_attribute("html", "data-ready-ms") or -1))
            page.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        england = generate_england(2011)
        write_index(build_index(inputs_from_synthetic(england),
                                config=IndexConfig(n_draws=200)), work / "index")
        inputs = replace(load_site_inputs(work / "index"), sources=SYNTHETIC_SOURCES)
        walls, cpus = [], []
        for i in range(args.repeats):
            w, c = time.perf_counter(), time.process_time()
            result = build_site(inputs, work / f"run{i}" / "site")
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        print(f"LAs: {len(inputs.la_index)}, pages: {result.pages}, "
              f"site size: {result.bytes / 1e6:.1f} MB (target < 15 MB)")
        print(f"build_site median: wall {statistics.median(walls):.2f} s, "
              f"cpu {statistics.median(cpus):.2f} s (target < 10 s)")
        links = []
        for i in range(args.repeats):  # instruments beside a site: index + nav on every page
            w = time.perf_counter()
            finish_folder(work / f"run{i}" / "instruments")
            links.append(time.perf_counter() - w)
        print(f"instruments folder beside the site (assets, index, nav link on "
              f"{result.pages} pages) median: {statistics.median(links):.2f} s")
        try:
            import playwright  # noqa: F401
        except ImportError:
            print("map interactive: skipped (playwright not installed)")
            return
        if not CHROMIUM.exists():
            print(f"map interactive: skipped ({CHROMIUM} absent; apt-get install chromium)")
            return
        ready = _map_ready_ms(result.path / "index.html", max(args.repeats, 5))
        print(f"map interactive median: {statistics.median(ready)} ms over {len(ready)} loads "
              f"(target < 2000 ms)")


if __name__ == "__main__":
    main()
