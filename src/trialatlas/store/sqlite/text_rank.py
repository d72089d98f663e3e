"""Ranked OR-queries over the full-text index: BM25 for retrieval (matching, baselines).

Unlike ``search_text`` (every word required), a trial matches when it holds any of
the terms, and BM25 sums what each term contributes: the ranking a retrieval stage
wants from a long list of weighted keywords. A multi-word term is a phrase; a term
given twice counts twice (FTS5 scores every phrase of the query).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from trialatlas.store.fts_query import FTS_WEIGHTS, fts_terms

MAX_TERMS = 256
_TOKENIZE = "porter unicode61 remove_diacritics 2"  # as studies_fts (schema.py)
_COLUMNS = ("title", "conditions", "interventions", "keywords", "summary", "description")


def any_terms_match(terms: Sequence[str], columns: Sequence[str] | None = None) -> str | None:
    """A MATCH expression: the terms OR-ed, each a quoted phrase (no FTS syntax leaks).

    ``columns`` limits the match to those columns of ``studies_fts``. None when no term
    has a word.
    """
    phrases: list[str] = []
    for term in terms[:MAX_TERMS]:
        words = fts_terms(term)
        if words:
            phrases.append('"' + " ".join(w.replace('"', '""') for w in words) + '"')
    if not phrases:
        return None
    expression = " OR ".join(phrases)
    if columns:
        unknown = [c for c in columns if c not in _COLUMNS]
        if unknown:
            raise ValueError(f"no such full-text column: {unknown[0]}")
        return "{" + " ".join(columns) + "} : (" + expression + ")"
    return expression


def rank_any(
    conn: sqlite3.Connection,
    terms: Sequence[str],
    limit: int,
    columns: Sequence[str] | None = None,
) -> list[tuple[str, float]]:
    """``(nct_id, score)`` of the trials holding any term, best BM25 first (higher is better)."""
    match = any_terms_match(terms, columns)
    if match is None or limit <= 0:
        return []
    rows = conn.execute(rank_any_sql(), (match, limit, limit)).fetchall()
    return [(nct_id, -float(rank)) for nct_id, rank in rows]


def rank_any_sql() -> str:
    """The ``limit`` best hits by BM25, ties by NCT ID, reading ``studies`` for the best only.

    Every hit is scored in the full-text index alone; the ``limit``-th best score is the
    cut, and only the hits at or above it (``limit`` and any ties) are joined to their
    study rows for the NCT ID: a common word's tens of thousands of hits never read the
    wide rows (the same result as joining every hit, then sorting)."""
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    return (
        "WITH hits AS MATERIALIZED ("
        f" SELECT rowid AS id, bm25(studies_fts, {weights}) AS rank"
        " FROM studies_fts WHERE studies_fts MATCH ?),"
        " cut AS (SELECT max(rank) AS rank FROM (SELECT rank FROM hits ORDER BY rank LIMIT ?))"
        " SELECT s.nct_id, hits.rank FROM hits CROSS JOIN studies s ON s.id = hits.id"
        " WHERE hits.rank <= (SELECT rank FROM cut) ORDER BY hits.rank, s.nct_id LIMIT ?"
    )


def document_frequencies(conn: sqlite3.Connection, words: Sequence[str]) -> dict[str, int]:
    """How many trials hold each word (as the full-text index reads it: stemmed), 0 when
    none. The words are stemmed by the index's own tokenizer in a throwaway in-memory
    table; counts come from an ``fts5vocab`` view of ``studies_fts`` (no table scan)."""
    distinct = list(dict.fromkeys(w for w in words if w.strip()))[:MAX_TERMS]
    if not distinct:
        return {}
    stems: dict[str, str] = {}
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(f"CREATE VIRTUAL TABLE words USING fts5(w, tokenize = '{_TOKENIZE}')")
        scratch.executemany("INSERT INTO words (rowid, w) VALUES (?, ?)", enumerate(distinct))
        scratch.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, 'instance')")
        for term, row in scratch.execute("SELECT term, doc FROM stems ORDER BY doc, offset"):
            stems.setdefault(distinct[row], term)  # a word of several tokens: its first
    finally:
        scratch.close()
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.studies_fts_terms"
        " USING fts5vocab(main, studies_fts, 'row')"
    )
    wanted = sorted(set(stems.values()))
    marks = ", ".join("?" for _ in wanted)
    counts = (
        dict(
            conn.execute(
                f"SELECT term, doc FROM temp.studies_fts_terms WHERE term IN ({marks})", wanted
            ).fetchall()
        )
        if wanted
        else {}
    )
    return {word: int(counts.get(stems.get(word, ""), 0)) for word in distinct}
