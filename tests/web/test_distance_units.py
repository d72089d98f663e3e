"""Issue 12: one distance unit per page, the visitor's choice (``unit=mi|km``) on the
patient page, the clinics API, the search page and /api/search; the distance menus
offer it and speak the page's unit."""

from __future__ import annotations

import re

SEED = "NCT06001853"
_PAIR = re.compile(
    r"(?:under |about )?[\d.,]+ (mi|km|miles?)\b[^()]*?\((?:under |about )?[\d.,]+ (mi|km|miles?)\)"
)


def _firsts(texts: list[str]) -> set[str]:
    return {a[:2] for text in texts for a, _ in _PAIR.findall(text)}


def _selected(select) -> str:  # noqa: ANN001
    return next(o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs)


def test_patient_page_in_km_when_the_visitor_chooses_km(client, parse_html) -> None:
    params = {"near": "Orange Park, FL", "radius": "25mi", "unit": "km"}
    page = parse_html(client.get(f"/trials/{SEED}", params=params).text)
    summary = page.find("p", cls="clinic-summary").text
    assert "within 40 km (25 miles)" in summary, summary
    texts = [n.text for n in page.find_all("span", cls="clinic__distance")]
    assert texts and _firsts(texts) == {"km"}, texts
    assert _selected(page.find("select", id="unit")) == "km"
    radius_labels = [o.text for o in page.find("select", id="radius").find_all("option")]
    assert "25 km" in radius_labels and "25 miles" not in radius_labels


def test_clinics_api_takes_the_unit(client) -> None:
    params = {"near": "Orange Park, FL", "radius": "25mi", "unit": "km"}
    body = client.get(f"/api/trials/{SEED}/clinics", params=params).json()
    assert body["unit"] == "km" and body["radius_text"].startswith("40 km")
    assert _firsts([s["distance_text"] for s in body["sites"]]) == {"km"}
    bad = client.get(f"/api/trials/{SEED}/clinics", params={**params, "unit": "leagues"})
    assert bad.status_code in (400, 422) and "unit" in bad.text


def test_api_search_takes_the_unit(client) -> None:
    params = {"q": "low back pain", "near": "Jacksonville, FL", "unit": "km"}
    body = client.get("/api/search", params=params).json()
    hit = next(h for h in body["results"] if h["nct_id"] == SEED)
    assert hit["nearest_site"]["distance_text"] == "about 21 km (13 mi)"
    assert body["unit"] == "km" and body["place"]["radius_text"] == "80 km (50 miles)"
    miles = client.get("/api/search", params={**params, "unit": "mi"}).json()
    assert (
        next(h for h in miles["results"] if h["nct_id"] == SEED)["nearest_site"]["distance_text"]
        == "about 13 mi (21 km)"
    )
    bad = client.get("/api/search", params={**params, "unit": "leagues"})
    assert bad.status_code in (400, 422) and "unit" in bad.text


def test_search_page_in_km_says_every_distance_km_first(client, parse_html) -> None:
    params = {"q": "low back pain", "near": "Jacksonville, FL", "unit": "km"}
    page = parse_html(client.get("/search", params=params).text)
    assert "within 80 km (50 miles) of Jacksonville" in page.find("h2", cls="results__title").text
    texts = [n.text for n in page.find_all("span", cls="hit__distance")]
    assert texts and _firsts(texts) == {"km"}, texts
    assert _selected(page.find("select", id="search-unit")) == "km"
    assert _selected(page.find("select", id="search-radius")) == "80km"


def test_a_radius_in_km_makes_the_search_page_km_first(client, parse_html) -> None:
    params = {"q": "low back pain", "near": "Jacksonville, FL", "radius": "40km"}
    page = parse_html(client.get("/search", params=params).text)
    texts = [n.text for n in page.find_all("span", cls="hit__distance")]
    assert texts and _firsts(texts) == {"km"}, texts
