"""`sync_studies` against a local stand-in of the API v2 serving real records: a full
sync, an incremental one, failures half-way (500, 429 with Retry-After, a server that
stays down, a forgotten page token) and a bad record among good ones."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest
from ctgov_replay import Fault, Registry, bundled_studies, nct_id, replay_server, update_date
from sync_support import PAGE_SIZE, renumbered, revised, run_sync, stored_records

from trialatlas.ingest import Reject, ingest_paths
from trialatlas.store import open_store
from trialatlas.sync.client import SyncStopped
from trialatlas.sync.cursor import SyncCursor
from trialatlas.sync.incremental import SyncEvents

STUDIES = bundled_studies(100)
NEW_DATE = "2026-01-15"


def test_a_full_sync_stores_every_study_as_ingesting_the_same_records_does(
    tmp_path: Path,
) -> None:
    registry = Registry(STUDIES)
    with replay_server(registry) as url:
        summary = run_sync(tmp_path / "synced.db", url)
    assert summary.line == "loaded 100, updated 0, unchanged 0, rejected 0"
    first = registry.requests[0]
    assert first["pageSize"] == str(PAGE_SIZE) and first["countTotal"] == "true"
    assert first["format"] == "json" and "query.term" not in first  # empty store: everything
    assert len(registry.requests) == 5 and all("pageToken" in q for q in registry.requests[1:])
    page = tmp_path / "page.json"
    page.write_bytes(orjson.dumps({"studies": STUDIES}))
    store = open_store(str(tmp_path / "ingested.db"))
    ingest_paths(store, [str(page)])
    store.close()
    synced, ingested = (
        stored_records(tmp_path / "synced.db"),
        stored_records(tmp_path / "ingested.db"),
    )
    assert synced.keys() == ingested.keys() == {nct_id(s) for s in STUDIES}
    for nct, record in synced.items():
        assert record[1].startswith(f"{url}/studies#page ")  # the endpoint, page and item
        assert record[2:] == ingested[nct][2:]  # same checksum, version, text, document
    store = open_store(str(tmp_path / "synced.db"), read_only=True)
    assert store.load_sync_cursor(url) is None  # done: nothing to resume
    store.close()


def test_an_incremental_sync_reads_from_the_newest_stored_date(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    registry = Registry(STUDIES)
    with replay_server(registry) as url:
        run_sync(db, url)
        newest = max(map(update_date, STUDIES))
        on_newest = sum(update_date(s) == newest for s in STUDIES)
        changed = [revised(s, NEW_DATE) for s in STUDIES[:10]]
        added = [renumbered(STUDIES[50 + i], f"NCT0990000{i}", NEW_DATE) for i in range(5)]
        registry.studies = changed + STUDIES[10:] + added
        registry.requests.clear()
        summary = run_sync(db, url)
    assert registry.requests[0]["query.term"] == f"AREA[LastUpdatePostDate]RANGE[{newest},MAX]"
    assert summary.line == f"loaded 5, updated 10, unchanged {on_newest}, rejected 0"
    store = open_store(str(db), read_only=True)
    try:
        assert store.count_studies() == 105
        study = store.get_study(nct_id(STUDIES[0]))
        assert study is not None and study.identification.brief_title.endswith("(revised)")
        assert "Revised condition" in study.conditions
        assert store.latest_update_posted() == NEW_DATE
    finally:
        store.close()


def test_an_explicit_since_is_the_query_start(tmp_path: Path) -> None:
    registry = Registry(STUDIES)
    with replay_server(registry) as url:
        summary = run_sync(tmp_path / "s.db", url, since="2024-01-01")
    expected = sum(update_date(s) >= "2024-01-01" for s in STUDIES)
    assert 0 < expected < 100
    assert summary.line == f"loaded {expected}, updated 0, unchanged 0, rejected 0"
    assert registry.requests[0]["query.term"] == "AREA[LastUpdatePostDate]RANGE[2024-01-01,MAX]"


def test_a_500_and_a_429_half_way_are_retried_and_change_nothing(tmp_path: Path) -> None:
    with replay_server(Registry(STUDIES)) as url:
        clean = run_sync(tmp_path / "clean.db", url)
    registry = Registry(
        STUDIES,
        faults={3: Fault(status=500), 5: Fault(status=429, headers={"Retry-After": "2"})},
    )
    waits: list[float] = []
    with replay_server(registry) as url2:
        summary = run_sync(tmp_path / "faulty.db", url2, waits=waits, backoff_max_s=5.0)
    assert summary.line == clean.line == "loaded 100, updated 0, unchanged 0, rejected 0"
    assert len(registry.requests) == 5 + 2  # each failed request asked again
    assert registry.requests[3] == registry.requests[2]  # the same page after the 500
    assert registry.requests[5] == registry.requests[4]  # the same page after the 429
    assert max(waits) > 1.9  # the server's Retry-After (2 s) was honoured
    assert _versions(tmp_path / "faulty.db") == _versions(tmp_path / "clean.db")


def _versions(db: Path) -> dict[str, tuple[object, ...]]:
    """Each study's checksum, version, raw text and document (not where it came from)."""
    return {nct: record[2:] for nct, record in stored_records(db).items()}


