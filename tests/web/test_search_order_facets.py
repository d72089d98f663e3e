"""Issue 12, search that puts a patient first: open trials first by default in ``/search``
and ``/api/search`` (``order=relevance`` for one order), the page saying which order it
shows; every facet link round-trips (its count is the count of the search it opens);
registry codes such as study type ``NA`` read "Not applicable", never "Na"."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from trialatlas.model.codes import LABELS, label
from trialatlas.normalize.enumerations import _ENUMERATED

OPEN = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
NA_TYPE_TRIAL = "NCT03182660"  # the bundled trial whose legacy record says study type N/A


def _statuses(body: dict[str, Any]) -> list[str]:
    return [r["status"] for r in body["results"]]


def test_api_search_puts_open_trials_first_by_default(bundled_client) -> None:
    params = {"q": "low back pain", "limit": 100}
    grouped = bundled_client.get("/api/search", params=params).json()
    plain = bundled_client.get("/api/search", params={**params, "order": "relevance"}).json()
    assert grouped["open_first"] is True and plain["open_first"] is False
    assert grouped["total"] == plain["total"] == len(grouped["results"])
    n_open = grouped["open_total"]
    assert n_open == sum(s in OPEN for s in _statuses(plain)) > 0
    assert all(s in OPEN for s in _statuses(grouped)[:n_open])
    assert not any(s in OPEN for s in _statuses(grouped)[n_open:])
    assert _statuses(plain)[0] not in OPEN  # relevance alone: a completed trial first
    scores = [r["score"] for r in plain["results"]]
    assert scores == sorted(scores, reverse=True)
    for part in (grouped["results"][:n_open], grouped["results"][n_open:]):
        part_scores = [r["score"] for r in part]
        assert part_scores == sorted(part_scores, reverse=True)  # relevance in each group


def test_unknown_order_is_a_400_naming_the_parameter(bundled_client) -> None:
    response = bundled_client.get("/api/search", params={"q": "pain", "order": "random"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("order:")


def test_the_page_says_which_order_and_links_to_the_other(bundled_client, parse_html) -> None:
    page = parse_html(bundled_client.get("/search", params={"q": "low back pain"}).text)
    note = page.find("p", cls="results__order")
    assert "Open to enrollment first (18)" in note.text and "best match" in note.text
    switch = note.find("a")
    assert parse_qs(urlsplit(switch.attrs["href"]).query)["order"] == ["relevance"]
    other = parse_html(bundled_client.get(switch.attrs["href"]).text)
    back = other.find("p", cls="results__order")
    assert "Every trial by best match" in back.text
    assert "order" not in parse_qs(urlsplit(back.find("a").attrs["href"]).query)
    first_hit = other.find("li", cls="hit").find("span", cls="badge--status").text
    assert first_hit == "Completed"  # relevance alone, as before issue 12


def _count(page: Any) -> int:
    title = page.find("h2", cls="results__title").text
    if title.startswith("No trials"):
        return 0
    return int(title.split()[0].replace(",", ""))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "low back pain"},
        {"q": "asthma", "status": "COMPLETED"},
        {"q": "pain", "near": "Boston, MA", "radius": "50mi"},
        {"type": "OBSERVATIONAL", "country": "France"},
        {"q": "cancer", "order": "relevance", "phase": "NA"},
    ],
)
def test_every_facet_link_round_trips(bundled_client, parse_html, params) -> None:
    response = bundled_client.get("/search", params=params)
    assert response.status_code == 200
    page = parse_html(response.text)
    followed = 0
    for section in page.find_all("section", cls="facet"):
        if section.find_all("p", cls="facet__note"):
            continue  # counts over the best matches only (never in the bundled store)
        for link in section.find_all("a"):
            if "facet__value--active" in link.attrs.get("class", ""):
                continue  # removes the filter
            count = int(link.parent.find("span", cls="count").text.replace(",", ""))
            target = bundled_client.get(link.attrs["href"])
            assert target.status_code == 200, (link.text, link.attrs["href"])
            assert _count(parse_html(target.text)) == count, (link.text, link.attrs["href"])
            followed += 1
    assert followed >= 5


def test_study_type_na_reads_not_applicable(bundled_client, parse_html) -> None:
    page = parse_html(bundled_client.get("/search").text)
    study_type = next(
        s for s in page.find_all("section", cls="facet") if s.find("h3").text == "Study type"
    )
    labels = {a.text: a.attrs["href"] for a in study_type.find_all("a")}
    assert "Na" not in labels and "Not applicable" in labels
    target = bundled_client.get(labels["Not applicable"])
    assert target.status_code == 200
    assert NA_TYPE_TRIAL in target.text
    api = bundled_client.get("/api/search", params={"type": "NA"})
    assert api.status_code == 200 and api.json()["total"] >= 1
    details = parse_html(bundled_client.get(f"/trials/{NA_TYPE_TRIAL}/details").text).text
    assert "Study type Not applicable" in details
    assert not re.search(r"\bNa\b", details)


# enumerated field of the registry (normalize/enumerations.py) → its labels in LABELS
_KINDS = {
    "status.overall_status": "overall_status",
    "status.last_known_status": "overall_status",
    "design.study_type": "study_type",
    "design.phases[]": "phase",
    "design.allocation": "allocation",
    "design.intervention_model": "intervention_model",
    "design.primary_purpose": "primary_purpose",
    "design.masking": "masking",
    "eligibility.sex": "sex",
    "eligibility.std_ages[]": "std_age",
    "arms[].type": "arm_type",
    "interventions[].type": "intervention_type",
    "locations[].status": "site_status",
    "sponsors.lead_sponsor.org_class": "agency_class",
}


def test_every_code_the_registry_allows_has_a_label() -> None:
    """The fault class of "Na": a code without a label shown as its capitalized code."""
    missing = []
    for path, _v2, _xml, allowed in _ENUMERATED:
        kind = _KINDS[path]  # a new enumerated field needs its labels here
        missing += [(path, code) for code in sorted(allowed) if code not in LABELS[kind]]
    assert missing == []
    assert label("anything", "NA") == "Not applicable"
