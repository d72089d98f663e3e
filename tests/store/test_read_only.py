"""A store opened read-only (the server's workers): same answers, no writes, no migration."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from trialatlas.features.search import search_trials
from trialatlas.model.search import SearchQuery
from trialatlas.store import StoreError, open_store

SEED = "NCT06001853"


@pytest.fixture()
def db(seed_store_path: str, tmp_path: Path) -> str:
    path = tmp_path / "copy.db"
    shutil.copy(seed_store_path, path)
    return str(path)


def test_read_only_store_reads_like_the_writable_one(db: str) -> None:
    writable = open_store(db)
    reader = open_store(db, read_only=True)
    try:
        assert reader.count_studies() == writable.count_studies() > 0
        assert reader.get_study(SEED) == writable.get_study(SEED)
        for query in (SearchQuery(text="back pain"), SearchQuery(status=["RECRUITING"])):
            got, want = search_trials(reader, query), search_trials(writable, query)
            assert got.results == want.results and got.facets == want.facets
            assert got.total == want.total
    finally:
        reader.close()
        writable.close()


def test_read_only_store_refuses_writes(db: str) -> None:
    writable = open_store(db)
    study = writable.get_study(SEED)
    raw = writable.get_raw(SEED)
    writable.close()
    assert study is not None and raw is not None
    reader = open_store(db, read_only=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.delete_orphan_vectors()
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("DELETE FROM studies")
        assert reader.get_study(SEED) == study
    finally:
        reader.close()


def test_read_only_open_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "none" / "x.db"
    with pytest.raises(StoreError, match="no store"):
        open_store(str(missing), read_only=True)
    assert not missing.parent.exists()


def test_read_only_open_of_an_unmigrated_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # an empty file: schema version 0
    with pytest.raises(StoreError, match="schema version 0"):
        open_store(str(path), read_only=True)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    finally:
        conn.close()


def test_read_only_store_reads_through_a_memory_map(db: str) -> None:
    """Workers share the store's pages in the OS page cache instead of each copying them."""
    reader = open_store(db, read_only=True)
    try:
        assert reader.count_studies() > 0
        mapped = {
            line.split(maxsplit=5)[5].strip()
            for line in Path("/proc/self/maps").read_text().splitlines()
            if len(line.split(maxsplit=5)) == 6
        }
        assert str(Path(db).resolve()) in mapped
    finally:
        reader.close()
