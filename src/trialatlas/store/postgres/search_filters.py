"""Search filters as PostgreSQL conditions over a row ``s`` of ``studies`` and ``st`` of
``study_text`` (built without a database): the meaning of
:mod:`trialatlas.store.sqlite.search_filters`, test for test (a missing age bound is no
bound, a missing date fails a date range, sponsor names by their start and countries
in any case)."""

from __future__ import annotations

from dataclasses import dataclass

from trialatlas.model.codes import LABELS
from trialatlas.model.search import SearchQuery
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.postgres.bm25 import bm25_sql
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.postgres.text_query import match_terms, words_query
from trialatlas.store.search_cursor import Mode
from trialatlas.store.sqlite.search_filters import lower_date_key, nct_ids_in, sponsor_pattern


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


def phase_test(code: str, p: Params) -> str:
    """SQL true when ``s.phases`` (codes joined by ``|``) holds ``code`` (``PHASE1`` is
    not found in ``EARLY_PHASE1``)."""
    param = p.add("phase", code)
    test = f"strpos(s.phases, {param}) > 0"
    longer = [other for other in LABELS["phase"] if other != code and code in other]
    if not longer:
        return test
    names = [p.add("phase_other", other) for other in longer]
    cleaned = "s.phases"
    for name in names:
        cleaned = f"replace({cleaned}, {name}, '')"
    holds_longer = " OR ".join(f"strpos(s.phases, {name}) > 0" for name in names)
    return f"({test} AND (NOT ({holds_longer}) OR strpos({cleaned}, {param}) > 0))"


def filter_clauses(query: SearchQuery, p: Params) -> list[str]:
    """WHERE conditions over ``s`` for every filter but the words and the place."""
    where: list[str] = []
    if query.has_results is not None:
        where.append(f"s.has_results = {p.add('results', int(query.has_results))}")
    if query.healthy_volunteers is not None:
        where.append(f"s.healthy_volunteers = {p.add('hv', int(query.healthy_volunteers))}")
    if query.age_years is not None:
        days = p.add("age", round(query.age_years * 365.25))
        where.append(f"(s.min_age_days IS NULL OR s.min_age_days <= {days})")
        where.append(f"(s.max_age_days IS NULL OR s.max_age_days >= {days})")
    if query.study_type:
        where.append(f"s.study_type = {p.add('type', query.study_type)}")
    if query.sponsor_class:
        where.append(f"s.lead_sponsor_class = {p.add('class', query.sponsor_class)}")
    if query.statuses:
        where.append(f"s.overall_status = ANY({p.add('status', list(query.statuses))})")
    if query.status_not:
        left_out = p.add("not_status", list(query.status_not))
        where.append(f"(s.overall_status IS NULL OR NOT s.overall_status = ANY({left_out}))")
    if query.sex:
        where.append(f"(s.sex IS NULL OR s.sex = 'ALL' OR s.sex = {p.add('sex', query.sex)})")
    for column, low, high in (
        ("s.start_date", query.start_from, query.start_to),
        ("s.last_update_posted", query.updated_from, query.updated_to),
    ):
        if low:
            where.append(f"{column} >= {p.add('from', lower_date_key(low))}")
        if high:
            where.append(f"{column} <= {p.add('to', high.isoformat())}")
    if query.phase:
        where.append("(" + " OR ".join(phase_test(code, p) for code in query.phase) + ")")
    if query.sponsor:
        where.append(
            "EXISTS (SELECT 1 FROM sponsors AS sp WHERE sp.nct_id = s.nct_id AND sp.name"
            f" ILIKE {p.add('sponsor', sponsor_pattern(query.sponsor))} ESCAPE '\\')"
        )
    if query.country:
        where.append(
            "EXISTS (SELECT 1 FROM locations AS lc WHERE lc.nct_id = s.nct_id"
            f" AND lower(lc.country) = lower({p.add('country', query.country)}))"
        )
    ids = nct_ids_in(query.text) if query.text else []
    if ids:
        where.append(f"s.nct_id = ANY({p.add('nct', ids)})")
    return where
