"""axe-core (axe-playwright-python, Debian chromium) over the pages people use: no
serious or critical violation on the home, search, patient, details, pre-screen,
match and API documentation pages, at a desktop and a phone width."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import serious_violations

pytestmark = pytest.mark.browser

SEED = "NCT06001853"
PAGES = [
    "/",
    "/search?q=low+back+pain",
    "/search?q=low+back+pain&near=Jacksonville%2C+FL&status=RECRUITING",
    f"/trials/{SEED}",
    f"/trials/{SEED}/details",
    f"/trials/{SEED}/prescreen",
    "/match",
    "/docs",
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violations(chromium: Any, bundled_server: str, path: str, width: int) -> None:
    page = chromium.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{bundled_server}{path}")
        page.wait_for_load_state("networkidle")
        assert serious_violations(page) == []
    finally:
        page.close()


def test_docs_has_a_language_and_a_heading(chromium: Any, bundled_server: str) -> None:
    page = chromium.new_page()
    try:
        page.goto(f"{bundled_server}/docs")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "en"
        # our heading is in the served HTML (Swagger UI adds its own once its script runs)
        assert "API documentation" in page.locator("h1").first.inner_text()
        page.locator(".opblock-summary-control").first.click()  # an operation unfolded
        page.locator(".opblock-body").first.wait_for()
        assert serious_violations(page) == []
    finally:
        page.close()


def test_filled_forms_have_no_serious_violations(chromium: Any, bundled_server: str) -> None:
    """The match and pre-screen pages after an answer (verdicts, explanations)."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{bundled_server}/match")
        page.locator("#match-text").fill(
            "55-year-old man with chronic low back pain for 3 years; takes ibuprofen."
        )
        page.locator("form.match-form button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
        assert serious_violations(page) == []
        page.goto(f"{bundled_server}/trials/{SEED}/prescreen")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        assert serious_violations(page) == []
    finally:
        page.close()
