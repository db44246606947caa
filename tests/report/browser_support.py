"""Debian's headless Chromium driven by Playwright, for the report's browser tests.

Importing this module skips the importing test module, with the reason, when
``/usr/bin/chromium`` or the ``playwright`` package is absent. Test modules import the
``*_fixture`` functions (registered as ``browser``: one Chromium per module, and ``sized``: a
fresh page at desktop 1280 px and phone 390 px, with a :class:`Recorder` on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

if not CHROMIUM.exists():
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} "
                "(apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need the playwright package (pip install "
                                  "playwright; never `playwright install`)")


@dataclass
class Recorder:
    """Console errors, page errors, dialogs and every request URL of one page."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def watch(pg: Any) -> Recorder:
    """Record ``pg``'s console errors, page errors and requests; dismiss (and record) dialogs."""
    rec = Recorder()
    pg.on("console", lambda m: rec.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: rec.errors.append(str(e)))
    pg.on("request", lambda r: rec.requests.append(r.url))

    def on_dialog(d: Any) -> None:
        rec.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    return rec


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"], name="sized")
def sized_fixture(request: Any, browser: Any) -> Iterator[tuple[Any, Recorder, int]]:
    """A page at desktop (1280 px) and phone (390 px, touch) size, its recorder, its width."""
    width = int(request.param)
    phone = width < 500
    ctx = browser.new_context(viewport={"width": width, "height": 844 if phone else 900},
                              has_touch=phone, is_mobile=phone,
                              device_scale_factor=2 if phone else 1)
    pg = ctx.new_page()
    yield pg, watch(pg), width
    ctx.close()
