"""The store layer: the only package that speaks SQL."""

from __future__ import annotations

from trialatlas.store.base import Store, StoredRecord, TextHit, WriteOutcome

__all__ = ["Store", "StoreError", "StoredRecord", "TextHit", "WriteOutcome", "open_store"]


class StoreError(Exception):
    """The store cannot be opened or used as asked."""


def open_store(url: str) -> Store:
    """Open (and migrate) the store at ``url``: a SQLite file path, or a PostgreSQL URL."""
    if url.startswith(("postgresql://", "postgres://")):
        raise StoreError(
            "PostgreSQL is not available in this version yet; use a SQLite file path"
        )
    from trialatlas.store.sqlite.store import SQLiteStore

    return SQLiteStore(url)
