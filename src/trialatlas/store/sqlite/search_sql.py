"""The SQL of a trial search, built without a database (``search.py`` runs it).

One statement answers a search: a materialized CTE ``f`` holds the filtered set
(one narrow row per trial), and three arms read it: the page (keyset order, one row
more than asked to know whether a next page exists), the facet counts (one GROUP BY
over status × phases × study type × sponsor class, split per facet by the caller) and
the country counts (over the best-ranked ``country_top`` trials of the set).

How the set is found depends on what is asked, so each search reads compact indexes
(migration 2) rather than the wide ``studies`` rows:

* words → the FTS5 index (BM25 with per-column weights), then ``studies_search_by_id``;
* a place → sites in the bounding box through ``locations_geo_cell`` (quarter-degree
  latitude bands × a longitude range), exact great-circle distance in SQL, then
  ``studies_search_by_id``;
* filters only → ``studies_search_by_status``.

Every value a person typed is a bound parameter; identifiers, column names and
weights are constants of this module.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from trialatlas.index.geo import EARTH_RADIUS_KM, bounding_box
from trialatlas.model.search import DEFAULT_RADIUS_KM, SearchQuery
from trialatlas.store.fts_query import FTS_WEIGHTS, fts_match
from trialatlas.store.search_cursor import Cursor, Mode

GEO_CELLS_PER_DEGREE = 4  # must match the expression of the locations_geo_cell index
_NCT_LIST = re.compile(r"^\s*NCT\d{8}(?:[\s,;]+NCT\d{8})*\s*$", re.IGNORECASE)
_NCT_ID = re.compile(r"NCT\d{8}", re.IGNORECASE)

# sort → (key expression over the driver's aliases, direction)
_SORT_KEYS = {
    "relevance": ("m.rank", "ASC"),
    "nearest": ("g.distance_km", "ASC"),
    "last_update": ("coalesce(s.last_update_posted, '')", "DESC"),
    "start_date": ("coalesce(s.start_date, '')", "DESC"),
}


@dataclass(frozen=True, slots=True)
class Sql:
    """A statement and its named parameters."""

    text: str
    params: dict[str, Any]


class _Params:
    """Collects named parameters; every user value goes through :meth:`add`."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def add_all(self, prefix: str, values: list[Any]) -> str:
        return ", ".join(self.add(prefix, v) for v in values)


def nct_ids_in(text: str) -> list[str]:
    """The NCT IDs when ``text`` is nothing but NCT IDs (``"NCT01234567, nct07654321"``)."""
    if not _NCT_LIST.match(text):
        return []
    return list(dict.fromkeys(m.upper() for m in _NCT_ID.findall(text)))


def match_expression(query: SearchQuery, mode: Mode) -> str | None:
    """The FTS5 MATCH text for the words, the condition and the intervention, or None
    when nothing asks for words. ``""`` means words were asked but none survive
    escaping (e.g. only punctuation): the search matches nothing."""
    parts: list[str] = []
    if query.text and not nct_ids_in(query.text):
        parts.append(fts_match(query.text, mode) or "")
    for column, value in (("conditions", query.condition), ("interventions", query.intervention)):
        if value:
            words = fts_match(value, "all")
            parts.append(f"{{{column}}} : ({words})" if words else "")
    if not parts:
        return None
    if "" in parts:
        return ""
    return parts[0] if len(parts) == 1 else " AND ".join(f"({p})" for p in parts)


