"""Headless Chromium on the match page: type a description, submit, read what was
understood and the results, open a trial's criteria, go to its pre-screener."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SEED = "NCT06001853"
NOTE = (
    "55-year-old man from Jacksonville, FL with chronic facet-mediated low back pain for 3 "
    "years despite physical therapy and NSAIDs. No history of diabetes."
)


def test_describe_a_patient_and_read_the_explained_matches(
    chromium: Any, seed_server: str, tmp_path: Path
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{seed_server}/")
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Match a patient"
        ).click()
        page.wait_for_url("**/match")
        page.get_by_label("Describe the patient").fill(NOTE)
        page.get_by_label("Near").fill("Jacksonville, FL")
        page.get_by_role("button", name="Find matching trials").click()
        page.wait_for_url("**/match#understood")
        # no patient data in the address: it went in the body
        assert "back" not in page.url and "Jacksonville" not in page.url

        understood = page.locator("section#understood")
        assert understood.get_by_role("heading", name="What we understood").is_visible()
        assert "55 years" in understood.locator(".understood__row--age dd").inner_text()
        assert "diabetes" in understood.locator(".understood__row--ruled-out dd").inner_text()
        # the description stays in the box, to be corrected and sent again
        assert page.get_by_label("Describe the patient").input_value() == NOTE

        match = page.locator(f"li#match-{SEED}")
        assert match.is_visible()
        assert match.locator(".eligibility").inner_text().strip()
        assert "Jacksonville" in match.locator(".match__site").inner_text()
        criteria = match.locator("details.match__criteria")
        first_verdict = criteria.locator("li.verdict").first
        assert not first_verdict.is_visible()
        criteria.locator("summary").click()
        assert first_verdict.is_visible()
        assert first_verdict.locator(".verdict__badge").inner_text() in (
            "Met",
            "Not met",
            "Unknown",
        )
        assert criteria.locator("blockquote.match__evidence").count() >= 1
        page.screenshot(path=str(tmp_path / "match.png"), full_page=True)

        match.get_by_role("link", name="Check this trial question by question").click()
        page.wait_for_url(f"**/trials/{SEED}/prescreen")
        assert page.get_by_role("heading", name="Could this trial be right for you?").is_visible()
    finally:
        page.close()
