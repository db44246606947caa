"""Benchmark socint's GLMM against glmer (nAGQ 0/1), glmmTMB and PyPI ``glmm`` side by side.

Data are simulated from the published Model 3 (``socint.models.simulate_model3``) at 1×, 10×,
100× the published size (respondents, MSOAs and LAs all scaled) and written once to a CSV that
every tool reads. Each tool runs in its own child process of this script (one process tree), so
peak memory (the child's own high-water mark ``VmHWM``, which includes reading the CSV; not
its ``ru_maxrss``, which on Linux includes this parent's peak) is measured too; for socint
also the memory resident once the CSV is read, before any fit (the data's own share). socint is
fitted ``--repeats`` times at every scale, PyPI glmm and glmer nAGQ=0 at 1× only, the slower
reference fits once. Prints medians (wall clock; for the Python
tools also the median CPU time, less sensitive to other load on the machine), ratios to socint
(of the wall-clock medians) and the
accuracy of each tool's optimum relative to socint's (log-likelihood, fixed effects).
R tools are skipped when ``Rscript`` is absent; ``glmm`` when it is not installed.

Before the scales, three small cases run with every tool (``--small``; "none" skips them):
``two_level`` (2,000 rows in 100 groups, ``y ~ x + (1 | g)``, ``simulate_one_factor``),
``cbpp_obs`` (lme4's 56-row cbpp with an observation-level effect, ``(1 | herd) + (1 | obs)``;
PyPI ``glmm`` fits it as a proportion with ``weights = size``, the same likelihood) and
``crossed`` (3,000 pupils, 40 schools × 30 areas, ``simulate_crossed``). Small-case timings are
medians of ``--small-repeats`` fits inside one process (after one warm-up for the Python tools);
socint and PyPI glmm share one process and alternate fit by fit, so both see the same machine
speed (their peak RSS is that shared process's); glmer is nAGQ = 1 there.

``--crossed n:schools:areas,...`` benchmarks crossed random intercepts instead
(``simulate_crossed``, ``y ~ x + girl + (1 | school) + (1 | area)``): socint's sparse crossed
path, its dense path (``socint-dense``, only up to 6,000 random effects) and glmmTMB (script
``tests/reference/glmm_crossed_large.R``).

Usage::

    .venv/bin/python benchmarks/bench_glmm.py --scales 1,10 --tools socint,glmm,glmer0,glmmTMB
    .venv/bin/python benchmarks/bench_glmm.py --scales none     # the small cases only
    .venv/bin/python benchmarks/bench_glmm.py --scales 100 --tools socint,glmer0 --repeats 1
    .venv/bin/python benchmarks/bench_glmm.py --crossed 20000:2000:300,60000:6000:300 \
        --tools socint,socint-dense,glmmTMB
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BASE = (28_822, 3_134, 319)
SEED = 2019
CROSSED_FORMULA = "y ~ x + girl + (1 | school) + (1 | area)"
DUMMIES = {
    "ethnicity": ("Asian", "Black", "Chinese", "Mixed", "Other"),
    "nssec": ("Intermediate", "Other", "Routine"),
    "wb_change": ("-5-0%", ">0%"),
}


def _status_mb(field: str, pid: int | str = "self") -> float:
    """A memory field of a live process's ``/proc/<pid>/status`` in MB (Linux; NaN
    elsewhere): ``VmRSS`` (resident now) or ``VmHWM`` (its own peak).

    A child's peak is read as ``VmHWM``, not as its ``ru_maxrss``: Linux carries the parent's
    peak over into a child's ``ru_maxrss`` at ``exec`` (measured: a child sleeping 0.5 s
    reported 1,171 MB when spawned by a parent holding 1.2 GB), and this script holds the
    simulated data when it spawns the tools.
    """
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _worker_socint(csv: str, repeats: int) -> dict[str, Any]:
    import pandas as pd

    from socint.models import MODEL3_FORMULA, canonical_term_name, fit_glmm

    df = pd.read_csv(csv)
    data_mb = _status_mb("VmRSS")
    secs, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        r = fit_glmm(MODEL3_FORMULA, df)
        secs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"seconds": secs, "cpu_seconds": cpu, "loglik": r.loglik, "converged": r.converged,
            "data_rss_mb": data_mb,
            "fixef": {canonical_term_name(str(k)): float(v) for k, v in r.fixef.items()},
            "variances": {k: float(v) for k, v in r.variances.items()}}


def _worker_crossed(csv: str, repeats: int, dense: bool) -> dict[str, Any]:
    import pandas as pd

    from socint.errors import ModelError
    from socint.models import Control, fit_glmm

    df = pd.read_csv(csv)
    secs = []
    for _ in range(repeats):
        t = time.perf_counter()
        try:
            r = fit_glmm(CROSSED_FORMULA, df, control=Control(dense=dense))
        except ModelError as e:  # the dense path refuses more than 6,000 random effects
            return {"error": "refused: " + str(e).splitlines()[0]}
        secs.append(time.perf_counter() - t)
    return {"seconds": secs, "loglik": r.loglik, "converged": r.converged,
            "fixef": {k: float(v) for k, v in r.fixef.items()},
            "variances": {k: float(v) for k, v in r.variances.items()}}


def bench_crossed(sizes: list[tuple[int, int, int]], tools: list[str], repeats: int,
                  timeout: float) -> list[dict]:
    """Crossed schools × areas: sparse vs dense socint paths vs glmmTMB."""
    from socint.models.simulate import simulate_crossed, write_csv

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, ns, na in sizes:
            label = f"crossed {n}:{ns}x{na}"
            csv = Path(tmp) / f"crossed_{n}.csv"
            write_csv(simulate_crossed(n, ns, na, seed=SEED), csv)
            for tool in tools:
                out = Path(tmp) / f"{tool}_{n}.json"
                if tool in ("socint", "socint-dense"):
                    reps = repeats if tool == "socint" else 1  # the dense path is slow
                    cmd = [sys.executable, __file__, "--worker", tool, "--csv", str(csv),
                           "--repeats", str(reps), "--out", str(out)]
                elif tool == "glmmTMB" and shutil.which("Rscript"):
                    cmd = ["Rscript", str(HERE.parent / "tests" / "reference"
                                          / "glmm_crossed_large.R"), str(csv), str(out)]
                else:
                    rows.append({"scale": label, "tool": tool, "error": "not available"})
                    continue
                res = _run_child(cmd, out, timeout)
                if "glmmTMB" in res:  # the R script's layout
                    tmb = res.pop("glmmTMB")
                    res.update(seconds=[tmb["seconds"]], loglik=tmb["loglik"],
                               fixef=tmb["fixef"], converged=None)
                res.update(scale=label, tool=tool, rows=n, csv_mb=csv.stat().st_size / 1e6)
                rows.append(res)
                print(_line(res, rows), flush=True)
    return rows


SMALL = {
    "two_level": ("y ~ x + (1 | g)", "y ~ x + (1|g)", "y ~ x + (1 | g)"),
    "cbpp_obs": ("cbind(incidence, size - incidence) ~ C(period) + (1 | herd) + (1 | obs)",
                 "prop ~ period + (1|herd) + (1|obs)",
                 "cbind(incidence, size - incidence) ~ factor(period) + (1 | herd) + (1 | obs)"),
    "crossed": (CROSSED_FORMULA, "y ~ x + girl + (1|school) + (1|area)", CROSSED_FORMULA),
}


def _small_data(case: str) -> Any:
    """The data of a small case (see the module docstring)."""
    import numpy as np
    import pandas as pd

    from socint.models.simulate import simulate_crossed, simulate_one_factor

    if case == "two_level":
        return simulate_one_factor(100, 20, 0.6, seed=SEED)
    if case == "crossed":
        return simulate_crossed(seed=SEED)
    sys.path.insert(0, str(HERE.parent / "tests" / "models"))
    from test_cbpp import CBPP  # lme4's cbpp (GPL), rows cited in the test

    cb = pd.DataFrame(CBPP, columns=["herd", "incidence", "size", "period"])
    cb["obs"] = np.arange(len(cb))
    return cb


def _small_fit(tool: str, case: str, df: Any) -> Any:
    """A closure fitting small case ``case`` with a Python tool; returns (loglik, converged)."""
    f_socint, f_glmm, _ = SMALL[case]
    if tool == "socint":
        from socint.models import fit_glmm

        def fit() -> tuple[float, bool]:
            r = fit_glmm(f_socint, df)
            return r.loglik, r.converged
        return fit
    import glmm

    cols: dict[str, Any] = {c: df[c].to_numpy() for c in df.columns}
    kw: dict[str, Any] = {}
    if case == "cbpp_obs":
        cols["prop"] = (df["incidence"] / df["size"]).to_numpy(float)
        cols["period"] = df["period"].astype(str).to_numpy()
        kw["weights"] = df["size"].to_numpy(float)

    def fit_glmm_py() -> tuple[float, bool]:
        r = glmm.fit(cols, f_glmm, family="binomial", **kw)
        return float(r.loglik), bool(r.converged)
    return fit_glmm_py


def _worker_small(csv: str, repeats: int, tools: list[str], case: str) -> dict[str, Any]:
    """Fit a small case with the Python ``tools`` in this one process, alternating them fit by
    fit (after one warm-up each): the machine's speed drifts between processes by up to ~40%
    here, so only fits interleaved in one process give a fair ratio."""
    import warnings

    import numpy as np
    import pandas as pd

    df = pd.read_csv(csv)
    fits = {tool: _small_fit(tool, case, df) for tool in tools}
    secs: dict[str, list[float]] = {t: [] for t in tools}
    cpu: dict[str, list[float]] = {t: [] for t in tools}
    last: dict[str, tuple[float, bool]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fit in fits.values():
            fit()  # warm-up (imports, caches)
        for _ in range(repeats):
            for tool, fit in fits.items():
                t, c = time.perf_counter(), time.process_time()
                last[tool] = fit()
                secs[tool].append(time.perf_counter() - t)
                cpu[tool].append(time.process_time() - c)
    return {tool: {"seconds": secs[tool], "cpu_seconds": cpu[tool], "loglik": last[tool][0],
                   "converged": last[tool][1], "fixef": {},
                   "seconds_min": float(np.min(secs[tool]))} for tool in tools}


def bench_small(cases: list[str], tools: list[str], repeats: int,
                timeout: float) -> list[dict]:
    """The small cases with socint, PyPI glmm, glmer (nAGQ=1) and glmmTMB."""
    from socint.models.simulate import write_csv

    rows: list[dict[str, Any]] = []
    have_r = shutil.which("Rscript") is not None
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            csv = Path(tmp) / f"small_{case}.csv"
            write_csv(_small_data(case), csv)
            # the Python tools in one child, their fits interleaved (see _worker_small)
            py = [t for t in tools if t in ("socint", "glmm")]
            if py:
                out = Path(tmp) / f"python_{case}.json"
                cmd = [sys.executable, __file__, "--worker", f"small:{','.join(py)}:{case}",
                       "--csv", str(csv), "--repeats", str(repeats), "--out", str(out)]
                both = _run_child(cmd, out, timeout)
                for tool in py:
                    res = dict(both.get(tool, {})) if "error" not in both else dict(both)
                    res.update(scale=case, tool=tool, rows=None,
                               csv_mb=csv.stat().st_size / 1e6,
                               peak_rss_mb=both.get("peak_rss_mb", float("nan")))
                    rows.append(res)
                    print(_line(res, rows), flush=True)
            for tool in tools:
                out = Path(tmp) / f"{tool}_{case}.json"
                if tool in py:
                    continue
                if have_r and tool in ("glmer1", "glmmTMB"):
                    cmd = ["Rscript", str(HERE / "bench_glmm.R"), str(csv), tool, str(repeats),
                           str(out), SMALL[case][2]]
                else:
                    rows.append({"scale": case, "tool": tool, "error": "not available"})
                    continue
                res = _run_child(cmd, out, timeout)
                res.update(scale=case, tool=tool, rows=None, csv_mb=csv.stat().st_size / 1e6)
                rows.append(res)
                print(_line(res, rows), flush=True)
    return rows


def _worker_glmm(csv: str, repeats: int) -> dict[str, Any]:
    import warnings

    import glmm
    import numpy as np
    import pandas as pd

    df = pd.read_csv(csv)
    cols: dict[str, Any] = {c: df[c].to_numpy(float) for c in (
        "trust", "female", "year_2010", "age", "income", "married", "years5", "div_decile",
        "poor_english", "family_pct", "income_decile", "crime_decile", "pct65", "rural")}
    cols["income_sq"] = cols["income"] ** 2
    cols["div_poor"] = cols["div_decile"] * cols["poor_english"]
    names = {"income_sq": "income_sq", "div_poor": "div_decile:poor_english"}
    for var, levels in DUMMIES.items():
        for i, lev in enumerate(levels):
            key = f"{var}_{i}"
            cols[key] = (df[var] == lev).to_numpy(float)
            names[key] = f"{var}[{lev}]"
    cols["la"] = df["la"].to_numpy()
    cols["msoa"] = df["msoa"].to_numpy()
    rhs = [k for k in cols if k not in ("trust", "la", "msoa")]
    formula = "trust ~ " + " + ".join(rhs) + " + (1|la) + (1|msoa)"
    secs, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = glmm.fit(cols, formula, family="binomial")
        secs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    fixef = {names.get(n, "Intercept" if n == "(Intercept)" else n): float(b)
             for n, b in zip(f.names, np.asarray(f.beta), strict=True)}
    return {"seconds": secs, "cpu_seconds": cpu, "loglik": float(f.loglik),
            "converged": bool(f.converged), "fixef": fixef}


def _run_child(cmd: list[str], out: Path, timeout: float) -> dict[str, Any]:
    """Run one tool in a child process; return its JSON plus its peak RSS, or an error."""
    t = time.perf_counter()
    peak = float("nan")
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        while True:
            hwm = _status_mb("VmHWM", proc.pid)  # a high-water mark: the last read is the max
            if hwm == hwm:  # (NaN once the child has exited)
                peak = hwm
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"error": f"timeout after {timeout:.0f} s"}
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        msg = err.read().decode(errors="replace")
    if proc.returncode != 0 or not out.exists():
        return {"error": msg[-400:] or f"exit code {proc.returncode}"}
    res: dict[str, Any] = json.loads(out.read_text())
    if "seconds" in res and not isinstance(res["seconds"], list):  # jsonlite unboxes 1 repeat
        res["seconds"] = [res["seconds"]]
    res["wall"] = time.perf_counter() - t
    # the child's own high-water mark: the larger of its last report (Python workers) and the
    # last poll; ru_maxrss only where /proc is missing (it includes this process's peak)
    vals = [float(v) for v in (res.get("vmhwm_mb", float("nan")), peak) if v == v]
    res["peak_rss_mb"] = max(vals) if vals else usage.ru_maxrss / 1024
    return res


def bench(scales: list[int], tools: list[str], repeats: int, timeout: float) -> list[dict]:
    from socint.models import simulate_model3
    from socint.models.simulate import write_csv

    rows: list[dict[str, Any]] = []
    have_r = shutil.which("Rscript") is not None
    try:
        import glmm  # noqa: F401

        have_glmm = True
    except ImportError:
        have_glmm = False
    with tempfile.TemporaryDirectory() as tmp:
        for k in scales:
            n, m, la = (x * k for x in BASE)
            df = simulate_model3(n, m, la, seed=SEED)
            csv = Path(tmp) / f"model3_x{k}.csv"
            write_csv(df, csv)
            size_mb = csv.stat().st_size / 1e6
            del df
            for tool in tools:
                # slow reference fits run once; socint `repeats` times at every scale, the
                # other fast ones at 1× only
                reps = (repeats if tool == "socint" or (k == 1 and tool in ("glmm", "glmer0"))
                        else 1)
                out = Path(tmp) / f"{tool}_{k}.json"
                if tool in ("socint", "glmm"):
                    if tool == "glmm" and not have_glmm:
                        rows.append({"scale": k, "tool": tool, "error": "glmm not installed"})
                        continue
                    cmd = [sys.executable, __file__, "--worker", tool, "--csv", str(csv),
                           "--repeats", str(reps), "--out", str(out)]
                else:
                    if not have_r:
                        rows.append({"scale": k, "tool": tool, "error": "Rscript absent"})
                        continue
                    cmd = ["Rscript", str(HERE / "bench_glmm.R"), str(csv), tool, str(reps),
                           str(out)]
                res = _run_child(cmd, out, timeout)
                res.update(scale=k, tool=tool, rows=n, csv_mb=size_mb)
                rows.append(res)
                print(_line(res, rows), flush=True)
    return rows


def _line(res: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    tag = f"x{res['scale']:<4}" if isinstance(res["scale"], int) else str(res["scale"])
    if "error" in res:
        return f"{tag} {res['tool']:<12} {res['error'][:200]}"
    med = statistics.median(res["seconds"])
    ref = next((r for r in rows if r["tool"] == "socint" and r["scale"] == res["scale"]
                and "seconds" in r), None)
    ratio = med / statistics.median(ref["seconds"]) if ref else float("nan")
    acc = ""
    if ref and res["tool"] != "socint":
        common = set(ref["fixef"]) & set(res["fixef"])
        acc = f" Δloglik(tool−socint)={res['loglik'] - ref['loglik']:+.4f}"
        if common:  # (the small cases compare log-likelihoods only)
            dfix = max(abs(ref["fixef"][c] - res["fixef"][c]) for c in common)
            acc += f" max|Δβ|={dfix:.2e}"
    shown = f"{med * 1000:8.1f} ms" if med < 1 else f"{med:8.2f} s "
    if res.get("cpu_seconds"):  # CPU time of the fits (Python tools): robust to a busy machine
        cmed = statistics.median(res["cpu_seconds"])
        shown += f" (cpu {cmed * 1000:.1f} ms)" if cmed < 1 else f" (cpu {cmed:.2f} s)"
    return (f"{tag} {res['tool']:<12} median {shown}  ratio {ratio:6.2f}  "
            f"peak {res.get('peak_rss_mb', float('nan')):7.0f} MB (csv {res['csv_mb']:.0f} MB"
            + (f"; {res['data_rss_mb']:.0f} MB resident after reading it"
               if "data_rss_mb" in res else "") + ")  "
            f"loglik {res['loglik']:.4f} converged={res.get('converged')}{acc}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,10")
    ap.add_argument("--tools", default="socint,glmm,glmer0,glmmTMB")
    ap.add_argument("--repeats", type=int, default=3,
                    help="repeats at 1× of socint, glmm, glmer0 (others and larger scales: 1)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per tool and scale")
    ap.add_argument("--json", help="write all results to this JSON file")
    ap.add_argument("--crossed", help="crossed design sizes n:schools:areas,... (see above)")
    ap.add_argument("--small", default="two_level,cbpp_obs,crossed",
                    help='small cases to run first ("none" to skip)')
    ap.add_argument("--small-tools", default="socint,glmm,glmer1,glmmTMB")
    ap.add_argument("--small-repeats", type=int, default=20)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        if a.worker.startswith("small:"):
            _, tools, case = a.worker.split(":")
            res = _worker_small(a.csv, a.repeats, tools.split(","), case)
            res["vmhwm_mb"] = _status_mb("VmHWM")
            Path(a.out).write_text(json.dumps(res))
            return
        if a.worker.startswith("socint") and "crossed" in Path(a.csv).name:
            res = _worker_crossed(a.csv, a.repeats, dense=a.worker == "socint-dense")
        else:
            res = (_worker_socint if a.worker == "socint" else _worker_glmm)(a.csv, a.repeats)
        res["vmhwm_mb"] = _status_mb("VmHWM")
        Path(a.out).write_text(json.dumps(res))
        return
    if a.crossed:
        sizes = [tuple(int(v) for v in s.split(":")) for s in a.crossed.split(",")]
        rows = bench_crossed([(z[0], z[1], z[2]) for z in sizes], a.tools.split(","),
                             a.repeats, a.timeout)
        if a.json:
            Path(a.json).write_text(json.dumps(rows, indent=1))
        return
    rows = []
    if a.small != "none":
        rows += bench_small(a.small.split(","), a.small_tools.split(","), a.small_repeats,
                            a.timeout)
    if a.scales != "none":
        rows += bench([int(s) for s in a.scales.split(",")], a.tools.split(","), a.repeats,
                      a.timeout)
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
