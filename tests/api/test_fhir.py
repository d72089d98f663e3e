"""FHIR R4: ResearchStudy resources, searchset Bundles and the CapabilityStatement,
each validated with the fhir.resources R4B models."""

from __future__ import annotations

from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.researchstudy import ResearchStudy

from trialatlas.api.fhir import study_to_research_study
from trialatlas.api.fhir.codes import STATUS, phase_code
from trialatlas.store import open_store

SEED = "NCT06001853"
FHIR_JSON = "application/fhir+json"


def _contained(resource: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    wanted = reference["reference"].removeprefix("#")
    return next(r for r in resource["contained"] if r["id"] == wanted)


def test_seed_trial_as_research_study(client: Any) -> None:
    response = client.get(f"/fhir/ResearchStudy/{SEED}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    body = response.json()
    study = ResearchStudy.model_validate(body)
    assert study.id == SEED
    assert {"system": "https://clinicaltrials.gov", "value": SEED, "use": "official"} in body[
        "identifier"
    ]
    assert study.status == "closed-to-accrual"  # ACTIVE_NOT_RECRUITING
    assert study.phase.coding[0].code == "phase-2"
    assert (
        study.phase.coding[0].system == "http://terminology.hl7.org/CodeSystem/research-study-phase"
    )
    assert study.primaryPurposeType.coding[0].code == "treatment"
    assert str(study.period.start) == "2023-11-03"
    assert _contained(body, body["sponsor"])["name"] == "Mayo Clinic"
    site = _contained(body, body["site"][0])
    assert site["resourceType"] == "Location"
    assert site["name"] == "Mayo Clinic in Florida"
    assert site["address"]["city"] == "Jacksonville"
    # placed at its ZIP code (32224) centroid, not the registry's city centre
    assert site["position"] == {"latitude": 30.3031, "longitude": -81.4404}
    assert "Wenchun Qu" in _contained(body, body["principalInvestigator"])["name"][0]["text"]
    group = _contained(body, body["enrollment"][0])
    assert group["resourceType"] == "Group" and group["quantity"] == 40
    conditions = {c["text"]: c for c in body["condition"]}
    assert {"Lumbar Facet Arthropathy", "Low Back Pain"} <= set(conditions)
    assert "coding" not in conditions["Low Back Pain"]  # the record has no MeSH: none invented
    assert [a["name"] for a in body["arm"]] == ["Arm A Treatment", "Arm B: DMSO Crossover"]
    assert body["location"][0]["coding"][0]["code"] == "US"


def test_every_fixture_record_converts_and_validates(seed_store_path: str) -> None:
    store = open_store(seed_store_path)
    try:
        studies = list(store.iter_studies())
    finally:
        store.close()
    assert len(studies) >= 7
    for study in studies:
        resource = study_to_research_study(study)
        validated = ResearchStudy.model_validate(resource)
        assert validated.id == study.nct_id
        assert validated.status == STATUS[study.status.overall_status]
        refs = {f"#{r['id']}" for r in resource.get("contained", [])}
        used = {s["reference"] for s in resource.get("site", [])}
        assert used <= refs  # every site is a contained Location


def test_legacy_xml_records_convert_and_validate(bundled_store_path: str) -> None:
    store = open_store(bundled_store_path)
    try:
        rows = store.execute(  # type: ignore[attr-defined]
            "SELECT nct_id FROM raw_records WHERE format = 'ctgov_xml' ORDER BY nct_id"
        ).fetchall()
        ids = [r[0] for r in rows][::200]
        studies = store.get_studies(ids)
    finally:
        store.close()
    assert len(studies) > 30
    for study in studies.values():
        ResearchStudy.model_validate(study_to_research_study(study))


def test_phase_combinations() -> None:
    assert phase_code(["PHASE2", "PHASE1"]) == ("phase-1-phase-2", "Phase 1/Phase 2")
    assert phase_code(["NA"]) == ("n-a", "N/A")
    assert phase_code(["PHASE1", "PHASE3"]) is None


def test_unknown_study_is_a_404_operation_outcome(client: Any) -> None:
    response = client.get("/fhir/ResearchStudy/NCT99999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(FHIR_JSON)
    outcome = OperationOutcome.model_validate(response.json())
    assert outcome.issue[0].code == "not-found"
    other = client.get("/fhir/Patient/123")
    assert other.status_code == 404
    assert OperationOutcome.model_validate(other.json()).issue[0].code == "not-supported"


def test_search_condition_status_near_returns_a_valid_searchset(bundled_client: Any) -> None:
    response = bundled_client.get(
        "/fhir/ResearchStudy",
        params={
            "condition": "low back pain",
            "status": "active,closed-to-accrual",
            "near": "Jacksonville, FL|25|mi",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "searchset"
    ids = [e.resource.id for e in bundle.entry]
    assert SEED in ids and bundle.total == len(ids)
    for entry in bundle.entry:
        assert entry.resource.status in ("active", "closed-to-accrual")
        assert entry.fullUrl.endswith(f"/fhir/ResearchStudy/{entry.resource.id}")


def test_search_near_coordinates_and_paging(bundled_client: Any) -> None:
    params = {"near": "30.33|-81.66|40|km", "_count": "3"}
    seen: list[str] = []
    body = bundled_client.get("/fhir/ResearchStudy", params=params).json()
    total = body["total"]
    for _ in range(100):
        Bundle.model_validate(body)
        seen += [e["resource"]["id"] for e in body.get("entry", [])]
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        if not nxt:
            break
        body = bundled_client.get(nxt[0]).json()
    assert len(seen) == total == len(set(seen)) > 3
    assert SEED in seen


def test_search_by_id_and_count(client: Any) -> None:
    body = client.get("/fhir/ResearchStudy", params={"_id": f"{SEED},NCT00122499"}).json()
    Bundle.model_validate(body)
    assert {e["resource"]["id"] for e in body["entry"]} == {SEED, "NCT00122499"}
    body = client.get("/fhir/ResearchStudy", params={"_count": "2"}).json()
    assert len(body["entry"]) == 2 and body["total"] >= 7
    assert any(link["relation"] == "next" for link in body["link"])
    total_only = client.get("/fhir/ResearchStudy", params={"_count": "0"}).json()
    Bundle.model_validate(total_only)  # _count=0: the total, no entries, no next page
    assert total_only["total"] == body["total"] and "entry" not in total_only
    assert not any(link["relation"] == "next" for link in total_only["link"])
    none = client.get("/fhir/ResearchStudy", params={"status": "disapproved"}).json()
    assert Bundle.model_validate(none).total == 0 and "entry" not in none  # no empty arrays


@pytest.mark.parametrize(
    "params",
    [
        {"status": "recruiting"},
        {"near": "Nowhereville Qqq|10|km"},
        {"near": "30|-81|-5|km"},
        {"_count": "many"},
        {"_cursor": "damaged"},
        {"identifier": "urn:other|X1"},
    ],
)
def test_bad_searches_are_400_operation_outcomes(client: Any, params: dict[str, str]) -> None:
    response = client.get("/fhir/ResearchStudy", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert OperationOutcome.model_validate(response.json()).issue[0].code == "invalid"


def test_unknown_parameters_are_ignored_unless_strict(client: Any) -> None:
    lenient = client.get("/fhir/ResearchStudy", params={"foo": "1", "_count": "1"})
    assert lenient.status_code == 200
    assert "foo" not in lenient.json()["link"][0]["url"]
    strict = client.get("/fhir/ResearchStudy?foo=1", headers={"Prefer": "handling=strict"})
    assert strict.status_code == 400
    assert client.get("/fhir/ResearchStudy", params={"_format": "xml"}).status_code == 406


def test_metadata_is_a_valid_capability_statement(client: Any) -> None:
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    statement = CapabilityStatement.model_validate(response.json())
    assert statement.fhirVersion == "4.0.1"
    resource = statement.rest[0].resource[0]
    assert resource.type == "ResearchStudy"
    assert {i.code for i in resource.interaction} == {"read", "search-type"}
    assert {"condition", "status", "near"} <= {p.name for p in resource.searchParam}
