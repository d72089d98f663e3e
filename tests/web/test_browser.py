"""Headless Chromium against a real server: the registry page renders, the search box works."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def test_registry_page_renders_sections_and_nested_criteria(
    chromium, seed_server: str, tmp_path: Path
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{seed_server}/trials/NCT06001853/details")
        assert page.locator("h1").inner_text() == (
            "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
        )
        for heading in ("Study Results", "Basic Information", "Eligibility Criteria", "Locations"):
            assert page.get_by_role("heading", name=heading, exact=True).is_visible()
        related = page.locator("#related")
        related.scroll_into_view_if_needed()
        assert related.is_visible()  # the seed store has trials like it
        assert related.locator("li").count() >= 1
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


def test_home_search_box_finds_the_seed_trial(chromium, seed_server: str, tmp_path: Path) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{seed_server}/")
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
