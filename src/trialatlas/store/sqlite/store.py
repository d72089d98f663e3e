"""The SQLite store: WAL, one writer, thread-local readers, one transaction per study."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trialatlas.model.search import SearchQuery, SearchResults
from trialatlas.model.study import Study
from trialatlas.sources.records import RawRecord
from trialatlas.store.base import (
    EvidenceTrial,
    SeriousEvents,
    StoredRecord,
    StudyBrief,
    StudyText,
    TextHit,
    WriteOutcome,
)
from trialatlas.store.fts_query import FTS_WEIGHTS, fts_match
from trialatlas.store.listing import StudyListPage, StudyListQuery
from trialatlas.store.prepared import (
    PreparedStudy,
    date_key,
    decode_study,
    decode_text,
    prepare_study,
)
from trialatlas.store.sqlite import ctgov_api
from trialatlas.store.sqlite.bulk import (
    BULK_CACHE_KIB,
    BulkLock,
    build_indexes,
    drop_indexes,
    repair_interrupted_load,
)
from trialatlas.store.sqlite.schema import CHILD_TABLES, migrate
from trialatlas.store.sqlite.search_columns import SearchColumnsCache

if TYPE_CHECKING:
    import numpy as np


class SQLiteStore:
    """Studies in one SQLite file. Safe to share across threads (reads per thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._bulk_lock: BulkLock | None = None
        self._indexes_deferred = False  # bulk load: secondary indexes built at its end
        self._search_columns = SearchColumnsCache(self._connect)
        conn = self._conn()
        migrate(conn)
        repair_interrupted_load(conn, self.path)

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
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        conn.execute("PRAGMA temp_store=MEMORY")
        return conn

    def execute(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor:
        """Run one read query on this thread's connection (for store-layer modules)."""
        return self._conn().execute(sql, tuple(params))

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
        if row is not None:
            if row[0] == prep.checksum:
                return "unchanged"
            new, stored = date_key(prep.last_update_posted), date_key(row[1])
            if new < stored:
                return "older"
            if new == stored and _FORMAT_RANK.get(prep.raw_format, 0) < _FORMAT_RANK.get(row[2], 0):
                return "older"  # the same version, already stored from a richer format
            if self._indexes_deferred:
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
        return "loaded" if row is None else "updated"

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
                conn.executemany(_child_insert(table, len(rows[0])), rows)
        conn.execute(
            _RAW_UPSERT,
            (
                prep.nct_id,
                prep.raw_format,
                prep.raw_source,
                prep.checksum,
                prep.last_update_posted,
                loaded_at,
                prep.raw_body,
            ),
        )
        return study_id

    # -- reads -----------------------------------------------------------------------
    def get_study(self, nct_id: str) -> Study | None:
        row = self.execute("SELECT document FROM studies WHERE nct_id = ?", (nct_id,)).fetchone()
        return decode_study(row[0]) if row else None

    def get_studies(self, nct_ids: Iterable[str]) -> dict[str, Study]:
        ids = list(dict.fromkeys(nct_ids))
        out: dict[str, Study] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for nct, blob in self.execute(
                f"SELECT nct_id, document FROM studies WHERE nct_id IN ({marks})", chunk
            ):
                out[nct] = decode_study(blob)
        return out

    def get_raw(self, nct_id: str) -> StoredRecord | None:
        row = self.execute(
            "SELECT nct_id, format, source, checksum, last_update_posted, loaded_at, body"
            " FROM raw_records WHERE nct_id = ?",
            (nct_id,),
        ).fetchone()
        if row is None:
            return None
        nct, fmt, source, checksum, last_update, loaded_at, body = row
        return StoredRecord(
            nct_id=nct,
            format=fmt,
            source=source,
            checksum=checksum,
            text=decode_text(body),
            last_update_posted=last_update,
            loaded_at=loaded_at,
        )

    def count_studies(self) -> int:
        return int(self.execute("SELECT count(*) FROM studies").fetchone()[0])

    def iter_nct_ids(self) -> list[str]:
        return [r[0] for r in self.execute("SELECT nct_id FROM studies ORDER BY nct_id")]

    def iter_studies(self) -> Iterator[Study]:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            for (blob,) in conn.execute("SELECT document FROM studies ORDER BY nct_id"):
                yield decode_study(blob)
        finally:
            conn.close()

    def search_text(self, query: str, limit: int = 20, offset: int = 0) -> list[TextHit]:
        """BM25-ranked hits (titles, conditions, interventions weigh most); all words
        required, falling back to any word when nothing matches all."""
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        for mode in ("all", "any"):
            match = fts_match(query, mode)
            if match is None:
                return []
            rows = self.execute(
                f"SELECT s.nct_id, coalesce(s.brief_title, s.official_title, s.nct_id),"
                f" s.overall_status, s.phases, bm25(studies_fts, {weights}) AS rank"
                " FROM studies_fts JOIN studies s ON s.id = studies_fts.rowid"
                " WHERE studies_fts MATCH ? ORDER BY rank, s.nct_id LIMIT ? OFFSET ?",
                (match, limit, offset),
            ).fetchall()
            if rows:
                conds = self._conditions([r[0] for r in rows])
                return [
                    TextHit(
                        nct_id=r[0],
                        title=r[1],
                        overall_status=r[2],
                        phases=r[3].split("|") if r[3] else [],
                        conditions=conds.get(r[0], []),
                        score=-float(r[4]),
                    )
                    for r in rows
                ]
        return []

    def rank_text(
        self, terms: Sequence[str], limit: int = 100, columns: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Trials holding any of ``terms`` (phrases), best BM25 first (store/sqlite/text_rank.py)."""
        from trialatlas.store.sqlite.text_rank import rank_any

        return rank_any(self._conn(), terms, limit, columns)

    def _conditions(self, nct_ids: list[str]) -> dict[str, list[str]]:
        marks = ", ".join("?" for _ in nct_ids)
        out: dict[str, list[str]] = {}
        for nct, name in self.execute(
            f"SELECT nct_id, name FROM conditions WHERE nct_id IN ({marks}) ORDER BY nct_id, ordinal",
            nct_ids,
        ):
            out.setdefault(nct, []).append(name)
        return out

    # -- ClinicalTrials.gov-compatible API and FHIR search (store/sqlite/ctgov_api.py) --
    def list_studies(
        self,
        query: StudyListQuery,
        after: Sequence[Any] | None,
        limit: int,
        count_total: bool = False,
    ) -> StudyListPage:
        return ctgov_api.list_studies(self, query, after, limit, count_total)

    def latest_update_posted(self) -> str | None:
        return ctgov_api.latest_update_posted(self)

    # -- trial search (store/sqlite/search.py) --
    def search_trials(self, query: SearchQuery) -> SearchResults:
        """Filtered, ranked, faceted, cursor-paged trial search (see store/sqlite/search.py)."""
        from trialatlas.store.sqlite.search import search_trials

        return search_trials(self._conn(), query, self._search_columns)

    def prepare_search(self) -> None:
        """Build the in-memory search columns now (else the first search builds them;
        they are read in one snapshot of their own)."""
        self._search_columns.get(self._conn())

    # -- evidence for the patient summary (store/sqlite/evidence.py) --
    def trials_with_results(
        self, intervention_terms: Sequence[str], exclude: str | None = None, limit: int = 5
    ) -> tuple[int, list[EvidenceTrial]]:
        from trialatlas.store.sqlite import evidence

        return evidence.trials_with_results(self, intervention_terms, exclude, limit)

    def count_intervention_trials(
        self,
        intervention_terms: Sequence[str],
        condition_terms: Sequence[str],
        exclude: str | None = None,
    ) -> int:
        from trialatlas.store.sqlite import evidence

        return evidence.count_intervention_trials(
            self, intervention_terms, condition_terms, exclude
        )

    def serious_events(self, nct_ids: Sequence[str]) -> dict[str, SeriousEvents]:
        from trialatlas.store.sqlite import evidence

        return evidence.serious_events(self, nct_ids)

    # -- related trials (store/sqlite/related.py) --
    def study_briefs(self, nct_ids: Sequence[str]) -> dict[str, StudyBrief]:
        from trialatlas.store.sqlite import related

        return related.study_briefs(self, nct_ids)

    def term_neighbours(self, nct_id: str, limit: int = 100) -> list[tuple[str, float]]:
        from trialatlas.store.sqlite import related

        return related.term_neighbours(self, nct_id, limit)

    def term_document_counts(self, field: str, terms: Sequence[str]) -> dict[str, int]:
        from trialatlas.store.sqlite import related

        return related.term_document_counts(self, field, terms)

    # -- sentence vectors (store/sqlite/vectors.py) --
    def iter_study_texts(
        self, nct_ids: Sequence[str] | None = None, batch: int = 500
    ) -> Iterator[list[StudyText]]:
        from trialatlas.store.sqlite import vectors

        return vectors.iter_study_texts(self._conn(), nct_ids, batch)

    def vector_checksums(self, model: str) -> dict[str, str]:
        from trialatlas.store.sqlite import vectors

        return vectors.vector_checksums(self._conn(), model)

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

    def iter_vectors(
        self, model: str, batch: int = 10000
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        from trialatlas.store.sqlite import vectors

        return vectors.iter_vectors(self._connect, model, batch)

    def vector_models(self) -> dict[str, int]:
        from trialatlas.store.sqlite import vectors

        return vectors.vector_models(self._conn())

    def vectors_version(self, model: str) -> str:
        from trialatlas.store.sqlite import vectors

        return vectors.vectors_version(self._conn(), model)


# Formats by richness: of two records of one study with the same last-update date,
# the richer one is kept whatever the order they come in (ingesting both again is a no-op)
_FORMAT_RANK = {"ctgov_xml": 1, "ctgov_v2": 2}
_CACHE_KIB = 65536  # page cache of every connection (64 MB)

_FTS_INSERT = (
    "INSERT INTO studies_fts (rowid, title, conditions, interventions, keywords, summary,"
    " description) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_NEXT_GENERATION = "UPDATE store_generation SET value = value + 1 WHERE id = 1"
_RAW_UPSERT = (
    "INSERT INTO raw_records (nct_id, format, source, checksum, last_update_posted, loaded_at, body)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(nct_id) DO UPDATE SET format = excluded.format,"
    " source = excluded.source, checksum = excluded.checksum,"
    " last_update_posted = excluded.last_update_posted, loaded_at = excluded.loaded_at,"
    " body = excluded.body"
)


@functools.cache
def _study_upsert(columns: tuple[str, ...]) -> str:
    cols = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "nct_id")
    return (
        f"INSERT INTO studies ({cols}) VALUES ({marks}) "
        f"ON CONFLICT(nct_id) DO UPDATE SET {updates} RETURNING id"
    )


@functools.cache
def _child_insert(table: str, width: int) -> str:
    return f"INSERT INTO {table} VALUES ({', '.join('?' for _ in range(width))})"
