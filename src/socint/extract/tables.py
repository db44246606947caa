"""The extract's count tables as the objects the readers return (``OfficialTable``, ``UnitCounts``).

Stages written against ``socint.data`` readers (an :class:`~socint.data.table.OfficialTable`
with long ``area_code, category, count`` data and an ``areas`` frame) run unchanged on the
bundled extract through :func:`official_table`; the measures take :func:`unit_counts`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from socint.data.table import OGL, SCHEMES, OfficialTable, areas_frame, counts_long
from socint.errors import InputDataError
from socint.extract import data_dir, load, manifest

if TYPE_CHECKING:
    from socint.measures.units import UnitCounts

_PARENTS = ("oa_code", "lsoa_code", "msoa_code", "lad_code", "region_code")


def official_table(name: str, folder: str | Path | None = None) -> OfficialTable:
    """An extract table as an :class:`OfficialTable` (counts or attributes).

    Counts tables with a scheme of :data:`socint.data.table.SCHEMES` get long data in that
    scheme; attribute tables keep their columns with the area key renamed ``area_code``. Parent
    codes (``msoa_code``, ``lad_code``, …) go to ``areas`` as in the readers. ``path`` is the
    extract file and ``sha256`` its checksum (verified on load).
    """
    entry = manifest(str(folder) if folder else None)["files"].get(name)
    frame = load(name, folder)
    if entry is None or not isinstance(frame, pd.DataFrame) or entry.get("kind") not in (
            "counts", "attributes"):
        raise InputDataError(f"extract table {name!r} is not a counts or attributes table",
                             hint="use socint.extract.load for lookups and boundaries")
    level, vintage = entry["level"], entry.get("vintage")
    key = f"{level}_code"
    codes = frame[key].to_numpy(dtype=object)
    parents = {c: frame[c].to_numpy(dtype=object) for c in _PARENTS
               if c in frame.columns and c != key}
    name_col = f"{level}_name"
    names = frame[name_col].to_numpy(dtype=object) if name_col in frame.columns else None
    scheme = entry.get("scheme")
    total = frame["total"].to_numpy(dtype=np.int64) if "total" in frame.columns else None
    if entry["kind"] == "counts" and scheme in SCHEMES:
        cats = list(SCHEMES[scheme])
        data = counts_long(codes, frame[cats].to_numpy(dtype=np.int64), scheme)
    else:
        data = frame.rename(columns={key: "area_code"})
        scheme = None
    areas = areas_frame(codes, level=level, vintage=vintage, names=names, total=total,
                        parents=parents)
    base = Path(folder) if folder else data_dir()
    return OfficialTable(
        dataset=f"extract_{name}", kind=entry["kind"], level=level, vintage=vintage,
        topic=entry.get("topic"), scheme=scheme, data=data, areas=areas,
        source=f"{entry['publisher']} (socint bundled extract)", licence=OGL,
        path=base / entry["file"], sha256=entry["sha256"], layout=f"extract:{name}",
        meta={"sources": entry["sources"], "attribution": entry["attribution"]})


def unit_counts(name: str, folder: str | Path | None = None) -> UnitCounts:
    """An extract counts table as :class:`socint.measures.units.UnitCounts` for the measures.

    ``ethnicity2011_oa`` (White British and total per OA) becomes scheme
    ``ethnicity_white_british`` with ``other = total - white_british``.
    """
    from socint.measures.units import UnitCounts

    entry = manifest(str(folder) if folder else None)["files"].get(name) or {}
    if entry.get("scheme") == "ethnicity_white_british":
        frame = load(name, folder)
        assert isinstance(frame, pd.DataFrame)
        level = entry["level"]
        frame = frame.assign(other=frame["total"] - frame["white_british"])
        parents = [c for c in _PARENTS if c in frame.columns and c != f"{level}_code"]
        return UnitCounts.from_frame(frame, level=level, scheme="ethnicity_white_british",
                                     code_col=f"{level}_code",
                                     categories=["white_british", "other"], total_col="total",
                                     parent_cols=parents, file=f"extract:{name}")
    return UnitCounts.from_table(official_table(name, folder))


__all__ = ["official_table", "unit_counts"]
