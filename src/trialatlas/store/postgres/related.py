"""Store queries of the related-trials feature on PostgreSQL: compared facts, term
neighbours, term counts (the same answers as :mod:`trialatlas.store.sqlite.related`;
case-insensitive terms go through the ``lower(...)`` indexes)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

from trialatlas.store.base import StudyBrief
from trialatlas.store.postgres.schema import TEXT_CONFIG
from trialatlas.store.postgres.text_query import searchable
from trialatlas.store.sqlite.briefs import decode_brief
from trialatlas.store.sqlite.related import _TERM_TABLES, MAX_TERM_SHARE, MIN_TERM_CAP
from trialatlas.store.study_documents import study_brief_of

_WORD_FIELDS = {"conditions", "interventions"}


class Rows(Protocol):
    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]: ...


def study_briefs(db: Rows, nct_ids: Sequence[str]) -> dict[str, StudyBrief]:
    """The compared facts of the trials in ``nct_ids`` that the store holds."""
    ids = list(dict.fromkeys(nct_ids))
    if not ids:
        return {}
    briefs: dict[str, StudyBrief] = {}
    for nct, data in db.rows(
        "SELECT nct_id, brief FROM study_briefs WHERE nct_id = ANY(%s)", (ids,)
    ):
        brief = decode_brief(nct, bytes(data))
        if brief is not None:
            briefs[nct] = brief
    missing = [nct for nct in ids if nct not in briefs]  # written before briefs were kept
    if missing:
        found = db.rows(
            "SELECT nct_id, coalesce(brief_title, official_title, nct_id), overall_status,"
            " study_type, phases, document FROM studies WHERE nct_id = ANY(%s)",
            (missing,),
        )
        briefs.update((row[0], study_brief_of(*row)) for row in found)
    return {nct: briefs[nct] for nct in ids if nct in briefs}


def term_document_counts(db: Rows, field: str, terms: Sequence[str]) -> dict[str, int]:
    """Trials holding each term: exact MeSH terms, or all its words in a text field."""
    if field in ("condition_mesh", "intervention_mesh"):
        return {term: _exact_count(db, field, term) for term in dict.fromkeys(terms)}
    if field not in _WORD_FIELDS:
        raise ValueError(f"no such term field: {field}")
    from trialatlas.store.fts_query import fts_terms

    out: dict[str, int] = {}
    for term in dict.fromkeys(terms):
        words = fts_terms(term)
        if not words:
            out[term] = 0
            continue
        query = " && ".join(f"phraseto_tsquery('{TEXT_CONFIG}', %s)" for _ in words)
        found = db.rows(
            f"SELECT count(*) FROM study_text st WHERE st.{field} @@ ({query})",
            [searchable(w) for w in words],
        )
        out[term] = int(found[0][0])
    return out


def _term_sql(field: str) -> tuple[str, list[object]]:
    table, column, kind = _TERM_TABLES[field]
    sql = f"FROM {table} WHERE lower({column}) = lower(%s)"
    return (sql + " AND kind = %s", [kind]) if kind is not None else (sql, [])


def _exact_count(db: Rows, field: str, term: str) -> int:
    sql, extra = _term_sql(field)
    return int(db.rows(f"SELECT count(DISTINCT nct_id) {sql}", [term, *extra])[0][0])


def term_neighbours(db: Rows, nct_id: str, limit: int) -> list[tuple[str, float]]:
    """Other trials sharing a not-too-common term with ``nct_id``, by summed IDF."""
    total = int(db.rows("SELECT count(*) FROM studies")[0][0])
    if total == 0 or limit <= 0:
        return []
    cap = max(MIN_TERM_CAP, int(total * MAX_TERM_SHARE))
    scores: dict[str, float] = {}
    for field, terms in _own_terms(db, nct_id).items():
        for term in terms:
            sql, extra = _term_sql(field)
            holders = [
                str(r[0])
                for r in db.rows(f"SELECT DISTINCT nct_id {sql} LIMIT %s", [term, *extra, cap + 1])
            ]
            if len(holders) > cap or len(holders) < 2:
                continue  # too common to say anything, or held by this trial alone
            weight = math.log(total / len(holders))
            for other in holders:
                if other != nct_id:
                    scores[other] = scores.get(other, 0.0) + weight
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(nct, round(weight, 4)) for nct, weight in ranked[:limit]]


def _own_terms(db: Rows, nct_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {field: [] for field in _TERM_TABLES}
    for kind, term in db.rows(
        "SELECT DISTINCT kind, term FROM mesh_terms WHERE nct_id = %s ORDER BY kind, term",
        (nct_id,),
    ):
        out[f"{kind}_mesh"].append(term)
    for field in ("condition_names", "intervention_names"):
        table, column, _ = _TERM_TABLES[field]
        found = db.rows(
            f"SELECT DISTINCT {column} FROM {table} WHERE nct_id = %s ORDER BY {column}", (nct_id,)
        )
        names = {str(r[0]).strip().lower(): str(r[0]) for r in found}
        out[field] = list(names.values())
    return out
