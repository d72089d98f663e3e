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
from trialatlas.store.sqlite.vectors import StoredDtype

if TYPE_CHECKING:
    from trialatlas.store.postgres.reads import PostgresReads

_NEXT = "UPDATE vector_generation SET value = value + 1 WHERE id = 1"
_TEXTS = (
    "SELECT s.nct_id, s.brief_title, s.official_title, st.brief_summary,"
    " (SELECT array_agg(c.name ORDER BY c.ordinal) FROM conditions c WHERE c.nct_id = s.nct_id),"
    " (SELECT array_agg(i.name ORDER BY i.ordinal) FROM interventions i"
    "  WHERE i.nct_id = s.nct_id)"
    " FROM studies s LEFT JOIN study_text st ON st.nct_id = s.nct_id"
)


def _texts(rows: list[tuple]) -> list[StudyText]:  # type: ignore[type-arg]
    return [
        StudyText(
            nct_id=nct,
            brief_title=brief,
            official_title=official,
            conditions=tuple(conditions or ()),
            interventions=tuple(interventions or ()),
            summary=summary or None,
        )
        for nct, brief, official, summary, conditions, interventions in rows
    ]


def iter_study_texts(
    store: PostgresReads, nct_ids: Sequence[str] | None, batch: int
) -> Iterator[list[StudyText]]:
    """Text fields of studies in batches: all by NCT ID (keyset pages), or the given ones."""
    if nct_ids is not None:
        for start in range(0, len(nct_ids), batch):
            chunk = list(nct_ids[start : start + batch])
            found = {r[0]: r for r in store.rows(_TEXTS + " WHERE s.nct_id = ANY(%s)", (chunk,))}
            texts = _texts([found[n] for n in chunk if n in found])
            if texts:
                yield texts
        return
    after = ""
    while True:
        rows = store.rows(
            _TEXTS + " WHERE s.nct_id > %s ORDER BY s.nct_id LIMIT %s", (after, batch)
        )
        if not rows:
            return
        after = rows[-1][0]
        yield _texts(rows)


def write_vectors(
    conn: psycopg.Connection, model: str, rows: Sequence[tuple[str, str, np.ndarray]]
) -> None:
    """Upsert the rows and move the generation, in one transaction."""
    if not rows:
        return
    params = [
        (nct, model, checksum, np.asarray(vec, dtype=StoredDtype).tobytes())
        for nct, checksum, vec in rows
    ]
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO study_vectors (nct_id, model, checksum, vector) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (nct_id) DO UPDATE SET model = excluded.model,"
            " checksum = excluded.checksum, vector = excluded.vector",
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
            ids = [r[0] for r in rows]
            data = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=StoredDtype)
            yield ids, data.reshape(len(ids), -1).astype(np.float32)
