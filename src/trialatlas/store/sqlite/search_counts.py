"""A search's total and facet counts on SQLite (``search.py`` asks for them).

The status, phase, study-type and sponsor-class facets and the total come from one
GROUP BY (:func:`search_sql.build_counts`). Counting costs one index lookup per hit,
so a search that finds its trials by words counts at most its ``COUNT_SAMPLE`` newest
hits (in a store of more than ``LARGE_STORE`` studies): when more match, the facet
counts are that sample scaled up to the whole set,
and so is the total unless the words alone were asked (FTS5 then counts them exactly
and cheaply). ``Counts.sample`` and ``Counts.total_estimated`` say so, and the page
and the JSON say "about". Countries are counted over the whole set when it is small
(``COUNTRY_FACET_TOP`` trials at most), else over its best-ranked trials.

Counts are remembered per connection until the database changes, so paging through
a large result set does not count it again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable

from trialatlas.model.search import SearchQuery
from trialatlas.store.search_cursor import Mode, query_fingerprint
from trialatlas.store.search_facets import Counts, about
from trialatlas.store.sqlite.search_filters import filter_clauses
from trialatlas.store.sqlite.search_sql import (
    build_countries,
    build_counts,
    build_id_span,
    build_match_count,
)
from trialatlas.store.sqlite.sql_text import Params, Sql

COUNTRY_FACET_TOP = 200  # country counts cover at most this many best-ranked hits
COUNT_SAMPLE = 5000  # a search by words counts at most this many of its newest hits
LARGE_STORE = 50_000  # studies (by id span): below this every count is exact and cheap
COUNT_CACHE_SIZE = 64  # searches whose counts are remembered per connection
Row = tuple[object, ...]
_caches = threading.local()  # per thread: (connection, data version, remembered counts)


def count_search(
    conn: sqlite3.Connection,
    query: SearchQuery,
    mode: Mode,
    rows: list[Row],
    *,
    complete: bool,
    top: Callable[[], list[Row]],
    via: bool,
) -> Counts:
    """The counts of the search whose first page (or page after a cursor) is ``rows``.

    From ``rows`` themselves when they are the ``complete`` set; else from the counts
    statement, with countries over ``top()`` (the best-ranked hits) when the set is
    larger than ``COUNTRY_FACET_TOP``."""
    if complete:
        combos: Counter[tuple[object, ...]] = Counter(tuple(r[4:8]) for r in rows)
        ids = [str(r[0]) for r in rows]
        countries = _rows(conn, build_countries(query, mode, ids)) if ids else []
        total = len(rows)
        return Counts([(*k, n) for k, n in combos.items()], _pairs(countries), total)
    cache = _cache(conn)
    key = (query_fingerprint(query), mode)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    counts = _count(conn, query, mode, via)
    if counts.total <= COUNTRY_FACET_TOP and counts.sample is None:
        countries = _rows(conn, build_countries(query, mode, None, geo_via_words=via))
    else:
        ids = [str(r[0]) for r in top()[:COUNTRY_FACET_TOP]]
        countries = _rows(conn, build_countries(query, mode, ids))
    result = Counts(
        counts.combos, _pairs(countries), counts.total, counts.scale,
        counts.total_estimated, counts.sample,
    )  # fmt: skip
    cache[key] = result
    while len(cache) > COUNT_CACHE_SIZE:
        cache.popitem(last=False)
    return result


def counts_of_set(
    conn: sqlite3.Connection, query: SearchQuery, mode: Mode, ordered: list[Row]
) -> Counts:
    """Exact counts of a whole set held in memory, best-ranked first."""
    combos: Counter[tuple[object, ...]] = Counter(tuple(r[4:8]) for r in ordered)
    ids = [str(r[0]) for r in ordered[:COUNTRY_FACET_TOP]]
    countries = _rows(conn, build_countries(query, mode, ids)) if ids else []
    return Counts([(*k, n) for k, n in combos.items()], _pairs(countries), len(ordered))


def counts_of_sample(
    conn: sqlite3.Connection,
    query: SearchQuery,
    mode: Mode,
    sample: list[Row],
    top: Callable[[], list[Row]],
) -> Counts:
    """Estimated counts of a search by filters alone from ``sample``: its newest hits
    (rows ending with the study id), scaled by the share of the store's ids they span."""
    cache = _cache(conn)
    key = (query_fingerprint(query), mode)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    combos: Counter[tuple[object, ...]] = Counter(tuple(r[4:8]) for r in sample)
    low, high = conn.execute(build_id_span().text).fetchone()
    reached = int(high) - min(int(r[8]) for r in sample) + 1  # type: ignore[call-overload]
    scale = (int(high) - int(low) + 1) / reached
    ids = [str(r[0]) for r in top()[:COUNTRY_FACET_TOP]]
    countries = _rows(conn, build_countries(query, mode, ids)) if ids else []
    result = Counts(
        [(*k, n) for k, n in combos.items()], _pairs(countries),
        about(len(sample) * scale), scale, True, len(sample),
    )  # fmt: skip
    cache[key] = result
    while len(cache) > COUNT_CACHE_SIZE:
        cache.popitem(last=False)
    return result


def large_store(conn: sqlite3.Connection) -> bool:
    """True when the store holds more than ``LARGE_STORE`` studies (by their id span,
    two index lookups): only then are counts sampled and relevance ranked by pools."""
    low, high = conn.execute(build_id_span().text).fetchone()
    return low is not None and int(high) - int(low) + 1 > LARGE_STORE


def _count(conn: sqlite3.Connection, query: SearchQuery, mode: Mode, via: bool) -> Counts:
    sample = COUNT_SAMPLE if large_store(conn) else None
    counted = _rows(conn, build_counts(query, mode, geo_via_words=via, sample=sample))
    combos = [r[:5] for r in counted]
    hits = sum(int(r[4]) for r in counted)  # type: ignore[call-overload]
    lowest = [int(r[5]) for r in counted if r[5] is not None]  # type: ignore[call-overload]
    if sample is None or hits <= COUNT_SAMPLE or not lowest:
        return Counts(combos, [], hits)
    reached = _one(conn, build_match_count(query, mode, min(lowest)))
    every = _one(conn, build_match_count(query, mode, None))
    scale = every / reached if reached else 1.0
    words_only = query.near is None and not filter_clauses(query, Params(), driver="words")
    total = every if words_only else about(hits * scale)
    return Counts(combos, [], total, scale, not words_only, hits)


def _one(conn: sqlite3.Connection, sql: Sql | None) -> int:
    return int(conn.execute(sql.text, sql.params).fetchone()[0]) if sql else 0


def _pairs(rows: list[Row]) -> list[tuple[str, int]]:
    return [(str(c), int(n)) for c, n in rows]  # type: ignore[call-overload]


def _rows(conn: sqlite3.Connection, sql: Sql | None) -> list[Row]:
    return [] if sql is None else conn.execute(sql.text, sql.params).fetchall()


def _cache(conn: sqlite3.Connection) -> OrderedDict[tuple[object, ...], Counts]:
    """This connection's remembered counts, emptied whenever the database changed
    (``PRAGMA data_version`` moves when another connection commits, ``total_changes``
    when this one writes)."""
    version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    owner, seen, cache = getattr(_caches, "entry", (None, None, None))
    if owner is not conn or seen != version or cache is None:
        cache = OrderedDict()
        _caches.entry = (conn, version, cache)
    return cache
