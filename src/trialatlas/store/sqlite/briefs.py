"""Study briefs kept precomputed: what the related-trials feature compares of each trial.

A related-trials list compares a trial with a hundred or more candidates; reading each
candidate's whole stored document (decompressing and parsing the normalized Study) was
most of that page's work. So each study's :class:`StudyBrief` is worked out once, when
the study is prepared for writing (``PreparedStudy.brief``, by the ingest workers), and
stored with it (:func:`write_brief`, in the same transaction as its rows, so a replaced
study's brief is replaced with it), and stored as a small JSON array in
``study_briefs`` (migration 10). A brief is a function of the stored row and document
(:func:`trialatlas.store.study_documents.study_brief_of`), so the stored one and one
read from the document are equal; a study whose brief is missing (a store made before
migration 10 and not yet filled, see :func:`fill_missing_briefs`) is read from its
document instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import orjson
import zstandard

from trialatlas.store.base import BriefIntervention, StudyBrief
from trialatlas.store.study_documents import study_brief_of, study_brief_of_document

_CHUNK = 500
_FILL_BATCH = 2000
_FORMAT = 1  # first element of every stored brief: a brief in another format is not read

_UPSERT = "INSERT OR REPLACE INTO study_briefs (nct_id, brief) VALUES (?, ?)"
_FROM_DOCUMENTS = (
    "SELECT nct_id, coalesce(brief_title, official_title, nct_id), overall_status,"
    " study_type, phases, document FROM studies"
)


class _Reader(Protocol):
    def execute(self, sql: str, params: Iterable[object] = ()) -> Any: ...


def encode_brief(brief: StudyBrief) -> bytes:
    """The brief as a compact JSON array (its fields in order)."""
    interventions = [
        [iv.type, iv.name, list(iv.other_names), list(iv.arm_types)] for iv in brief.interventions
    ]
    return orjson.dumps(
        [
            _FORMAT,
            brief.title,
            brief.overall_status,
            brief.study_type,
            list(brief.phases),
            brief.primary_purpose,
            list(brief.conditions),
            list(brief.condition_mesh),
            list(brief.intervention_mesh),
            interventions,
        ]
    )


def decode_brief(nct_id: str, data: bytes) -> StudyBrief | None:
    """The brief stored by :func:`encode_brief` (None when stored in another format)."""
    fields = orjson.loads(data)
    if not fields or fields[0] != _FORMAT:
        return None
    _, title, status, study_type, phases, purpose, conditions, cmesh, imesh, ivs = fields
    return StudyBrief(
        nct_id=nct_id,
        title=title,
        overall_status=status,
        study_type=study_type,
        phases=tuple(phases),
        primary_purpose=purpose,
        conditions=tuple(conditions),
        condition_mesh=tuple(cmesh),
        intervention_mesh=tuple(imesh),
        interventions=tuple(
            BriefIntervention(type=t, name=n, other_names=tuple(o), arm_types=tuple(a))
            for t, n, o, a in ivs
        ),
    )


def brief_of_row(core: Mapping[str, Any], document: dict[str, Any]) -> StudyBrief:
    """The brief of a study about to be written: its ``studies`` row and its document
    (parsed), as :func:`read_briefs` would read it back from the stored row."""
    nct_id = str(core["nct_id"])
    titles = (core.get("brief_title"), core.get("official_title"))
    title = next((t for t in titles if t is not None), nct_id)  # SQL coalesce()
    return study_brief_of_document(
        nct_id, title, core.get("overall_status"), core.get("study_type"), core.get("phases"),
        document,
    )  # fmt: skip


def write_brief(conn: sqlite3.Connection, core: Mapping[str, Any], brief: bytes) -> None:
    """Store (or replace) the brief of the study whose row is ``core`` (caller's
    transaction): ``brief`` as prepared, or worked out here from the row's document."""
    if not brief:
        document = orjson.loads(zstandard.decompress(core["document"]))
        brief = encode_brief(brief_of_row(core, document))
    conn.execute(_UPSERT, (core["nct_id"], brief))


def read_briefs(db: _Reader, nct_ids: Sequence[str]) -> dict[str, StudyBrief]:
    """The briefs of the trials in ``nct_ids`` that the store holds (stored ones; the
    others read from their documents)."""
    ids = list(dict.fromkeys(nct_ids))
    out: dict[str, StudyBrief] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for nct_id, data in db.execute(
            f"SELECT nct_id, brief FROM study_briefs WHERE nct_id IN ({marks})", chunk
        ).fetchall():
            brief = decode_brief(nct_id, data)
            if brief is not None:
                out[nct_id] = brief
        missing = [n for n in chunk if n not in out]
        if missing:
            marks = ", ".join("?" for _ in missing)
            for row in db.execute(f"{_FROM_DOCUMENTS} WHERE nct_id IN ({marks})", missing):
                out[row[0]] = study_brief_of(*row)
    return out


def fill_missing_briefs(conn: sqlite3.Connection) -> int:
    """Work out and store the brief of every study that has none (a store made before
    migration 10), in batches of :data:`_FILL_BATCH` studies by rowid, each read and
    written in one write transaction (a study replaced meanwhile by another writer is
    never given its old brief). Returns how many were filled."""
    filled, after = 0, -1
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute(
                "SELECT s.id, s.nct_id, coalesce(s.brief_title, s.official_title, s.nct_id),"
                " s.overall_status, s.study_type, s.phases, s.document FROM studies s"
                " WHERE s.id > ? AND NOT EXISTS"
                " (SELECT 1 FROM study_briefs b WHERE b.nct_id = s.nct_id)"
                " ORDER BY s.id LIMIT ?",
                (after, _FILL_BATCH),
            ).fetchall()
            conn.executemany(
                _UPSERT, [(row[1], encode_brief(study_brief_of(*row[1:]))) for row in rows]
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if not rows:
            return filled
        filled += len(rows)
        after = rows[-1][0]


def briefs_missing(conn: sqlite3.Connection) -> bool:
    """Whether some study has no stored brief (cheap: two counts over small indexes)."""
    studies = conn.execute("SELECT count(*) FROM studies").fetchone()[0]
    briefs = conn.execute("SELECT count(*) FROM study_briefs").fetchone()[0]
    return bool(studies != briefs)
