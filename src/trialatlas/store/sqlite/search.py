"""Run a trial search on SQLite with the statements of :mod:`search_sql`.

In one read transaction (one consistent snapshot):

1. counts: total and the status/phase/type/sponsor-class facets in one pass;
2. the page: ``page_size + 1`` hits after the cursor (the extra one says a next page
   exists); BM25 is computed only here, and only when sorting by relevance;
3. countries: over the whole set when it has at most ``COUNTRY_FACET_TOP`` trials,
   else over that many best-ranked ones (``SearchResults.country_facet_top``);
4. titles, conditions and nearest sites of the page's trials.

Words are first required all together; when no trial has them all, trials with any
of them are returned instead (``SearchResults.words == "any"``), and the cursor keeps
that choice for the following pages. Counts are remembered per connection until the
database changes, so paging through a large result set does not count it again.
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
from trialatlas.store.sqlite.search_sql import (
    Sql,
    build_counts,
    build_countries,
    build_page,
    nct_ids_in,
    nearest_sites_sql,
    page_rows_sql,
)

COUNTRY_FACET_TOP = 200  # country counts cover at most this many best-ranked hits
FACET_LIMIT = 30  # values shown per facet (largest counts first)
COUNT_CACHE_SIZE = 64  # count results remembered per connection
_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "asin": math.asin, "sqrt": math.sqrt,
    "radians": math.radians, "pow": math.pow,
}  # fmt: skip
_caches = threading.local()
Row = tuple[object, ...]


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
    multiword = len(fts_terms(query.text)) > 1 and not nct_ids_in(query.text)
    modes: list[Mode] = [cursor.mode] if cursor else (["all", "any"] if multiword else ["all"])
    mode, combos = modes[0], []
    for mode in modes:
        combos = _counts(conn, build_counts(query, mode))
        if combos:
            break
    words = mode if query.has_text else None
    total = sum(int(r[4]) for r in combos)  # type: ignore[call-overload]
    if not total:
        return SearchResults(total=0, sort=sort, words=words)
    limit = query.page_size + 1
    if cursor is None and total > COUNTRY_FACET_TOP:
        limit = max(limit, COUNTRY_FACET_TOP)
    rows = _rows(conn, build_page(query, mode, cursor, limit))
    if total <= COUNTRY_FACET_TOP:
        countries = _rows(conn, build_countries(query, mode, None))
    else:
        top = rows if cursor is None else _rows(conn, build_page(query, mode, None, COUNTRY_FACET_TOP))
        countries = _rows(conn, build_countries(query, mode, [str(r[0]) for r in top[:COUNTRY_FACET_TOP]]))
    page = rows[: query.page_size]
    next_cursor = None
    if len(rows) > query.page_size:
        last = page[-1]
        key = last[1] if isinstance(last[1], str) else float(last[1])  # type: ignore[arg-type]
        next_cursor = encode_cursor(Cursor(sort, mode, key, str(last[0]), query_fingerprint(query)))
    return SearchResults(
        total=total,
        results=_hits(conn, query, page),
        facets=_facets(combos, [(str(c), int(n)) for c, n in countries]),  # type: ignore[call-overload]
        next=next_cursor,
        sort=sort,
        words=words,
        country_facet_top=COUNTRY_FACET_TOP if total > COUNTRY_FACET_TOP else None,
    )


def _rows(conn: sqlite3.Connection, sql: Sql | None) -> list[Row]:
    return [] if sql is None else conn.execute(sql.text, sql.params).fetchall()


def _counts(conn: sqlite3.Connection, sql: Sql | None) -> list[Row]:
    """Count rows, remembered per connection while the database is unchanged
    (``PRAGMA data_version`` moves when another connection commits, ``total_changes``
    when this one writes)."""
    if sql is None:
        return []
    cache: OrderedDict[tuple, list[Row]] | None = getattr(_caches, "counts", None)
    if cache is None:
        cache = _caches.counts = OrderedDict()
    version = (id(conn), conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    key = (version, sql.text, tuple(sorted(sql.params.items())))
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    rows = _rows(conn, sql)
    cache[key] = rows
    while len(cache) > COUNT_CACHE_SIZE:
        cache.popitem(last=False)
    return rows


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
    for nct, _key, rank, _dist in page:
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
