"""Store queries of the related-trials feature on SQLite: term neighbours, term counts
(the compared facts of each trial are in store/sqlite/briefs.py). What they mean is the
store's (:mod:`trialatlas.store.related_terms`); every lookup goes through an index on
the term (migration 5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, Protocol

from trialatlas.store.related_terms import TERM_TABLES, neighbours_by_idf, term_cap, term_counts


class _Reader(Protocol):
    def execute(self, sql: str, params: Iterable[object] = ()) -> Any: ...


HolderCount = Callable[[str, str, int], int]  # (field, term, cap) → distinct holders ≤ cap + 1


def term_document_counts(db: _Reader, field: str, terms: Sequence[str]) -> dict[str, int]:
    """Trials holding each term: exact MeSH terms, or all its words in a full-text column."""
    return term_counts(
        field, terms, partial(_exact_count, db, field), partial(_all_words, db, field)
    )


def _all_words(db: _Reader, field: str, words: list[str]) -> int:
    every = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
    match = f"{{{field}}} : ({every})"
    row = db.execute("SELECT count(*) FROM studies_fts WHERE studies_fts MATCH ?", (match,))
    return int(row.fetchone()[0])


def _exact_count(db: _Reader, field: str, term: str) -> int:
    sql, params = _holders_sql(field, term)
    return int(db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])


def term_neighbours(
    db: _Reader,
    nct_id: str,
    limit: int,
    total: int | None = None,
    holder_count: HolderCount | None = None,
) -> list[tuple[str, float]]:
    """Other trials sharing a not-too-common term with ``nct_id``, by summed IDF.

    ``total`` is the store's count of studies and ``holder_count(field, term, cap)``
    how many distinct trials hold a term, counted no further than ``cap + 1``: given,
    they may be kept answers (store/sqlite/generation_cache.py); else counted here. A
    term too common to follow is counted in SQL and never read into Python."""
    if total is None:
        total = int(db.execute("SELECT count(*) FROM studies").fetchone()[0])
    if total == 0 or limit <= 0:
        return []
    cap = term_cap(total)
    count = holder_count or (lambda field, term, cap: count_holders(db, field, term, cap))

    def holders(field: str, term: str) -> list[str]:
        held = count(field, term, cap)
        if held > cap or held < 2:
            return []  # too common to say anything, or held by this trial alone
        return _holders(db, field, term, cap + 1)

    return neighbours_by_idf(nct_id, _own_terms(db, nct_id), total, limit, holders)


def count_holders(db: _Reader, field: str, term: str, cap: int) -> int:
    """Distinct trials holding ``term`` exactly (case-insensitive), counted up to ``cap + 1``."""
    sql, params = _holders_sql(field, term)
    row = db.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", [*params, cap + 1]).fetchone()
    return int(row[0])


def _own_terms(db: _Reader, nct_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {field: [] for field in TERM_TABLES}
    for kind, term in db.execute(
        "SELECT DISTINCT kind, term FROM mesh_terms WHERE nct_id = ?", (nct_id,)
    ).fetchall():
        out[f"{kind}_mesh"].append(term)
    for field in ("condition_names", "intervention_names"):
        table, column, _ = TERM_TABLES[field]
        rows = db.execute(f"SELECT DISTINCT {column} FROM {table} WHERE nct_id = ?", (nct_id,))
        names = {str(r[0]).strip().lower(): str(r[0]) for r in rows.fetchall()}
        out[field] = list(names.values())
    return out


def _holders(db: _Reader, field: str, term: str, limit: int) -> list[str]:
    """Up to ``limit`` distinct trials holding ``term`` exactly (case-insensitive)."""
    sql, params = _holders_sql(field, term)
    rows = db.execute(sql + " LIMIT ?", [*params, limit]).fetchall()
    return [str(r[0]) for r in rows]


def _holders_sql(field: str, term: str) -> tuple[str, list[object]]:
    table, column, kind = TERM_TABLES[field]
    sql = f"SELECT DISTINCT nct_id FROM {table} WHERE {column} = ? COLLATE NOCASE"
    params: list[object] = [term]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return sql, params
