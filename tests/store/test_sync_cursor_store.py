"""The sync cursor contract of the store (``load_sync_cursor`` / ``save_sync_cursor``) on
each backend: one state per API root, replaced whole, dropped with None, kept across
opening the store again."""

from __future__ import annotations

import pytest

from trialatlas.store import open_store

pytestmark = pytest.mark.postgres

ROOT = "https://clinicaltrials.gov/api/v2"
MIRROR = "http://127.0.0.1:8123/api/v2"


def test_one_cursor_per_api_root_replaced_dropped_and_kept(store_url: str) -> None:
    store = open_store(store_url)
    try:
        if not hasattr(store, "save_sync_cursor"):
            pytest.skip(f"{type(store).__name__} has no sync cursor yet")
        assert store.load_sync_cursor(ROOT) is None
        store.save_sync_cursor(ROOT, '{"since": "2024-01-01", "pages": 1}')
        store.save_sync_cursor(MIRROR, '{"since": null, "pages": 7}')
        store.save_sync_cursor(ROOT, '{"since": "2024-01-01", "pages": 2}')
        assert store.load_sync_cursor(ROOT) == '{"since": "2024-01-01", "pages": 2}'
    finally:
        store.close()
    again = open_store(store_url)
    try:
        assert again.load_sync_cursor(ROOT) == '{"since": "2024-01-01", "pages": 2}'
        again.save_sync_cursor(ROOT, None)
        again.save_sync_cursor(ROOT, None)  # dropping a missing one is no error
        assert again.load_sync_cursor(ROOT) is None
        assert again.load_sync_cursor(MIRROR) == '{"since": null, "pages": 7}'
    finally:
        again.close()
