"""The store layer: the only package that speaks SQL."""

from __future__ import annotations

from trialatlas.store.base import Store, StoredRecord, TextHit, WriteOutcome

__all__ = ["Store", "StoredRecord", "TextHit", "WriteOutcome", "open_store"]


def open_store(url: str) -> Store:
    """Open (and migrate) the store at ``url``: a SQLite file path, or a PostgreSQL URL."""
    if url.startswith(("postgresql://", "postgres://")):
        from trialatlas.store.postgres.store import PostgresStore

        return PostgresStore(url)
    from trialatlas.store.sqlite.store import SQLiteStore

    return SQLiteStore(url)
