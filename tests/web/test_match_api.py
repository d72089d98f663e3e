"""``POST /api/match`` through the real app: text, profile and FHIR bodies; errors that
name the field without echoing the patient; limit bounds; open only; a place."""

from __future__ import annotations

from typing import Any

import pytest

from trialatlas.model.codes import OPEN_STATUSES
from trialatlas.web.match_request import MAX_BODY_BYTES

API = "/api/match"
SEED = "NCT06001853"
NOTE = (
    "55-year-old man from Jacksonville, FL with chronic facet-mediated low back pain for 3 "
    "years despite physical therapy and NSAIDs. No history of diabetes."
)
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "gender": "male",
                "birthDate": "1969-05-01",
            }
        },
        {
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "Low back pain"},
                "subject": {"reference": "Patient/p1"},
                "clinicalStatus": {"coding": [{"code": "active"}]},
            }
        },
    ],
}
MARKER = "Qzv8hidden"


def _ids(body: dict[str, Any]) -> list[str]:
    return [r["nct_id"] for r in body["results"]]


def _assert_result_shape(body: dict[str, Any]) -> None:
    assert isinstance(body["patient"], dict)
    for result in body["results"]:
        assert {"nct_id", "title", "score", "eligibility", "criteria", "nearest_site"} <= set(
            result
        )
        assert result["eligibility"] in ("likely", "unlikely", "unknown")
        for criterion in result["criteria"]:
            assert {"kind", "text", "verdict", "evidence"} <= set(criterion)
            assert criterion["verdict"] in ("met", "not met", "unknown")
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_text_body_finds_the_seed_trial_and_explains_it(client: Any) -> None:
    response = client.post(API, json={"text": NOTE})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    _assert_result_shape(body)
    assert SEED in _ids(body)[:3]
    assert body["patient"]["age"] == 55 and body["patient"]["sex"] == "male"
    seed = next(r for r in body["results"] if r["nct_id"] == SEED)
    assert seed["criteria"], "the seed trial's criteria are judged"
    # every decided verdict that cites the note quotes one of its sentences
    quoted = [e["text"] for c in seed["criteria"] for e in c["evidence"]]
    assert quoted and all(q in NOTE or q.strip(". ") in NOTE for q in quoted)


def test_profile_body(client: Any) -> None:
    profile = {"age": 55, "sex": "male", "conditions": [{"name": "Low back pain"}]}
    response = client.post(API, json={"profile": profile, "limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    _assert_result_shape(body)
    assert body["patient"]["age"] == 55 and body["patient"]["sex"] == "male"
    assert SEED in _ids(body) and len(body["results"]) <= 5


@pytest.mark.parametrize("wrap", [False, True], ids=["whole-body", "under-fhir"])
def test_fhir_bundle_body(client: Any, wrap: bool) -> None:
    response = client.post(API, json={"fhir": BUNDLE} if wrap else BUNDLE)
    assert response.status_code == 200, response.text
    body = response.json()
    _assert_result_shape(body)
    assert body["patient"]["sex"] == "male"
    assert body["patient"]["age"] is not None and body["patient"]["age"] >= 50
    assert SEED in _ids(body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": f"{MARKER} has back pain", "colour": MARKER}, "colour"),
        ({"profile": {"age": MARKER}}, "profile.age"),
        ({"profile": {"conditions": [{"name": "x", "stage": MARKER}]}}, "profile.conditions"),
        ({"text": f"{MARKER} back pain", "profile": {"age": 50}}, "profile"),
        ({"fhir": {"resourceType": MARKER}}, "fhir"),
        ({"text": "   "}, "text"),
        ({"text": MARKER * 3000}, "text"),
        ({"near": MARKER}, "body"),
        ({"text": "back pain", "open_only": MARKER}, "open_only"),
    ],
)
def test_bad_bodies_name_the_field_and_never_echo_the_values(
    client: Any, body: dict[str, Any], field: str
) -> None:
    response = client.post(API, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(field)
    assert MARKER not in response.text
    assert response.headers["cache-control"] == "no-store"


def test_unreadable_and_oversized_bodies(client: Any) -> None:
    response = client.post(
        API, content=b'{"text": "Qzv8hidden', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and MARKER not in response.text
    assert response.json()["error"]["message"].startswith("body: not valid JSON")
    response = client.post(API, json=["back pain"])
    assert response.status_code == 422 and "body: must be a JSON object" in response.text
    big = {"text": "back pain " * (MAX_BODY_BYTES // 10 + 1)}
    response = client.post(API, json=big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(("limit", "status"), [(0, 422), (1, 200), (50, 200), (51, 422)])
def test_limit_bounds(client: Any, limit: int, status: int) -> None:
    response = client.post(API, json={"text": NOTE, "limit": limit})
    assert response.status_code == status, response.text
    if status == 200:
        assert 1 <= len(response.json()["results"]) <= limit
    else:
        assert response.json()["error"]["message"].startswith("limit:")


def test_open_only_keeps_only_trials_open_to_enrollment(bundled_client: Any) -> None:
    everything = bundled_client.post(API, json={"text": NOTE, "limit": 50}).json()
    assert any(not r["open"] for r in everything["results"]), "the query must reach closed trials"
    response = bundled_client.post(API, json={"text": NOTE, "limit": 50, "open_only": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["results"] and body["open_only"] is True
    assert all(r["open"] and r["overall_status"] in OPEN_STATUSES for r in body["results"])


def test_near_and_radius_give_the_nearest_site(bundled_client: Any) -> None:
    response = bundled_client.post(
        API, json={"text": NOTE, "near": "Jacksonville, FL", "radius": "100mi", "limit": 10}
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert results
    for result in results:
        site = result["nearest_site"]
        assert site is not None and site["distance_mi"] is not None
        assert site["distance_mi"] <= 100.5


def test_openapi_documents_the_request(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/api/match"]["post"]
    content = post["requestBody"]["content"]["application/json"]
    assert {"text", "profile", "fhir", "near", "radius", "open_only", "limit"} <= set(
        content["schema"]["properties"]
    )
    assert content["schema"]["properties"]["limit"]["maximum"] == 50
    assert {"text", "profile", "fhir"} <= set(content["examples"])
    assert {"200", "413", "422"} <= set(post["responses"])
