"""Commands ``report`` (build the offline dashboard) and ``serve`` (view it on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from socint.cli import app
from socint.cli.common import StoreOption

console = Console()


@app.command()
def report(
    index_dir: Path = typer.Option(
        ..., "--index", help="Folder written by `socint index` (holds la_index.csv).",
        exists=True, file_okay=False),
    out: Path = typer.Option(Path("site"), "--out", help="Folder of the site to write."),
    boundaries: Path | None = typer.Option(
        None, help="LA boundaries GeoJSON (default: la_boundaries.geojson in --index, then the "
                   "store).", exists=True, dir_okay=False),
    boundaries_dataset: str | None = typer.Option(
        None, help="Name of the store's LA boundaries dataset, when it holds several."),
    figures: bool = typer.Option(True, "--figures/--no-figures",
                                 help="Draw the PNG/SVG figures (slower)."),
    postcodes: Path | None = typer.Option(
        None, "--postcodes", help="ONS Postcode Directory CSV (pcds, oslaua, msoa21/msoa11): "
        "the site's search then accepts postcodes, offline.", exists=True, dir_okay=False),
    store: StoreOption = None,
) -> None:
    """Build the offline dashboard (map, LA profiles, rankings, methodology, figures, downloads).

    The site is static and self-contained: open OUT/index.html directly, or run `socint serve`.
    """
    from socint.report.load import (
        BOUNDARY_FILES,
        boundaries_from_store,
        load_site_inputs,
        read_geojson,
        require_index,
    )
    from socint.report.site import build_site

    require_index(index_dir)
    bounds = None
    if boundaries is not None:
        bounds = read_geojson(boundaries)
    elif boundaries_dataset is not None or not any(
            (index_dir / name).is_file() for name in BOUNDARY_FILES):
        bounds = boundaries_from_store(store, boundaries_dataset)
    inputs = load_site_inputs(index_dir, boundaries=bounds)
    if postcodes is not None:
        from dataclasses import replace

        from socint.report.search import read_postcode_lookup

        lookup = read_postcode_lookup(postcodes, set(inputs.la_index["lad_code"].astype(str)))
        inputs = replace(inputs, postcodes=lookup)
    with console.status("building the site…"):
        result = build_site(inputs, out, figures=figures)
    console.print(f"[green]✓[/green] {result.pages} pages, {len(result.figures)} figures, "
                  f"{result.bytes / 1e6:.1f} MB in {result.seconds:.1f} s → {result.path}")
    console.print(f"Open {(result.path / 'index.html').resolve().as_uri()} or run "
                  f"`socint serve {result.path}`.")


@app.command()
def serve(
    site: Path = typer.Argument(Path("site"), help="Folder built by `socint report`."),
    port: int = typer.Option(8000, help="Port on 127.0.0.1 (0 = any free port)."),
) -> None:
    """Serve a built site on http://127.0.0.1:PORT/ (loopback only) until Ctrl+C."""
    from socint.report.serve import make_server, url_of

    server = make_server(site, port)
    console.print(f"Serving {site} at {url_of(server)} (127.0.0.1 only; Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
