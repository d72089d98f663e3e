"""Search filters as PostgreSQL conditions over a row ``s`` of ``studies`` and ``st`` of
``study_text`` (built without a database): the words as tsquery tests, and the other
filters as the store's (:mod:`trialatlas.store.search_filters`: a missing age bound is
no bound, a missing date fails a date range, sponsor names by their start and
countries in any case) with PostgreSQL's country test."""

from __future__ import annotations

from dataclasses import dataclass

from trialatlas.model.search import SearchQuery
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.postgres.bm25 import bm25_sql
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.postgres.text_query import match_terms, words_query
from trialatlas.store.search_cursor import Mode
from trialatlas.store.search_filters import filter_clauses as shared_filter_clauses
from trialatlas.store.search_filters import nct_ids_in


@dataclass(frozen=True, slots=True)
class TextMatch:
    """The word tests of a search: WHERE conditions over ``st`` and the tsquery to rank
    by (None without words); ``nothing`` when words were asked but none survive."""

    where: list[str]
    rank: str | None  # SQL of the relevance (lower is better), None without words
    nothing: bool = False


def text_match(query: SearchQuery, mode: Mode, p: Params) -> TextMatch | None:
    """The words, the condition and the intervention as tsquery tests; None when nothing
    asks for words (NCT IDs as the text are a filter, not words)."""
    where: list[str] = []
    ranked: list[tuple[list[tuple[str, ...]], tuple[str, ...] | None]] = []  # in own fields
    asked = False
    nothing = False
    for field, value, how in (
        ("document", query.text if not nct_ids_in(query.text) else "", mode),
        ("conditions", query.condition or "", "all"),
        ("interventions", query.intervention or "", "all"),
    ):
        if not value:
            continue
        asked = True
        tsq = words_query(value, how, p)
        if tsq is None:
            nothing = True
            continue
        where.append(f"st.{field} @@ {tsq}")
        phrases = [(term,) for term in match_terms(value)]
        ranked.append((phrases, None if field == "document" else (field,)))
    if not asked:
        return None
    return TextMatch(where, bm25_sql(ranked, p), nothing)


def has_all_words_sql(text: str, p: Params) -> str | None:
    """SQL true when some trial holds every word of ``text`` (None: no usable words)."""
    if not fts_terms(text):
        return None
    tsq = words_query(text, "all", p)
    return f"EXISTS (SELECT 1 FROM study_text st WHERE st.document @@ {tsq})"


# a site of the study in the country, in any case
_COUNTRY_TEST = (
    "EXISTS (SELECT 1 FROM locations AS lc WHERE lc.nct_id = s.nct_id"
    " AND lower(lc.country) = lower({}))"
)


def filter_clauses(query: SearchQuery, p: Params) -> list[str]:
    """WHERE conditions over ``s`` for every filter but the words and the place (the
    store's :func:`trialatlas.store.search_filters.filter_clauses`)."""
    return shared_filter_clauses(query, p, _COUNTRY_TEST)
