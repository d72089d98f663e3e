"""Run a trial search on SQLite with the statements of :mod:`search_sql`.

In one read transaction (one consistent snapshot):

1. the page: hits after the cursor, one more than asked (it says a next page exists);
   BM25 is computed only here, and only when sorting by relevance, over one pool of
   ``RANK_POOL`` matches at a time (``SearchResults.rank_pool`` says when there were
   more). The first page asks for ``COUNTRY_FACET_TOP`` hits at least: when fewer
   come back, they are the whole set and the facets are counted from them;
2. otherwise the counts (:mod:`search_counts`): total and status/phase/type/sponsor-
   class facets in one pass, exact or estimated from a sample, and the countries of
   the ``COUNTRY_FACET_TOP`` best-ranked hits (``SearchResults.country_facet_top``);
3. titles, conditions and nearest sites of the page's trials.

Words are required all together; when no trial of the store has them all (filters
aside), trials with any of them are returned instead (``SearchResults.words ==
"any"``), and the cursor keeps that choice for the following pages.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from functools import partial

from trialatlas.model.search import (
    DEFAULT_RADIUS_KM,
    NearestSite,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.search_cursor import Cursor, Mode
from trialatlas.store.search_facets import Counts, facets_of
from trialatlas.store.search_pages import (
    Gathered,
    checked_query,
    nearest_site,
    search_hits,
    search_pages,
)
from trialatlas.store.sqlite.search_columns import SearchColumnsCache
from trialatlas.store.sqlite.search_columns_query import answer, word_counts
from trialatlas.store.sqlite.search_counts import (
    COUNT_SAMPLE,
    COUNTRY_FACET_TOP,
    count_search,
    counts_of_sample,
    counts_of_set,
    large_store,
)
from trialatlas.store.sqlite.search_filters import match_expression, nct_ids_in
from trialatlas.store.sqlite.search_geo import nearest_sites_sql
from trialatlas.store.sqlite.search_sql import (
    build_geo_estimate,
    build_page,
    build_sample,
    build_words_exist,
    page_rows_sql,
)
from trialatlas.store.sqlite.sql_text import Sql

GEO_ESTIMATE_CAP = 20_000  # counting word matches and sites in a box stops here
SITES_PER_TRIAL = 10  # about the average number of sites of a registry trial
RANK_POOL = 2000  # a relevance search in a large store scores this many matches at a time
WORD_COUNT_LIMIT = 30_000  # words matching more trials are counted in SQL (sampled when large)
_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "asin": math.asin, "sqrt": math.sqrt,
    "radians": math.radians, "pow": math.pow,
}  # fmt: skip
Row = tuple[object, ...]


def ensure_math_functions(conn: sqlite3.Connection) -> None:
    """Register Python versions of the SQL math functions when SQLite was built without
    them (``SQLITE_ENABLE_MATH_FUNCTIONS``); the bundled builds of most systems have them."""
    try:
        conn.execute("SELECT sin(0), asin(0), pow(2, 2), radians(0)").fetchone()
    except sqlite3.OperationalError:
        for name, func in _MATH.items():
            conn.create_function(name, -1, func, deterministic=True)


def search_trials(
    conn: sqlite3.Connection, query: SearchQuery, columns: SearchColumnsCache | None = None
) -> SearchResults:
    """One page of trials for ``query`` (its ``near`` point already resolved).

    A search without words, or with words and a place, is answered over the store's
    in-memory search ``columns`` when given and ready (:mod:`search_columns_query`:
    exact counts, every match near the place ranked); any other search, in SQL, its
    counts over the columns too unless its words match more than ``WORD_COUNT_LIMIT``
    trials."""
    query, cursor = checked_query(query)
    if query.near is not None:
        ensure_math_functions(conn)
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        gather = partial(_gather, conn, columns=columns)
        return search_pages(query, cursor, gather, partial(_results, conn))
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")


def _results(
    conn: sqlite3.Connection,
    query: SearchQuery,
    page: list[Row],
    counts: Counts,
    next_cursor: str | None,
    parts: list[Gathered],
) -> SearchResults:
    total = counts.total
    every_country = all(p.every_country for p in parts)
    return SearchResults(
        total=total,
        results=_hits(conn, query, page),
        facets=facets_of(counts.combos, counts.countries, counts.scale),
        next=next_cursor,
        sort=query.effective_sort,
        words=parts[0].mode if query.has_text and parts else None,
        country_facet_top=None
        if every_country or total <= COUNTRY_FACET_TOP
        else COUNTRY_FACET_TOP,
        rank_pool=RANK_POOL if any(p.pooled for p in parts) else None,
        total_estimated=counts.total_estimated,
        facets_sample=counts.sample,
    )


def _gather(
    conn: sqlite3.Connection,
    query: SearchQuery,
    cursor: Cursor | None,
    columns: SearchColumnsCache | None,
) -> Gathered:
    mode: Mode = cursor.mode if cursor else _word_mode(conn, query)
    limit = query.page_size + 1 if cursor else max(query.page_size + 1, COUNTRY_FACET_TOP)
    pools: list[int | None] = []
    pooled = False
    every_country = False
    match = match_expression(query, mode)
    wordless = match is None and not _ids_asked(query)
    cols = columns.get(conn) if columns is not None and (wordless or match) else None
    if cols is not None and (wordless or query.near is not None):
        rows, counts = answer(conn, cols, query, cursor, query.page_size + 1, match)
        every_country = True
    elif cols is None and (scanned := _filters_only(conn, query, mode, cursor, limit)) is not None:
        rows, counts = scanned
    else:
        exact = None
        if cols is not None and match:  # words: counted over the columns unless too common
            exact = word_counts(conn, cols, query, match, WORD_COUNT_LIMIT)
        if exact is not None:
            limit = query.page_size + 1
        via = _geo_via_words(conn, query, mode)
        rows, pools, pooled = _page(conn, query, mode, cursor, limit, via)
        if exact is not None:
            counts, every_country = exact, True
        else:
            complete = cursor is None and len(rows) < limit  # the page holds the whole set
            counts = count_search(
                conn, query, mode, rows, complete=complete, via=via,
                top=lambda: rows if not cursor else _page(conn, query, mode, None, COUNTRY_FACET_TOP, via)[0],
            )  # fmt: skip
    return Gathered(rows, counts, mode, pools, pooled, every_country)


def _filters_only(
    conn: sqlite3.Connection,
    query: SearchQuery,
    mode: Mode,
    cursor: Cursor | None,
    limit: int,
) -> tuple[list[Row], Counts] | None:
    """The page and counts of a search by filters alone (None for any other search).

    One pass reads the newest ``COUNT_SAMPLE + 1`` hits. When that is all of them, the
    page and exact counts come from them; else the page is read in date order through
    the date's index (a large set fills it quickly) and the counts are estimated from
    the sample."""
    sql = build_sample(query, mode, COUNT_SAMPLE)
    if sql is None or not large_store(conn):
        return None
    sample = _rows(conn, sql)
    if len(sample) > COUNT_SAMPLE:
        page = _rows(conn, build_page(query, mode, cursor, limit, walk=True))

        def top() -> list[Row]:
            if cursor is None:
                return page
            return _rows(conn, build_page(query, mode, None, COUNTRY_FACET_TOP, walk=True))

        return page, counts_of_sample(conn, query, mode, sample, top)
    ordered = sorted(sample, key=lambda r: str(r[0]))
    ordered.sort(key=lambda r: str(r[1]), reverse=True)  # date (newest first), then NCT ID
    counts = counts_of_set(conn, query, mode, [r[:8] for r in ordered])
    if cursor is not None:
        after, nct = str(cursor.key), cursor.nct_id
        ordered = [r for r in ordered if str(r[1]) < after or (r[1] == after and str(r[0]) > nct)]
    return [r[:8] for r in ordered[:limit]], counts


def _page(
    conn: sqlite3.Connection,
    query: SearchQuery,
    mode: Mode,
    cursor: Cursor | None,
    limit: int,
    via: bool,
) -> tuple[list[Row], list[int | None], bool]:
    """The next ``limit`` hits, each hit's pool (``pool_below``; an empty list when the
    search is not ranked by pools) and whether the matches fill a pool (``RANK_POOL``
    or more). A relevance search over words ranks its hits one pool of
    ``RANK_POOL`` matches at a time, newest first, and moves on to the next pool when
    one runs out."""
    if (
        query.effective_sort != "relevance"
        or not match_expression(query, mode)
        or not (cursor and cursor.pool_below is not None or large_store(conn))
    ):
        return _rows(conn, build_page(query, mode, cursor, limit, geo_via_words=via)), [], False
    below = cursor.pool_below if cursor else None
    after = cursor
    rows: list[Row] = []
    pools: list[int | None] = []
    full = False
    while len(rows) < limit:
        sql = build_page(
            query, mode, after, limit - len(rows), geo_via_words=via,
            pool=RANK_POOL, pool_below=below,
        )  # fmt: skip
        got = _rows(conn, sql)
        if not got and after is not None:  # the cursor was this pool's last hit
            sql = build_page(
                query, mode, None, 1, geo_via_words=via, pool=RANK_POOL, pool_below=below
            )
            size, low = next(((r[8], r[9]) for r in _rows(conn, sql)), (0, None))
        else:
            size, low = (got[0][8], got[0][9]) if got else (0, None)
        rows += [r[:8] for r in got]
        pools += [below] * len(got)
        # a later pool means the earlier ones were full; a full pool may have a next
        full = full or below is not None or int(size) >= RANK_POOL  # type: ignore[call-overload]
        if int(size) < RANK_POOL or low is None:  # type: ignore[call-overload]
            break
        below, after = int(low), None  # type: ignore[call-overload]
    return rows, pools, full


def _ids_asked(query: SearchQuery) -> bool:
    return bool(query.text and nct_ids_in(query.text))


def _word_mode(conn: sqlite3.Connection, query: SearchQuery) -> Mode:
    """``any`` when no trial at all has every word of the text (whatever the filters),
    so that trials with some of the words are shown instead; else ``all``."""
    if len(fts_terms(query.text)) < 2 or nct_ids_in(query.text):
        return "all"
    sql = build_words_exist(query.text)
    return "all" if sql is None or conn.execute(sql.text, sql.params).fetchone() else "any"


def _geo_via_words(conn: sqlite3.Connection, query: SearchQuery, mode: Mode) -> bool:
    """With words and a place: True when the word matches' own sites are fewer to look
    at than the sites in the place's bounding box (both counted up to a cap)."""
    sql = build_geo_estimate(query, mode, GEO_ESTIMATE_CAP)
    if sql is None:
        return False
    matches, sites = conn.execute(sql.text, sql.params).fetchone()
    return int(matches) * SITES_PER_TRIAL < int(sites)


def _country_pairs(rows: list[Row]) -> list[tuple[str, int]]:
    return [(str(c), int(n)) for c, n in rows]  # type: ignore[call-overload]


def _rows(conn: sqlite3.Connection, sql: Sql | None) -> list[Row]:
    return [] if sql is None else conn.execute(sql.text, sql.params).fetchall()


def _hits(conn: sqlite3.Connection, query: SearchQuery, page: list[Row]) -> list[SearchHit]:
    ids = [str(r[0]) for r in page]
    if not ids:
        return []
    studies_sql, conditions_sql = page_rows_sql(ids)
    studies = {r[0]: r[1:] for r in _rows(conn, studies_sql)}
    conditions: dict[str, list[str]] = {}
    for nct, name in _rows(conn, conditions_sql):
        conditions.setdefault(str(nct), []).append(str(name))
    sites: dict[str, NearestSite] = {}
    if query.near is not None:
        radius = query.radius_km or DEFAULT_RADIUS_KM
        sql = nearest_sites_sql(ids, query.near.lat, query.near.lon, radius, query.near_towns)
        sites = {str(row[0]): nearest_site(row[1:]) for row in _rows(conn, sql)}
    return search_hits(page, studies, conditions, sites)
