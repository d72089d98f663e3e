"""The SQLite store: WAL, one writer, thread-local readers, one transaction per study."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson

from trialatlas.model.study import Study
from trialatlas.sources.records import RawRecord
from trialatlas.store.base import StoredRecord, TextHit, WriteOutcome
from trialatlas.store.fts_query import FTS_WEIGHTS, fts_match
from trialatlas.store.sqlite.rows import child_rows, fts_row, study_row
from trialatlas.store.sqlite.schema import CHILD_TABLES, migrate


def record_checksum(raw: RawRecord) -> str:
    """SHA-256 of the record: canonical JSON (sorted keys) for v2, the text for XML."""
    if raw.data is not None:
        payload = orjson.dumps(raw.data, option=orjson.OPT_SORT_KEYS)
    else:
        payload = raw.text.encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def encode_study(study: Study) -> bytes:
    """Compressed normalized document (defaults left out; they come back on load)."""
    return zlib.compress(study.model_dump_json(exclude_defaults=True).encode("utf-8"), 6)


def decode_study(blob: bytes) -> Study:
    return Study.model_validate_json(zlib.decompress(blob))


def _date_key(value: str | None) -> str:
    """Comparable form of an ISO partial date ("2015-08" → "2015-08-00")."""
    if not value:
        return ""
    parts = value.split("-") + ["00", "00"]
    return "-".join(parts[:3])


class SQLiteStore:
    """Studies in one SQLite file. Safe to share across threads (reads per thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        migrate(self._conn())

    # -- connections ---------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA temp_store=MEMORY")
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
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
        """Store one study and its raw record in one transaction.

        Same checksum → ``unchanged``; an older last-update date than the stored one →
        ``older`` (nothing written); otherwise the new version replaces the old one
        completely (``updated``) or is added (``loaded``).
        """
        checksum = record_checksum(raw)
        incoming = _date_key(
            study.status.last_update_posted.value if study.status.last_update_posted else None
        )
        with self._write_lock:
            conn = self._conn()
            row = conn.execute(
                "SELECT checksum, last_update_posted FROM raw_records WHERE nct_id = ?",
                (study.nct_id,),
            ).fetchone()
            if row is not None:
                if row[0] == checksum:
                    return "unchanged"
                if incoming < _date_key(row[1]):
                    return "older"
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._replace(conn, study, raw, checksum)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return "loaded" if row is None else "updated"

    def _replace(
        self, conn: sqlite3.Connection, study: Study, raw: RawRecord, checksum: str
    ) -> None:
        nct = study.nct_id
        core = study_row(study)
        core["document"] = encode_study(study)
        cols = ", ".join(core)
        marks = ", ".join("?" for _ in core)
        updates = ", ".join(f"{c} = excluded.{c}" for c in core if c != "nct_id")
        study_id = conn.execute(
            f"INSERT INTO studies ({cols}) VALUES ({marks}) "
            f"ON CONFLICT(nct_id) DO UPDATE SET {updates} RETURNING id",
            tuple(core.values()),
        ).fetchone()[0]
        conn.execute("DELETE FROM studies_fts WHERE rowid = ?", (study_id,))
        conn.execute(
            "INSERT INTO studies_fts (rowid, title, conditions, interventions, keywords, summary, description)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (study_id, *fts_row(study)),
        )
        for table in CHILD_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE nct_id = ?", (nct,))
        for table, rows in child_rows(study).items():
            if rows:
                marks = ", ".join("?" for _ in rows[0])
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        last = study.status.last_update_posted
        conn.execute(
            "INSERT INTO raw_records (nct_id, format, source, checksum, last_update_posted, loaded_at, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(nct_id) DO UPDATE SET format = excluded.format,"
            " source = excluded.source, checksum = excluded.checksum,"
            " last_update_posted = excluded.last_update_posted, loaded_at = excluded.loaded_at,"
            " body = excluded.body",
            (
                nct,
                raw.format,
                f"{raw.source}#{raw.position}",
                checksum,
                last.value if last else None,
                datetime.now(UTC).isoformat(timespec="seconds"),
                zlib.compress(raw.text.encode("utf-8"), 6),
            ),
        )

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
            nct_id=nct, format=fmt, source=source, checksum=checksum,
            text=zlib.decompress(body).decode("utf-8"),
            last_update_posted=last_update, loaded_at=loaded_at,
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

    def _conditions(self, nct_ids: list[str]) -> dict[str, list[str]]:
        marks = ", ".join("?" for _ in nct_ids)
        out: dict[str, list[str]] = {}
        for nct, name in self.execute(
            f"SELECT nct_id, name FROM conditions WHERE nct_id IN ({marks}) ORDER BY nct_id, ordinal",
            nct_ids,
        ):
            out.setdefault(nct, []).append(name)
        return out
