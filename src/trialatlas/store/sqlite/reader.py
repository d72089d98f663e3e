"""What the store's query modules need of the store (a way to run one read query), and
the reads they share."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Protocol


class Reader(Protocol):
    """Runs one read query on the calling thread's connection (``SQLiteStore.execute``)."""

    def execute(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor: ...


_NAME_TABLES = frozenset({"conditions", "interventions", "keywords"})


def names_by_study(
    conn: sqlite3.Connection | Reader, table: str, nct_ids: list[str]
) -> dict[str, list[str]]:
    """The ``name`` rows of a child table (conditions, interventions, keywords) of these
    studies, in registry order."""
    if table not in _NAME_TABLES:
        raise ValueError(f"no name table {table!r}")
    marks = ", ".join("?" for _ in nct_ids)
    out: dict[str, list[str]] = {}
    for nct, name in conn.execute(
        f"SELECT nct_id, name FROM {table} WHERE nct_id IN ({marks}) ORDER BY nct_id, ordinal",
        nct_ids,
    ):
        out.setdefault(nct, []).append(name)
    return out
