"""Bulk load: an ingest into an empty store builds the secondary indexes once, at the end."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.store import open_store
from trialatlas.store.sqlite.bulk import BulkLock, drop_indexes, expected_indexes

SEED = json.loads((sample_dir() / "NCT06001853.json").read_text())


def _schema(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


def _study(nct: str, last_update: str, title: str) -> dict:
    study = copy.deepcopy(SEED)
    study["protocolSection"]["identificationModule"]["nctId"] = nct
    study["protocolSection"]["identificationModule"]["briefTitle"] = title
    study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = last_update
    return study


def test_bulk_load_leaves_the_same_schema_as_row_by_row(tmp_path: Path) -> None:
    lines = [json.dumps(_study(f"NCT0910000{i}", "2025-01-01", f"Title {i}")) for i in range(5)]
    src = tmp_path / "five.jsonl"
    src.write_text("\n".join(lines) + "\n")
    bulk = tmp_path / "bulk.db"
    ingest_paths(open_store(str(bulk)), [str(src)], workers=2)  # empty store: bulk mode
    row_by_row = tmp_path / "rows.db"
    store = open_store(str(row_by_row))
    ingest_paths(store, [str(sample_dir() / "NCT06001853.json")])
    ingest_paths(store, [str(src)])  # not empty: indexes kept up row by row
    assert _schema(bulk) == _schema(row_by_row)
    assert not (tmp_path / "bulk.db-bulk").exists()
    assert expected_indexes()  # the declared set is known


def test_a_newer_version_in_the_same_bulk_load_replaces_the_first(tmp_path: Path) -> None:
    lines = [
        json.dumps(_study("NCT09100010", "2025-01-01", "Zebrafish")),
        json.dumps(_study("NCT09100011", "2025-01-01", "Other trial")),
        json.dumps(_study("NCT09100010", "2026-01-01", "Quokka")),
        json.dumps(_study("NCT09100010", "2024-01-01", "Wombat")),
    ]
    src = tmp_path / "versions.jsonl"
    src.write_text("\n".join(lines) + "\n")
    store = open_store(str(tmp_path / "s.db"))
    summary = ingest_paths(store, [str(src)])
    assert summary.line == "loaded 2, updated 1, unchanged 1, rejected 0"
    study = store.get_study("NCT09100010")
    assert study is not None and study.title == "Quokka"
    assert [h.nct_id for h in store.search_text("Quokka")] == ["NCT09100010"]
    assert store.search_text("Zebrafish") == [] and store.search_text("Wombat") == []
    assert store.execute("SELECT count(*) FROM studies_fts").fetchone()[0] == 2
    store.close()
    assert _schema(tmp_path / "s.db") == _schema_of_fresh(tmp_path)


def _schema_of_fresh(tmp_path: Path) -> list[tuple[str, str, str]]:
    fresh = tmp_path / "fresh.db"
    open_store(str(fresh)).close()
    return _schema(fresh)


def test_an_interrupted_bulk_load_is_repaired_when_next_opened(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(str(path)).close()
    conn = sqlite3.connect(path, isolation_level=None)
    drop_indexes(conn)  # what a load that died midway leaves
    conn.close()
    assert _schema(path) != _schema_of_fresh(tmp_path)
    held = BulkLock(path)
    assert held.acquire()  # a load still running: its indexes are left alone
    open_store(str(path)).close()
    assert _schema(path) != _schema_of_fresh(tmp_path)
    held.release()
    open_store(str(path)).close()  # nobody loading: rebuilt on open
    assert _schema(path) == _schema_of_fresh(tmp_path)