def lower_date_key(day: date) -> str:
    """Smallest stored partial date whose first day is on or after ``day``.

    Partial dates are kept as ISO prefixes (``2015``, ``2015-08``, ``2015-08-03``) and
    mean their first day; ``2015-08`` sorts before ``2015-08-01`` as text, so a range
    starting on the 1st must start at the month (or year) itself.
    """
    if day.month == 1 and day.day == 1:
        return f"{day.year:04d}"
    if day.day == 1:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _sponsor_pattern(text: str) -> str:
    """LIKE pattern for names starting with ``text`` (wildcards in it taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def filter_clauses(query: SearchQuery, p: _Params, *, driver: str = "") -> list[str]:
    """WHERE conditions over ``s`` (a row of a search index of ``studies``).

    Sponsor and country look at child rows, once per candidate (EXISTS), unless that
    filter is the ``driver`` that found the candidates in the first place."""
    where: list[str] = []
    if query.statuses:
        where.append(f"s.overall_status IN ({p.add_all('status', query.statuses)})")
    if query.phase:
        tests = [
            f"instr('|' || s.phases || '|', {p.add('phase', f'|{c}|')}) > 0" for c in query.phase
        ]
        where.append("(" + " OR ".join(tests) + ")")
    if query.study_type:
        where.append(f"s.study_type = {p.add('type', query.study_type)}")
    if query.sponsor_class:
        where.append(f"s.lead_sponsor_class = {p.add('class', query.sponsor_class)}")
    if query.age_years is not None:
        days = p.add("age", round(query.age_years * 365.25))
        where.append(f"(s.min_age_days IS NULL OR s.min_age_days <= {days})")
        where.append(f"(s.max_age_days IS NULL OR s.max_age_days >= {days})")
    if query.sex:
        where.append(f"(s.sex IS NULL OR s.sex = 'ALL' OR s.sex = {p.add('sex', query.sex)})")
    if query.healthy_volunteers is not None:
        where.append(f"s.healthy_volunteers = {p.add('hv', int(query.healthy_volunteers))}")
    if query.has_results is not None:
        where.append(f"s.has_results = {p.add('results', int(query.has_results))}")
    for column, low, high in (
        ("s.start_date", query.start_from, query.start_to),
        ("s.last_update_posted", query.updated_from, query.updated_to),
    ):
        if low:
            where.append(f"{column} >= {p.add('from', lower_date_key(low))}")
        if high:
            where.append(f"{column} <= {p.add('to', high.isoformat())}")
    if query.sponsor and driver != "sponsor":
        where.append(
            "EXISTS (SELECT 1 FROM sponsors AS sp WHERE sp.nct_id = s.nct_id AND sp.name"
            f" LIKE {p.add('sponsor', _sponsor_pattern(query.sponsor))} ESCAPE '\\')"
        )
    if query.country and driver != "country":
        where.append(
            "EXISTS (SELECT 1 FROM locations AS lc INDEXED BY locations_nct_country"
            f" WHERE lc.nct_id = s.nct_id AND lc.country = {p.add('country', query.country)}"
            " COLLATE NOCASE)"
        )
    ids = nct_ids_in(query.text) if query.text else []
    if ids:
        where.append(f"s.nct_id IN ({p.add_all('nct', ids)})")
    return where


def distance_sql(lat: str, lon: str) -> str:
    """Great-circle km from the search point (params ``:phi0``, ``:cos0``, ``:lon0``) to
    the columns ``lat``/``lon``: the haversine formula of :func:`index.geo.haversine_km`."""
    return (
        f"(2 * {EARTH_RADIUS_KM!r} * asin(min(1.0, sqrt("
        f"pow(sin((radians({lat}) - :phi0) / 2), 2)"
        f" + :cos0 * cos(radians({lat})) * pow(sin(radians({lon} - :lon0) / 2), 2)))))"
    )


def point_params(lat: float, lon: float) -> dict[str, float]:
    """Parameters of :func:`distance_sql` for the search point."""
    return {"phi0": math.radians(lat), "cos0": math.cos(math.radians(lat)), "lon0": lon}


def geo_cte(lat: float, lon: float, radius_km: float, p: _Params) -> str:
    """``g(nct_id, distance_km)``: trials with a site within ``radius_km``, nearest site's km."""
    box = bounding_box(lat, lon, radius_km)
    step = GEO_CELLS_PER_DEGREE
    cells = list(range(int(box.min_lat * step), int(box.max_lat * step) + 1))
    lo, hi = p.add("min_lon", box.min_lon), p.add("max_lon", box.max_lon)
    lon_test = (
        f"(l.lon >= {lo} OR l.lon <= {hi})"
        if box.crosses_antimeridian
        else (f"l.lon BETWEEN {lo} AND {hi}")
    )
    p.values.update(point_params(lat, lon))
    return (
        "g AS MATERIALIZED (SELECT nct_id, min(d) AS distance_km FROM ("
        f"SELECT l.nct_id AS nct_id, {distance_sql('l.lat', 'l.lon')} AS d"
        " FROM locations AS l INDEXED BY locations_geo_cell"
        f" WHERE CAST(l.lat * {step} AS INTEGER) IN ({p.add_all('cell', cells)})"
        f" AND {lon_test}"
        f" AND l.lat BETWEEN {p.add('min_lat', box.min_lat)} AND {p.add('max_lat', box.max_lat)}"
        f") WHERE d <= {p.add('radius', radius_km)} GROUP BY nct_id)"
    )


