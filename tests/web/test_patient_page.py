"""The patient page ``/trials/{nct_id}`` and the clinic finder API, through the real app."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from trialatlas.model.study import Arm, Location
from trialatlas.normalize.ctgov_v2 import normalize_v2
from trialatlas.sample import sample_dir
from trialatlas.settings import Settings
from trialatlas.sources.records import RawRecord
from trialatlas.store import open_store

SEED = "NCT06001853"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SECTIONS = [
    "Trial Summary",
    "Research Team",
    "Eligibility Criteria",
    "Timeline",
    "Treatment Details",
    "Find a Clinic Near You",
    "Who Is Running the Clinical Trial?",
    "Similar trials",
]


@pytest.fixture(scope="module")
def seed_page(client: Any) -> str:
    response = client.get(f"/trials/{SEED}")
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="module")
def seed_json(client: Any) -> dict[str, Any]:
    response = client.get(f"/api/trials/{SEED}")
    assert response.status_code == 200
    return response.json()["patient_summary"]


def test_page_follows_seed_000(
    client: Any, seed_page: str, parse_html: Callable[[str], Any]
) -> None:
    doc = parse_html(seed_page)
    assert doc.find("h1").text == "BM-MSC Injection for Low Back Pain"
    assert (
        doc.find(id="official-title").text
        == "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
    )
    main = doc.find("main")
    assert [h.text for h in main.find_all("h2")] == SECTIONS
    assert [h.text.split()[0] for h in main.find_all("h3", cls="timeline__title")] == [
        "Screening", "Treatment", "Crossover", "Follow-up",
    ]  # fmt: skip
    team = doc.find(id="team").text
    assert (
        "Wenchun Qu, MD, PhD" in team and "Principal Investigator" in team and "Mayo Clinic" in team
    )
    assert (
        "Mayo Clinic" in doc.find(id="sponsors").text
        and "Lead Sponsor" in doc.find(id="sponsors").text
    )
    assert doc.find(id="clinics").find("form").attrs["method"] == "get"
    links = [a.attrs.get("href") for a in doc.find_all("a")]
    assert f"/trials/{SEED}/details" in links
    response = client.get(f"/trials/{SEED}")
    assert (
        response.headers["link"]
        == f'</api/trials/{SEED}>; rel="alternate"; type="application/json"'
    )


def test_html_and_json_come_from_the_same_result(
    seed_page: str, seed_json: dict[str, Any], parse_html: Callable[[str], Any]
) -> None:
    doc = parse_html(seed_page)
    assert doc.find("h1").text == seed_json["title"]["text"]
    for answer in seed_json["answers"]:
        block = doc.find(id=f"q-{answer['id']}")
        assert block.find("h3").text == answer["question"]
        spans = block.find_all("span", cls="sentence")
        assert [s.text for s in spans] == [" ".join(x["text"].split()) for x in answer["sentences"]]
        assert [s.attrs["data-sources"].split() for s in spans] == [
            x["sources"] for x in answer["sentences"]
        ]
    timeline = doc.find(id="timeline")
    assert [h.text.split()[0] for h in timeline.find_all("h3")] == [
        step["title"].split()[0] for step in seed_json["timeline"]
    ]
    plain = doc.find(cls="eligibility__plain").find_all("span", cls="sentence")
    assert [s.text for s in plain] == [x["text"] for x in seed_json["eligibility"]["sentences"]]
    assert seed_json["readability"]["grade"] <= 8
    assert f"grade {seed_json['readability']['grade']:.1f}" in seed_page


def test_medication_answer_on_the_page(seed_page: str, parse_html: Callable[[str], Any]) -> None:
    text = parse_html(seed_page).find(id="q-medications").text
    assert "systemic immunosuppressant medications" in text
    assert "anti-rheumatic disease medication" in text and "3 months" in text
    assert "trial team" in text


def test_clinic_finder_works_without_javascript(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    response = client.get(f"/trials/{SEED}", params={"near": "Jacksonville, FL", "radius": "25mi"})
    assert response.status_code == 200
    doc = parse_html(response.text)
    clinics = doc.find(id="clinics")
    assert doc.find(id="near").attrs["value"] == "Jacksonville, FL"
    selected = [o for o in doc.find(id="radius").find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["25mi"]
    site = clinics.find("li", cls="clinic")
    assert "Mayo Clinic in Florida" in site.text
    distance = site.find(cls="clinic__distance").text
    assert distance == "about 13 mi (21 km)"  # placed by its ZIP code, 32224; miles first
    assert (
        "within 25 miles (40 km), nearest first from Jacksonville, Florida, United States"
        in clinics.text
    )


def test_unknown_place_gets_a_friendly_message_with_suggestions(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    response = client.get(f"/trials/{SEED}", params={"near": "Jaksonvile, FL"})
    assert response.status_code == 200
    problem = parse_html(response.text).find(id="place-problem")
    assert "We could not find that place" in problem.text
    assert "Jaksonvile" not in problem.text  # the place typed is not repeated (issue 14)
    suggestion = problem.find("a")
    assert suggestion.text == "Jacksonville, Florida, United States"
    assert suggestion.attrs["href"].startswith(f"/trials/{SEED}?near=Jacksonville%2C+Florida")


def test_clinics_api_nearest_first_with_distance_status_and_contacts(client: Any) -> None:
    response = client.get(
        f"/api/trials/{SEED}/clinics", params={"near": "Jacksonville, FL", "radius": "25km"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["place"]["label"] == "Jacksonville, Florida, United States"
    site = data["sites"][0]
    assert site["facility"] == "Mayo Clinic in Florida"
    assert site["distance_km"] <= 25
    assert {"status_code", "status_label", "contacts", "location_precision"} <= set(site)
    assert response.headers["link"].startswith(f"</trials/{SEED}?near=Jacksonville")


def test_clinics_api_errors(client: Any) -> None:
    unknown = client.get(f"/api/trials/{SEED}/clinics", params={"near": "Jaksonvile, FL"})
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert error["code"] == "unknown_place"
    assert "Jacksonville, Florida, United States" in error["suggestions"]
    bad_radius = client.get(
        f"/api/trials/{SEED}/clinics", params={"near": "Jacksonville, FL", "radius": "far"}
    )
    assert bad_radius.status_code == 400 and "radius" in bad_radius.json()["error"]["message"]
    missing = client.get("/api/trials/NCT99999999/clinics")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    listed = client.get(f"/api/trials/{SEED}/clinics")
    assert listed.status_code == 200 and listed.json()["place"] is None


def test_ids_are_canonicalized_and_unknown_trials_get_the_404_page(client: Any) -> None:
    moved = client.get(
        "/trials/nct06001853", params={"near": "Jacksonville"}, follow_redirects=False
    )
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/trials/{SEED}?near=Jacksonville#clinics"
    missing = client.get("/trials/NCT99999999")
    assert missing.status_code == 404 and "Trial not found" in missing.text


# --- registry text is untrusted --------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from trialatlas.web.app import create_app

    study = normalize_v2(json.loads((sample_dir() / f"{SEED}.json").read_text()))
    study.brief_summary = f"The purpose of this study is to test {HOSTILE} in people."
    study.arms.append(
        Arm(label=f"Arm C {HOSTILE}", type="SHAM_COMPARATOR", intervention_names=[HOSTILE])
    )
    study.locations.append(
        Location(facility=HOSTILE, city="Orlando", state="Florida", country="United States")
    )
    study.overall_officials[0].name = HOSTILE
    study.eligibility.criteria_text = f"Inclusion Criteria:\n\n* {HOSTILE}\n\nExclusion Criteria:\n\n* Taking {HOSTILE} medications"
    path = Path(tmp_path_factory.mktemp("hostile")) / "hostile.db"
    store = open_store(str(path))
    text = study.model_dump_json()
    store.write_study(
        study,
        RawRecord(source="t", position="1", format="ctgov_v2", text=text, data=json.loads(text)),
    )
    store.close()
    with TestClient(create_app(Settings(db_url=str(path)))) as client:
        yield client


def test_registry_text_and_the_place_box_are_escaped(hostile_client: Any) -> None:
    response = hostile_client.get(f"/trials/{SEED}", params={"near": "<script>alert(2)</script>"})
    assert response.status_code == 200
    html = response.text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        or "&lt;script&gt;alert(&quot;x&quot;)" in html
    )
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    api = hostile_client.get(f"/api/trials/{SEED}")
    assert api.status_code == 200 and HOSTILE in api.text.replace("\\u003c", "<").replace(
        '\\"', '"'
    )


def test_patient_page_links_to_the_prescreener(client: Any, seed_page: str) -> None:
    assert seed_page.count('href="/trials/NCT06001853/prescreen"') == 2
    assert client.get("/trials/NCT06001853/prescreen").status_code == 200
