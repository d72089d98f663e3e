"""Store queries of the related-trials feature: term neighbours, term counts (the
compared facts of each trial are in store/sqlite/briefs.py).

``term_neighbours`` finds the trials that share a MeSH browse term (conditions and
interventions) or a condition or intervention name (case-insensitive) with a trial.
Each shared term weighs its inverse document frequency, so a rare shared treatment
counts more than a shared "Neoplasms"; terms held by more than a small share of the
store say nothing and are not followed at all (which also bounds the rows read at
600k studies). Every lookup goes through an index on the term (migration 5).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from trialatlas.store.fts_query import fts_terms

# a term held by more than this share of the store is not followed to its trials
MAX_TERM_SHARE = 0.02
MIN_TERM_CAP = 50  # … but a small store still follows terms up to this many trials

# field → (table, column, kind filter) of the exact-term lookups
_TERM_TABLES: dict[str, tuple[str, str, str | None]] = {
    "condition_mesh": ("mesh_terms", "term", "condition"),
    "intervention_mesh": ("mesh_terms", "term", "intervention"),
    "condition_names": ("conditions", "name", None),
    "intervention_names": ("interventions", "name", None),
}
_WORD_COLUMNS = {"conditions", "interventions"}


class _Reader(Protocol):
    def execute(self, sql: str, params: Iterable[object] = ()) -> Any: ...


HolderCount = Callable[[str, str, int], int]  # (field, term, cap) → distinct holders ≤ cap + 1


def term_document_counts(db: _Reader, field: str, terms: Sequence[str]) -> dict[str, int]:
    """Trials holding each term: exact MeSH terms, or all its words in a full-text column."""
    if field in ("condition_mesh", "intervention_mesh"):
        return {term: _exact_count(db, field, term) for term in dict.fromkeys(terms)}
    if field not in _WORD_COLUMNS:
        raise ValueError(f"no such term field: {field}")
    out: dict[str, int] = {}
    for term in dict.fromkeys(terms):
        words = fts_terms(term)
        if not words:
            out[term] = 0
            continue
        every = " AND ".join('"' + w.replace('"', '""') + '"' for w in words)
        out[term] = int(
            db.execute(
                "SELECT count(*) FROM studies_fts WHERE studies_fts MATCH ?",
                (f"{{{field}}} : ({every})",),
            ).fetchone()[0]
        )
    return out


def _exact_count(db: _Reader, field: str, term: str) -> int:
    table, column, kind = _TERM_TABLES[field]
    sql = f"SELECT count(DISTINCT nct_id) FROM {table} WHERE {column} = ? COLLATE NOCASE"
    params: list[object] = [term]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return int(db.execute(sql, params).fetchone()[0])


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
    cap = max(MIN_TERM_CAP, int(total * MAX_TERM_SHARE))
    count = holder_count or (lambda field, term, cap: count_holders(db, field, term, cap))
    scores: dict[str, float] = {}
    for field, terms in _own_terms(db, nct_id).items():
        for term in terms:
            held = count(field, term, cap)
            if held > cap or held < 2:
                continue  # too common to say anything, or held by this trial alone
            holders = _holders(db, field, term, cap + 1)
            weight = math.log(total / len(holders))
            for other in holders:
                if other != nct_id:
                    scores[other] = scores.get(other, 0.0) + weight
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(nct, round(weight, 4)) for nct, weight in ranked[:limit]]


def count_holders(db: _Reader, field: str, term: str, cap: int) -> int:
    """Distinct trials holding ``term`` exactly (case-insensitive), counted up to ``cap + 1``."""
    sql, params = _holders_sql(field, term)
    row = db.execute(f"SELECT count(*) FROM ({sql} LIMIT ?)", [*params, cap + 1]).fetchone()
    return int(row[0])


def _own_terms(db: _Reader, nct_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {field: [] for field in _TERM_TABLES}
    for kind, term in db.execute(
        "SELECT DISTINCT kind, term FROM mesh_terms WHERE nct_id = ?", (nct_id,)
    ).fetchall():
        out[f"{kind}_mesh"].append(term)
    for field in ("condition_names", "intervention_names"):
        table, column, _ = _TERM_TABLES[field]
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
    table, column, kind = _TERM_TABLES[field]
    sql = f"SELECT DISTINCT nct_id FROM {table} WHERE {column} = ? COLLATE NOCASE"
    params: list[object] = [term]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return sql, params
