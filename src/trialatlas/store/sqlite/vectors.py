"""Sentence vectors in SQLite: one float16 row per study, with its model and text checksum
(:mod:`trialatlas.store.vector_rows`; 460 MB at 600k studies). Every write moves
``vector_generation``, so a saved faiss index built from one generation knows it is
stale at the next.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from trialatlas.store.base import StudyText
from trialatlas.store.sqlite.reader import names_by_study
from trialatlas.store.upsert_sql import upsert_sql
from trialatlas.store.vector_rows import NEXT_GENERATION as _NEXT
from trialatlas.store.vector_rows import (
    VECTOR_COLUMNS,
    read_batch,
    stored_rows,
    study_text,
    study_text_batches,
)

Connect = Callable[[], sqlite3.Connection]


def iter_study_texts(
    conn: sqlite3.Connection, nct_ids: Sequence[str] | None, batch: int
) -> Iterator[list[StudyText]]:
    """Text fields of studies in batches: all by NCT ID (keyset pages), or the given ones."""

    def of_ids(chunk: list[str]) -> list[StudyText]:
        marks = ", ".join("?" for _ in chunk)
        return _with_children(
            conn, conn.execute(_TEXTS + f" WHERE s.nct_id IN ({marks})", chunk).fetchall()
        )

    def after(last: str, limit: int) -> list[StudyText]:
        return _with_children(
            conn,
            conn.execute(
                _TEXTS + " WHERE s.nct_id > ? ORDER BY s.nct_id LIMIT ?", (last, limit)
            ).fetchall(),
        )

    return study_text_batches(nct_ids, batch, of_ids, after)


_TEXTS = (
    "SELECT s.nct_id, s.brief_title, s.official_title, f.summary"
    " FROM studies s LEFT JOIN studies_fts f ON f.rowid = s.id"
)


def _with_children(conn: sqlite3.Connection, rows: list[tuple]) -> list[StudyText]:  # type: ignore[type-arg]
    if not rows:
        return []
    ids = [r[0] for r in rows]
    conditions = names_by_study(conn, "conditions", ids)
    interventions = names_by_study(conn, "interventions", ids)
    return [
        study_text(nct, brief, official, summary, conditions.get(nct), interventions.get(nct))
        for nct, brief, official, summary in rows
    ]


def vector_checksums(conn: sqlite3.Connection, model: str) -> dict[str, str]:
    return dict(
        conn.execute("SELECT nct_id, checksum FROM study_vectors WHERE model = ?", (model,))
    )


def write_vectors(
    conn: sqlite3.Connection, model: str, rows: Sequence[tuple[str, str, np.ndarray]]
) -> None:
    """Upsert the rows and move the generation, in one transaction (caller holds the write lock)."""
    if not rows:
        return
    params = stored_rows(model, rows)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            upsert_sql("study_vectors", VECTOR_COLUMNS, "?"),
            params,
        )
        conn.execute(_NEXT)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def delete_vectors(conn: sqlite3.Connection, nct_ids: Sequence[str] | None) -> int:
    """Drop these studies' vectors, or (``None``) those of studies no longer stored."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if nct_ids is None:
            cur = conn.execute(
                "DELETE FROM study_vectors WHERE nct_id NOT IN (SELECT nct_id FROM studies)"
            )
            dropped = cur.rowcount
        else:
            dropped = 0
            for start in range(0, len(nct_ids), 500):
                chunk = list(nct_ids[start : start + 500])
                marks = ", ".join("?" for _ in chunk)
                cur = conn.execute(f"DELETE FROM study_vectors WHERE nct_id IN ({marks})", chunk)
                dropped += cur.rowcount
        if dropped:
            conn.execute(_NEXT)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return max(dropped, 0)


def iter_vectors(
    connect: Connect, model: str, batch: int
) -> Iterator[tuple[list[str], np.ndarray]]:
    """Vectors of ``model`` by NCT ID, read in one snapshot on a connection of their own."""
    conn = connect()
    try:
        conn.execute("BEGIN")
        cur = conn.execute(
            "SELECT nct_id, vector FROM study_vectors WHERE model = ? ORDER BY nct_id", (model,)
        )
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                break
            yield read_batch(rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def vector_models(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT model, count(*) FROM study_vectors GROUP BY model"))


def vectors_version(conn: sqlite3.Connection, model: str) -> str:
    """``token:generation:count``: the per-store token, the write generation, the count."""
    token, value = conn.execute(
        "SELECT token, value FROM vector_generation WHERE id = 1"
    ).fetchone()
    (count,) = conn.execute(
        "SELECT count(*) FROM study_vectors WHERE model = ?", (model,)
    ).fetchone()
    return f"{token}:{value}:{count}"
