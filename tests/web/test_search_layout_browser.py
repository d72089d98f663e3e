"""Results first (issue 12): on a wide screen the facets sit beside the results, on a
phone they are folded above them; the first result is above the fold at both widths.
Screenshots of both are kept in the test's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TITLE = 100  # px: the first result starts this far above the fold at least (its title shows)


@pytest.mark.parametrize(
    "query",
    [
        "q=low+back+pain",
        "q=asthma&status=COMPLETED&phase=PHASE3&sex=FEMALE&age=40&type=INTERVENTIONAL",
    ],
)
def test_results_come_first_at_1280_and_390_px(
    chromium: Any, bundled_server: str, tmp_path: Path, query: str
) -> None:
    for width, height in ((1280, 800), (390, 844)):
        page = chromium.new_page(viewport={"width": width, "height": height})
        try:
            page.goto(f"{bundled_server}/search?{query}")
            page.screenshot(path=str(tmp_path / f"search-{width}.png"))
            assert (
                page.evaluate("document.documentElement.scrollWidth") <= width
            )  # no sideways scroll
            first = page.locator("li.hit").first.bounding_box()
            assert first is not None and first["y"] + TITLE < height, (width, first)
            facets = page.locator("aside.facets")
            summary = page.locator("summary.refine__summary")
            if width >= 1280:  # beside the results, unfolded, no toggle shown
                assert facets.is_visible() and not summary.is_visible()
                box = facets.bounding_box()
                assert box is not None and box["x"] + box["width"] <= first["x"]
            else:  # folded above the results; one tap unfolds them
                assert summary.is_visible() and not facets.is_visible()
                assert summary.bounding_box()["y"] < first["y"]  # type: ignore[index]
                summary.click()
                assert facets.is_visible()
                assert facets.bounding_box()["y"] < page.locator("li.hit").first.bounding_box()["y"]  # type: ignore[index]
        finally:
            page.close()
