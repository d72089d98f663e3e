"""Run a trial search on PostgreSQL, in one repeatable-read snapshot.

The filtered set is one CTE ``f`` (words through the GIN-indexed ``study_text``
vectors, the place through :mod:`search_geo`, the other filters through
:mod:`search_filters`); from it come the page (hits after the cursor in the order
``(sort key, NCT ID)``, one more than asked), the exact total and facets (one GROUP BY)
and the exact country counts of the whole set. The answers mean what the SQLite
backend's mean (:mod:`trialatlas.store.sqlite.search`): every word required, trials
with any word when no trial has them all (``words == "any"``, kept by the cursor),
open-first searches paged through their two groups. Counts are always exact here, so
``rank_pool``, ``facets_sample`` and ``country_facet_top`` stay None.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from trialatlas.model.codes import label, phases_label
from trialatlas.model.search import (
    DEFAULT_RADIUS_KM,
    NearestSite,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.open_first import group_queries
from trialatlas.store.postgres.search_filters import (
    filter_clauses,
    has_all_words_sql,
    nct_ids_in,
    text_match,
)
from trialatlas.store.postgres.search_geo import geo_cte, nearest_sites_sql
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.search_cursor import (
    Cursor,
    Group,
    Mode,
    decode_cursor,
    decode_group_cursor,
    encode_cursor,
    encode_group_cursor,
    query_fingerprint,
)
from trialatlas.store.sqlite.search_counts import Counts
from trialatlas.store.sqlite.search_facets import facets_of, merged_counts

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
    if query.near is not None and query.radius_km is None:
        query = query.model_copy(update={"radius_km": DEFAULT_RADIUS_KM})
    if query.sort == "nearest" and query.near is None:
        raise SearchError("Sorting by the nearest site needs a place to measure from.")
    cursor = decode_cursor(query.cursor, query) if query.cursor and not query.open_first else None
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if query.open_first:
            return _search_open_first(conn, query)
        return _search(conn, query, cursor)


@dataclass(frozen=True, slots=True)
class _Gathered:
    """The hits after the cursor (one more than a page) and the counts of the whole set."""

    rows: list[Row]
    counts: Counts
    mode: Mode


def _search(conn: psycopg.Connection, query: SearchQuery, cursor: Cursor | None) -> SearchResults:
    found = _gather(conn, query, cursor)
    next_cursor = None
    if len(found.rows) > query.page_size:
        next_cursor = encode_cursor(_cursor_after(query, found, query.page_size - 1))
    return _results(conn, query, found.rows[: query.page_size], found.counts, next_cursor, [found])


def _search_open_first(conn: psycopg.Connection, query: SearchQuery) -> SearchResults:
    """Trials open to enrollment first, then the others, each group in the order of the
    sort: one search per group; the page takes the hits of the cursor's group, then
    those of the next group."""
    group, inner = decode_group_cursor(query.cursor, query) if query.cursor else ("open", None)
    found: dict[Group, _Gathered] = {}
    hits: list[tuple[Group, int]] = []
    for name, sub in group_queries(query):
        cursor = decode_cursor(inner, sub) if inner is not None and name == group else None
        found[name] = _gather(conn, sub, cursor)
        if name != "open" or group == "open":
            hits += [(name, i) for i in range(len(found[name].rows))]
    size = query.page_size
    page = [found[name].rows[i] for name, i in hits[:size]]
    next_cursor = None
    if len(hits) > size:
        name, i = hits[size - 1]
        sub = dict(group_queries(query))[name]
        wrapped = encode_cursor(_cursor_after(sub, found[name], i))
        next_cursor = encode_group_cursor(name, wrapped, query)
    parts = list(found.values())
    counts = merged_counts([p.counts for p in parts])
    results = _results(conn, query, page, counts, next_cursor, parts)
    results.open_first = True
    results.open_total = found["open"].counts.total if "open" in found else 0
    return results


def _cursor_after(query: SearchQuery, found: _Gathered, index: int) -> Cursor:
    last = found.rows[index]
    key = last[1] if isinstance(last[1], str) else float(last[1])  # type: ignore[arg-type]
    return Cursor(query.effective_sort, found.mode, key, str(last[0]), query_fingerprint(query))


def _results(
    conn: psycopg.Connection,
    query: SearchQuery,
    page: list[Row],
    counts: Counts,
    next_cursor: str | None,
    parts: list[_Gathered],
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


def _gather(conn: psycopg.Connection, query: SearchQuery, cursor: Cursor | None) -> _Gathered:
    """The page after the cursor and the exact counts, in one statement: the filtered
    set is computed once; rows are tagged ``page``, ``combo`` (total and the status,
    phase, type and sponsor-class facets) or ``country``."""
    mode: Mode = cursor.mode if cursor else _word_mode(conn, query)
    p = Params()
    with_f = filtered_set(query, mode, p)
    if with_f is None:
        return _Gathered([], Counts([], [], 0), mode)
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
    return _Gathered(page, Counts(combos, countries, total), mode)


def _hits(conn: psycopg.Connection, query: SearchQuery, page: list[Row]) -> list[SearchHit]:
    ids = [str(r[0]) for r in page]
    if not ids:
        return []
    studies = {
        r[0]: r
        for r in conn.execute(
            "SELECT s.nct_id, coalesce(s.brief_title, s.official_title, s.nct_id),"
            " s.overall_status, s.phases, (SELECT array_agg(c.name ORDER BY c.ordinal)"
            " FROM conditions c WHERE c.nct_id = s.nct_id) FROM studies s"
            " WHERE s.nct_id = ANY(%s)",
            (ids,),
        ).fetchall()
    }
    sites: dict[str, NearestSite] = {}
    if query.near is not None:
        radius = query.radius_km or DEFAULT_RADIUS_KM
        sql = nearest_sites_sql(ids, query.near.lat, query.near.lon, radius, query.near_towns)
        for nct, facility, city, state, country, precision, dist in conn.execute(
            sql.text,  # type: ignore[arg-type]
            sql.params,
        ).fetchall():
            sites[str(nct)] = NearestSite(
                facility=facility, city=city, state=state, country=country,
                distance_km=round(float(dist), 3),
                precision=precision if precision in ("city", "zip") else "site",
            )  # fmt: skip
    out = []
    for nct, _key, rank, *_ in page:
        _, title, status, phases, conditions = studies.get(nct, (nct, nct, None, None, None))
        codes = str(phases).split("|") if phases else []
        out.append(
            SearchHit(
                nct_id=str(nct),
                title=str(title),
                status=status,  # type: ignore[arg-type]
                status_label=label("overall_status", status) or None,  # type: ignore[arg-type]
                phase=codes,
                phase_label=phases_label(codes) or None,
                conditions=list(conditions or []),  # type: ignore[call-overload]
                nearest_site=sites.get(str(nct)),
                score=None if rank is None else round(-float(rank), 4),  # type: ignore[arg-type]
            )
        )
    return out
