"""Serve a built dashboard over HTTP on the loopback interface only.

The site works from ``file://``; serving it is for browsers or colleagues' tooling that prefer
``http://``. The server binds ``127.0.0.1`` and offers no option to bind anything else, so running
``socint serve`` never exposes files to the network. It is the standard library's
:class:`http.server.ThreadingHTTPServer` with the site folder as its root.
"""

from __future__ import annotations

import errno
import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from socint.errors import SocintError

#: The only address the server binds.
HOST = "127.0.0.1"


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files with correct types for the downloads, no caching, no request log noise."""

    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **SimpleHTTPRequestHandler.extensions_map,
        ".geojson": "application/geo+json",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".svg": "image/svg+xml",
        ".js": "text/javascript",
    }

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet (the CLI prints the address once)."""


def make_server(site: str | Path, port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``site`` on ``127.0.0.1:port`` (``port=0``: any free port), not yet running.

    Raises
    ------
    SocintError
        If ``site`` has no ``index.html`` or the port is taken.
    """
    site = Path(site)
    if not (site / "index.html").is_file():
        raise SocintError(f"{site} is not a built site (no index.html)", file=site,
                          hint="build it first with `socint report --out " + str(site) + "`")
    if not 0 <= port <= 65535:
        raise SocintError(f"port {port} is not between 0 and 65535",
                          hint="pass --port with a free port, e.g. 8000")
    handler = functools.partial(_SiteHandler, directory=str(site.resolve()))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SocintError(f"port {port} on {HOST} is already in use",
                              hint="pass another --port, or 0 for any free port") from exc
        raise


def serve(site: str | Path, port: int = 8000) -> None:
    """Serve ``site`` on ``http://127.0.0.1:port/`` until interrupted (Ctrl+C)."""
    server = make_server(site, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def url_of(server: ThreadingHTTPServer) -> str:
    """The site's address, e.g. ``http://127.0.0.1:8000/``."""
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"


__all__ = ["HOST", "make_server", "serve", "url_of"]
