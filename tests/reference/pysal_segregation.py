"""Generate reference values of segregation indices with PySAL ``segregation``.

Run from the repository root with the reference tools installed
(``pip install "segregation>=2.5"``)::

    python tests/reference/pysal_segregation.py [SHARED_DATA_DIR]

It writes ``tests/reference/pysal_segregation.json``:

* ``synthetic``: small count matrices drawn here with a seeded generator (the counts are stored
  in the JSON, so the tests need neither PySAL nor this script) and PySAL's ``Dissim``,
  ``Isolation``, ``Interaction``, ``MultiDissim`` and ``MultiInfoTheory`` of each, plus the
  two-group D of a pair of groups (``Dissim`` on the pair alone) and ``BiasCorrectedDissim``
  (Allen et al. 2015 bootstrap, B = 5000, ``np.random.seed(12345)``).
* ``census2011_oa``: the same indices for the Output Areas of a few LAs of the 2011 Census
  MLID file in ``../shared/data`` (only PySAL's numbers are stored, never the data).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import segregation
from segregation.multigroup import MultiDissim, MultiInfoTheory, SimpsonsInteraction
from segregation.singlegroup import BiasCorrectedDissim, Dissim, Interaction, Isolation

HERE = Path(__file__).resolve().parent
MLID = ["WhiteBrit", "Irish", "OtherWhite", "Mixed", "Indian", "Pakistani", "Bangladeshi",
        "Chinese", "OtherAsian", "BlkAfrican", "BlkCaribbean", "OtherBlk", "Arab", "Other"]
LAS = ["City of London", "Cambridge", "Bradford", "Tower Hamlets", "Leicester", "Rutland"]


def indices(m: np.ndarray) -> dict[str, float | None]:
    """PySAL indices of one area's units (columns: groups; group 0 = group of interest)."""
    cols = [f"g{j}" for j in range(m.shape[1])]
    df = pd.DataFrame(m, columns=cols)
    df["total"] = df[cols].sum(axis=1)
    pair = df[["g0", "g1"]].assign(total=df["g0"] + df["g1"])
    out = {
        "dissim": Dissim(df, "g0", "total").statistic,
        "isolation": Isolation(df, "g0", "total").statistic,
        "interaction": Interaction(df, "g0", "total").statistic,
        "multi_dissim": MultiDissim(df, cols).statistic,
        "multi_info_theory": MultiInfoTheory(df, cols).statistic,
        "dissim_pair_0_1": Dissim(pair, "g0", "total").statistic,
        # Simpson's interaction index of the pooled area = Simpson's diversity index
        "simpsons_interaction": SimpsonsInteraction(df, cols).statistic,
    }
    return {k: (None if not np.isfinite(v) else float(v)) for k, v in out.items()}


def synthetic_cases() -> list[dict[str, object]]:
    rng = np.random.default_rng(20260101)
    cases = []
    for i, (n_units, k) in enumerate([(12, 2), (30, 4), (50, 6)]):
        shares = rng.dirichlet(np.full(k, 0.8), size=n_units)
        sizes = rng.integers(20, 400, size=n_units)
        m = np.stack([rng.multinomial(s, p) for s, p in zip(sizes, shares, strict=True)])
        m[:, 0] += 1  # group 0 present in every unit
        res = indices(m)
        # Allen et al. (2015) bootstrap correction; random (np.random global), so the tests
        # compare with a Monte Carlo tolerance.
        df = pd.DataFrame({"g0": m[:, 0], "total": m.sum(axis=1)})
        np.random.seed(12345)  # noqa: NPY002 (PySAL draws from the legacy global generator)
        res["bias_corrected_dissim_b5000"] = float(
            BiasCorrectedDissim(df, "g0", "total", B=5000).statistic)
        cases.append({"name": f"synthetic_{i}", "counts": m.tolist(), "pysal": res})
    return cases


def census_cases(shared: Path) -> list[dict[str, object]]:
    oa = pd.read_csv(shared / "census2011_ethnicity_oa_lsoa_mlid" / "ethnicity_2011_oa_ew.csv")
    oa["Gypsy"] = oa["Persons"] - oa[MLID].sum(axis=1)
    groups = ["WhiteBrit", "Irish", "Gypsy", *MLID[2:]]  # ethnicity_2011_mlid order
    out = []
    for la in LAS:
        sub = oa[oa["LAD"] == la].sort_values("OA")
        m = sub[groups].to_numpy(dtype=np.int64)
        out.append({"lad_name": la, "n_units": len(sub), "pysal": indices(m)})
    return out


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "data"
    result = {
        "provenance": {
            "script": "tests/reference/pysal_segregation.py",
            "python": platform.python_version(),
            "segregation": segregation.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "census_source": "census2011_ethnicity_oa_lsoa_mlid/ethnicity_2011_oa_ew.csv "
            "(ONS Census 2011 via R package MLID; OGL v3.0); groups in ethnicity_2011_mlid "
            "order with Gypsy/Traveller = Persons - sum of the 14 groups",
        },
        "synthetic": synthetic_cases(),
        "census2011_oa": census_cases(shared),
    }
    (HERE / "pysal_segregation.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {HERE / 'pysal_segregation.json'}")


if __name__ == "__main__":
    main()
