"""The PostgreSQL schema: numbered migrations applied once, in order, even by two
openers at the same moment; a read-only opener refuses a database behind them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from trialatlas.store import StoreError, open_store
from trialatlas.store.postgres.schema import MIGRATIONS

pytestmark = pytest.mark.postgres


def _version(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
    assert row is not None
    return int(row[0])


def test_two_openers_of_an_empty_database_migrate_it_once(postgres_server) -> None:
    url = postgres_server.new_database("migrate")
    with ThreadPoolExecutor(2) as pool:
        stores = list(pool.map(lambda _: open_store(url), range(2)))
    for store in stores:
        assert store.count_studies() == 0
        store.close()
    assert _version(url) == len(MIGRATIONS)


def test_a_pending_migration_is_applied_when_opened_for_writing(postgres_server) -> None:
    url = postgres_server.new_database("upgrade")
    open_store(url).close()
    with psycopg.connect(url, autocommit=True) as conn:  # as a store of the first version
        conn.execute("DROP TABLE sync_cursors")
        conn.execute("DROP TABLE study_briefs")
        conn.execute("UPDATE schema_version SET version = 1")
    with pytest.raises(
        StoreError, match=f"schema version 1, this TrialAtlas reads {len(MIGRATIONS)}"
    ):
        open_store(url, read_only=True)
    store = open_store(url)
    try:
        store.save_sync_cursor("https://example.org/api/v2", '{"pages": 1}')
        assert store.load_sync_cursor("https://example.org/api/v2") == '{"pages": 1}'
    finally:
        store.close()
    assert _version(url) == len(MIGRATIONS)
    open_store(url, read_only=True).close()
