"""Where an interrupted sync stands: one row per registry API root (``sync_cursors``).

The state is the sync's own JSON text (see :mod:`trialatlas.sync.cursor`); the store
only keeps it, so a sync can resume after it was stopped.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime


def load_sync_cursor(conn: sqlite3.Connection, source: str) -> str | None:
    """The saved state of the sync from ``source``, None when there is none."""
    row = conn.execute("SELECT state FROM sync_cursors WHERE source = ?", (source,)).fetchone()
    return str(row[0]) if row is not None else None


def save_sync_cursor(conn: sqlite3.Connection, source: str, state: str | None) -> None:
    """Save (or, with ``state`` None, drop) the state of the sync from ``source``; one commit."""
    if state is None:
        conn.execute("DELETE FROM sync_cursors WHERE source = ?", (source,))
        return
    saved_at = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO sync_cursors (source, state, saved_at) VALUES (?, ?, ?)"
        " ON CONFLICT(source) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at",
        (source, state, saved_at),
    )
