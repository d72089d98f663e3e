"""Readers during a sync see whole trials only: each study's rows (core row, conditions,
raw record) all of its old version or all of its new one, never a mix."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from ctgov_replay import Registry, bundled_studies, replay_server
from sync_support import revised, run_sync

STUDIES = bundled_studies(80)
NEW_DATE = "2026-02-01"
SNAPSHOT = """
SELECT s.nct_id, s.brief_title, s.last_update_posted, r.last_update_posted,
       (SELECT count(*) FROM conditions c WHERE c.nct_id = s.nct_id AND c.name = 'Revised condition')
FROM studies s LEFT JOIN raw_records r ON r.nct_id = s.nct_id
"""


def _versions(db: Path) -> set[str]:
    """One read transaction over every study: which versions it saw ('old', 'new');
    fails on a study seen half old, half new."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        seen = set()
        for nct, title, core_date, raw_date, revised_rows in conn.execute(SNAPSHOT):
            new = (
                title.endswith("(revised)"),
                core_date == NEW_DATE,
                raw_date == NEW_DATE,
                revised_rows == 1,
            )
            assert all(new) or not any(new), f"{nct} half written: {new}"
            seen.add("new" if all(new) else "old")
        conn.execute("COMMIT")
        return seen
    finally:
        conn.close()


def test_readers_during_a_sync_see_whole_trials_only(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    registry = Registry(STUDIES)
    with replay_server(registry) as url:
        run_sync(db, url, page_size=10)
        assert _versions(db) == {"old"}
        registry.studies = [revised(s, NEW_DATE) for s in STUDIES]
        registry.delay_s = 0.1  # pages come in over time: a reader reads between them
        failures: list[BaseException] = []

        def sync() -> None:
            try:
                run_sync(db, url, since="2000-01-01", page_size=5)
            except BaseException as exc:  # reported below
                failures.append(exc)

        writer = threading.Thread(target=sync)
        writer.start()
        snapshots = []
        while writer.is_alive():
            snapshots.append(_versions(db))
        writer.join()
    assert not failures, failures
    assert _versions(db) == {"new"}
    assert {"old", "new"} in snapshots  # some reads happened half-way through the sync
