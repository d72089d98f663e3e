"""Run a trial search on PostgreSQL, in one repeatable-read snapshot.

The filtered set is one CTE ``f`` (words through the GIN-indexed ``study_text``
vectors, the place through :mod:`search_geo`, the other filters through
:mod:`search_filters`); from it come the page (hits after the cursor in the order
``(sort key, NCT ID)``, one more than asked), the exact total and facets (one GROUP BY)
and the exact country counts of the whole set. The answers mean what the SQLite
backend's mean (:mod:`trialatlas.store.sqlite.search`): every word required, trials
with any word when no trial has them all (``words == "any"``, kept by the cursor),
open-first searches paged through their two groups (the store's
:mod:`trialatlas.store.search_pages`). Counts are always exact here, so
``rank_pool``, ``facets_sample`` and ``country_facet_top`` stay None.
"""

from __future__ import annotations

from functools import partial

import psycopg

from trialatlas.model.search import (
    DEFAULT_RADIUS_KM,
    NearestSite,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.postgres.search_filters import (
    filter_clauses,
    has_all_words_sql,
    nct_ids_in,
    text_match,
)
from trialatlas.store.postgres.search_geo import geo_cte, nearest_sites_sql
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.search_cursor import Cursor, Mode
from trialatlas.store.search_facets import Counts, facets_of
from trialatlas.store.search_pages import (
    Gathered,
    checked_query,
    nearest_site,
    search_hits,
    search_pages,
)

Row = tuple[object, ...]
# sort → (key expression over the filtered set's columns, direction)
_SORT_KEYS = {
    "relevance": ("f.rank", "ASC"),
    "nearest": ("f.distance_km", "ASC"),
    "last_update": ("coalesce(f.last_update_posted, '')", "DESC"),
    "start_date": ("coalesce(f.start_date, '')", "DESC"),
}


def search_trials(conn: psycopg.Connection, query: SearchQuery) -> SearchResults:
    """One page of trials for ``query`` (its ``near`` point already resolved)."""
    query, cursor = checked_query(query)
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return search_pages(query, cursor, partial(_gather, conn), partial(_results, conn))


def _results(
    conn: psycopg.Connection,
    query: SearchQuery,
    page: list[Row],
    counts: Counts,
    next_cursor: str | None,
    parts: list[Gathered],
) -> SearchResults:
    return SearchResults(
        total=counts.total,
        results=_hits(conn, query, page),
        facets=facets_of(counts.combos, counts.countries, counts.scale),
        next=next_cursor,
        sort=query.effective_sort,
        words=parts[0].mode if query.has_text and parts else None,
    )


def _word_mode(conn: psycopg.Connection, query: SearchQuery) -> Mode:
    """``any`` when no trial at all has every word of the text (whatever the filters)."""
    if len(fts_terms(query.text)) < 2 or nct_ids_in(query.text):
        return "all"
    p = Params()
    exists = has_all_words_sql(query.text, p)
    if exists is None:
        return "all"
    row = conn.execute(f"SELECT {exists}", p.values).fetchone()  # type: ignore[arg-type]
    return "all" if row and row[0] else "any"


def filtered_set(query: SearchQuery, mode: Mode, p: Params) -> str | None:
    """``WITH … f AS (…)``: the whole filtered set with its sort columns, rank (when
    sorting by relevance) and nearest site's km; None when the search can match nothing."""
    words = text_match(query, mode, p)
    if words is not None and words.nothing:
        return None
    ctes: list[str] = []
    tables = "studies AS s"
    where = filter_clauses(query, p)
    rank = "NULL::float8"
    if words is not None:
        tables += " JOIN study_text AS st ON st.nct_id = s.nct_id"
        where = [*words.where, *where]
        if query.effective_sort == "relevance" and words.rank is not None:
            rank = words.rank
    elif nct_ids_in(query.text) and query.effective_sort == "relevance":
        rank = "0.0::float8"
    distance = "NULL::float8"
    if query.near is not None:
        radius = query.radius_km or DEFAULT_RADIUS_KM
        ctes.append(geo_cte(query.near.lat, query.near.lon, radius, p, query.near_towns))
        tables += " JOIN g ON g.nct_id = s.nct_id"
        distance = "g.distance_km"
    columns = (
        "s.nct_id, s.overall_status AS status, s.phases, s.study_type,"
        " s.lead_sponsor_class AS sponsor_class, s.last_update_posted, s.start_date,"
        f" {rank} AS rank, {distance} AS distance_km"
    )
    body = f"SELECT {columns} FROM {tables}" + (f" WHERE {' AND '.join(where)}" if where else "")
    ctes.append(f"f AS MATERIALIZED ({body})")
    return "WITH " + ", ".join(ctes) + " "


def _gather(conn: psycopg.Connection, query: SearchQuery, cursor: Cursor | None) -> Gathered:
    """The page after the cursor and the exact counts, in one statement: the filtered
    set is computed once; rows are tagged ``page``, ``combo`` (total and the status,
    phase, type and sponsor-class facets) or ``country``."""
    mode: Mode = cursor.mode if cursor else _word_mode(conn, query)
    p = Params()
    with_f = filtered_set(query, mode, p)
    if with_f is None:
        return Gathered([], Counts([], [], 0), mode)
    key, direction = _SORT_KEYS[query.effective_sort]
    after = ""
    if cursor is not None:
        op = ">" if direction == "ASC" else "<"
        k, n = p.add("after_key", cursor.key), p.add("after_id", cursor.nct_id)
        after = f" WHERE ({key} {op} {k} OR ({key} = {k} AND f.nct_id > {n}))"
    text_key = direction == "DESC"  # the date keys; relevance and distance are numbers
    keys = f"{key}, NULL::float8" if text_key else f"NULL::text, {key}"
    rows = conn.execute(
        f"{with_f}(SELECT 'page', f.nct_id, {keys}, f.rank, f.distance_km, f.status,"  # type: ignore[arg-type]
        f" f.phases, f.study_type, f.sponsor_class, NULL::bigint FROM f{after}"
        f" ORDER BY {key} {direction}, f.nct_id LIMIT {p.add('limit', query.page_size + 1)})"
        " UNION ALL SELECT 'combo', NULL, NULL, NULL, NULL, NULL, status, phases, study_type,"
        " sponsor_class, count(*) FROM f GROUP BY status, phases, study_type, sponsor_class"
        " UNION ALL SELECT 'country', l.country, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
        " NULL, count(DISTINCT l.nct_id) FROM f JOIN locations AS l ON l.nct_id = f.nct_id"
        " WHERE l.country IS NOT NULL GROUP BY l.country",
        p.values,
    ).fetchall()
    page: list[Row] = []
    combos: list[Row] = []
    countries: list[tuple[str, int]] = []
    for kind, nct, key_text, key_number, rank, km, *facets, count in rows:
        if kind == "page":
            key_value = key_text if text_key else key_number
            page.append((nct, key_value, rank, km, *facets))
        elif kind == "combo":
            combos.append((*facets, count))
        else:
            countries.append((str(nct), int(count)))
    total = sum(int(r[4]) for r in combos)  # type: ignore[call-overload]
    return Gathered(page, Counts(combos, countries, total), mode)


def _hits(conn: psycopg.Connection, query: SearchQuery, page: list[Row]) -> list[SearchHit]:
    ids = [str(r[0]) for r in page]
    if not ids:
        return []
    found = conn.execute(
        "SELECT s.nct_id, coalesce(s.brief_title, s.official_title, s.nct_id),"
        " s.overall_status, s.phases, (SELECT array_agg(c.name ORDER BY c.ordinal)"
        " FROM conditions c WHERE c.nct_id = s.nct_id) FROM studies s"
        " WHERE s.nct_id = ANY(%s)",
        (ids,),
    ).fetchall()
    studies = {r[0]: r[1:4] for r in found}
    conditions = {str(r[0]): list(r[4] or []) for r in found}
    sites: dict[str, NearestSite] = {}
    if query.near is not None:
        radius = query.radius_km or DEFAULT_RADIUS_KM
        sql = nearest_sites_sql(ids, query.near.lat, query.near.lon, radius, query.near_towns)
        rows = conn.execute(sql.text, sql.params).fetchall()  # type: ignore[arg-type]
        sites = {str(row[0]): nearest_site(row[1:]) for row in rows}
    return search_hits(page, studies, conditions, sites)
