"""Sentence vectors in PostgreSQL: one float16 ``bytea`` row per study, with its model and
text checksum, as in :mod:`trialatlas.store.sqlite.vectors`. Every write moves
``vector_generation``; the faiss index is built from these rows by each process
(:func:`trialatlas.index.vectors.load_vector_index`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np
import psycopg

from trialatlas.store.base import StudyText
from trialatlas.store.upsert_sql import upsert_sql
from trialatlas.store.vector_rows import NEXT_GENERATION as _NEXT
from trialatlas.store.vector_rows import (
    VECTOR_COLUMNS,
    read_batch,
    stored_rows,
    study_text,
    study_text_batches,
)

if TYPE_CHECKING:
    from trialatlas.store.postgres.reads import PostgresReads

_TEXTS = (
    "SELECT s.nct_id, s.brief_title, s.official_title, st.brief_summary,"
    " (SELECT array_agg(c.name ORDER BY c.ordinal) FROM conditions c WHERE c.nct_id = s.nct_id),"
    " (SELECT array_agg(i.name ORDER BY i.ordinal) FROM interventions i"
    "  WHERE i.nct_id = s.nct_id)"
    " FROM studies s LEFT JOIN study_text st ON st.nct_id = s.nct_id"
)


def _texts(rows: list[tuple]) -> list[StudyText]:  # type: ignore[type-arg]
    return [study_text(nct, *fields) for nct, *fields in rows]


def iter_study_texts(
    store: PostgresReads, nct_ids: Sequence[str] | None, batch: int
) -> Iterator[list[StudyText]]:
    """Text fields of studies in batches: all by NCT ID (keyset pages), or the given ones."""
    return study_text_batches(
        nct_ids,
        batch,
        lambda chunk: _texts(store.rows(_TEXTS + " WHERE s.nct_id = ANY(%s)", (chunk,))),
        lambda last, limit: _texts(
            store.rows(_TEXTS + " WHERE s.nct_id > %s ORDER BY s.nct_id LIMIT %s", (last, limit))
        ),
    )


def write_vectors(
    conn: psycopg.Connection, model: str, rows: Sequence[tuple[str, str, np.ndarray]]
) -> None:
    """Upsert the rows and move the generation, in one transaction."""
    if not rows:
        return
    params = stored_rows(model, rows)
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            upsert_sql("study_vectors", VECTOR_COLUMNS, "%s"),
            params,
        )
        cur.execute(_NEXT)


def delete_vectors(conn: psycopg.Connection, nct_ids: Sequence[str] | None) -> int:
    """Drop these studies' vectors, or (``None``) those of studies no longer stored."""
    with conn.transaction():
        if nct_ids is None:
            cur = conn.execute(
                "DELETE FROM study_vectors v WHERE NOT EXISTS"
                " (SELECT 1 FROM studies s WHERE s.nct_id = v.nct_id)"
            )
        else:
            cur = conn.execute("DELETE FROM study_vectors WHERE nct_id = ANY(%s)", (list(nct_ids),))
        dropped = max(cur.rowcount, 0)
        if dropped:
            conn.execute(_NEXT)
    return dropped


def iter_vectors(
    store: PostgresReads, model: str, batch: int
) -> Iterator[tuple[list[str], np.ndarray]]:
    """Vectors of ``model`` by NCT ID, read in one snapshot through a server-side cursor."""
    with (
        store.connection() as conn,
        conn.transaction(),
        conn.cursor(name="trialatlas_vectors") as cur,
    ):
        cur.execute(
            "SELECT nct_id, vector FROM study_vectors WHERE model = %s ORDER BY nct_id", (model,)
        )
        while True:
            rows = cur.fetchmany(batch)
            if not rows:
                break
            yield read_batch(rows)
