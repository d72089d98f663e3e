"""Headless Chromium on the whole bundled sample: search near a place, open the first hit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_search_near_jacksonville_and_open_the_first_hit(
    chromium: Any, bundled_server: str, tmp_path: Path
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{bundled_server}/")
        page.get_by_role("searchbox", name="Search clinical trials").fill("low back pain")
        page.get_by_role("searchbox", name="Near a place: city, ZIP code or lat, lon").fill(
            "Jacksonville, FL"
        )
        page.get_by_role("button", name="Search trials").click()
        page.wait_for_url("**/search?*near=Jacksonville*")
        heading = page.locator("h2.results__title").inner_text()
        assert "low back pain" in heading and "Jacksonville, Florida" in heading
        hits = page.locator("li.hit")
        assert hits.count() >= 1
        first = hits.first
        # every hit near a place names its nearest site and how far it is
        nearest = first.locator(".hit__site").inner_text()
        assert "Jacksonville" in nearest and " mi" in nearest
        href = first.locator("h3 a").get_attribute("href") or ""
        assert href.startswith("/trials/NCT")
        page.screenshot(path=str(tmp_path / "search-near.png"), full_page=True)
        first.locator("h3 a").click()
        page.wait_for_url(f"**{href}")
        assert page.locator("h1#plain-title").inner_text().strip()
        assert page.get_by_role("heading", name="Find a Clinic Near You").is_visible()
    finally:
        page.close()