def _cursor_clause(cursor: Cursor | None, key: str, direction: str, p: _Params) -> str | None:
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


def _source(query: SearchQuery, mode: Mode, p: _Params, *, rank: bool) -> _Source | None:
    """The filtered set's source; None when it can match nothing.

    The first of these finds the candidates (the others filter them): words (FTS5),
    NCT IDs, a place (sites in the radius), a sponsor name (its index), a country
    when no status narrows more, else the status index (all trials when no status).
    ``rank`` asks for BM25 scores: they cost as much as the match itself, so only the
    page of a relevance-sorted search asks."""
    match = match_expression(query, mode)
    if match == "":
        return None
    ctes: list[str] = []
    ids = nct_ids_in(query.text) if query.text else []
    rank_sql, driver = "NULL", "status"
    if match is not None:
        score = f", bm25(studies_fts, {', '.join(repr(w) for w in FTS_WEIGHTS)}) AS rank"
        ctes.append(
            f"m AS (SELECT rowid AS id{score if rank else ''} FROM studies_fts"
            f" WHERE studies_fts MATCH {p.add('match', match)})"
        )
        rank_sql, driver = ("m.rank" if rank else "NULL"), "words"
    elif ids:
        ids_sql = p.add_all("id", ids)
        ctes.append(f"m AS (SELECT id, 0.0 AS rank FROM studies WHERE nct_id IN ({ids_sql}))")
        rank_sql, driver = ("m.rank" if rank else "NULL"), "words"
    near = query.near
    if near is not None:
        ctes.append(geo_cte(near.lat, near.lon, query.radius_km or DEFAULT_RADIUS_KM, p))
    if driver == "words":
        tables = "m CROSS JOIN studies AS s INDEXED BY studies_search_by_id ON s.id = m.id"
        if near is not None:
            tables += " CROSS JOIN g ON g.nct_id = s.nct_id"
    elif near is not None:
        tables, driver = _keyed("g"), "place"
    elif query.sponsor:
        pattern = p.add("sponsor", _sponsor_pattern(query.sponsor))
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


def build_counts(query: SearchQuery, mode: Mode) -> Sql | None:
    """Rows ``(status, phases, study_type, sponsor_class, count)`` over the whole set:
    the total and four facets in one pass (None: the search matches nothing)."""
    p = _Params()
    src = _source(query, mode, p, rank=False)
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


def build_page(query: SearchQuery, mode: Mode, cursor: Cursor | None, limit: int) -> Sql | None:
    """Rows ``(nct_id, sort key, rank, distance_km, status, phases, study_type,
    sponsor_class)`` of the next ``limit`` hits in the order ``(sort key, nct_id)``,
    strictly after ``cursor`` when given."""
    sort = query.effective_sort
    if sort == "nearest" and query.near is None:
        raise ValueError("sorting by the nearest site needs a place")
    p = _Params()
    src = _source(query, mode, p, rank=sort == "relevance")
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


def build_countries(query: SearchQuery, mode: Mode, nct_ids: list[str] | None) -> Sql | None:
    """Rows ``(country, trials)``: over the trials ``nct_ids``, or the whole set when None."""
    p = _Params()
    if nct_ids is None:
        src = _source(query, mode, p, rank=False)
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


def nearest_sites_sql(nct_ids: list[str], lat: float, lon: float) -> Sql:
    """Each trial's site nearest to the point (ties: the registry's site order)."""
    p = _Params()
    p.values.update(point_params(lat, lon))
    ids = p.add_all("id", nct_ids)
    dist = distance_sql("lat", "lon")
    text = (
        "SELECT nct_id, facility, city, state, country, geo_precision, d FROM ("
        f"SELECT nct_id, facility, city, state, country, geo_precision, {dist} AS d,"
        f" row_number() OVER (PARTITION BY nct_id ORDER BY {dist}, ordinal) AS rn"
        f" FROM locations WHERE nct_id IN ({ids}) AND lat IS NOT NULL AND lon IS NOT NULL"
        ") WHERE rn = 1"
    )
    return Sql(text, p.values)


def page_rows_sql(nct_ids: list[str]) -> tuple[Sql, Sql]:
    """Title, status and phases of the page's trials; and their conditions in order."""
    p = _Params()
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
