"""Rebuild the bundled real-England extract (src/socint/extract/data) from the official files.

Usage: python scripts/build_extract.py [--data ../shared/data] [--out src/socint/extract/data]

The logic is in socint.extract.build; this script only parses the options and prints what was
written (name, rows, bytes). Deterministic: the same files give byte-identical outputs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from socint.extract.build import build  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse options, build, print a summary."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"),
                    help="folder of the official files (default ../shared/data)")
    ap.add_argument("--out", default=str(ROOT / "src" / "socint" / "extract" / "data"),
                    help="output folder (default: the package data folder)")
    args = ap.parse_args(argv)
    manifest = build(args.data, args.out)
    for name, entry in sorted(manifest["files"].items()):
        print(f"{name:32s} {entry['rows']:>8d} rows {entry['bytes']:>9d} bytes")
    print(f"total {manifest['total_bytes']} bytes in {len(manifest['files'])} files -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
