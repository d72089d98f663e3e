"""The SQL of a trial search, built without a database (``search.py`` runs it).

Three statements answer a search, all over compact covering indexes (migrations 2
and 3) rather than the wide ``studies`` rows:

* the page (:func:`build_page`): hits in the order ``(sort key, nct_id)`` after a
  cursor, with their facet columns; BM25 only when sorting by relevance, and in a
  large store over one pool of matches at a time;
* the counts (:func:`build_counts`): one GROUP BY over status × phases × study type ×
  sponsor class, the total and four facets at once (in a large store over a sample
  of the newest word matches, :func:`build_match_count` saying how far it reached);
* the countries (:func:`build_countries`) of the whole set or of given trials.

A search by filters alone in a large store first reads its newest hits
(:func:`build_sample`): all of them when few, else a sample to estimate from, and
the page is then read in date order (``build_page(walk=True)``).

How the candidates are found depends on what is asked (:func:`_source`): words → the
FTS5 index (BM25 with per-column weights); a place → sites in its bounding box
(:mod:`search_geo`); a sponsor name or a country → their indexes; else the status index.
The other filters (:mod:`search_filters`) then test each candidate.

Every value a person typed is a bound parameter; identifiers, column names and
weights are constants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from trialatlas.model.search import DEFAULT_RADIUS_KM, SearchQuery
from trialatlas.store.fts_query import FTS_WEIGHTS, fts_match
from trialatlas.store.search_cursor import Cursor, Mode
from trialatlas.store.sqlite.search_filters import (
    filter_clauses,
    match_expression,
    nct_ids_in,
    sponsor_pattern,
)
from trialatlas.store.sqlite.search_geo import box_test, geo_cte
from trialatlas.store.sqlite.sql_text import Params, Sql

# sort → (key expression over the driver's aliases, direction)
_SORT_KEYS = {
    "relevance": ("m.rank", "ASC"),
    "nearest": ("g.distance_km", "ASC"),
    "last_update": ("coalesce(s.last_update_posted, '')", "DESC"),
    "start_date": ("coalesce(s.start_date, '')", "DESC"),
}


def build_words_exist(text: str) -> Sql | None:
    """A row when some trial has every word of ``text`` (None: no usable words)."""
    match = fts_match(text, "all")
    if match is None:
        return None
    return Sql("SELECT 1 FROM studies_fts WHERE studies_fts MATCH :match LIMIT 1", {"match": match})


def build_geo_estimate(query: SearchQuery, mode: Mode, cap: int) -> Sql | None:
    """``(word matches, sites in the box)``, each counted up to ``cap``: which of the two
    should find the candidates of a search with words and a place. None without both."""
    match = match_expression(query, mode)
    if not match or query.near is None:
        return None
    p = Params()
    box = box_test(
        query.near.lat, query.near.lon, query.radius_km or DEFAULT_RADIUS_KM, p, cells=True
    )
    limit = p.add("cap", cap)
    text = (
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM studies_fts"
        f" WHERE studies_fts MATCH {p.add('match', match)} LIMIT {limit})),"
        " (SELECT count(*) FROM (SELECT 1 FROM locations AS l INDEXED BY locations_geo_cell"
        f" WHERE {box} LIMIT {limit}))"
    )
    return Sql(text, p.values)


def _cursor_clause(cursor: Cursor | None, key: str, direction: str, p: Params) -> str | None:
    if cursor is None:
        return None
    op = ">" if direction == "ASC" else "<"
    after_key, after_id = p.add("after_key", cursor.key), p.add("after_id", cursor.nct_id)
    return f"({key} {op} {after_key} OR ({key} = {after_key} AND s.nct_id > {after_id}))"


@dataclass(frozen=True, slots=True)
class _Source:
    """Where the filtered set comes from: CTEs, the FROM clause and the filters."""

    ctes: list[str]
    tables: str
    where: list[str]
    rank: str  # SQL of the BM25 rank (lower is better) or NULL
    distance: str  # SQL of the nearest site's km or NULL
    driver: str  # what finds the candidates: words, place, sponsor, country or status

    def select(self, columns: str, extra: list[str] | None = None) -> str:
        where = " AND ".join([*self.where, *(extra or [])]) or "1"
        return f"SELECT {columns} FROM {self.tables} WHERE {where}"

    def with_clause(self) -> str:
        return f"WITH {', '.join(self.ctes)} " if self.ctes else ""


def _keyed(cte: str) -> str:
    """Join a CTE of NCT IDs to the compact search index (through the NCT ID index)."""
    return (
        f"{cte} CROSS JOIN studies AS sk ON sk.nct_id = {cte}.nct_id"
        " CROSS JOIN studies AS s INDEXED BY studies_search_by_id ON s.id = sk.id"
    )


def _source(
    query: SearchQuery,
    mode: Mode,
    p: Params,
    *,
    rank: bool,
    geo_via_words: bool = False,
    pool: int | None = None,
    pool_below: int | None = None,
    by_country: bool = True,
) -> _Source | None:
    """The filtered set's source; None when it can match nothing.

    The first of these finds the candidates (the others filter them): words (FTS5),
    NCT IDs, a place (sites in the radius), a sponsor name (its index), a country
    when no status narrows more, else the status index (all trials when no status).
    ``rank`` asks for BM25 scores: they cost as much as the match itself, so only the
    page of a relevance-sorted search asks. ``geo_via_words``: find the sites near the
    place among the word matches' sites rather than in the bounding box. ``pool`` (with
    ``rank``) scores only the first ``pool`` matches, newest first (ids below
    ``pool_below`` when given), that pass every filter: see :func:`build_page`.
    ``by_country=False`` tests the country per trial instead of finding the trials
    through it (a search that reads the studies in id or date order and stops early)."""
    match = match_expression(query, mode)
    if match == "":
        return None
    ctes: list[str] = []
    ids = nct_ids_in(query.text) if query.text else []
    rank_sql, driver = "NULL", "status"
    pooled = False
    if match is not None:
        score = f", bm25(studies_fts, {', '.join(repr(w) for w in FTS_WEIGHTS)}) AS rank"
        match_param = p.add("match", match)
        if geo_via_words and query.near is not None:
            ctes.append(
                f"w AS (SELECT rowid AS id FROM studies_fts WHERE studies_fts MATCH {match_param})"
            )
        pooled = rank and pool is not None
        if not pooled:
            ctes.append(
                f"m AS (SELECT rowid AS id{score if rank else ''} FROM studies_fts"
                f" WHERE studies_fts MATCH {match_param})"
            )
        rank_sql, driver = ("m.rank" if rank else "NULL"), "words"
    elif ids:
        ids_sql = p.add_all("id", ids)
        ctes.append(f"m AS (SELECT id, 0.0 AS rank FROM studies WHERE nct_id IN ({ids_sql}))")
        rank_sql, driver = ("m.rank" if rank else "NULL"), "words"
    near = query.near
    if near is not None:
        via = "w" if geo_via_words and match is not None else None
        radius = query.radius_km or DEFAULT_RADIUS_KM
        ctes.append(geo_cte(near.lat, near.lon, radius, p, via=via, towns=query.near_towns))
    where: list[str] | None = None
    if pooled:
        # The filters go inside the pool, so that it holds ``pool`` hits; BM25 is
        # computed for those rows alone (FTS5 hands them over newest first, no sort).
        where = filter_clauses(query, p, driver=driver)
        if pool_below is not None:
            where.append(f"studies_fts.rowid < {p.add('below', pool_below)}")
        joined = (
            "studies_fts CROSS JOIN studies AS s INDEXED BY studies_search_by_id"
            " ON s.id = studies_fts.rowid"
        )
        if near is not None:
            joined += " CROSS JOIN g ON g.nct_id = s.nct_id"
        ctes.append(
            f"m AS MATERIALIZED (SELECT studies_fts.rowid AS id{score} FROM {joined}"
            f" WHERE {' AND '.join([f'studies_fts MATCH {match_param}', *where])}"
            f" ORDER BY studies_fts.rowid DESC LIMIT {p.add('pool', pool)})"
        )
        where = []
    if driver == "words":
        tables = "m CROSS JOIN studies AS s INDEXED BY studies_search_by_id ON s.id = m.id"
        if near is not None:
            tables += " CROSS JOIN g ON g.nct_id = s.nct_id"
    elif near is not None:
        tables, driver = _keyed("g"), "place"
    elif query.sponsor:
        pattern = p.add("sponsor", sponsor_pattern(query.sponsor))
        ctes.append(
            "sp AS (SELECT DISTINCT nct_id FROM sponsors INDEXED BY sponsors_name_nct"
            f" WHERE name LIKE {pattern} ESCAPE '\\')"
        )
        tables, driver = _keyed("sp"), "sponsor"
    elif query.country and not query.statuses and by_country:
        country = p.add("country", query.country)
        ctes.append(
            "lc AS (SELECT DISTINCT nct_id FROM locations INDEXED BY locations_country_nct"
            f" WHERE country = {country} COLLATE NOCASE)"
        )
        tables, driver = _keyed("lc"), "country"
    else:
        tables = "studies AS s INDEXED BY studies_search_by_status"
    return _Source(
        ctes=ctes,
        tables=tables,
        where=filter_clauses(query, p, driver=driver) if where is None else where,
        rank=rank_sql,
        distance="g.distance_km" if near is not None else "NULL",
        driver=driver,
    )


def build_counts(
    query: SearchQuery, mode: Mode, *, geo_via_words: bool = False, sample: int | None = None
) -> Sql | None:
    """Rows ``(status, phases, study_type, sponsor_class, count, smallest id)`` over the
    whole set: the total and four facets in one pass (None: the search matches nothing).

    With ``sample``, a search that finds its candidates by words counts only its
    ``sample + 1`` newest hits (the smallest id says how far that reached; see
    :func:`build_match_count`)."""
    p = Params()
    src = _source(query, mode, p, rank=False, geo_via_words=geo_via_words)
    if src is None:
        return None
    sampled = sample is not None and src.driver == "words"
    inner = src.select(
        "s.overall_status AS status, s.phases AS phases, s.study_type AS study_type,"
        f" s.lead_sponsor_class AS sponsor_class, {'m.id' if sampled else 'NULL'} AS id"
    )
    if sampled:
        inner += f" ORDER BY m.id DESC LIMIT {p.add('sample', (sample or 0) + 1)}"
    text = (
        f"{src.with_clause()}SELECT status, phases, study_type, sponsor_class, count(*), min(id)"
        f" FROM ({inner}) GROUP BY status, phases, study_type, sponsor_class"
    )
    return Sql(text, p.values)


def build_match_count(query: SearchQuery, mode: Mode, from_id: int | None) -> Sql | None:
    """``(count,)`` of the trials with the words (filters aside), ids ``from_id`` and up
    when given: how far a counting sample reached, and how far it could have."""
    match = match_expression(query, mode)
    if not match:
        return None
    p = Params()
    text = f"SELECT count(*) FROM studies_fts WHERE studies_fts MATCH {p.add('match', match)}"
    if from_id is not None:
        text += f" AND rowid >= {p.add('from_id', from_id)}"
    return Sql(text, p.values)


def build_page(
    query: SearchQuery,
    mode: Mode,
    cursor: Cursor | None,
    limit: int,
    *,
    geo_via_words: bool = False,
    pool: int | None = None,
    pool_below: int | None = None,
    walk: bool = False,
) -> Sql | None:
    """Rows ``(nct_id, sort key, rank, distance_km, status, phases, study_type,
    sponsor_class)`` of the next ``limit`` hits in the order ``(sort key, nct_id)``,
    strictly after ``cursor`` when given.

    With ``pool`` (a relevance sort over words) only the newest ``pool`` hits (ids
    below ``pool_below`` when given) are scored and ordered: BM25 costs as much per
    row as the rest of the search together, and a very common word matches a large
    part of the registry. Each row then also carries the pool's size and its
    smallest id (where the next pool starts). ``walk`` (a search by filters alone that
    matches many trials) reads the trials in date order through the date's index and
    stops at ``limit`` hits, rather than sorting the whole set."""
    sort = query.effective_sort
    if sort == "nearest" and query.near is None:
        raise ValueError("sorting by the nearest site needs a place")
    p = Params()
    pooled = sort == "relevance" and pool is not None and bool(match_expression(query, mode))
    src = _source(
        query, mode, p, rank=sort == "relevance", geo_via_words=geo_via_words,
        pool=pool if pooled else None, pool_below=pool_below if pooled else None,
        by_country=not walk,
    )  # fmt: skip
    if src is None:
        return None
    if sort == "relevance" and src.rank == "NULL":
        raise ValueError("sorting by relevance needs words to rank by")
    key, direction = _SORT_KEYS[sort]
    after = _cursor_clause(cursor, key, direction, p)
    columns = (
        f"s.nct_id, {key} AS k, {src.rank}, {src.distance},"
        " s.overall_status, s.phases, s.study_type, s.lead_sponsor_class"
    )
    if pooled:
        columns += ", (SELECT count(*) FROM m), (SELECT min(id) FROM m)"
    order = key
    if walk and src.driver == "status" and sort in _WALK_INDEXES:
        # NULL dates sort last in DESC order, as coalesce(date, '') does
        index, column = _WALK_INDEXES[sort]
        order = f"sk.{column}"
        src = replace(
            src,
            tables=f"studies AS sk INDEXED BY {index} CROSS JOIN studies AS s"
            " INDEXED BY studies_search_by_id ON s.id = sk.id",
        )
    text = (
        f"{src.with_clause()}{src.select(columns, [after] if after else None)}"
        f" ORDER BY {order} {direction}, s.nct_id LIMIT {p.add('limit', limit)}"
    )
    return Sql(text, p.values)


# sort → (index, column) read in date order by a search by filters alone (``walk``)
_WALK_INDEXES = {
    "last_update": ("studies_last_update", "last_update_posted"),
    "start_date": ("studies_start", "start_date"),
}


def build_sample(query: SearchQuery, mode: Mode, size: int) -> Sql | None:
    """Rows ``(nct_id, sort key, NULL, NULL, status, phases, study_type, sponsor_class,
    id)`` of the newest ``size + 1`` hits of a search by filters alone (None for any
    other search): the whole set when it is small, else a sample to count from."""
    if query.effective_sort not in _WALK_INDEXES:
        return None
    p = Params()
    src = _source(query, mode, p, rank=False, by_country=False)
    if src is None or src.driver != "status":
        return None
    key, _ = _SORT_KEYS[query.effective_sort]
    text = (
        f"SELECT s.nct_id, {key}, NULL, NULL, s.overall_status, s.phases, s.study_type,"
        " s.lead_sponsor_class, s.id FROM studies AS s INDEXED BY studies_search_by_id"
        f" WHERE {' AND '.join(src.where) or '1'} ORDER BY s.id DESC"
        f" LIMIT {p.add('size', size + 1)}"
    )
    return Sql(text, p.values)


def build_id_span() -> Sql:
    """``(smallest id, largest id)`` of the store's studies (two lookups: SQLite reads one
    end of the table for a lone min() or max(), but scans it for both at once)."""
    return Sql("SELECT (SELECT min(id) FROM studies), (SELECT max(id) FROM studies)", {})


def build_countries(
    query: SearchQuery, mode: Mode, nct_ids: list[str] | None, *, geo_via_words: bool = False
) -> Sql | None:
    """Rows ``(country, trials)``: over the trials ``nct_ids``, or the whole set when None."""
    p = Params()
    if nct_ids is None:
        src = _source(query, mode, p, rank=False, geo_via_words=geo_via_words)
        if src is None:
            return None
        ctes = [*src.ctes, f"t AS MATERIALIZED ({src.select('s.nct_id AS nct_id')})"]
    else:
        ids = p.add("ids", json.dumps(nct_ids))
        ctes = [f"t AS MATERIALIZED (SELECT value AS nct_id FROM json_each({ids}))"]
    text = (
        f"WITH {', '.join(ctes)} SELECT country, count(*) FROM (SELECT DISTINCT l.nct_id, l.country"
        " FROM t CROSS JOIN locations AS l INDEXED BY locations_nct_country"
        " ON l.nct_id = t.nct_id WHERE l.country IS NOT NULL) GROUP BY country"
    )
    return Sql(text, p.values)


def page_rows_sql(nct_ids: list[str]) -> tuple[Sql, Sql]:
    """Title, status and phases of the page's trials; and their conditions in order."""
    p = Params()
    ids = p.add_all("id", nct_ids)
    studies = Sql(
        "SELECT nct_id, coalesce(brief_title, official_title, nct_id), overall_status, phases"
        f" FROM studies WHERE nct_id IN ({ids})",
        p.values,
    )
    conditions = Sql(
        f"SELECT nct_id, name FROM conditions WHERE nct_id IN ({ids}) ORDER BY nct_id, ordinal",
        p.values,
    )
    return studies, conditions
