"""Real servers and a real browser for the web tests: uvicorn on a free localhost port,
Debian's chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(db_path: str) -> Iterator[str]:
    """The app over the store at ``db_path``, served by uvicorn in a thread; yields its URL."""
    import uvicorn

    from trialatlas.settings import Settings
    from trialatlas.web.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(Settings(db_url=db_path)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        server_header=False,  # as `trialatlas serve` runs it
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def launched_chromium() -> Iterator[object]:
    """Headless Debian chromium; the test is skipped when it is not installed."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def serious_violations(page: Any) -> list[tuple[str, str, list[str]]]:
    """axe-core's serious and critical violations on ``page``: (rule, impact, first
    three targets) each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [str(n["target"]) for n in v["nodes"][:3]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
