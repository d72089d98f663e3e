"""Errors name the parameter and the rule, never the value sent (issue 14, item 11).

A search may hold what a patient typed (a home town, a ZIP code, a condition), so a
400/404/406 from any endpoint (the JSON API, the ClinicalTrials.gov API v2 subset, FHIR,
the people's pages) must not repeat a query value. A marker goes through every error path
that reads a value; it must be absent from the answer. Names (of parameters, fields,
question ids) may be repeated when they are shaped like names; free text is not.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from trialatlas.features.search_params import PARAMS
from trialatlas.model.validation_errors import shown_name

SEED = "NCT06001853"
MARKER = "Zq9secret7Vx"
TYPED = f"my home {MARKER}"  # free text: never shaped like a name

# /api/search and /search: every parameter that is read into a rule (free-text filters
# such as q, condition or country are searched for, not refused)
SEARCH_BAD = {
    "near": MARKER,
    "radius": MARKER,
    "unit": MARKER,
    "status": MARKER,
    "open": MARKER,
    "phase": MARKER,
    "type": MARKER,
    "sponsor_class": MARKER,
    "age": MARKER,
    "sex": MARKER,
    "healthy": MARKER,
    "results": MARKER,
    "start_from": MARKER,
    "start_to": MARKER,
    "updated_from": MARKER,
    "updated_to": MARKER,
    "sort": MARKER,
    "order": MARKER,
    "limit": MARKER,
    "cursor": MARKER,
}

API_CALLS: list[str] = [
    *(f"/api/search?{urlencode({name: value})}" for name, value in SEARCH_BAD.items()),
    f"/api/search?{urlencode({'near': '95.5, 10', 'q': 'pain'})}",
    f"/api/search?{urlencode({'near': 'Boston', 'radius': f'-{MARKER}'})}",
    f"/api/trials/{SEED}/clinics?{urlencode({'near': MARKER})}",
    f"/api/trials/{SEED}/clinics?{urlencode({'near': 'Boston', 'radius': MARKER})}",
    f"/api/trials/{SEED}/clinics?{urlencode({'near': '99999'})}",
    f"/api/trials/{MARKER}",
    f"/api/trials/{MARKER}/related",
    f"/api/trials/{MARKER}/clinics",
    f"/api/trials/{MARKER}/prescreen",
    # FHIR
    f"/fhir/ResearchStudy?{urlencode({'status': MARKER})}",
    f"/fhir/ResearchStudy?{urlencode({'status': f'active,{MARKER}'})}",
    f"/fhir/ResearchStudy?{urlencode({'_count': MARKER})}",
    f"/fhir/ResearchStudy?{urlencode({'_id': MARKER})}",
    f"/fhir/ResearchStudy?{urlencode({'identifier': MARKER})}",
    f"/fhir/ResearchStudy?{urlencode({'near': MARKER})}",
    f"/fhir/ResearchStudy?{urlencode({'near': f'Boston|{MARKER}|mi'})}",
    f"/fhir/ResearchStudy?{urlencode({'near': f'Boston|10|{MARKER}'})}",
    f"/fhir/ResearchStudy?{urlencode({'near': '95|10|5|km'})}",
    f"/fhir/ResearchStudy?{urlencode({'_format': MARKER})}",
    f"/fhir/ResearchStudy/{MARKER}",
    f"/fhir/{TYPED}",
    # ClinicalTrials.gov API v2 subset (its messages keep the registry's wording, less the value)
    *(
        f"/api/v2/studies?{urlencode({name: MARKER})}"
        for name in (
            "pageSize",
            "countTotal",
            "format",
            "markupFormat",
            "sort",
            "aggFilters",
            "filter.overallStatus",
            "filter.ids",
            "filter.geo",
            "postFilter.geo",
            "pageToken",
        )
    ),
    f"/api/v2/studies?{urlencode({'pageSize': f'-{MARKER}'})}",
    f"/api/v2/studies?{urlencode({'sort': f'{MARKER}:desc'})}",
    f"/api/v2/studies?{urlencode({'aggFilters': f'phase:{MARKER}'})}",
    f"/api/v2/studies?{urlencode({'filter.geo': f'distance(1,2,{MARKER})'})}",
    f"/api/v2/studies?{urlencode({'fields': TYPED})}",
    f"/api/v2/studies?{urlencode({'query.term': f'AREA[{TYPED}]pain'})}",
    f"/api/v2/studies?{urlencode({'query.spons': f'AREA[{TYPED}]x'})}",
    f"/api/v2/studies?{urlencode({TYPED: '1'})}",
    f"/api/v2/studies/{MARKER}",
    f"/api/v2/studies/NCT{MARKER}",
    f"/api/v2/studies/{SEED}?{urlencode({'fields': TYPED})}",
    f"/api/v2/studies/{SEED}?{urlencode({'format': MARKER})}",
]


@pytest.mark.parametrize("url", API_CALLS)
def test_an_api_error_never_repeats_the_value(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (400, 404, 406), (url, response.status_code)
    assert MARKER not in response.text, response.text
    assert response.text.strip()  # still says what was wrong


@pytest.mark.parametrize(("name", "value"), sorted(SEARCH_BAD.items()))
def test_the_search_api_names_the_parameter(client: Any, name: str, value: str) -> None:
    response = client.get("/api/search", params={name: value})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert MARKER not in message
    if name not in ("near", "cursor"):
        assert message.startswith(f"{name}: "), message


def test_the_search_parameters_are_all_covered() -> None:
    """A new search parameter gets a place in this test (or a reason it takes any text)."""
    free_text = {"q", "condition", "intervention", "sponsor", "country"}
    assert set(PARAMS) == set(SEARCH_BAD) | free_text


@pytest.mark.parametrize("name", sorted(SEARCH_BAD))
def test_the_search_page_says_what_is_wrong_without_the_value(
    client: Any, parse_html, name: str
) -> None:
    """The form keeps what was typed (the person can correct it); the notice does not
    repeat it."""
    response = client.get("/search", params={"q": "pain", name: SEARCH_BAD[name]})
    assert response.status_code == 400
    notice = parse_html(response.text).find("div", cls="search-error")
    assert notice.text and MARKER not in notice.text


@pytest.mark.parametrize(
    "params", [{"near": MARKER}, {"near": "Boston", "radius": MARKER}, {"near": "99999"}]
)
def test_the_clinic_finder_notice_does_not_repeat_the_place(
    client: Any, parse_html, params: dict[str, str]
) -> None:
    response = client.get(f"/trials/{SEED}", params=params)
    assert response.status_code == 200
    problem = parse_html(response.text).find(id="place-problem")
    assert problem.text
    assert MARKER not in problem.text and "99999" not in problem.text


@pytest.mark.parametrize("path", ["/trials/{}", "/trials/{}/details", "/trials/{}/prescreen"])
def test_the_not_found_page_repeats_only_a_well_formed_id(
    client: Any, parse_html, path: str
) -> None:
    response = client.get(path.format(TYPED))
    assert response.status_code == 404
    message = parse_html(response.text).find("p", cls="error-page__message").text
    assert message == "We could not find a trial with this ID."
    assert MARKER not in response.text
    missing = client.get(path.format("NCT00000000"))
    assert missing.status_code == 404
    assert "“NCT00000000”" in missing.text  # a real-looking ID is worth repeating


def test_names_are_repeated_values_are_not() -> None:
    assert shown_name("query.term") == "query.term"
    assert shown_name("filter.overallStatus") == "filter.overallStatus"
    assert shown_name(TYPED) == "this name"
    assert shown_name("x" * 41, "") == ""
    assert shown_name("<script>", "?") == "?"


def test_an_unknown_v2_parameter_is_still_named(client: Any) -> None:
    response = client.get("/api/v2/studies", params={"query.foo": "x"})
    assert response.status_code == 400
    assert response.text == "`query.foo` is unknown parameter"


def test_an_unknown_answer_key_that_is_free_text_is_not_repeated(client: Any) -> None:
    response = client.post(
        f"/api/trials/{SEED}/prescreen", json={"answers": {TYPED: "yes", "nosuch1": "no"}}
    )
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert MARKER not in message
    assert "'nosuch1'" in message
