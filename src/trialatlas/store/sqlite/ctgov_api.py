"""SQLite queries behind the ClinicalTrials.gov-compatible API and the FHIR search.

:data:`LISTING` builds the SQL of one page of a :class:`StudyListQuery` (its
``page_sql``, :func:`list_studies_sql`: separate from execution, so it is tested
without a database) and runs it (``LISTING.list_studies``). The page, its keyset
paging and its filters are the store's (:mod:`trialatlas.store.listing_sql`); here are
the full-text areas, the registry's Essie subset (:mod:`trialatlas.store.essie_query`)
as FTS5 MATCH expressions: user words reach FTS5 only as quoted strings.
"""

from __future__ import annotations

from trialatlas.store import listing_sql
from trialatlas.store.essie_query import essie_fts
from trialatlas.store.fts_query import FTS_WEIGHTS
from trialatlas.store.listing import StudyListQuery
from trialatlas.store.sqlite.sql_text import Params

# full-text area → FTS5 column filter (None: every column)
_FTS_AREAS = {
    "term": None,
    "cond": "{title conditions keywords}",
    "intr": "{interventions}",
    "titles": "{title}",
}


def fts_parts(query: StudyListQuery) -> tuple[str | None, str | None, bool]:
    """The full-text areas of ``query`` as (MATCH expression of what must match, MATCH
    expression of what must not, matches nothing).

    Every area's expression must hold. A text without words matches nothing; a text that
    only excludes (``NOT cancer``) gives no required part. Raises
    :class:`~trialatlas.store.essie_query.EssieError` for an expression it cannot read.
    """
    required: list[str] = []
    excluded: list[str] = []
    nothing = False
    for area, columns in _FTS_AREAS.items():
        text = getattr(query, area)
        if not text:
            continue
        parts = essie_fts(text, columns)
        if parts is None:
            nothing = True
            continue
        required += [f"({e})" for e in parts.required]
        excluded += [f"({e})" for e in parts.excluded]
    match = " AND ".join(required) or None
    exclude = " OR ".join(excluded) or None
    if match is not None and exclude is not None:
        match, exclude = f"({match}) NOT ({exclude})", None
    return match, exclude, nothing


def _text_part(query: StudyListQuery, p: Params) -> listing_sql.TextPart:
    """The full-text areas as FTS5 tests; relevance is BM25 (lower is better)."""
    match, exclude, nothing = fts_parts(query)
    where: list[str] = []
    source = "studies s"
    if nothing:
        where.append(p.FALSE)  # a search text without words matches no study
    if match is not None:
        source = "studies_fts JOIN studies s ON s.id = studies_fts.rowid"
        where.append(f"studies_fts MATCH {p.add('match', match)}")
    if exclude is not None:
        where.append(
            "s.id NOT IN (SELECT rowid FROM studies_fts WHERE studies_fts MATCH"
            f" {p.add('exclude', exclude)})"
        )
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rank = f"bm25(studies_fts, {weights})" if match is not None else None
    return listing_sql.TextPart(source, where, lambda: rank)


LISTING = listing_sql.ListingSql(
    Params,
    _text_part,
    "EXISTS (SELECT 1 FROM json_each({}) p"
    " WHERE '|' || s.phases || '|' LIKE '%|' || p.value || '|%')",
)
list_studies_sql = LISTING.page_sql  # SQL of one page, built without a database
