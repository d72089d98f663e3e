"""Error bodies (issue 14, items 11 and 12): a 422 names the field and the rule and never
repeats the value a patient sent; a "… and N more" count agrees with the list it counts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from trialatlas.model.validation_errors import error_message

SEED = "NCT06001853"
MARKER = "Zq9secret7Vx"
BAD_DATES = [MARKER, f"2023-{MARKER}", f"{MARKER}-01-01"]

PROFILES: list[dict[str, Any]] = [
    {"age": MARKER},
    {"sex": MARKER},
    {"age": 55, "extra_field": MARKER},
    *({"conditions": [{"name": "pain", "onset": date}]} for date in BAD_DATES),
    {"conditions": [{"name": "pain", "onset": "2023-02-31"}]},
    {"conditions": [{"name": MARKER * 50}]},
    {"conditions": MARKER},
    {"medications": [{"name": "x", "since": MARKER}]},
    {"labs": [{"name": "hemoglobin", "value": MARKER, "unit": "g/dL"}]},
    {"labs": [{"name": "hemoglobin", "value": 12, "unit": MARKER, "date": MARKER}]},
    {"pregnant": MARKER},
]
FHIR = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {"resource": {"resourceType": "Patient", "gender": MARKER, "birthDate": MARKER}},
        {
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "pain"},
                "onsetDateTime": MARKER,
            }
        },
    ],
}


def _bodies() -> list[tuple[str, dict[str, Any]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    for profile in PROFILES:
        calls.append(("/api/match", {"profile": profile}))
        calls.append((f"/api/trials/{SEED}/prescreen", {"profile": profile}))
    calls += [
        ("/api/match", {"text": 5, "near": MARKER * 30}),
        ("/api/match", {"text": "pain", "radius": MARKER}),
        ("/api/match", {"text": "pain", "near": MARKER}),
        ("/api/match", {"text": "pain", "near": "Boston", "radius": MARKER}),
        ("/api/match", {"text": "pain", "limit": MARKER}),
        ("/api/match", {"text": "pain", "open_only": MARKER}),
        ("/api/match", {"fhir": FHIR}),
        ("/api/match", FHIR),
        (f"/api/trials/{SEED}/prescreen", FHIR),
        (f"/api/trials/{SEED}/prescreen", {"profile": FHIR}),
        (f"/api/trials/{SEED}/prescreen", {"answers": MARKER}),
    ]
    return calls


@pytest.mark.parametrize(("path", "body"), _bodies())
def test_a_422_names_the_field_never_the_value(client, path: str, body: dict[str, Any]) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, (path, body, response.status_code)
    message = response.json()["error"]["message"]
    assert MARKER not in response.text, message
    assert re.match(r"^[\w.\[\]]+: ", message), message  # "field: rule"


@pytest.mark.parametrize("field", ["near", "radius", "age"])
def test_the_match_forms_error_list_names_the_rule_not_the_value(
    client, parse_html, field: str
) -> None:
    """The form is filled in again (the patient keeps what they typed), but the error
    list says what was wrong without repeating it."""
    data = {"text": "low back pain", "near": "Boston", field: MARKER}
    response = client.post("/match", data=data)
    assert response.status_code == 422
    alert = [n for n in parse_html(response.text).iter() if n.attrs.get("role") == "alert"]
    assert alert and field in alert[0].text
    assert MARKER not in alert[0].text


def test_query_parameters_are_not_echoed_in_422(client) -> None:
    response = client.get(f"/api/trials/{SEED}/clinics?near={MARKER * 30}")
    assert response.status_code == 422
    assert MARKER not in response.text


def test_a_validators_quoted_value_is_cut_from_the_message() -> None:
    err = {"msg": f"Value error, '{MARKER}' is not a date", "input": MARKER, "loc": ("onset",)}
    assert error_message(err) == "the value sent is not a date"
    rule = {"msg": "Input should be 'female', 'male', 'other' or 'unknown'", "input": "femal"}
    assert error_message(rule) == rule["msg"]  # a near miss leaves the rule whole


@pytest.mark.parametrize("count", [11, 150, 1000])
def test_the_unknown_answer_count_agrees_with_the_list(client, count: int) -> None:
    answers = {f"nosuch{i}": "yes" for i in range(count)}
    response = client.post(f"/api/trials/{SEED}/prescreen", json={"answers": answers})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    named = re.findall(r"'(nosuch\d+)'", message)
    more = re.search(r" and (\d+) more", message)
    assert named == [f"nosuch{i}" for i in range(len(named))]
    assert len(named) + (int(more.group(1)) if more else 0) == count, message


def test_more_answers_than_read_are_refused_not_miscounted(client) -> None:
    """5,000 unknown ids were reported as "… and 990 more" (only the first 1,000 keys
    were read); now a body with more answers than are read is refused whole."""
    answers = {f"nosuch{i}": "yes" for i in range(5000)}
    response = client.post(f"/api/trials/{SEED}/prescreen", json={"answers": answers})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "990 more" not in message
    assert message == "answers: at most 1,000 answers"
