"""Issue 12: distances on the patient page and the search page. The seed site (Mayo
Clinic in Florida, ZIP 32224) is placed by its ZIP code, never shown as an exact
"0.0 mi", and each page leads every distance with one unit (miles unless the visitor
chose km), the other in brackets."""

from __future__ import annotations

import re

SEED = "NCT06001853"
_PAIR = re.compile(r"[\d.,]+ (mi|km|miles?)\b[^()]*?\((?:under |about )?[\d.,]+ (mi|km|miles?)\)")


def _units(page) -> set[tuple[str, str]]:
    """(first, bracketed) unit of every distance the clinic finder says on the page."""
    texts = [
        node.text
        for cls in ("clinic-summary", "clinic-farther", "clinic__distance")
        for node in page.find_all(None, cls=cls)
    ]
    return {(a[:2], b[:2]) for text in texts for a, b in _PAIR.findall(text)}


def test_near_the_seed_zip_within_10_miles_lists_mayo_clinic(client, parse_html) -> None:
    response = client.get(f"/trials/{SEED}", params={"near": "32224", "radius": "10mi"})
    assert response.status_code == 200
    page = parse_html(response.text)
    summary = page.find("p", cls="clinic-summary").text
    assert "1 site within 10 miles (16 km)" in summary, summary
    distance = page.find("span", cls="clinic__distance").text
    assert distance == "under 1 mi (under 2 km)"
    assert "0.0 mi" not in response.text and "No sites within" not in response.text
    assert _units(page) == {("mi", "km")}


def test_a_radius_in_km_makes_every_distance_of_the_page_km_first(client, parse_html) -> None:
    response = client.get(f"/trials/{SEED}", params={"near": "Orange Park, FL", "radius": "5km"})
    assert response.status_code == 200
    page = parse_html(response.text)
    assert "No sites within 5 km (3.1 miles)" in page.find("p", cls="clinic-summary").text
    farther = page.find("p", cls="clinic-farther").text
    assert re.search(r"about \d+ km \(\d+ mi\)", farther), farther
    assert _units(page) == {("km", "mi")}


def test_search_says_how_far_the_nearest_site_is_in_miles_first(client, parse_html) -> None:
    response = client.get("/search", params={"q": "low back pain", "near": "Jacksonville, FL"})
    assert response.status_code == 200
    page = parse_html(response.text)
    seed = next(h for h in page.find_all("li", cls="hit") if SEED in h.text)
    text = seed.find("span", cls="hit__distance").text
    assert text == "about 13 mi (21 km)"  # ZIP 32224 is 13 mi from the city's centre
    api = client.get("/api/search", params={"q": "low back pain", "near": "32224"}).json()
    hit = next(h for h in api["results"] if h["nct_id"] == SEED)
    assert hit["nearest_site"]["precision"] == "zip"
    assert hit["nearest_site"]["distance_text"] == "under 1 mi (under 2 km)"
