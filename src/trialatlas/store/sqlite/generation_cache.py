"""Answers worked out from the store, kept while the store generation stays the same.

Every write that changes a study moves the store generation (migration 4), so an
answer that depends only on the stored studies (how many there are, how many hold a
term) is still right while the generation has not moved: a page asks such questions
of the same common terms again and again ("Pain", "Neoplasms"), and at full registry
scale each answer reads thousands of index entries. The cache is per store object
(shared by its threads) and bounded; a new generation empties it.

An answer computed while a writer commits may already see the newer studies and be
kept under the older generation: readers still at that generation are shown it for
the moment it takes them to see the new one (then it is never read again).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from trialatlas.store.sqlite.search_columns import read_generation

T = TypeVar("T")
MAX_ANSWERS = 20_000  # kept per store object (small values: counts)


class GenerationCache:
    """``get(conn, key, compute)``: the kept answer for ``key`` at the store's current
    generation, else ``compute()`` (then kept)."""

    def __init__(self, max_answers: int = MAX_ANSWERS) -> None:
        self._max = max_answers
        self._generation: int | None = None
        self._answers: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def get(self, conn: sqlite3.Connection, key: Hashable, compute: Callable[[], T]) -> T:
        generation = read_generation(conn)
        with self._lock:
            if self._generation == generation and key in self._answers:
                return self._answers[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            if self._generation != generation:
                self._answers = {}
                self._generation = generation
            if len(self._answers) >= self._max:
                self._answers.pop(next(iter(self._answers)))  # the oldest answer
            self._answers[key] = value
        return value
