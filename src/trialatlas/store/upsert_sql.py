"""SQL text of the writes both backends spell alike but for the driver's positional
placeholder (``mark``: ``?`` for sqlite3, ``%s`` for psycopg): upserts by NCT ID and
plain inserts of child rows, and the row of a raw record."""

from __future__ import annotations

import functools

from trialatlas.store.prepared import PreparedStudy

RAW_RECORD_COLUMNS = (
    "nct_id", "format", "source", "checksum", "last_update_posted", "loaded_at", "body"
)  # fmt: skip


@functools.cache
def upsert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    """Insert a row of ``columns``, or replace every column of the row with its NCT ID."""
    cols = ", ".join(columns)
    marks = ", ".join(mark for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "nct_id")
    return (
        f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        f" ON CONFLICT (nct_id) DO UPDATE SET {updates}"
    )


@functools.cache
def insert_sql(table: str, width: int, mark: str) -> str:
    """Insert a row of ``width`` values, in the table's column order."""
    return f"INSERT INTO {table} VALUES ({', '.join(mark for _ in range(width))})"


def raw_record_row(prep: PreparedStudy, loaded_at: str) -> tuple[object, ...]:
    """The values of :data:`RAW_RECORD_COLUMNS` of the study's raw record."""
    return (
        prep.nct_id,
        prep.raw_format,
        prep.raw_source,
        prep.checksum,
        prep.last_update_posted,
        loaded_at,
        prep.raw_body,
    )
