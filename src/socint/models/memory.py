"""Give the process's freed heap memory back to the operating system (glibc only).

glibc's ``malloc`` raises its mmap threshold after a large block is freed, so later arrays of
tens of megabytes are carved from the heap, and memory freed there stays resident until the
top of the heap is free. Reading a large CSV with pandas leaves such garbage behind: at 100×
Model 3 (2.9 M rows) 315 MB of the 995 MB resident after ``pd.read_csv`` is freed heap
(measured: resident memory 995 MB before ``malloc_trim(0)``, 680 MB after). ``malloc_trim``
returns those pages (1–5 ms);
it frees nothing that is in use, so it cannot change a result. pyarrow (pandas' string
columns) keeps freed memory in its own pool, released too (67 MB after building the Model 3
frame at 100×). Elsewhere (other C libraries, other systems) this is a no-op.

The fit calls it before and after building the model frame and, on large data, before each of
its memory peaks (the groups × p sums of the joint PIRLS start, the Schur complement and the
exact β Hessian). Measured at 100× Model 3 (the CSV read by pandas, then the fit; max RSS):
2050 MB without these calls and without the in-place arithmetic of ``laplace.py`` and
``blocks.py``, 1464 MB with both; the calls and the pyarrow release account for ~120 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache

#: below this many data cells the fit's arrays are small and trimming is not worth a call
TRIM_CELLS = 5_000_000


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
        return trim
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None


def release_free_memory(cells: int) -> bool:
    """Return freed heap pages to the system when the data have at least ``TRIM_CELLS``
    cells (rows × columns); True if glibc's ``malloc_trim`` ran."""
    trim = _malloc_trim()
    if trim is None or cells < TRIM_CELLS:
        return False
    trim(0)
    arrow = sys.modules.get("pyarrow")  # pandas' string columns: its pool keeps freed memory
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    return True


__all__ = ["TRIM_CELLS", "release_free_memory"]
