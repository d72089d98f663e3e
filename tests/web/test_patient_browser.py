"""Headless Chromium against a real server: the patient page and its clinic finder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SEED = "NCT06001853"
# Screenshots go here when TRIALATLAS_SCREENSHOTS is set (to look at them), else to tmp_path.
SCREENSHOT_DIR = os.environ.get("TRIALATLAS_SCREENSHOTS")


def _shot_path(tmp_path: Path, name: str) -> Path:
    folder = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_patient_page_sections_and_clinic_finder(
    chromium, seed_server: str, tmp_path: Path
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{seed_server}/trials/{SEED}")
        assert page.locator("h1").inner_text() == "BM-MSC Injection for Low Back Pain"
        assert "Lumbar Facet Arthropathy" in page.locator("#official-title").inner_text()
        headings = page.locator("main h2").all_inner_texts()
        assert headings == [
            "Trial Summary",
            "Research Team",
            "Eligibility Criteria",
            "Timeline",
            "Treatment Details",
            "Find a Clinic Near You",
            "Who Is Running the Clinical Trial?",
            "Similar trials",
        ]
        steps = page.locator(".timeline__title").all_inner_texts()
        assert [s.split()[0] for s in steps] == ["Screening", "Treatment", "Crossover", "Follow-up"]
        assert "Wenchun Qu" in page.locator("#team").inner_text()
        medications = page.locator("#q-medications").inner_text()
        assert "systemic immunosuppressant" in medications and "3 months" in medications
        page.screenshot(path=str(_shot_path(tmp_path, "patient-page.png")), full_page=True)

        page.fill("#near", "Jacksonville, FL")
        page.select_option("#radius", "25mi")
        page.click(".clinic-finder button[type=submit]")
        page.wait_for_load_state("load")
        assert "near=Jacksonville" in page.url
        clinic = page.locator(".clinic").first
        assert "Mayo Clinic in Florida" in clinic.inner_text()
        distance = clinic.locator(".clinic__distance").inner_text()
        # one unit per page: miles first, km in brackets ("about 13 mi (21 km)")
        shown = re.fullmatch(
            r"(?:about |under )?([\d.]+) mi \((?:about |under )?[\d.]+ km\)", distance
        )
        assert shown, distance
        assert float(shown.group(1)) <= 25
        assert "Jacksonville" in page.locator(".clinic-summary").inner_text()
        page.locator("#clinics").screenshot(path=str(_shot_path(tmp_path, "patient-clinics.png")))

        page.fill("#near", "Jaksonvile, FL")
        page.click(".clinic-finder button[type=submit]")
        page.wait_for_load_state("load")
        problem = page.locator("#place-problem").inner_text()
        assert "could not find" in problem and "Jacksonville, Florida" in problem
        page.locator("#place-problem a").first.click()
        page.wait_for_load_state("load")
        assert "Mayo Clinic in Florida" in page.locator(".clinic").first.inner_text()
    finally:
        page.close()


def test_patient_page_is_readable_on_a_phone(chromium, seed_server: str, tmp_path: Path) -> None:
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{seed_server}/trials/{SEED}?near=32224")
        assert "Mayo Clinic in Florida" in page.locator(".clinic").first.inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px)"
        page.screenshot(path=str(_shot_path(tmp_path, "patient-phone.png")), full_page=True)
    finally:
        page.close()
