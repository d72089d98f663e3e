"""What the store's query modules need of the store: a way to run one read query."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Protocol


class Reader(Protocol):
    """Runs one read query on the calling thread's connection (``SQLiteStore.execute``)."""

    def execute(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor: ...
