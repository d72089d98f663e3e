"""The SQLite store: WAL, one writer, thread-local readers, one transaction per study.

Opened ``read_only`` (the web server's worker processes) every connection opens
the file read-only (``mode=ro``): the workers read while one ``ingest`` writes, and WAL
gives each read the last committed state (a study's rows are one transaction, so a
reader sees a trial whole, before or after its update).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trialatlas.model.study import Study
from trialatlas.sources.records import RawRecord
from trialatlas.store.base import WriteOutcome
from trialatlas.store.prepared import PreparedStudy, prepare_study
from trialatlas.store.sqlite.briefs import briefs_missing, fill_missing_briefs, write_brief
from trialatlas.store.sqlite.bulk import (
    BULK_CACHE_KIB,
    BulkLock,
    build_indexes,
    drop_indexes,
    repair_interrupted_load,
)
from trialatlas.store.sqlite.reads import StoreReads
from trialatlas.store.sqlite.schema import CHILD_TABLES, check_schema, migrate
from trialatlas.store.sqlite.search_columns import SearchColumnsCache
from trialatlas.store.upsert_sql import RAW_RECORD_COLUMNS, insert_sql, raw_record_row, upsert_sql
from trialatlas.store.write_rules import write_outcome

if TYPE_CHECKING:
    import numpy as np

    from trialatlas.store.site_rows import NewPoint


class SQLiteStore(StoreReads):
    """Studies in one SQLite file. Safe to share across threads (reads per thread).

    Connections and writes are here; the reads are in :class:`StoreReads` (reads.py).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._bulk_lock: BulkLock | None = None
        self._indexes_deferred = False  # bulk load: secondary indexes built at its end
        self._search_columns = SearchColumnsCache(self._connect)
        conn = self._conn()
        if read_only:
            check_schema(conn, self.path)
        else:
            migrate(conn)
            repair_interrupted_load(conn, self.path)
            if briefs_missing(conn):  # a store from before briefs were kept (migration 10)
                fill_missing_briefs(conn)

    # -- connections ---------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        """A new connection, set up like every connection of the store (its caller owns it)."""
        if self.read_only:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            # the file is opened read-only (temp tables, used by some searches, still work);
            # its pages are read through a memory map, shared by every reader thread and
            # process in the OS page cache, so each connection keeps a small cache of its own
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA mmap_size={_READER_MMAP_BYTES}")
            cache_kib = _READER_CACHE_KIB
        else:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            cache_kib = _CACHE_KIB
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute(f"PRAGMA cache_size=-{cache_kib}")
        conn.execute("PRAGMA temp_store=MEMORY")
        return conn

    def close(self) -> None:
        with self._conns_lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
        self._local = threading.local()

    # -- writes ----------------------------------------------------------------------
    def write_study(self, study: Study, raw: RawRecord) -> WriteOutcome:
        """Store one study and its raw record in one transaction (see write_prepared)."""
        return self.write_prepared(prepare_study(study, raw))

    def write_prepared(self, prep: PreparedStudy) -> WriteOutcome:
        """Apply one prepared study in its own transaction (see write_many)."""
        return self.write_many([prep])[0]

    def write_many(self, preps: list[PreparedStudy]) -> list[WriteOutcome]:
        """Apply prepared studies, each atomically, committing them as one group.

        Each study is written inside its own savepoint, so a failure undoes that
        study alone. Same checksum → ``unchanged``; an older last-update date than the
        stored one, or the same date from a poorer format (legacy XML after API v2 JSON:
        the same version twice) → ``older`` (nothing written); otherwise the new version replaces
        the old one completely (``updated``) or is added (``loaded``).

        The full-text rows of the group are inserted together just before the
        commit, in the same transaction: FTS5 writes a new index segment at every
        savepoint boundary it has pending text for, so inserting them study by study
        would make one segment (and its later merges) per study. Any failure rolls
        the whole group back, so a committed study always has all its rows.
        """
        outcomes: list[WriteOutcome] = []
        with self._write_lock:
            conn = self._conn()
            loaded_at = datetime.now(UTC).isoformat(timespec="seconds")
            fts: dict[int, tuple[str, ...]] = {}
            conn.execute("BEGIN IMMEDIATE")
            try:
                for prep in preps:
                    outcomes.append(self._write_one(conn, prep, loaded_at, fts))
                if fts:
                    conn.executemany(_FTS_INSERT, [(rowid, *text) for rowid, text in fts.items()])
                    conn.execute(_NEXT_GENERATION)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return outcomes

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A large ingest: on an empty store, secondary indexes are built once at the end.

        See :mod:`trialatlas.store.sqlite.bulk`. On a store that already holds
        studies (or while another process bulk-loads it) this changes nothing.
        """
        with self._write_lock:
            conn = self._conn()
            nested = self._bulk_lock is not None
            empty = conn.execute("SELECT 1 FROM studies LIMIT 1").fetchone() is None
            started = not nested and empty and self._begin_bulk(conn)
        try:
            yield
        finally:
            if started:
                with self._write_lock:
                    self._end_bulk(conn)

    def _begin_bulk(self, conn: sqlite3.Connection) -> bool:
        lock = BulkLock(self.path)
        if not lock.acquire():
            return False
        try:
            drop_indexes(conn)
        except BaseException:
            lock.release()
            raise
        conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        self._bulk_lock = lock
        self._indexes_deferred = True
        return True

    def _end_bulk(self, conn: sqlite3.Connection) -> None:
        try:
            build_indexes(conn)
        finally:
            conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            self._indexes_deferred = False
            if self._bulk_lock is not None:
                self._bulk_lock.release()
                self._bulk_lock = None

    def _write_one(
        self,
        conn: sqlite3.Connection,
        prep: PreparedStudy,
        loaded_at: str,
        fts: dict[int, tuple[str, ...]],
    ) -> WriteOutcome:
        row = conn.execute(
            "SELECT checksum, last_update_posted, format FROM raw_records WHERE nct_id = ?",
            (prep.nct_id,),
        ).fetchone()
        outcome = write_outcome(prep, row)  # newest version wins (store/write_rules.py)
        if outcome in ("unchanged", "older"):
            return outcome
        if row is not None and self._indexes_deferred:
            # replacing needs the nct_id indexes: bulk mode ends here (in this
            # transaction), the lock is let go when the load ends
            build_indexes(conn, in_transaction=True)
            self._indexes_deferred = False
        conn.execute("SAVEPOINT study")
        try:
            study_id = self._replace(conn, prep, row is not None, loaded_at)
        except BaseException:
            conn.execute("ROLLBACK TO study")
            conn.execute("RELEASE study")
            raise
        conn.execute("RELEASE study")
        fts[study_id] = prep.fts
        return outcome

    def _replace(
        self, conn: sqlite3.Connection, prep: PreparedStudy, existed: bool, loaded_at: str
    ) -> int:
        core = prep.core
        study_id: int = conn.execute(_study_upsert(tuple(core)), tuple(core.values())).fetchone()[0]
        if existed:
            conn.execute("DELETE FROM studies_fts WHERE rowid = ?", (study_id,))
            for table in CHILD_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE nct_id = ?", (prep.nct_id,))
        for table, rows in prep.children.items():
            if rows:
                conn.executemany(insert_sql(table, len(rows[0]), "?"), rows)
        write_brief(conn, core, prep.brief)
        conn.execute(_RAW_UPSERT, raw_record_row(prep, loaded_at))
        return study_id

    # -- site points placed again (store/sqlite/site_points.py) --
    def save_site_points(self, points: Sequence[NewPoint], version: int) -> None:
        from trialatlas.store.sqlite.site_points import save_site_points

        with self._write_lock:
            save_site_points(self._conn(), points, version, _NEXT_GENERATION)

    # -- sentence vectors, the write side (reads in store/sqlite/reads.py) --
    def write_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        from trialatlas.store.sqlite import vectors

        with self._write_lock:
            vectors.write_vectors(self._conn(), model, rows)

    def delete_vectors(self, nct_ids: Sequence[str]) -> int:
        from trialatlas.store.sqlite import vectors

        with self._write_lock:
            return vectors.delete_vectors(self._conn(), nct_ids)

    def delete_orphan_vectors(self) -> int:
        from trialatlas.store.sqlite import vectors

        with self._write_lock:
            return vectors.delete_vectors(self._conn(), None)

    # -- where an interrupted sync stands (store/sqlite/sync_cursor.py) --
    def load_sync_cursor(self, source: str) -> str | None:
        from trialatlas.store.sqlite.sync_cursor import load_sync_cursor

        return load_sync_cursor(self._conn(), source)

    def save_sync_cursor(self, source: str, state: str | None) -> None:
        from trialatlas.store.sqlite.sync_cursor import save_sync_cursor

        with self._write_lock:
            save_sync_cursor(self._conn(), source, state)


_CACHE_KIB = 65536  # page cache of every connection (64 MB)
_READER_CACHE_KIB = 8192  # of a read-only connection: its reads go through the memory map
_READER_MMAP_BYTES = 1 << 40  # map the whole file (SQLite caps it at its build's maximum)

_FTS_INSERT = (
    "INSERT INTO studies_fts (rowid, title, conditions, interventions, keywords, summary,"
    " description) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_NEXT_GENERATION = "UPDATE store_generation SET value = value + 1 WHERE id = 1"
_RAW_UPSERT = upsert_sql("raw_records", RAW_RECORD_COLUMNS, "?")


def _study_upsert(columns: tuple[str, ...]) -> str:
    return upsert_sql("studies", columns, "?") + " RETURNING id"
