"""Store queries of the related-trials feature on PostgreSQL: compared facts, term
neighbours, term counts (what they mean is the store's
:mod:`trialatlas.store.related_terms`, as on SQLite; case-insensitive terms go through
the ``lower(...)`` indexes)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from trialatlas.store.base import StudyBrief
from trialatlas.store.postgres.schema import TEXT_CONFIG
from trialatlas.store.postgres.text_query import searchable
from trialatlas.store.related_terms import TERM_TABLES, neighbours_by_idf, term_cap, term_counts
from trialatlas.store.sql_text import Rows
from trialatlas.store.sqlite.briefs import decode_brief
from trialatlas.store.study_documents import study_brief_of


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
    return term_counts(
        field, terms, partial(_exact_count, db, field), partial(_all_words, db, field)
    )


def _all_words(db: Rows, field: str, words: list[str]) -> int:
    query = " && ".join(f"phraseto_tsquery('{TEXT_CONFIG}', %s)" for _ in words)
    found = db.rows(
        f"SELECT count(*) FROM study_text st WHERE st.{field} @@ ({query})",
        [searchable(w) for w in words],
    )
    return int(found[0][0])


def _term_sql(field: str) -> tuple[str, list[object]]:
    table, column, kind = TERM_TABLES[field]
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
    cap = term_cap(total)

    def holders(field: str, term: str) -> list[str]:
        sql, extra = _term_sql(field)
        found = db.rows(f"SELECT DISTINCT nct_id {sql} LIMIT %s", [term, *extra, cap + 1])
        return [str(r[0]) for r in found]

    return neighbours_by_idf(nct_id, _own_terms(db, nct_id), total, limit, holders)


def _own_terms(db: Rows, nct_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {field: [] for field in TERM_TABLES}
    for kind, term in db.rows(
        "SELECT DISTINCT kind, term FROM mesh_terms WHERE nct_id = %s ORDER BY kind, term",
        (nct_id,),
    ):
        out[f"{kind}_mesh"].append(term)
    for field in ("condition_names", "intervention_names"):
        table, column, _ = TERM_TABLES[field]
        found = db.rows(
            f"SELECT DISTINCT {column} FROM {table} WHERE nct_id = %s ORDER BY {column}", (nct_id,)
        )
        names = {str(r[0]).strip().lower(): str(r[0]) for r in found}
        out[field] = list(names.values())
    return out
