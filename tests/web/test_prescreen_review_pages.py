"""The pre-screening API over real HTTP: FHIR values a profile cannot hold, impossible
profiles and malformed JSON are 4xx naming the field, never a 500 or a logged value."""

from __future__ import annotations

import logging
from typing import Any

import pytest

NCT = "NCT06001853"
API = f"/api/trials/{NCT}/prescreen"
SECRET = "Zq7secretname"


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            _bundle(
                {
                    "resourceType": "Condition",
                    "subject": {"reference": "Patient/p1"},
                    "code": {"text": SECRET * 40},
                }
            ),
            "entry.0.resource.code",
        ),
        (
            _bundle(
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "Low back pain VAS"},
                    "valueQuantity": {"value": 50, "unit": SECRET * 5},
                }
            ),
            "entry.0.resource.valueQuantity.unit",
        ),
        (
            _bundle({"resourceType": "Patient", "birthDate": "2999-01-01"}),
            "entry.0.resource.birthDate",
        ),
        ({"profile": {"birth_date": "2999-01-01"}}, "profile.birth_date"),
        ({"profile": {"labs": [{"name": "VAS", "value": "NaN"}]}}, "profile.labs.0.value"),
    ],
)
def test_values_a_profile_cannot_hold_are_422_naming_the_field(
    client: Any, caplog: pytest.LogCaptureFixture, body: dict[str, Any], field: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = client.post(API, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["cache-control"] == "no-store"
    error = response.json()["error"]
    assert error["message"].startswith(f"{field}:")
    assert SECRET not in response.text and SECRET not in caplog.text


def test_fhir_medicine_not_taken_does_not_exclude(client: Any) -> None:
    bundle = _bundle(
        {
            "resourceType": "MedicationStatement",
            "status": "not-taken",
            "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {"text": "Methotrexate"},
        }
    )
    body = client.post(API, json=bundle).json()
    assert body["not_met"] == []


def test_malformed_json_names_the_body(client: Any) -> None:
    response = client.post(
        API, content=b'{"answers": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("body: not valid JSON")
