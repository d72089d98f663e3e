"""A record with a 20 MB text (issue 14, item 10): its pages read and render a bounded
start of each text with a "show more" way to the whole record, which the JSON still
carries in full; real records (all under the bound) are untouched."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trialatlas.features.patient_summary import builder
from trialatlas.features.text_bounds import MAX_PAGE_TEXT_CHARS, bounded, cut_text
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.web.app import create_app

SEED = "NCT06001853"
HUGE = "NCT09999991"
SENTENCE = "Participants receive the study drug and report their pain every week. "
HUGE_CHARS = 20_000_000
TAIL = "Zq8endofhugetext"


def _huge_record() -> dict[str, Any]:
    record = json.loads((sample_dir() / f"{SEED}.json").read_text())
    record = copy.deepcopy(record)
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = HUGE
    text = SENTENCE * (HUGE_CHARS // len(SENTENCE)) + TAIL
    protocol["descriptionModule"]["detailedDescription"] = text
    return record


@pytest.fixture(scope="module")
def huge_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("huge")
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


def test_the_registry_page_shows_a_bounded_start_and_a_way_to_the_rest(
    huge_client: TestClient, parse_html
) -> None:
    response = huge_client.get(f"/trials/{HUGE}/details")
    assert response.status_code == 200
    assert len(response.content) < 1_000_000  # was 20 MB
    assert TAIL not in response.text
    tree = parse_html(response.text)
    notice = tree.find("p", cls="notice--cut")
    links = {a.text: a.attrs["href"] for a in notice.find_all("a")}
    assert links["show more on ClinicalTrials.gov"] == f"https://clinicaltrials.gov/study/{HUGE}"
    whole = huge_client.get(links["the whole record as JSON"])
    assert whole.status_code == 200
    description = whole.json()["protocolSection"]["descriptionModule"]["detailedDescription"]
    assert description.endswith(TAIL) and len(description) > HUGE_CHARS - len(SENTENCE)


def test_the_patient_page_reads_a_bounded_text(
    huge_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    purpose = builder.purpose_answer

    def measured(study: Any, *args: Any) -> Any:
        seen.append(len(study.detailed_description or ""))
        return purpose(study, *args)

    monkeypatch.setattr(builder, "purpose_answer", measured)
    response = huge_client.get(f"/trials/{HUGE}")
    assert response.status_code == 200
    assert seen and max(seen) <= MAX_PAGE_TEXT_CHARS + 2  # was 20,000,000
    assert TAIL not in response.text


def test_the_api_keeps_the_whole_record(huge_client: TestClient) -> None:
    body = huge_client.get(f"/api/trials/{HUGE}").json()
    found = json.dumps(body)
    assert TAIL in found


def test_the_seed_record_is_not_cut(huge_client: TestClient) -> None:
    response = huge_client.get(f"/trials/{SEED}/details")
    assert response.status_code == 200
    assert "notice--cut" not in response.text


def test_cut_text_ends_at_a_break_and_says_so() -> None:
    text = "First sentence here. " * 5000
    cut = cut_text(text, 1000)
    assert len(cut) <= 1000 + 2
    assert cut.endswith("here. …")
    assert cut_text("short", 1000) == "short"


def test_bounded_returns_the_same_record_when_nothing_is_long(seed_store_path: str) -> None:
    store = open_store(seed_store_path)
    try:
        study = store.get_study(SEED)
    finally:
        store.close()
    assert study is not None
    assert bounded(study) is study
    short = bounded(study, 100)
    assert short is not study
    assert len(short.brief_summary or "") <= 102
    assert study.brief_summary and len(study.brief_summary) > 102  # the stored one is whole


def test_bounded_text_limit_is_above_real_registry_texts() -> None:
    """ClinicalTrials.gov caps its longest free text (detailed description) at 32,000
    characters: the page bound never cuts a real record."""
    assert MAX_PAGE_TEXT_CHARS > 32_000