def test_a_server_that_stays_down_stops_the_sync_and_the_next_run_resumes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.db"
    down = {n: Fault(status=503) for n in range(3, 3 + 4)}  # page 3, four tries
    registry = Registry(STUDIES, faults=down)
    with replay_server(registry) as url:
        with pytest.raises(SyncStopped, match=r"gave up after 4 tries: HTTP 503") as stopped:
            run_sync(db, url, max_attempts=4)
        assert stopped.value.summary.line == "loaded 40, updated 0, unchanged 0, rejected 0"
        store = open_store(str(db), read_only=True)
        saved = store.load_sync_cursor(url)
        store.close()
        cursor = SyncCursor.from_json(saved or "")
        assert cursor is not None and cursor.pages == 2 and cursor.total == 100
        resumed: list[bool] = []
        events = SyncEvents(on_start=lambda cursor, again: resumed.append(again))
        summary = run_sync(db, url, events=events)
    assert resumed == [True]
    assert summary.line == "loaded 100, updated 0, unchanged 0, rejected 0"
    assert registry.requests[-4]["pageToken"] == cursor.page_token  # went on at page 3
    assert "countTotal" not in registry.requests[-4]


def test_a_forgotten_page_token_restarts_from_the_newest_stored_date(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    registry = Registry(STUDIES, faults={3: Fault(status=503)})
    with replay_server(registry) as url:
        with pytest.raises(SyncStopped):
            run_sync(db, url, max_attempts=1)
        store = open_store(str(db), read_only=True)
        cursor = SyncCursor.from_json(store.load_sync_cursor(url) or "")
        store.close()
        assert cursor is not None and cursor.newest_update is not None
        registry.token_secret = "restarted"  # the server no longer knows the saved token
        notices: list[str] = []
        summary = run_sync(db, url, events=SyncEvents(on_notice=notices.append))
    assert "pageToken expired" in notices[0] and cursor.newest_update in notices[0]
    redone = sum(update_date(s) == cursor.newest_update for s in STUDIES)
    assert summary.line == f"loaded 100, updated 0, unchanged {redone}, rejected 0"
    assert stored_records(db).keys() == {nct_id(s) for s in STUDIES}


def test_a_timeout_and_a_cut_short_page_are_retried(tmp_path: Path) -> None:
    faults = {2: Fault(hold=threading.Event()), 4: Fault(status=200, body=b'{"studies": [{"pro')}
    registry = Registry(STUDIES, faults=faults)
    with replay_server(registry) as url:
        summary = run_sync(tmp_path / "s.db", url, timeout_s=0.5)
    assert summary.line == "loaded 100, updated 0, unchanged 0, rejected 0"
    assert len(registry.requests) == 5 + 2
    assert registry.requests[1] == registry.requests[2]  # page 2 again after the timeout


def test_an_answer_that_is_not_a_studies_page_stops_at_once(tmp_path: Path) -> None:
    registry = Registry(STUDIES, faults={1: Fault(status=200, body=b'{"error": "no"}')})
    with (
        replay_server(registry) as url,
        pytest.raises(SyncStopped, match="not an API v2 studies page"),
    ):
        run_sync(tmp_path / "s.db", url)
    assert len(registry.requests) == 1


def test_a_bad_record_in_a_page_is_rejected_alone_with_its_nct_id(tmp_path: Path) -> None:
    bad = revised(STUDIES[7], "2026-02-01")
    bad["protocolSection"]["statusModule"]["overallStatus"] = {"not": "a status"}
    rejects: list[Reject] = []
    with replay_server(Registry([*STUDIES[:7], bad, *STUDIES[8:40]])) as url:
        summary = run_sync(tmp_path / "s.db", url, events=SyncEvents(on_reject=rejects.append))
    assert summary.line == "loaded 39, updated 0, unchanged 0, rejected 1"
    assert [r.nct_id for r in rejects] == [nct_id(bad)]
    assert rejects[0].source == f"{url}/studies" and rejects[0].position == "page 2 item 20"
    assert "overallStatus" in rejects[0].reason
