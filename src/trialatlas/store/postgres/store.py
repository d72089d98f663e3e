"""The PostgreSQL store: a pool of connections, one transaction per group of studies,
a savepoint per study (so a study is written whole or not at all), newest version wins.

Opened ``read_only`` every pooled session is ``default_transaction_read_only``: web
workers on any number of machines read while ``trialatlas ingest`` writes, and each
read sees each trial whole, before or after its update (one transaction per study
group, read committed). Nothing a process keeps matters to another: every server
of a deployment answers alike from the same database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from trialatlas.model.study import Study
from trialatlas.sources.records import RawRecord
from trialatlas.store.base import WriteOutcome
from trialatlas.store.postgres.reads import PostgresReads
from trialatlas.store.postgres.schema import CHILD_TABLES, TEXT_CONFIG, check_schema, migrate
from trialatlas.store.postgres.text_query import FIELD_BREAK, searchable
from trialatlas.store.prepared import PreparedStudy, prepare_study
from trialatlas.store.upsert_sql import RAW_RECORD_COLUMNS, insert_sql, raw_record_row, upsert_sql
from trialatlas.store.write_rules import write_outcome

if TYPE_CHECKING:
    import numpy as np

    from trialatlas.store.site_rows import NewPoint

POOL_MAX = 16  # connections per process (a server's page threads and its health check)
# a field's text is indexed up to here: a tsvector holds at most 1 MB (and positions
# stop at 16,383), so a huge registry text is searchable by its start (~40,000 words)
TEXT_INDEX_CHARS = 262_144
CONNECT_TIMEOUT_S = 15.0
NEXT_GENERATION = "UPDATE store_generation SET value = value + 1 WHERE id = 1"


class StoreUnavailable(Exception):
    """The PostgreSQL server cannot be reached or the database is not usable."""


def describe(url: str) -> str:
    """The URL as a message may show it (host, port and database; never a password)."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the PostgreSQL URL"
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{host}{port}/{info.get('dbname') or ''}"


class PostgresStore(PostgresReads):
    """Studies in one PostgreSQL database. Safe to share across threads (pooled)."""

    def __init__(self, url: str, *, read_only: bool = False, pool_max: int = POOL_MAX) -> None:
        self.url = url
        self.read_only = read_only
        # no JIT: the bm25 expressions look costly to the planner, and compiling them
        # takes longer than running them
        options = "-c jit=off" + (" -c default_transaction_read_only=on" if read_only else "")
        try:  # one direct connection first: a clear error at once, not pool retries
            with psycopg.connect(url, autocommit=True, options=options) as conn:
                if read_only:
                    check_schema(conn, describe(url))
                else:
                    migrate(conn)
        except psycopg.OperationalError as exc:
            lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
            reason = lines[0] if lines else type(exc).__name__
            raise StoreUnavailable(f"cannot connect to {describe(url)}: {reason}") from exc
        except psycopg.Error as exc:
            raise StoreUnavailable(str(exc).strip()) from exc
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_max,
            kwargs={"autocommit": True, "options": options},
            open=False,
            name="trialatlas",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreUnavailable(f"cannot connect to {describe(url)}") from exc

    # -- connections ---------------------------------------------------------------
    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection (autocommit; ``conn.transaction()`` for one snapshot)."""
        with self._pool.connection() as conn:
            yield conn

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of one read query, on a pooled connection."""
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def close(self) -> None:
        self._pool.close()

    # -- writes ----------------------------------------------------------------------
    def write_study(self, study: Study, raw: RawRecord) -> WriteOutcome:
        """Store one study and its raw record in one transaction (see write_many)."""
        return self.write_prepared(prepare_study(study, raw))

    def write_prepared(self, prep: PreparedStudy) -> WriteOutcome:
        return self.write_many([prep])[0]

    def write_many(self, preps: list[PreparedStudy]) -> list[WriteOutcome]:
        """Apply prepared studies, each in its own savepoint, committed as one group
        (:func:`trialatlas.store.write_rules.write_outcome` decides what each does). The
        stored raw record is locked while it is compared, so two writers of one study
        keep the newest. Any failure rolls the whole group back."""
        outcomes: list[WriteOutcome] = []
        loaded_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._pool.connection() as conn, conn.transaction():
            changed = False
            for prep in preps:
                row = conn.execute(
                    "SELECT checksum, last_update_posted, format FROM raw_records"
                    " WHERE nct_id = %s FOR UPDATE",
                    (prep.nct_id,),
                ).fetchone()
                outcome = write_outcome(prep, row)
                if outcome in ("loaded", "updated"):
                    with conn.transaction():  # a savepoint: this study alone on failure
                        _replace(conn, prep, outcome == "updated", loaded_at)
                    changed = True
                outcomes.append(outcome)
            if changed:
                conn.execute(NEXT_GENERATION)
        return outcomes

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """A large ingest: PostgreSQL keeps its indexes current as it goes; at the end the
        planner's statistics are refreshed (``ANALYZE``), so searches right after a
        first load are planned on the tables as they now are."""
        yield
        with self._pool.connection() as conn:
            conn.execute("ANALYZE")

    # -- where an interrupted sync stands (one row per registry API root) --
    def load_sync_cursor(self, source: str) -> str | None:
        found = self.rows("SELECT state FROM sync_cursors WHERE source = %s", (source,))
        return str(found[0][0]) if found else None

    def save_sync_cursor(self, source: str, state: str | None) -> None:
        with self._pool.connection() as conn:
            if state is None:
                conn.execute("DELETE FROM sync_cursors WHERE source = %s", (source,))
                return
            conn.execute(
                "INSERT INTO sync_cursors (source, state, saved_at) VALUES (%s, %s, %s)"
                " ON CONFLICT (source) DO UPDATE SET state = excluded.state,"
                " saved_at = excluded.saved_at",
                (source, state, datetime.now(UTC).isoformat(timespec="seconds")),
            )

    # -- site points placed again (store/postgres/site_points.py) --
    def save_site_points(self, points: Sequence[NewPoint], version: int) -> None:
        from trialatlas.store.postgres.site_points import save_site_points

        with self._pool.connection() as conn:
            save_site_points(conn, points, version, NEXT_GENERATION)

    # -- sentence vectors, the write side (store/postgres/vectors.py) --
    def write_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        from trialatlas.store.postgres import vectors

        with self._pool.connection() as conn:
            vectors.write_vectors(conn, model, rows)

    def delete_vectors(self, nct_ids: Sequence[str]) -> int:
        from trialatlas.store.postgres import vectors

        with self._pool.connection() as conn:
            return vectors.delete_vectors(conn, nct_ids)

    def delete_orphan_vectors(self) -> int:
        from trialatlas.store.postgres import vectors

        with self._pool.connection() as conn:
            return vectors.delete_vectors(conn, None)


