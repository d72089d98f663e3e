"""Run a trial search on SQLite with the statements of :mod:`search_sql`.

In one read transaction (one consistent snapshot):

1. the page: hits after the cursor, one more than asked (it says a next page exists);
   BM25 is computed only here, and only when sorting by relevance. The first page
   asks for ``COUNTRY_FACET_TOP`` hits at least: when fewer come back, they are the
   whole set and the facets are counted from them;
2. otherwise the counts: total and status/phase/type/sponsor-class facets in one pass,
   and the countries of the ``COUNTRY_FACET_TOP`` best-ranked hits
   (``SearchResults.country_facet_top`` says so);
3. titles, conditions and nearest sites of the page's trials.

Words are required all together; when no trial of the store has them all (filters
aside), trials with any of them are returned instead (``SearchResults.words ==
"any"``), and the cursor keeps that choice for the following pages. Facet rows are remembered per connection until
the database changes, so paging through a large result set does not count it again.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable

from trialatlas.model.codes import label, phases_label
from trialatlas.model.search import (
    DEFAULT_RADIUS_KM,
    FacetCount,
    Facets,
    NearestSite,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.search_cursor import (
    Cursor,
    Mode,
    decode_cursor,
    encode_cursor,
    query_fingerprint,
)
from trialatlas.store.sqlite.search_filters import nct_ids_in
from trialatlas.store.sqlite.search_geo import nearest_sites_sql
from trialatlas.store.sqlite.search_sql import (
    build_countries,
    build_counts,
    build_geo_estimate,
    build_page,
    build_words_exist,
    page_rows_sql,
)
from trialatlas.store.sqlite.sql_text import Sql

COUNTRY_FACET_TOP = 200  # country counts cover at most this many best-ranked hits
FACET_LIMIT = 30  # values shown per facet (largest counts first)
GEO_ESTIMATE_CAP = 20_000  # counting word matches and sites in a box stops here
SITES_PER_TRIAL = 10  # about the average number of sites of a registry trial
COUNT_CACHE_SIZE = 64  # searches whose facet rows are remembered per connection
_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "asin": math.asin, "sqrt": math.sqrt,
    "radians": math.radians, "pow": math.pow,
}  # fmt: skip
_caches = threading.local()  # per thread: (connection, data version, remembered facet rows)
Row = tuple[object, ...]
FacetRows = tuple[list[Row], list[tuple[str, int]]]


def ensure_math_functions(conn: sqlite3.Connection) -> None:
    """Register Python versions of the SQL math functions when SQLite was built without
    them (``SQLITE_ENABLE_MATH_FUNCTIONS``); the bundled builds of most systems have them."""
    try:
        conn.execute("SELECT sin(0), asin(0), pow(2, 2), radians(0)").fetchone()
    except sqlite3.OperationalError:
        for name, func in _MATH.items():
            conn.create_function(name, -1, func, deterministic=True)


def search_trials(conn: sqlite3.Connection, query: SearchQuery) -> SearchResults:
    """One page of trials for ``query`` (its ``near`` point already resolved)."""
    if query.near is not None and query.radius_km is None:
        query = query.model_copy(update={"radius_km": DEFAULT_RADIUS_KM})
    if query.sort == "nearest" and query.near is None:
        raise SearchError("Sorting by the nearest site needs a place to measure from.")
    cursor = decode_cursor(query.cursor, query) if query.cursor else None
    if query.near is not None:
        ensure_math_functions(conn)
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        return _search(conn, query, cursor)
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")


def _search(conn: sqlite3.Connection, query: SearchQuery, cursor: Cursor | None) -> SearchResults:
    sort = query.effective_sort
    mode: Mode = cursor.mode if cursor else _word_mode(conn, query)
    limit = query.page_size + 1 if cursor else max(query.page_size + 1, COUNTRY_FACET_TOP)
    via = _geo_via_words(conn, query, mode)
    rows = _rows(conn, build_page(query, mode, cursor, limit, geo_via_words=via))
    words = mode if query.has_text else None
    complete = cursor is None and len(rows) < limit  # the page holds the whole set
    combos, countries = _facet_rows(
        conn, query, mode, rows, complete=complete, first=not cursor, via=via
    )
    total = sum(int(r[4]) for r in combos)  # type: ignore[call-overload]
    page = rows[: query.page_size]
    next_cursor = None
    if len(rows) > query.page_size:
        last = page[-1]
        key = last[1] if isinstance(last[1], str) else float(last[1])  # type: ignore[arg-type]
        next_cursor = encode_cursor(Cursor(sort, mode, key, str(last[0]), query_fingerprint(query)))
    return SearchResults(
        total=total,
        results=_hits(conn, query, page),
        facets=_facets(combos, countries),
        next=next_cursor,
        sort=sort,
        words=words,
        country_facet_top=COUNTRY_FACET_TOP if total > COUNTRY_FACET_TOP else None,
    )


def _facet_rows(
    conn: sqlite3.Connection,
    query: SearchQuery,
    mode: Mode,
    rows: list[Row],
    *,
    complete: bool,
    first: bool,
    via: bool,
) -> FacetRows:
    """Facet combinations ``(status, phases, type, class, count)`` and country counts.

    From the page ``rows`` when they are the ``complete`` set; else from the counts
    statement and the best-ranked trials (the ``first`` page's rows), remembered per
    connection until the database changes, so the pages after the first reuse them."""
    if complete:
        combos: Counter[tuple[object, ...]] = Counter(tuple(r[4:8]) for r in rows)
        ids = [str(r[0]) for r in rows]
        countries = _rows(conn, build_countries(query, mode, ids)) if ids else []
        return [(*k, n) for k, n in combos.items()], _country_pairs(countries)
    cache = _cache(conn)
    key = (query_fingerprint(query), mode)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    counted = _rows(conn, build_counts(query, mode, geo_via_words=via))
    total = sum(int(r[4]) for r in counted)  # type: ignore[call-overload]
    if total <= COUNTRY_FACET_TOP:
        countries = _rows(conn, build_countries(query, mode, None, geo_via_words=via))
    else:
        top = (
            rows
            if first
            else _rows(conn, build_page(query, mode, None, COUNTRY_FACET_TOP, geo_via_words=via))
        )
        ids = [str(r[0]) for r in top[:COUNTRY_FACET_TOP]]
        countries = _rows(conn, build_countries(query, mode, ids))
    result = (counted, _country_pairs(countries))
    cache[key] = result
    while len(cache) > COUNT_CACHE_SIZE:
        cache.popitem(last=False)
    return result


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


def _cache(conn: sqlite3.Connection) -> OrderedDict[tuple[object, ...], FacetRows]:
    """This connection's remembered facet rows, emptied whenever the database changed
    (``PRAGMA data_version`` moves when another connection commits, ``total_changes``
    when this one writes)."""
    version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    owner, seen, cache = getattr(_caches, "entry", (None, None, None))
    if owner is not conn or seen != version or cache is None:
        cache = OrderedDict()
        _caches.entry = (conn, version, cache)
    return cache


def _hits(conn: sqlite3.Connection, query: SearchQuery, page: list[Row]) -> list[SearchHit]:
    ids = [str(r[0]) for r in page]
    if not ids:
        return []
    studies_sql, conditions_sql = page_rows_sql(ids)
    studies = {r[0]: r for r in _rows(conn, studies_sql)}
    conditions: dict[str, list[str]] = {}
    for nct, name in _rows(conn, conditions_sql):
        conditions.setdefault(str(nct), []).append(str(name))
    sites: dict[str, NearestSite] = {}
    if query.near is not None:
        sql = nearest_sites_sql(ids, query.near.lat, query.near.lon)
        for nct, facility, city, state, country, precision, dist in _rows(conn, sql):
            sites[str(nct)] = NearestSite(
                facility=facility, city=city, state=state, country=country,  # type: ignore[arg-type]
                distance_km=round(float(dist), 3),  # type: ignore[arg-type]
                precision="city" if precision == "city" else "site",
            )  # fmt: skip
    out = []
    for nct, _key, rank, *_ in page:
        _, title, status, phases = studies.get(nct, (nct, nct, None, None))
        codes = str(phases).split("|") if phases else []
        out.append(
            SearchHit(
                nct_id=str(nct),
                title=str(title),
                status=status,  # type: ignore[arg-type]
                status_label=label("overall_status", status) or None,  # type: ignore[arg-type]
                phase=codes,
                phase_label=phases_label(codes) or None,
                conditions=conditions.get(str(nct), []),
                nearest_site=sites.get(str(nct)),
                score=None if rank is None else round(-float(rank), 4),  # type: ignore[arg-type]
            )
        )
    return out


def _facets(combos: list[Row], countries: Iterable[tuple[str, int]]) -> Facets:
    status: Counter[str] = Counter()
    phase: Counter[str] = Counter()
    study_type: Counter[str] = Counter()
    sponsor_class: Counter[str] = Counter()
    for st, phases, stype, sclass, count in combos:
        n = int(count)  # type: ignore[call-overload]
        if st:
            status[str(st)] += n
        for code in str(phases).split("|") if phases else []:
            phase[code] += n
        if stype:
            study_type[str(stype)] += n
        if sclass:
            sponsor_class[str(sclass)] += n
    return Facets(
        status=_counts_list(status, "overall_status"),
        phase=_counts_list(phase, "phase"),
        study_type=_counts_list(study_type, "study_type"),
        sponsor_class=_counts_list(sponsor_class, "agency_class"),
        country=_counts_list(Counter(dict(countries)), None),
    )


def _counts_list(counter: Counter[str], kind: str | None) -> list[FacetCount]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
    return [
        FacetCount(value=value, label=label(kind, value) if kind else value, count=count)
        for value, count in ranked
    ]
