"""``/docs`` after "Try it out": every input Swagger UI draws (a parameter's menu, the
request body, the examples menu) has a name, so axe-core finds no serious or critical
violation (axe-playwright-python, Debian chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import serious_violations

pytestmark = pytest.mark.browser

SEARCH = "#operations-search-api_search_api_search_get"
CLINICS = "#operations-trials-trial_clinics_api_trials__nct_id__clinics_get"
MATCH = "#operations-match-api_match_api_match_post"
OPERATIONS = (SEARCH, CLINICS, MATCH)


def _try_it_out(page: Any, operation: str) -> None:
    block = page.locator(operation)
    block.locator(".opblock-summary-control").click()
    button = block.locator("button.try-out__btn")
    button.wait_for()
    if button.inner_text().strip() == "Try it out":
        button.click()
    # with "Try it out" on, the button offers "Cancel" and the inputs are drawn
    block.locator("button.try-out__btn", has_text="Cancel").wait_for()
    block.locator("td.parameters-col_description input, textarea.body-param__text").first.wait_for()


def test_try_it_out_inputs_are_labelled(chromium: Any, seed_server: str) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{seed_server}/docs")
        page.wait_for_load_state("networkidle")
        for operation in OPERATIONS:
            _try_it_out(page, operation)
        label = "aria-label"
        near = page.locator(SEARCH).locator("tr[data-param-name='near'] input")
        assert near.get_attribute(label) == "near (query)"
        unit = page.locator(CLINICS).locator("tr[data-param-name='unit'] select")
        assert unit.get_attribute(label) == "unit (query)"
        match = page.locator(MATCH)
        assert match.locator("textarea.body-param__text").get_attribute(label) == (
            "Request body (JSON)"
        )
        assert match.locator("select.examples-select-element").get_attribute(label) == "Example"
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('#swagger-ui input, #swagger-ui select,'
                + ' #swagger-ui textarea')].filter(el => el.type !== 'hidden'
                && !el.getAttribute('aria-label') && !el.labels?.length).length"""
        )
        assert unlabelled == 0
        assert serious_violations(page) == []
    finally:
        page.close()
