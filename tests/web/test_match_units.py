"""The ``/match`` form has its own distance unit (``unit=mi|km``, as the search page):
the radius menu speaks it and every distance in the results leads with it, without
JavaScript (a plain form POST through the real HTTP client)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from trialatlas.web.match_view import distance_in_unit

SEED = "NCT06001853"
NOTE = "55-year-old man with chronic facet-mediated low back pain for 3 years."
_PAIR = re.compile(r"[\d.,]+ (mi|km) \((?:under )?[\d.,]+ (mi|km)\)")


def _selected(select: Any) -> str:
    return next(o.attrs["value"] for o in select.find_all("option") if "selected" in o.attrs)


def _post(client: Any, parse_html: Callable[[str], Any], **fields: str) -> Any:
    response = client.post("/match", data={"text": NOTE, "near": "Orange Park, FL", **fields})
    assert response.status_code == 200, response.text
    return parse_html(response.text)


def _distances(page: Any) -> list[str]:
    return [s.text for s in page.find_all("span", cls="match__distance")]


def test_the_form_offers_miles_and_kilometres(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    page = parse_html(client.get("/match").text)
    unit = page.find("select", id="match-unit")
    assert unit.attrs["name"] == "unit" and _selected(unit) == "mi"
    assert {o.attrs["value"] for o in unit.find_all("option")} == {"mi", "km"}
    labels = {lab.attrs.get("for"): lab.text for lab in page.find_all("label")}
    assert labels["match-unit"] == "Show distances in"
    radius = [o.text for o in page.find("select", id="match-radius").find_all("option")]
    assert "50 miles" in radius and "Any distance" in radius


def test_km_is_used_for_the_radius_and_the_distances(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    page = _post(client, parse_html, radius="80km", unit="km")
    assert _selected(page.find("select", id="match-unit")) == "km"
    radius = page.find("select", id="match-radius")
    assert _selected(radius) == "80km"
    labels = [o.text for o in radius.find_all("option")]
    assert "80 km" in labels and "50 miles" not in labels
    seed = page.find("li", id=f"match-{SEED}")
    (distance,) = [s.text for s in seed.find_all("span", cls="match__distance")]
    assert {first for first, _ in _PAIR.findall(distance)} == {"km"}, distance
    assert "unit=km" in seed.find("a").attrs["href"]  # the trial page follows the choice


def test_the_unit_wins_over_the_radius_and_works_with_any_distance(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    in_km = _post(client, parse_html, radius="", unit="km")
    texts = _distances(in_km)
    assert texts and {f for t in texts for f, _ in _PAIR.findall(t)} == {"km"}, texts
    assert _selected(in_km.find("select", id="match-radius")) == ""  # any distance
    in_mi = _post(client, parse_html, radius="80km", unit="mi")
    texts = _distances(in_mi)
    assert texts and {f for t in texts for f, _ in _PAIR.findall(t)} == {"mi"}, texts
    default = _post(client, parse_html, radius="")
    assert {f for t in _distances(default) for f, _ in _PAIR.findall(t)} == {"mi"}


def test_an_unknown_unit_is_named_in_the_error(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    response = client.post("/match", data={"text": NOTE, "unit": "leagues"})
    assert response.status_code == 422
    errors = parse_html(response.text).find("div", cls="match-errors").text
    assert "unit: must be mi or km" in errors and "leagues" not in errors


def test_distance_words_lead_with_the_page_unit() -> None:
    assert distance_in_unit("about 13 mi (21 km)", "km") == "about 21 km (13 mi)"
    assert distance_in_unit("in Jacksonville, about 13 mi (21 km)", "km") == (
        "in Jacksonville, about 21 km (13 mi)"
    )
    assert distance_in_unit("2.4 km (1.5 mi)", "mi") == "1.5 mi (2.4 km)"
    assert distance_in_unit("under 1 mi (under 2 km)", "km") == "under 2 km (under 1 mi)"
    assert distance_in_unit("about 13 mi (21 km)", "mi") == "about 13 mi (21 km)"
    assert distance_in_unit("in Jacksonville", "km") == "in Jacksonville"
