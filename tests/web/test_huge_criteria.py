"""A record with 100,000 criterion lines (issue 14, item 10): its pre-screen page and API
read a bounded start of the criteria (it took about a minute to parse them all), say on
the page that the criteria were cut with a link to the full registry page, and leave the
unread rest to the study team; real records are read whole, exactly as before."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen import questionnaire
from trialatlas.features.prescreen.cut_criteria import REST_TEXT, criteria_read
from trialatlas.features.prescreen.questions import build_questionnaire
from trialatlas.features.text_bounds import MAX_CRITERIA_LINES, MAX_PAGE_TEXT_CHARS, first_lines
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.web.app import create_app

SEED = "NCT06001853"
HUGE = "NCT09999992"
LINES = 100_000
ITEMS = (
    "Age 18 years or older",
    "Hemoglobin at least 9 g/dL",
    "No prior chemotherapy within 6 months",
    "Pregnant or breastfeeding women",
    "History of myocardial infarction",
)
TAIL = "Zq8lastcriterion"


def _huge_record() -> dict[str, Any]:
    record = copy.deepcopy(json.loads((sample_dir() / f"{SEED}.json").read_text()))
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = HUGE
    lines = "\n".join(f"* {ITEMS[i % len(ITEMS)]} (item {i})" for i in range(LINES))
    protocol["eligibilityModule"]["eligibilityCriteria"] = (
        f"Inclusion Criteria:\n\n{lines}\n\nExclusion Criteria:\n\n* Receiving {TAIL}"
    )
    return record


@pytest.fixture(scope="module")
def huge_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("huge_criteria")
    source = folder / f"{HUGE}.json"
    source.write_text(json.dumps(_huge_record()))
    db = str(folder / "huge.db")
    store = open_store(db)
    try:
        summary = ingest_paths(store, [str(sample_dir() / f"{SEED}.json"), str(source)])
    finally:
        store.close()
    assert summary.rejected == 0, summary.rejects
    with TestClient(create_app(Settings(db_url=db)), raise_server_exceptions=False) as client:
        yield client


def test_the_questionnaire_api_reads_a_bounded_start(huge_client: TestClient) -> None:
    response = huge_client.get(f"/api/trials/{HUGE}/prescreen")
    assert response.status_code == 200
    form = response.json()
    questions = [q for g in form["groups"] for q in g["questions"]]
    assert 0 < len(questions) <= MAX_CRITERIA_LINES + 2  # was one per line: ~100,000
    assert form["criteria_cut"] is True
    assert TAIL not in response.text  # the last criterion was not read
    assert form["team_checks"][-1]["text"] == REST_TEXT  # … and is left to the study team
    assert len(response.content) < 2_000_000


def test_the_prescreen_page_says_the_criteria_were_cut(huge_client: TestClient, parse_html) -> None:
    response = huge_client.get(f"/trials/{HUGE}/prescreen")
    assert response.status_code == 200
    assert len(response.content) < 1_000_000
    tree = parse_html(response.text)
    notice = tree.find("p", cls="notice--cut")
    assert f"first {MAX_CRITERIA_LINES} lines" in notice.text
    link = notice.find("a")
    assert link.attrs["href"] == f"https://clinicaltrials.gov/study/{HUGE}"
    assert len(tree.find_all(cls="question")) <= MAX_CRITERIA_LINES + 2
    assert REST_TEXT in tree.find(cls="prescreen-team").text


def test_answers_are_screened_against_the_bounded_questionnaire(huge_client: TestClient) -> None:
    response = huge_client.post(f"/api/trials/{HUGE}/prescreen", json={"answers": {}})
    assert response.status_code == 200
    result = response.json()
    assert result["questions"] <= MAX_CRITERIA_LINES + 2
    assert len(result["verdicts"]) <= MAX_CRITERIA_LINES + 2
    assert result["team_checks"][-1]["text"] == REST_TEXT
    assert result["overall"] != "likely_eligible"


def test_the_seed_prescreen_page_is_not_cut(huge_client: TestClient) -> None:
    response = huge_client.get(f"/trials/{SEED}/prescreen")
    assert response.status_code == 200
    assert "notice--cut" not in response.text
    assert huge_client.get(f"/api/trials/{SEED}/prescreen").json()["criteria_cut"] is False


def test_real_records_are_read_whole(seed_store_path: str) -> None:
    """Every fixture record (real registry records) gives the very questionnaire its
    whole criteria text gives."""
    store = open_store(seed_store_path)
    try:
        studies = {study.nct_id: study for study in store.iter_studies()}
    finally:
        store.close()
    assert len(studies) > 5
    for study in studies.values():
        text = study.eligibility.criteria_text or ""
        assert criteria_read(text) == (text, False)
    seed = studies[SEED]
    whole = build_questionnaire(
        seed.nct_id,
        seed.title,
        parse_criteria(seed.eligibility.criteria_text or ""),
        seed.eligibility,
    )
    assert questionnaire(seed) == whole


def test_first_lines_keeps_whole_lines_within_both_bounds() -> None:
    text = "\n".join(f"line {i}" for i in range(1000))
    cut = first_lines(text)
    assert cut.splitlines() == [f"line {i}" for i in range(MAX_CRITERIA_LINES)]
    long_lines = "\n".join("y" * 99 for _ in range(450))  # 100 characters a line
    cut = first_lines(long_lines)
    assert len(cut) <= MAX_PAGE_TEXT_CHARS and set(cut.splitlines()) == {"y" * 99}
    assert first_lines("short\ntext") == "short\ntext"
    assert len(first_lines("x" * 50_000)) == MAX_PAGE_TEXT_CHARS


def test_the_line_bound_is_far_above_real_criteria() -> None:
    """The longest criteria among the 8,118 bundled records have 164 lines and 19,020
    characters (the registry caps the text at 20,000)."""
    assert MAX_CRITERIA_LINES >= 3 * 164
    assert MAX_PAGE_TEXT_CHARS >= 2 * 20_000
