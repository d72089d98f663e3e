"""The SQL of a trial search, built without a database (``search.py`` runs it).

Three statements answer a search, all over compact covering indexes (migrations 2
and 3) rather than the wide ``studies`` rows:

* the page (:func:`build_page`): hits in the order ``(sort key, nct_id)`` after a
  cursor, with their facet columns; BM25 only when sorting by relevance;
* the counts (:func:`build_counts`): one GROUP BY over status × phases × study type ×
  sponsor class, the total and four facets at once;
* the countries (:func:`build_countries`) of the whole set or of given trials.

How the candidates are found depends on what is asked (:func:`_source`): words → the
FTS5 index (BM25 with per-column weights); a place → sites in its bounding box
(:mod:`search_geo`); a sponsor name or a country → their indexes; else the status index.
The other filters (:mod:`search_filters`) then test each candidate.

Every value a person typed is a bound parameter; identifiers, column names and
weights are constants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

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
    query: SearchQuery, mode: Mode, p: Params, *, rank: bool, geo_via_words: bool = False
) -> _Source | None:
    """The filtered set's source; None when it can match nothing.

    The first of these finds the candidates (the others filter them): words (FTS5),
    NCT IDs, a place (sites in the radius), a sponsor name (its index), a country
    when no status narrows more, else the status index (all trials when no status).
    ``rank`` asks for BM25 scores: they cost as much as the match itself, so only the
    page of a relevance-sorted search asks. ``geo_via_words``: find the sites near the
    place among the word matches' sites rather than in the bounding box."""
    match = match_expression(query, mode)
    if match == "":
        return None
    ctes: list[str] = []
    ids = nct_ids_in(query.text) if query.text else []
    rank_sql, driver = "NULL", "status"
    if match is not None:
        score = f", bm25(studies_fts, {', '.join(repr(w) for w in FTS_WEIGHTS)}) AS rank"
        match_param = p.add("match", match)
        ctes.append(
            f"m AS (SELECT rowid AS id{score if rank else ''} FROM studies_fts"
            f" WHERE studies_fts MATCH {match_param})"
        )
        if geo_via_words and query.near is not None:
            ctes.append(
                f"w AS (SELECT rowid AS id FROM studies_fts WHERE studies_fts MATCH {match_param})"
            )
        rank_sql, driver = ("m.rank" if rank else "NULL"), "words"
    elif ids:
        ids_sql = p.add_all("id", ids)
        ctes.append(f"m AS (SELECT id, 0.0 AS rank FROM studies WHERE nct_id IN ({ids_sql}))")
        rank_sql, driver = ("m.rank" if rank else "NULL"), "words"
    near = query.near
    if near is not None:
        via = "w" if geo_via_words and match is not None else None
        ctes.append(geo_cte(near.lat, near.lon, query.radius_km or DEFAULT_RADIUS_KM, p, via=via))
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
    elif query.country and not query.statuses:
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
        where=filter_clauses(query, p, driver=driver),
        rank=rank_sql,
        distance="g.distance_km" if near is not None else "NULL",
    )


def build_counts(query: SearchQuery, mode: Mode, *, geo_via_words: bool = False) -> Sql | None:
    """Rows ``(status, phases, study_type, sponsor_class, count)`` over the whole set:
    the total and four facets in one pass (None: the search matches nothing)."""
    p = Params()
    src = _source(query, mode, p, rank=False, geo_via_words=geo_via_words)
    if src is None:
        return None
    inner = src.select(
        "s.overall_status AS status, s.phases AS phases, s.study_type AS study_type,"
        " s.lead_sponsor_class AS sponsor_class"
    )
    text = (
        f"{src.with_clause()}SELECT status, phases, study_type, sponsor_class, count(*)"
        f" FROM ({inner}) GROUP BY status, phases, study_type, sponsor_class"
    )
    return Sql(text, p.values)


def build_page(
    query: SearchQuery,
    mode: Mode,
    cursor: Cursor | None,
    limit: int,
    *,
    geo_via_words: bool = False,
) -> Sql | None:
    """Rows ``(nct_id, sort key, rank, distance_km, status, phases, study_type,
    sponsor_class)`` of the next ``limit`` hits in the order ``(sort key, nct_id)``,
    strictly after ``cursor`` when given."""
    sort = query.effective_sort
    if sort == "nearest" and query.near is None:
        raise ValueError("sorting by the nearest site needs a place")
    p = Params()
    src = _source(query, mode, p, rank=sort == "relevance", geo_via_words=geo_via_words)
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
    text = (
        f"{src.with_clause()}{src.select(columns, [after] if after else None)}"
        f" ORDER BY {key} {direction}, s.nct_id LIMIT {p.add('limit', limit)}"
    )
    return Sql(text, p.values)


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
