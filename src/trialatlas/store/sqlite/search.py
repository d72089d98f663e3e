"""Run a trial search on SQLite: one statement for the set, facets and page (built by
:mod:`search_sql`), then two or three small look-ups for the page's trials.

Words are first required all together; when no trial has them all, trials with any
of them are returned instead (``SearchResults.words == "any"``), and the cursor keeps
that choice for the following pages.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable

from trialatlas.model.codes import label, phases_label
from trialatlas.model.search import (
    DEFAULT_RADIUS_KM,
    Facets,
    FacetCount,
    NearestSite,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.search_cursor import Cursor, Mode, decode_cursor, encode_cursor
from trialatlas.store.sqlite.search_sql import (
    build_search,
    nct_ids_in,
    nearest_sites_sql,
    page_rows_sql,
)

COUNTRY_FACET_TOP = 2000  # country counts cover at most this many best-ranked hits
FACET_LIMIT = 30  # values shown per facet (largest counts first)
_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "asin": math.asin, "sqrt": math.sqrt,
    "radians": math.radians, "pow": math.pow,
}  # fmt: skip


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
    multiword = len(fts_terms(query.text)) > 1 and not nct_ids_in(query.text)
    modes: list[Mode] = [cursor.mode] if cursor else (["all", "any"] if multiword else ["all"])
    for mode in modes:
        sql = build_search(query, mode=mode, cursor=cursor, country_top=COUNTRY_FACET_TOP)
        if sql is None:
            return SearchResults(total=0, sort=query.effective_sort, words="all")
        rows = conn.execute(sql.text, sql.params).fetchall()
        results = _assemble(conn, query, mode, rows)
        if results.total or mode == modes[-1]:
            return results
    raise AssertionError("unreachable")  # pragma: no cover


def _assemble(
    conn: sqlite3.Connection, query: SearchQuery, mode: Mode, rows: list[tuple]
) -> SearchResults:
    hits = [r for r in rows if r[0] == "hit"]
    combos = [r for r in rows if r[0] == "facet"]
    countries = [(r[1], r[5]) for r in rows if r[0] == "country"]
    sort = query.effective_sort
    descending = sort in ("last_update", "start_date") or (sort == "relevance" and hits and hits[0][3] is None)
    hits.sort(key=lambda r: r[1])  # ties of the key: NCT ID ascending
    hits.sort(key=lambda r: r[2], reverse=bool(descending))
    total = sum(r[5] for r in combos)
    page = hits[: query.page_size]
    next_cursor = None
    if len(hits) > query.page_size:
        last = page[-1]
        next_cursor = encode_cursor(
            Cursor(sort, mode, last[2], last[1], _fingerprint(query))
        )
    return SearchResults(
        total=total,
        results=_hits(conn, query, page),
        facets=_facets(combos, countries),
        next=next_cursor,
        sort=sort,
        words=mode if query.has_text else None,
        country_facet_top=COUNTRY_FACET_TOP if total > COUNTRY_FACET_TOP else None,
    )


def _fingerprint(query: SearchQuery) -> str:
    from trialatlas.store.search_cursor import query_fingerprint

    return query_fingerprint(query)


def _hits(conn: sqlite3.Connection, query: SearchQuery, page: list[tuple]) -> list[SearchHit]:
    ids = [r[1] for r in page]
    if not ids:
        return []
    studies_sql, conditions_sql = page_rows_sql(ids)
    studies = {r[0]: r for r in conn.execute(studies_sql.text, studies_sql.params)}
    conditions: dict[str, list[str]] = {}
    for nct, name in conn.execute(conditions_sql.text, conditions_sql.params):
        conditions.setdefault(nct, []).append(name)
    sites: dict[str, NearestSite] = {}
    if query.near is not None:
        sql = nearest_sites_sql(ids, query.near.lat, query.near.lon)
        for nct, facility, city, state, country, precision, dist in conn.execute(sql.text, sql.params):
            sites[nct] = NearestSite(
                facility=facility, city=city, state=state, country=country,
                distance_km=round(dist, 3), precision="city" if precision == "city" else "site",
            )  # fmt: skip
    out = []
    for row in page:
        nct, rank = row[1], row[3]
        _, title, status, phases = studies.get(nct, (nct, nct, None, None))
        codes = phases.split("|") if phases else []
        out.append(
            SearchHit(
                nct_id=nct,
                title=title,
                status=status,
                status_label=label("overall_status", status) or None,
                phase=codes,
                phase_label=phases_label(codes) or None,
                conditions=conditions.get(nct, []),
                nearest_site=sites.get(nct),
                score=None if rank is None or not query.has_text else round(-float(rank), 4),
            )
        )
    return out


def _facets(combos: list[tuple], countries: Iterable[tuple[str, int]]) -> Facets:
    status: Counter[str] = Counter()
    phase: Counter[str] = Counter()
    study_type: Counter[str] = Counter()
    sponsor_class: Counter[str] = Counter()
    for _, st, phases, stype, sclass, count in combos:
        if st:
            status[st] += count
        for code in phases.split("|") if phases else []:
            phase[code] += count
        if stype:
            study_type[stype] += count
        if sclass:
            sponsor_class[sclass] += count
    return Facets(
        status=_counts(status, "overall_status"),
        phase=_counts(phase, "phase"),
        study_type=_counts(study_type, "study_type"),
        sponsor_class=_counts(sponsor_class, "agency_class"),
        country=_counts(Counter(dict(countries)), None),
    )


def _counts(counter: Counter[str], kind: str | None) -> list[FacetCount]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
    return [
        FacetCount(value=value, label=label(kind, value) if kind else value, count=count)
        for value, count in ranked
    ]
