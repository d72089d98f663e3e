"""`trialatlas sync` killed (SIGKILL) after its first page is stored, then run again,
ends with the same store as an uninterrupted sync."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from ctgov_replay import Fault, Registry, bundled_studies, nct_id, replay_server
from sync_support import PAGE_SIZE, run_sync, stored_records

from trialatlas.store import StoreError, open_store
from trialatlas.sync.cursor import SyncCursor

STUDIES = bundled_studies(60)


def _sync_cli(db: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "trialatlas", "sync", "--base-url", url, "--rate", "1000"]
        + ["--page-size", str(PAGE_SIZE), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _saved_cursor(db: Path, url: str) -> SyncCursor | None:
    """The cursor the running sync saved (None while there is none, or no store yet)."""
    if not db.exists():
        return None
    try:
        store = open_store(str(db), read_only=True)
    except StoreError:  # being created
        return None
    try:
        text = store.load_sync_cursor(url)
    except Exception:  # the schema is being made
        return None
    finally:
        store.close()
    return SyncCursor.from_json(text) if text is not None else None


def test_a_sync_killed_after_its_first_page_resumes_to_the_same_store(tmp_path: Path) -> None:
    with replay_server(Registry(STUDIES)) as url:
        whole = run_sync(tmp_path / "whole.db", url)
    assert whole.line == "loaded 60, updated 0, unchanged 0, rejected 0"

    held = threading.Event()
    registry = Registry(STUDIES, faults={2: Fault(hold=held)})  # page 2 waits
    db = tmp_path / "killed.db"
    with replay_server(registry) as url:
        run = _sync_cli(db, url)
        deadline = time.monotonic() + 120
        cursor = None
        while cursor is None and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            cursor = _saved_cursor(db, url)
        assert cursor is not None and cursor.pages == 1, run.communicate()
        while len(registry.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # killed while it waits for page 2
        assert len(registry.requests) == 2
        os.kill(run.pid, signal.SIGKILL)
        run.wait(30)
        held.set()
        stored = stored_records(db)
        assert len(stored) == PAGE_SIZE  # the first page, whole
        again = _sync_cli(db, url)
        out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "resuming the sync of every study after page 1" in err
    assert out.strip().splitlines()[-1] == whole.line
    assert registry.requests[2]["pageToken"] == cursor.page_token
    resumed_store = stored_records(db)
    assert resumed_store.keys() == {nct_id(s) for s in STUDIES}
    # every study's raw record and version as the uninterrupted sync stored them (the
    # sources name another port: the same endpoint, page and item)
    uninterrupted = stored_records(tmp_path / "whole.db")
    for nct, record in resumed_store.items():
        assert record[1].split("/api/v2/")[1] == uninterrupted[nct][1].split("/api/v2/")[1]
        assert record[0] == uninterrupted[nct][0] and record[2:] == uninterrupted[nct][2:]
    assert _saved_cursor(db, url) is None
