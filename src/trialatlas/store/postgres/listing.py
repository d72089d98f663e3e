"""PostgreSQL queries behind the ClinicalTrials.gov-compatible API and the FHIR search:
one keyset page of a :class:`~trialatlas.store.listing.StudyListQuery`, the same rows
in the same order as :mod:`trialatlas.store.sqlite.ctgov_api`.

The page, its keyset paging and its filters are the store's
(:mod:`trialatlas.store.listing_sql`); here are the full-text areas, the registry's Essie
subset as tsquery tests over the ``study_text`` fields
(:func:`trialatlas.store.postgres.text_query.essie_match`), ranked by BM25.
"""

from __future__ import annotations

from trialatlas.store import listing_sql
from trialatlas.store.listing import StudyListQuery
from trialatlas.store.postgres.bm25 import bm25_sql
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.postgres.text_query import essie_match, essie_phrases

# full-text area → study_text fields (None: the whole document)
_AREAS: dict[str, tuple[str, ...] | None] = {
    "term": None,
    "cond": ("title", "conditions", "keywords"),
    "intr": ("interventions",),
    "titles": ("title",),
}
Ranked = list[tuple[list[tuple[str, ...]], tuple[str, ...] | None]]


def _text_tests(query: StudyListQuery, p: Params) -> tuple[list[str], Ranked]:
    """WHERE tests of the full-text areas, and the phrases relevance ranks by (per area)."""
    from trialatlas.store.essie_query import parse_essie

    where: list[str] = []
    ranked: Ranked = []
    for area, fields in _AREAS.items():
        text = getattr(query, area)
        test = essie_match(text, fields, p)
        if test is None:
            continue
        where.append(test)
        node = parse_essie(text) if test != "FALSE" else None
        if node is not None and not test.startswith("NOT "):
            ranked.append((essie_phrases(node), fields))
    return where, ranked


def _text_part(query: StudyListQuery, p: Params) -> listing_sql.TextPart:
    where, ranked = _text_tests(query, p)
    source = "studies s JOIN study_text st ON st.nct_id = s.nct_id"
    return listing_sql.TextPart(source, where, lambda: bm25_sql(ranked, p))


LISTING = listing_sql.ListingSql(
    Params,
    _text_part,
    "EXISTS (SELECT 1 FROM unnest({}::text[]) AS ph"
    " WHERE strpos('|' || s.phases || '|', '|' || ph || '|') > 0)",
)
