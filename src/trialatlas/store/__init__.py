"""The store layer: the only package that speaks SQL."""

from __future__ import annotations

from trialatlas.store.base import Store, StoredRecord, TextHit, WriteOutcome

__all__ = ["Store", "StoreError", "StoredRecord", "TextHit", "WriteOutcome", "open_store"]


class StoreError(Exception):
    """The store cannot be opened or used as asked."""


def open_store(url: str, *, read_only: bool = False) -> Store:
    """Open (and migrate) the store at ``url``: a SQLite file path, or a PostgreSQL URL.

    ``read_only``: never write (no migration; writes fail); the store must exist and
    be at the current schema.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from trialatlas.store.postgres.store import PostgresStore, StoreUnavailable

        try:
            return PostgresStore(url, read_only=read_only)
        except StoreUnavailable as exc:
            raise StoreError(str(exc)) from exc
    import sqlite3
    from pathlib import Path

    from trialatlas.store.sqlite.store import SQLiteStore

    if read_only and not Path(url).is_file():
        raise StoreError(f"no store at {url}")
    try:
        return SQLiteStore(url, read_only=read_only)
    except sqlite3.DatabaseError as exc:
        if not read_only:
            raise
        raise StoreError(str(exc)) from exc
