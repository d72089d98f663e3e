"""Bulk load into an empty SQLite store: secondary indexes are built once, at the end.

Keeping a dozen secondary indexes up to date row by row costs more than writing the
rows themselves (sites alone carry six); sorting the finished tables into fresh
indexes costs a fraction of that. So an ingest that starts on an empty store drops
the secondary indexes, loads, and creates them again when it ends: the schema is the
same afterwards. While that runs the loader holds an exclusive lock on the file
``<store>-bulk``; if it dies before the end, whoever opens the store next for
writing and finds the lock free rebuilds the missing indexes. A reader in the
meantime gets the same answers, only slower.

The set of indexes a store must have is read from a scratch in-memory database
migrated to the same schema, so this module never repeats the schema.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import sqlite3
from pathlib import Path
from typing import IO

from trialatlas.store.sqlite.schema import migrate

BULK_CACHE_KIB = 512 * 1024  # writer page cache while bulk loading (sorts for the indexes)


@functools.cache
def expected_indexes() -> tuple[tuple[str, str], ...]:
    """(name, CREATE INDEX statement) of every secondary index the schema declares."""
    scratch = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(scratch)
        rows = scratch.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " ORDER BY rowid"
        ).fetchall()
    finally:
        scratch.close()
    return tuple((str(name), str(sql)) for name, sql in rows)


def missing_indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """The declared secondary indexes this store lacks (all present: empty list)."""
    have = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    return [(name, sql) for name, sql in expected_indexes() if name not in have]


_HELD: set[IO[bytes]] = set()  # the bulk locks this process holds


def _close_held_in_child() -> None:
    """After a fork, in the child: drop the inherited lock files (the parent keeps its lock)."""
    for fh in list(_HELD):
        with contextlib.suppress(OSError):
            fh.close()  # this process's copy only: the parent's keeps the lock
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-bulk")


class BulkLock:
    """The loader's claim on a store in bulk mode (an exclusive ``flock``).

    Processes forked while it is held (the record preparers) close their copy at
    once, so a killed loader's surviving children never keep the store locked.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = _lock_path(db_path)
        self._fh: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        fh = open(self.path, "ab")  # noqa: SIM115 (kept open while locked)
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        _HELD.add(fh)
        return True

    def release(self) -> None:
        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        _HELD.discard(self._fh)
        self._fh.close()
        self._fh = None


def drop_indexes(conn: sqlite3.Connection) -> None:
    """Drop every declared secondary index (in one transaction)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        for name, _sql in expected_indexes():
            if name in have:
                conn.execute(f'DROP INDEX "{name}"')
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def build_indexes(conn: sqlite3.Connection, in_transaction: bool = False) -> None:
    """Create the declared secondary indexes the store lacks (one transaction unless
    the caller's is already open)."""
    if not in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for _name, sql in missing_indexes(conn):
            conn.execute(sql)
        if not in_transaction:
            conn.execute("COMMIT")
    except BaseException:
        if not in_transaction:
            conn.execute("ROLLBACK")
        raise


def repair_interrupted_load(conn: sqlite3.Connection, db_path: Path) -> None:
    """Rebuild the indexes a bulk load that died left missing, and remove the lock file
    it left behind (nothing missing and no lock file: no-op). Silent: a rerun after a
    killed load just works.

    A load still running holds the lock; its indexes and its file are left to it.
    """
    if not _lock_path(db_path).exists() and not missing_indexes(conn):
        return
    lock = BulkLock(db_path)
    if not lock.acquire():
        return
    try:
        build_indexes(conn)
    finally:
        lock.release()
