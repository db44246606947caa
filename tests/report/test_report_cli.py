"""``socint report`` / ``socint serve`` and the loopback server."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_factory import make_inputs
from report_fixtures import (  # noqa: F401  (pytest fixtures)
    built_site_fixture,
    site_inputs_fixture,
)
from typer.testing import CliRunner

import socint.cli.report  # noqa: F401  (registers the commands on the app)
from socint.cli import app
from socint.errors import SocintError
from socint.report import SiteResult, build_site
from socint.report.serve import HOST, make_server, url_of


@pytest.fixture()
def running(built_site: SiteResult) -> Iterator[str]:
    server = make_server(built_site.path, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()


def test_server_binds_loopback_only(built_site: SiteResult) -> None:
    server = make_server(built_site.path, 0)
    try:
        assert server.server_address[0] == HOST == "127.0.0.1"
    finally:
        server.server_close()


def test_server_serves_pages_and_downloads(running: str) -> None:
    with urllib.request.urlopen(running + "index.html", timeout=5) as resp:
        assert resp.status == 200 and b'id="map"' in resp.read()
    with urllib.request.urlopen(running + "downloads/la_index.geojson", timeout=5) as resp:
        assert resp.headers["Content-Type"] == "application/geo+json"
        assert json.loads(resp.read())["type"] == "FeatureCollection"


def test_serving_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    with pytest.raises(SocintError, match="not a built site"):
        make_server(tmp_path, 0)


def test_port_in_use(built_site: SiteResult) -> None:
    first = make_server(built_site.path, 0)
    try:
        with pytest.raises(SocintError, match="already in use"):
            make_server(built_site.path, first.server_address[1])
    finally:
        first.server_close()


def _index_folder(folder: Path, n: int = 12) -> None:
    inp = make_inputs(n)
    folder.mkdir()
    inp.la_index.to_csv(folder / "la_index.csv", index=False)
    (folder / "la_boundaries.geojson").write_text(json.dumps(inp.boundaries), "utf-8")
    inp.margins["sex"].to_csv(folder / "margins_sex.csv", index=False)


def test_cli_report_builds_the_site(tmp_path: Path) -> None:
    _index_folder(tmp_path / "index")
    res = CliRunner().invoke(app, ["report", "--index", str(tmp_path / "index"),
                                   "--out", str(tmp_path / "site"), "--no-figures"])
    assert res.exit_code == 0, res.output
    assert "pages" in res.output
    assert len(list((tmp_path / "site" / "la").glob("*.html"))) == 12


def test_cli_report_with_bad_index_says_where(tmp_path: Path) -> None:
    _index_folder(tmp_path / "index")
    path = tmp_path / "index" / "la_index.csv"
    text = path.read_text("utf-8").splitlines()
    header = text[0].split(",")
    cells = text[3].split(",")
    cells[header.index("trust_decile")] = "12"
    text[3] = ",".join(cells)
    path.write_text("\n".join(text) + "\n", "utf-8")
    res = CliRunner().invoke(app, ["report", "--index", str(tmp_path / "index"),
                                   "--out", str(tmp_path / "site"), "--no-figures"])
    # the CLI prints the error with its location and exits with the input-data code (3)
    assert res.exit_code == 3, res.output
    assert "row 3, column 'trust_decile'" in res.stderr
    assert not (tmp_path / "site").exists()


def test_cli_help_lists_both_commands() -> None:
    out = CliRunner().invoke(app, ["--help"]).output
    assert "report" in out and "serve" in out


def test_site_size_for_330_las(tmp_path: Path) -> None:
    """Issue 6: the site for ~330 LAs stays under 15 MB (build time: benchmarks/bench_report.py)."""
    result = build_site(make_inputs(330), tmp_path / "site")
    assert result.bytes < 15e6
    assert result.pages >= 330


@pytest.mark.slow
def test_report_from_a_real_index_run(tmp_path: Path) -> None:
    """End to end: synthetic England -> socint.composite index outputs -> `socint report`."""
    run = pytest.importorskip("socint.composite.run", reason="needs socint.composite")
    outputs = pytest.importorskip("socint.composite.outputs", reason="needs socint.composite")
    pytest.importorskip("socint.composite.inputs", reason="needs socint.composite")
    from socint.synthetic import generate_england
    from socint.synthetic.source import inputs_from_synthetic

    england = generate_england(2011, scale=0.3, survey_size=6000)
    result = run.build_index(inputs_from_synthetic(england))
    outputs.write_index(result, tmp_path / "index")
    res = CliRunner().invoke(app, ["report", "--index", str(tmp_path / "index"),
                                   "--out", str(tmp_path / "site")])
    assert res.exit_code == 0, res.output
    codes = sorted(england.las["lad_code"])
    assert sorted(p.stem for p in (tmp_path / "site" / "la").glob("*.html")) == codes
    html = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert html.split('<svg id="inset"')[0].count('<path class="la ') == len(codes)
    assert (tmp_path / "site" / "figures" / "validation_trust.svg").is_file()


def test_report_index_without_la_index_names_the_missing_file(tmp_path: Path) -> None:
    """Issue 10: a folder without la_index.csv used to get a message about boundaries."""
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an index folder")
    res = CliRunner().invoke(app, ["report", "--index", str(folder),
                                   "--out", str(tmp_path / "site"), "--no-figures",
                                   "--store", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 3, res.output  # the input-data error class
    msg = " ".join(res.stderr.split())
    assert "has no la_index.csv" in msg and "boundar" not in msg.lower()
    assert "How to fix:" in msg and "socint index --out" in msg
    assert not (tmp_path / "site").exists() and not (tmp_path / "none.duckdb").exists()
    assert (folder / "notes.txt").read_text() == "not an index folder"
