"""Search filters as SQLite conditions over a row ``s`` of a search index of ``studies``
(the store's :mod:`trialatlas.store.search_filters` with SQLite's country test), and
the FTS5 MATCH text of the words (built without a database)."""

from __future__ import annotations

from trialatlas.model.search import SearchQuery
from trialatlas.store.fts_query import fts_match
from trialatlas.store.search_cursor import Mode
from trialatlas.store.search_filters import filter_clauses as shared_filter_clauses
from trialatlas.store.search_filters import (
    lower_date_key,
    nct_ids_in,
    phase_test,
    sponsor_pattern,
)
from trialatlas.store.sqlite.sql_text import Params

__all__ = [
    "filter_clauses",
    "lower_date_key",
    "match_expression",
    "nct_ids_in",
    "phase_test",
    "sponsor_pattern",
]


def match_expression(query: SearchQuery, mode: Mode) -> str | None:
    """The FTS5 MATCH text for the words, the condition and the intervention, or None
    when nothing asks for words. ``""`` means words were asked but none survive
    escaping (e.g. only punctuation): the search matches nothing."""
    parts: list[str] = []
    if query.text and not nct_ids_in(query.text):
        parts.append(fts_match(query.text, mode) or "")
    for column, value in (("conditions", query.condition), ("interventions", query.intervention)):
        if value:
            words = fts_match(value, "all")
            parts.append(f"{{{column}}} : ({words})" if words else "")
    if not parts:
        return None
    if "" in parts:
        return ""
    return parts[0] if len(parts) == 1 else " AND ".join(f"({p})" for p in parts)


# a site of the study in the country (any case), through the index of sites by country
_COUNTRY_TEST = (
    "EXISTS (SELECT 1 FROM locations AS lc INDEXED BY locations_nct_country"
    " WHERE lc.nct_id = s.nct_id AND lc.country = {} COLLATE NOCASE)"
)


def filter_clauses(query: SearchQuery, p: Params, *, driver: str = "") -> list[str]:
    """WHERE conditions over ``s`` (a row of a search index of ``studies``); the
    ``driver`` filter (``sponsor``, ``country``) found the candidates and is left out."""
    return shared_filter_clauses(query, p, _COUNTRY_TEST, driver=driver)