def _clean(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters; registry text rarely does: drop them."""
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _replace(conn: psycopg.Connection, prep: PreparedStudy, existed: bool, loaded_at: str) -> None:
    core = {k: _clean(v) for k, v in prep.core.items()}
    conn.execute(upsert_sql("studies", tuple(core), "%s"), tuple(core.values()))
    if existed:
        for table in CHILD_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE nct_id = %s", (prep.nct_id,))
        conn.execute(
            "WITH old AS (DELETE FROM study_text WHERE nct_id = %s RETURNING tokens)"
            " UPDATE text_stats SET documents = documents - 1,"
            " tokens = text_stats.tokens - old.tokens FROM old WHERE id = 1",
            (prep.nct_id,),
        )
    with conn.cursor() as cur:
        for table, rows in prep.children.items():
            if rows:
                cleaned = [tuple(_clean(v) for v in row) for row in rows]
                cur.executemany(insert_sql(table, len(rows[0]), "%s"), cleaned)
    title, conditions, interventions, keywords, _, description = (
        searchable(text[:TEXT_INDEX_CHARS]) for text in prep.fts
    )
    summary = _clean(prep.fts[4])
    conn.execute(
        _TEXT_INSERT,  # and counts the row in text_stats
        {
            "nct": prep.nct_id, "brief": summary or None, "t": title, "c": conditions,
            "i": interventions, "k": keywords, "s": searchable(summary[:TEXT_INDEX_CHARS]),
            "d": description,
        },
    )  # fmt: skip
    if prep.brief:  # what related trials compare, replaced with the study
        conn.execute(_BRIEF_UPSERT, (prep.nct_id, prep.brief))
    else:
        conn.execute("DELETE FROM study_briefs WHERE nct_id = %s", (prep.nct_id,))
    conn.execute(_RAW_UPSERT, tuple(_clean(v) for v in raw_record_row(prep, loaded_at)))


# the weighted document: title A, conditions and interventions B, keywords C, the rest D,
# a break between two fields (no phrase runs across)
_TEXT_INSERT = (
    "WITH added AS (INSERT INTO study_text (nct_id, brief_summary, title, conditions,"
    " interventions, keywords, summary, description, document, tokens)"
    " SELECT %(nct)s, %(brief)s, t, c, i, k, s, d,"
    f" setweight(t, 'A') || {FIELD_BREAK} || setweight(c, 'B') || {FIELD_BREAK} || setweight(i, 'B')"
    f" || {FIELD_BREAK} || setweight(k, 'C') || {FIELD_BREAK} || setweight(s, 'D') || {FIELD_BREAK}"
    " || setweight(d, 'D'),"
    " (SELECT coalesce(sum(cardinality(x.positions)), 0) FROM unnest(t || c || i || k || s || d) AS x)"
    " FROM (SELECT"
    f" to_tsvector('{TEXT_CONFIG}', %(t)s) AS t, to_tsvector('{TEXT_CONFIG}', %(c)s) AS c,"
    f" to_tsvector('{TEXT_CONFIG}', %(i)s) AS i, to_tsvector('{TEXT_CONFIG}', %(k)s) AS k,"
    f" to_tsvector('{TEXT_CONFIG}', %(s)s) AS s, to_tsvector('{TEXT_CONFIG}', %(d)s) AS d) v"
    " RETURNING tokens) UPDATE text_stats SET documents = documents + 1,"
    " tokens = text_stats.tokens + added.tokens FROM added WHERE id = 1"
)
_BRIEF_UPSERT = upsert_sql("study_briefs", ("nct_id", "brief"), "%s")
_RAW_UPSERT = upsert_sql("raw_records", RAW_RECORD_COLUMNS, "%s")
