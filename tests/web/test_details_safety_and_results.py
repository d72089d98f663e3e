"""The registry page is safe with hostile registry text, and shows posted results as tables."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.settings import Settings
from trialatlas.store import open_store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HOSTILE_NCT_ID = "NCT09990001"
HOSTILE_TITLE = "<script>alert('x')</script> Study of <b>bold</b> & \"quoted\" things"
RESULTS_MESSAGE = "The study team has not published outcome measurements"


# --- escaping ----------------------------------------------------------------------------------


def hostile_record() -> dict[str, object]:
    """The seed trial with markup and a script link in its registry text."""
    data = json.loads((sample_dir() / "NCT06001853.json").read_text(encoding="utf-8"))
    protocol = data["protocolSection"]
    protocol["identificationModule"]["nctId"] = HOSTILE_NCT_ID
    protocol["identificationModule"]["briefTitle"] = HOSTILE_TITLE
    protocol["descriptionModule"]["briefSummary"] = "Summary with <img src=x onerror=alert(1)>."
    protocol["eligibilityModule"]["eligibilityCriteria"] = (
        "Inclusion Criteria:\n\n* Age \\> 18 <script>alert(2)</script>\n"
    )
    protocol["referencesModule"]["seeAlsoLinks"] = [
        {"label": "Click me", "url": "javascript:alert(3)"},
        {"label": "Registry site", "url": "https://example.org/trial?a=1&b=2"},
    ]
    return data


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A client over a store holding one record whose text tries to inject markup."""
    from fastapi.testclient import TestClient

    from trialatlas.web.app import create_app

    folder = tmp_path_factory.mktemp("hostile")
    record = folder / f"{HOSTILE_NCT_ID}.json"
    record.write_text(json.dumps(hostile_record()), encoding="utf-8")
    db = folder / "hostile.db"
    store = open_store(str(db))
    try:
        summary = ingest_paths(store, [str(record)])
    finally:
        store.close()
    assert summary.loaded == 1, summary
    with TestClient(create_app(Settings(db_url=str(db))), raise_server_exceptions=False) as client:
        yield client


def test_registry_text_is_escaped(hostile_client, parse_html: Callable[[str], Any]) -> None:
    response = hostile_client.get(f"/trials/{HOSTILE_NCT_ID}/details")
    assert response.status_code == 200
    html = response.text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    tree = parse_html(html)
    assert tree.find("h1").text == " ".join(HOSTILE_TITLE.split())
    assert not [s for s in tree.find_all("script")]
    hrefs = [a.attrs.get("href", "") for a in tree.find_all("a")]
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert "https://example.org/trial?a=1&b=2" in hrefs
    assert "Click me" in tree.find("section", id="related-links").text
    criteria = tree.find("div", cls="criteria--inclusion").find("li").text
    assert criteria == "Age > 18 <script>alert(2)</script>"


def test_json_keeps_registry_text_verbatim(hostile_client) -> None:
    body = hostile_client.get(f"/api/trials/{HOSTILE_NCT_ID}").json()
    assert body["header"]["title"] == HOSTILE_TITLE
    links = {link["label"]: link["url"] for link in body["see_also_links"]}
    assert links["Click me"] is None


# --- posted results ----------------------------------------------------------------------------


def test_posted_results_are_tables(client, parse_html: Callable[[str], Any]) -> None:
    record = json.loads((FIXTURES / "v2" / "NCT01768676.json").read_text(encoding="utf-8"))
    flow = record["resultsSection"]["participantFlowModule"]
    groups = [g["title"] for g in flow["groups"]]
    started = flow["periods"][0]["milestones"][0]
    assert started["type"] == "STARTED"
    expected = [a["numSubjects"] for a in started["achievements"]]

    response = client.get("/trials/NCT01768676/details")
    assert response.status_code == 200
    results = parse_html(response.text).find("section", id="results")
    assert RESULTS_MESSAGE not in results.text
    tables = results.find_all("table")
    assert len(tables) >= 3  # participant flow, baseline, outcome measures, adverse events
    flow_table = tables[0]
    headers = [th.text for th in flow_table.find("thead").find_all("th")][1:]
    assert headers == groups
    started_row = next(
        tr for tr in flow_table.find_all("tr") if tr.find_all("th")[0].text == "Started"
    )
    assert [td.text for td in started_row.find_all("td")] == expected
    titles = [s.text for s in results.find_all("span", cls="result__title")]
    measures = [
        m["title"] for m in record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    ]
    for title in measures:
        assert title in titles
    assert "Adverse events: overview" in titles
    assert re.search(r"\d+/\d+ \(\d+\.\d\d%\)", results.text)
