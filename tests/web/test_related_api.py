"""Related trials over HTTP: the JSON API, the trial JSON, the registry page and the patient page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import escape

SEED = "NCT06001853"
ITEM_KEYS = {"nct_id", "title", "overall_status", "status_label", "open", "score", "reasons"}


def test_related_api_shape(bundled_client: Any) -> None:
    response = bundled_client.get(f"/api/trials/{SEED}/related")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"nct_id", "related", "more_related"} and body["nct_id"] == SEED
    assert len(body["related"]) == 5 and len(body["more_related"]) == 10
    for item in body["related"] + body["more_related"]:
        assert set(item) == ITEM_KEYS
        assert item["nct_id"] != SEED and item["reasons"] and 0 < item["score"] <= 1
        assert isinstance(item["open"], bool)
    assert "/details#related" in response.headers["link"]


def test_related_api_unknown_trial_is_a_json_404(bundled_client: Any) -> None:
    response = bundled_client.get("/api/trials/NCT00000000/related")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_trial_json_carries_the_same_lists(bundled_client: Any) -> None:
    related = bundled_client.get(f"/api/trials/{SEED}/related").json()
    body = bundled_client.get(f"/api/trials/{SEED}").json()
    assert body["related"] == related["related"]
    assert body["more_related"] == related["more_related"]


def test_details_page_shows_both_sections_escaped(
    bundled_client: Any, parse_html: Callable[[str], Any]
) -> None:
    related = bundled_client.get(f"/api/trials/{SEED}/related").json()
    response = bundled_client.get(f"/trials/{SEED}/details")
    assert response.status_code == 200
    html = response.text
    page = parse_html(html)
    for sid, items in (("related", related["related"]), ("more-related", related["more_related"])):
        section = page.find("section", id=sid)
        assert "hidden" not in section.attrs
        links = [a.attrs["href"] for a in section.find_all("a")]
        assert links == [f"/trials/{t['nct_id']}/details" for t in items]
        for t in items:
            assert str(escape(t["title"])) in html  # registry text, escaped
            assert str(escape(t["reasons"][0])) in section.text or t["reasons"][0] in section.text
    marks = page.find_all("span", cls="related__open")
    opened = [t for t in related["related"] + related["more_related"] if t["open"]]
    assert len(marks) == len(opened)
    assert all(m.text == "Open to enrollment" for m in marks)
    toc = page.find("nav", cls="toc").text
    assert "Related Clinical Trials" in toc and "More Related Trials" in toc


def test_patient_page_lists_similar_trials(
    bundled_client: Any, parse_html: Callable[[str], Any]
) -> None:
    related = bundled_client.get(f"/api/trials/{SEED}/related").json()["related"]
    page = parse_html(bundled_client.get(f"/trials/{SEED}").text)
    section = page.find("section", id="similar")
    assert section.find("h2").text == "Similar trials"
    items = section.find_all("li")
    assert 3 <= len(items) <= 5
    assert [li.find("a").attrs["href"] for li in items] == [
        f"/trials/{t['nct_id']}" for t in related[: len(items)]
    ]
    for li, t in zip(items, related, strict=False):
        assert li.find("p", cls="related__reason").text == t["reasons"][0]
