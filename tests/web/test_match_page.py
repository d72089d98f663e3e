"""The ``/match`` page without JavaScript: the form, a plain form POST, the results with
"What we understood", escaping, errors, and the links to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SEED = "NCT06001853"
NOTE = (
    "55-year-old man with chronic facet-mediated low back pain for 3 years despite physical "
    "therapy and NSAIDs. No history of diabetes."
)


def test_get_shows_the_form(client: Any, parse_html: Callable[[str], Any]) -> None:
    response = client.get("/match")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = parse_html(response.text)
    form = page.find("form", cls="match-form")
    assert form.attrs["method"] == "post" and form.attrs["action"].startswith("/match")
    textarea = page.find("textarea", id="match-text")
    assert textarea.attrs["name"] == "text" and textarea.attrs.get("placeholder")
    labels = {lab.attrs.get("for"): lab.text for lab in page.find_all("label")}
    assert labels["match-text"] == "Describe the patient"
    for field in ("match-age", "match-sex", "match-conditions", "match-medications"):
        assert field in labels
    assert labels["match-near"] == "Near" and labels["match-open"] == "Open to enrollment only"
    assert page.find("select", id="match-radius")
    assert "not a medical decision" in page.find("p", cls="match-disclaimer").text
    assert not page.find_all("section", id="understood")


def test_site_navigation_and_home_link_to_the_match_page(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    for path in ("/", f"/trials/{SEED}/details"):
        page = parse_html(client.get(path).text)
        nav = page.find("nav", cls="site-nav")
        assert any(a.attrs.get("href") == "/match" for a in nav.find_all("a")), path
    home = parse_html(client.get("/").text)
    assert any(a.attrs.get("href") == "/match" for a in home.find("section", cls="hero").iter())


def test_form_post_shows_understood_and_explained_results(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    response = client.post("/match", data={"text": NOTE, "near": "", "radius": ""})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    page = parse_html(response.text)
    assert page.find("textarea", id="match-text").text == " ".join(NOTE.split())
    understood = page.find("section", id="understood")
    rows = {
        row.find("dt").text: row.find("dd").text
        for row in understood.find_all("div", cls="understood__row")
    }
    assert rows["Age"] == "55 years" and rows["Sex"] == "male"
    assert "back pain" in rows["Conditions"].lower()
    assert "diabetes" in rows["Ruled out"].lower()
    assert "diabetes" not in rows["Conditions"].lower()
    matches = page.find_all("li", cls="match")
    assert matches
    seed = page.find("li", id=f"match-{SEED}")
    assert seed.find("a").attrs["href"] == f"/trials/{SEED}"
    assert seed.find("span", cls="eligibility").text in (
        "Likely eligible",
        "Unlikely to be eligible",
        "Eligibility unknown",
    )
    assert seed.find("p", cls="match__why").text
    details = seed.find("details", cls="match__criteria")
    assert details.find("summary").text.startswith("Criterion by criterion")
    verdicts = details.find_all("li", cls="verdict")
    assert verdicts and all(v.find("span", cls="verdict__badge").text for v in verdicts)
    quotes = [q.text for q in details.find_all("blockquote", cls="match__evidence")]
    assert quotes and all(q.strip("“”").replace("From the description: ", "") for q in quotes)
    hrefs = [a.attrs.get("href") for a in seed.find_all("a")]
    assert f"/trials/{SEED}/prescreen" in hrefs


def test_profile_form_post(client: Any, parse_html: Callable[[str], Any]) -> None:
    data = {
        "text": "",
        "age": "55",
        "sex": "male",
        "conditions": "Low back pain\n\n",
        "medications": "Ibuprofen",
    }
    response = client.post("/match", data=data)
    assert response.status_code == 200, response.text
    page = parse_html(response.text)
    assert page.find("details", cls="match-profile").attrs.get("open") is not None
    assert page.find("input", id="match-age").attrs["value"] == "55"
    rows = {
        row.find("dt").text: row.find("dd").text
        for row in page.find("section", id="understood").find_all("div", cls="understood__row")
    }
    assert rows["Age"] == "55 years" and "Ibuprofen" in rows["Medicines"]
    assert page.find("li", id=f"match-{SEED}")


def test_everything_is_escaped(client: Any) -> None:
    evil = '<script>alert("x")</script> back pain <img src=x onerror=alert(1)>'
    response = client.post("/match", data={"text": evil, "near": '"><b>place'})
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;" in response.text
    assert '"><b>place' not in response.text


def test_errors_redisplay_the_form_without_echoing(
    client: Any, parse_html: Callable[[str], Any]
) -> None:
    response = client.post("/match", data={"text": "", "age": ""})
    assert response.status_code == 422
    page = parse_html(response.text)
    assert "describe the patient" in page.find("div", cls="match-errors").text
    response = client.post("/match", data={"text": "back pain", "age": "Qzv8hidden"})
    assert response.status_code == 422
    page = parse_html(response.text)
    assert "age: must be a number of years" in page.find("div", cls="match-errors").text
    # the form keeps what was typed (so it can be corrected), but the error does not quote it
    assert "Qzv8hidden" not in page.find("div", cls="match-errors").text
    assert page.find("textarea", id="match-text").text == "back pain"
