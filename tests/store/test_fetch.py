"""`socint.fetch`: URL building, cache, checksum, and hand-off to ingest (loopback server only)."""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from socint.errors import SocintError
from socint.fetch import CATALOGUE, fetch
from socint.store import Store, sha256_file

GROUPS = [
    "White", "White: English/Welsh/Scottish/Northern Irish/British", "White: Irish",
    "White: Gypsy or Irish Traveller", "White: Other White", "Mixed",
    "Mixed/multiple ethnic group: White and Black Caribbean",
    "Mixed/multiple ethnic group: White and Black African",
    "Mixed/multiple ethnic group: White and Asian", "Mixed/multiple ethnic group: Other Mixed",
    "Asian", "Asian/Asian British: Indian", "Asian/Asian British: Pakistani",
    "Asian/Asian British: Bangladeshi", "Asian/Asian British: Chinese",
    "Asian/Asian British: Other Asian", "Black", "Black/African/Caribbean/Black British: African",
    "Black/African/Caribbean/Black British: Caribbean",
    "Black/African/Caribbean/Black British: Other Black", "Other",
    "Other ethnic group: Arab", "Other ethnic group: Any other ethnic group",
]


def _nomis_csv() -> str:
    """A two-LA QS201EW file in the Nomis bulk layout (made-up counts that add up)."""
    header = ["date", "geography", "geography code", "Rural Urban",
              "Ethnic Group: All categories: Ethnic group; measures: Value"]
    header += [f"Ethnic Group: {g}; measures: Value" for g in GROUPS]
    rows = []
    for name, code, base in (("Hartlepool", "E06000001", 100), ("Middlesbrough", "E06000002", 7)):
        detail = {g: base + i for i, g in enumerate(GROUPS) if ":" in g}
        broad = {b: sum(v for g, v in detail.items() if g.startswith(b))
                 for b in ("White", "Mixed", "Asian", "Black", "Other")}
        values = [broad[g] if ":" not in g else detail[g] for g in GROUPS]
        rows.append(["2011", name, code, "Total", str(sum(detail.values())), *map(str, values)])
    return "\n".join(",".join(f'"{c}"' for c in r) for r in [header, *rows]) + "\n"


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    body = _nomis_csv().encode()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v01/dataset", seen
    finally:
        httpd.shutdown()


def test_catalogue_urls_point_at_the_nomis_bulk_api() -> None:
    url = CATALOGUE["qs201ew_lad"].url()
    parsed = urllib.parse.urlparse(url)
    assert parsed.scheme == "https" and parsed.netloc == "www.nomisweb.co.uk"
    assert parsed.path == "/api/v01/dataset/NM_608_1.bulk.csv"
    query = urllib.parse.parse_qs(parsed.query)
    assert query["geography"] == ["TYPE464"]
    assert CATALOGUE["qs201ew_oa"].url().count("TYPE299") == 1


def test_fetch_caches_verifies_and_ingests(tmp_path: Path,
                                           server: tuple[str, list[str]]) -> None:
    base, seen = server
    path = fetch("qs201ew_lad", cache_dir=tmp_path / "cache", base_url=base)
    assert len(seen) == 1 and seen[0].startswith("/api/v01/dataset/NM_608_1.bulk.csv?")
    again = fetch("qs201ew_lad", cache_dir=tmp_path / "cache", base_url=base,
                  expected_sha256=sha256_file(path))
    assert again == path and len(seen) == 1  # served from the cache
    store = Store(tmp_path / "s.duckdb")
    result = store.ingest_file(path)
    assert result.action == "loaded"
    areas = store.read(result.dataset, "areas")
    assert sorted(areas["area_code"]) == ["E06000001", "E06000002"]


def test_checksum_mismatch_keeps_nothing(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    base, _ = server
    with pytest.raises(SocintError, match="checksum mismatch"):
        fetch("qs201ew_lad", cache_dir=tmp_path / "cache", base_url=base,
              expected_sha256="0" * 64)
    assert not any((tmp_path / "cache").glob("*.csv"))


def test_unknown_name_is_refused() -> None:
    with pytest.raises(SocintError, match="expected to be one of"):
        fetch("qs999")
