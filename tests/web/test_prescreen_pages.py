"""The pre-screening page (no JavaScript needed), its JSON twin, privacy, and a real browser."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

NCT = "NCT06001853"
PAGE = f"/trials/{NCT}/prescreen"
API = f"/api/trials/{NCT}/prescreen"
VAS_TEXT = "at least 30mm and not more than 90mm"


def _questions(client: Any) -> list[dict[str, Any]]:
    body = client.get(API).json()
    return [q for group in body["groups"] for q in group["questions"]]


def _find(
    questions: list[dict[str, Any]], needle: str, answer_type: str | None = None
) -> dict[str, Any]:
    return next(
        q
        for q in questions
        if any(needle in c["text"] for c in q["checks"]) and answer_type in (None, q["answer_type"])
    )


def _fine_form(questions: list[dict[str, Any]]) -> dict[str, str]:
    """Form fields that meet every check, as a browser would send them."""
    data: dict[str, str] = {}
    for q in questions:
        check = q["checks"][0]["check"]
        if check["kind"] == "yes_no":
            data[q["id"]] = "no" if check["disqualifying"] else "yes"
        elif check["kind"] == "choice":
            data[q["id"]] = check["allowed"][0]
        elif check["kind"] == "elapsed":
            data[q["id"]] = "2015-01"
        elif q["not_applicable"]:
            data[f"{q['id']}__na"] = "yes"
        else:
            for value in (98.6, 60, 40, 75, 20, 5, 1, 0, 120):  # possible ones first (°F)
                ok = all(
                    (
                        (c["check"]["low"] is None or value >= c["check"]["low"])
                        and (c["check"]["high"] is None or value <= c["check"]["high"])
                    )
                    == c["check"]["inside_meets"]
                    for c in q["checks"]
                )
                if ok:
                    data[q["id"]] = str(value)
                    break
    return data


# ---- the HTML form --------------------------------------------------------------------


def test_form_page_works_without_javascript(client: Any, parse_html: Callable[[str], Any]) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert f"<{API}>" in response.headers["link"]
    doc = parse_html(response.text)
    assert "<script" not in response.text
    form = doc.find("form", cls="prescreen-form")
    assert form.attrs["method"] == "post" and form.attrs["action"] == PAGE
    names = {n.attrs.get("name") for n in form.iter() if n.tag in ("input", "select")}
    for q in _questions(client):
        assert q["id"] in names or f"{q['id']}__na" in names
    assert "not medical advice" in doc.find(cls="prescreen-disclaimer").text
    legends = [n.text for n in doc.find_all("legend", cls="prescreen-group__title")]
    assert legends[:2] == ["About you", "Your condition"]
    assert "Tests and measurements" in legends and "Past treatments" in legends
    assert doc.find("section", cls="prescreen-team")


def test_form_round_trip(client: Any, parse_html: Callable[[str], Any]) -> None:
    questions = _questions(client)
    data = _fine_form(questions)
    response = client.post(PAGE, data=data)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    doc = parse_html(response.text)
    assert doc.find(cls="prescreen-overall").text == "Likely eligible"
    assert "the study team decides" in response.text
    verdicts = doc.find("details", cls="prescreen-verdicts").find_all("li", cls="verdict")
    assert len(verdicts) == len({c["key"] for q in questions for c in q["checks"]})
    assert all("verdict--met" in v.attrs["class"] for v in verdicts)

    vas = _find(questions, VAS_TEXT, "number")
    response = client.post(PAGE, data=data | {vas["id"]: "95", f"{vas['id']}__unit": "mm"})
    doc = parse_html(response.text)
    assert doc.find(cls="prescreen-overall").text == "Likely not eligible"
    failed = doc.find("ul", cls="prescreen-failed").find_all("li", cls="verdict")
    assert len(failed) == 1 and VAS_TEXT in failed[0].text
    assert "95 mm; the trial needs 30 to 90 mm" in failed[0].text
    vas_input = doc.find("input", id=f"in-{vas['id']}")
    assert vas_input.attrs["value"] == "95"  # the form comes back filled in

    response = client.post(PAGE, data=data | {vas["id"]: "6", f"{vas['id']}__unit": "cm"})
    assert parse_html(response.text).find(cls="prescreen-overall").text == "Likely eligible"

    partial = dict(data)
    del partial[vas["id"]]
    doc = parse_html(client.post(PAGE, data=partial).text)
    assert doc.find(cls="prescreen-overall").text == "Needs the study team"
    open_items = doc.find("details", cls="prescreen-open")
    assert "open" in open_items.attrs and VAS_TEXT in open_items.text


def test_unknown_trial_is_404(client: Any) -> None:
    assert client.get("/trials/NCT00000000/prescreen").status_code == 404
    assert client.post("/trials/NCT00000000/prescreen", data={}).status_code == 404
    moved = client.get(f"/trials/{NCT.lower()}/prescreen", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == PAGE


# ---- the JSON API ---------------------------------------------------------------------


def test_api_questionnaire(client: Any) -> None:
    response = client.get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["nct_id"] == NCT and body["team_checks"]
    vas = _find(_questions(client), VAS_TEXT, "number")
    assert vas["unit"] == "mm" and vas["criterion_index"] is not None
    assert vas["disqualifying_answer"] == "Below 30 mm or above 90 mm"


def test_api_prescreen_answers_profile_and_fhir(client: Any) -> None:
    vas = _find(_questions(client), VAS_TEXT, "number")
    response = client.post(API, json={"answers": {vas["id"]: 95}})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["overall"] == "likely_not_eligible"
    assert [r["text"] for r in body["not_met"]][0].startswith("Low back pain of at least 30mm")

    profile = {
        "profile": {"age": 40, "labs": [{"name": "low back pain VAS", "value": 9.5, "unit": "cm"}]}
    }
    body = client.post(API, json=profile).json()
    assert body["overall"] == "likely_not_eligible"
    vas_verdict = next(v for v in body["verdicts"] if VAS_TEXT in v["text"])
    assert vas_verdict["verdict"] == "not_met" and "9.5 cm (95 mm)" in vas_verdict["reason"]

    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "Low back pain VAS"},
                    "valueQuantity": {"value": 60, "unit": "mm"},
                }
            }
        ],
    }
    body = client.post(API, json=bundle).json()
    vas_verdict = next(v for v in body["verdicts"] if VAS_TEXT in v["text"])
    assert "60 mm" in vas_verdict["reason"]
    assert body["overall"] == "needs_study_team"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": []}, "answers"),
        ({"profile": {"labs": [{"name": "x", "value": "abc"}]}}, "profile.labs.0.value"),
        ({"profile": {"sex": "robot"}}, "profile.sex"),
        ({"hello": 1}, "body"),
        ([1, 2], "body"),
        ({"resourceType": "Bundle"}, "type"),
    ],
)
def test_api_bad_body_names_the_field(client: Any, body: Any, field: str) -> None:
    response = client.post(API, json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith(f"{field}:")


def test_api_unknown_trial_and_bad_json(client: Any) -> None:
    response = client.post("/api/trials/NCT00000000/prescreen", json={"answers": {}})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/api/trials/NCT00000000/prescreen").status_code == 404
    response = client.post(API, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "error" in response.json()
    assert response.headers["cache-control"] == "no-store"  # errors are never cached either


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b'{"answers": {"age": 40,}}',
        b"\xff\xfe",
    ],
)
def test_api_every_malformed_body_is_not_stored(client: Any, body: bytes) -> None:
    response = client.post(API, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["cache-control"] == "no-store"


def test_api_unknown_answer_ids_are_rejected_by_name(client: Any) -> None:
    vas = _find(_questions(client), VAS_TEXT, "number")
    body = {"answers": {vas["id"]: 50, "c7zz": "no", "agee": 40}}
    response = client.post(API, json=body)
    assert response.status_code == 422
    assert response.headers["cache-control"] == "no-store"
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith("answers:")
    assert "'c7zz'" in error["message"] and "'agee'" in error["message"]
    assert vas["id"] not in error["message"].split(";")[0]
    with_profile = client.post(API, json={"profile": {"age": 40}, "answers": {"c7zz": "no"}})
    assert with_profile.status_code == 422 and "'c7zz'" in with_profile.text
    known = client.post(API, json={"answers": {vas["id"]: 50, f"{vas['id']}__unit": "mm"}})
    assert known.status_code == 200


# ---- privacy --------------------------------------------------------------------------


def test_answers_and_profiles_are_never_stored_or_logged(
    client: Any, seed_store_path: str, caplog: pytest.LogCaptureFixture
) -> None:
    marker = f"zz-marker-{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)
    vas = _find(_questions(client), VAS_TEXT, "number")
    profile = {
        "age": 44,
        "free_text": f"my secret {marker}",
        "conditions": [{"name": f"chronic low back pain {marker}"}],
        "medications": [{"name": marker}],
        "labs": [{"name": f"low back pain VAS {marker}", "value": 50, "unit": "mm"}],
    }
    responses = [
        client.post(API, json={"profile": profile, "answers": {vas["id"]: marker}}),
        client.post(API, json={"profile": {**profile, "unknown": marker}}),  # an invalid body too
        client.post(PAGE, data={vas["id"]: marker, "c0": marker, marker: marker}),
    ]
    # an unreadable answer is refused naming the field (never a verdict), like a bad profile
    assert [r.status_code for r in responses] == [422, 422, 422]
    assert all(r.headers["cache-control"] == "no-store" for r in responses)
    assert marker not in responses[0].text  # error messages name the field, not the value
    assert marker not in responses[1].text
    stored = b"".join(p.read_bytes() for p in Path(seed_store_path).parent.iterdir() if p.is_file())
    assert marker.encode() not in stored
    assert marker not in caplog.text
    assert all(marker not in r.getMessage() and marker not in str(r.args) for r in caplog.records)


# ---- a real browser -------------------------------------------------------------------


@pytest.mark.browser
def test_browser_fills_the_form_and_sees_the_verdict(
    chromium: Any, seed_server: str, tmp_path: Path
) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{seed_server}{PAGE}")
        assert page.get_by_role("heading", name="Could this trial be right for you?").is_visible()
        page.get_by_label("How old are you?").fill("52")
        vas = page.get_by_label(
            "On a 0 to 100 mm pain scale (VAS), how strong is your low back pain?"
        )
        vas.fill("9.5")
        vas_id = (vas.get_attribute("id") or "").removeprefix("in-")
        page.locator(f"#unit-{vas_id}").select_option("cm")
        pregnancy = page.get_by_role(
            "group",
            name="Are you pregnant or breastfeeding, or planning to become pregnant during the study?",
        )
        pregnancy.get_by_label("No", exact=True).check()
        page.screenshot(path=str(tmp_path / "prescreen-form.png"), full_page=False)
        page.get_by_role("button", name="Check my answers").click()
        page.wait_for_load_state("domcontentloaded")
        overall = page.locator(".prescreen-overall")
        assert overall.inner_text() == "Likely not eligible"
        failed = page.locator(".prescreen-failed .verdict")
        assert failed.count() == 1
        assert "9.5 cm (95 mm); the trial needs 30 to 90 mm" in failed.inner_text()
        assert page.get_by_label("How old are you?").input_value() == "52"
        shot = tmp_path / "prescreen-result.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        # The verdict panel is coloured "stop" (red) for a not-eligible result.
        colour = page.locator(".prescreen-result").evaluate(
            "e => getComputedStyle(e).borderTopColor"
        )
        assert colour == "rgb(164, 38, 44)"
    finally:
        page.close()
