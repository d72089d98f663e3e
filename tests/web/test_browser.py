"""Headless Chromium against a real server: the registry page renders, the search box works."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(seed_store_path: str) -> Iterator[str]:
    """Uvicorn serving the seed store on a free localhost port, in a thread."""
    import uvicorn

    from trialatlas.settings import Settings
    from trialatlas.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings(db_url=seed_store_path)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def test_registry_page_renders_sections_and_nested_criteria(
    browser, server_url: str, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server_url}/trials/NCT06001853/details")
        assert page.locator("h1").inner_text() == (
            "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
        )
        for heading in ("Study Results", "Basic Information", "Eligibility Criteria", "Locations"):
            assert page.get_by_role("heading", name=heading, exact=True).is_visible()
        assert not page.locator("#related").is_visible()
        nested = page.locator(
            ".criteria--inclusion li li", has_text="Low back pain for at least 6 months;"
        )
        nested.scroll_into_view_if_needed()
        assert nested.is_visible()
        # The nested item is indented further than its parent criterion.
        parent_box = page.locator(".criteria--inclusion > ul > li").first.bounding_box()
        child_box = nested.bounding_box()
        assert parent_box and child_box and child_box["x"] > parent_box["x"]
        # The stylesheet came from the package and applied.
        assert (
            page.locator(".page-head").evaluate("e => getComputedStyle(e).borderTopWidth") == "4px"
        )
        shot = tmp_path / "details.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


def test_home_search_box_finds_the_seed_trial(browser, server_url: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server_url}/")
        page.get_by_role("searchbox", name="Search clinical trials").fill("facet arthropathy")
        page.get_by_role("button", name="Search trials").click()
        page.wait_for_url("**/search?q=facet+arthropathy*")
        link = page.get_by_role(
            "link", name="Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
        )
        assert link.is_visible()
        page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
        link.click()
        page.wait_for_url("**/trials/NCT06001853")
        page.get_by_role("link", name="Full registry record").first.click()
        page.wait_for_url("**/trials/NCT06001853/details")
        assert page.get_by_role("heading", name="Eligibility Criteria", exact=True).is_visible()
    finally:
        page.close()
