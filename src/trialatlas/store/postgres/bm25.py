"""FTS5's bm25, computed in PostgreSQL from the ``study_text`` vectors (built without a
database), so both backends rank alike.

For each phrase of the query (a phrase given twice counts twice, as in FTS5):
``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * D / avgD))`` where ``tf`` is the
phrase's occurrences weighted per field (:data:`trialatlas.store.fts_query.FTS_WEIGHTS`,
fields outside a field filter weigh 0), ``D`` the row's tokens in every field
(``study_text.tokens``), ``avgD`` the store's mean (``text_stats``) and ``idf``
``ln((N - hits + 0.5) / (hits + 0.5))``, at least 1e-6. A phrase's occurrences in a
field are counted by ``ts_rank_cd`` (every weight 1, no normalization: one per
occurrence, from the tsvector positions; at most 255 a field). The result is negated:
lower is better, as bm25() is in SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

from trialatlas.store.fts_query import FTS_WEIGHTS
from trialatlas.store.postgres.schema import TEXT_CONFIG
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.postgres.text_query import FIELDS, field_vector, searchable

K1 = 1.2
B = 0.75

Phrase = tuple[str, ...]


def _occurrences(field: str, query: str, alias: str) -> str:
    """How often the phrase ``query`` occurs in the field: ``ts_rank_cd`` with every
    weight 1 and no normalization counts the phrase's covers, one per occurrence."""
    return f"ts_rank_cd('{{1,1,1,1}}', {alias}.{field}, {query}, 0)"


def bm25_sql(
    groups: Sequence[tuple[Sequence[Phrase], Sequence[str] | None]],
    p: Params,
    alias: str = "st",
) -> str | None:
    """SQL of the relevance of the ``study_text`` row ``alias`` (lower is better) to the
    phrases of ``groups``: ``(phrases, fields)`` pairs, ``fields`` None for all of them.
    None when no group has a phrase."""
    scores: list[str] = []
    length = (
        f"(1 - {B} + {B} * {alias}.tokens / (SELECT greatest(tokens::float8, 1)"
        " / greatest(documents, 1) FROM text_stats WHERE id = 1))"
    )
    for phrases, fields in groups:
        chosen = set(fields or FIELDS)
        for phrase in phrases:
            if not phrase:
                continue
            query = (
                f"phraseto_tsquery('{TEXT_CONFIG}', {p.add('bp', searchable(' '.join(phrase)))})"
            )
            tf = " + ".join(
                f"{weight!r} * {_occurrences(field, query, alias)}"
                for field, weight in zip(FIELDS, FTS_WEIGHTS, strict=True)
                if field in chosen
            )
            hits = (
                f"(SELECT count(*) FROM study_text AS h"
                f" WHERE {field_vector(fields, 'h')} @@ {query})"
            )
            idf = (
                "(SELECT greatest(ln((n - h + 0.5) / (h + 0.5)), 1e-6) FROM (SELECT"
                f" (SELECT documents FROM text_stats WHERE id = 1) AS n, {hits} AS h OFFSET 0) AS c)"
            )
            scores.append(
                f"(SELECT {idf} * (t * {K1 + 1}) / (t + {K1} * {length}) FROM (SELECT {tf} AS t) AS o)"
            )
    if not scores:
        return None
    return "(-(" + " + ".join(scores) + ")::float8)"
