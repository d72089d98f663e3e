"""SQLite queries behind the ClinicalTrials.gov-compatible API and the FHIR search.

:func:`list_studies_sql` builds the SQL of one page of a :class:`StudyListQuery`
(separate from execution, so it is tested without a database); :func:`list_studies`
runs it. Paging is keyset paging: each row carries its sort keys, and the next page
starts strictly after the last row's keys, so walking the pages visits every study
once even when sort values tie (NCT ID breaks ties). Full-text areas are the registry's
Essie subset (:mod:`trialatlas.store.essie_query`): user words reach FTS5 only as quoted
strings, and LIKE only as escaped literals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from trialatlas.index.geo import bounding_box, haversine_km
from trialatlas.store.essie_query import essie_fts
from trialatlas.store.fts_query import FTS_WEIGHTS
from trialatlas.store.listing import (
    GeoCircle,
    ListedStudy,
    StudyListPage,
    StudyListQuery,
    StudySort,
)
from trialatlas.store.sqlite.reader import Reader

# full-text area → FTS5 column filter (None: every column)
_FTS_AREAS = {
    "term": None,
    "cond": "{title conditions keywords}",
    "intr": "{interventions}",
    "titles": "{title}",
}
_DATE_COLUMNS = {
    "last_update_posted": "s.last_update_posted",
    "first_posted": "s.first_posted",
    "start_date": "s.start_date",
    "primary_completion_date": "s.primary_completion_date",
    "completion_date": "s.completion_date",
}
_BIG = 9_223_372_036_854_775_807
_SITE_TEXT = (
    "(coalesce(l.facility, '') || ' ' || coalesce(l.city, '') || ' ' || coalesce(l.state, '')"
    " || ' ' || coalesce(l.zip, '') || ' ' || coalesce(l.country, ''))"
)
# Age groups as the registry computes them (CHILD < 18 y, ADULT 18-64 y, OLDER_ADULT >= 65 y),
# on the age limits in days (365.25 days a year); a missing limit is no limit.
_AGE_GROUP_SQL = {
    "CHILD": "(s.min_age_days IS NULL OR s.min_age_days < 6574)",
    "ADULT": "((s.min_age_days IS NULL OR s.min_age_days < 23741)"
    " AND (s.max_age_days IS NULL OR s.max_age_days >= 6574))",
    "OLDER_ADULT": "(s.max_age_days IS NULL OR s.max_age_days >= 23741)",
}


def fts_parts(query: StudyListQuery) -> tuple[str | None, str | None, bool]:
    """The full-text areas of ``query`` as (MATCH expression of what must match, MATCH
    expression of what must not, matches nothing).

    Every area's expression must hold. A text without words matches nothing; a text that
    only excludes (``NOT cancer``) gives no required part. Raises
    :class:`~trialatlas.store.essie_query.EssieError` for an expression it cannot read.
    """
    required: list[str] = []
    excluded: list[str] = []
    nothing = False
    for area, columns in _FTS_AREAS.items():
        text = getattr(query, area)
        if not text:
            continue
        parts = essie_fts(text, columns)
        if parts is None:
            nothing = True
            continue
        required += [f"({e})" for e in parts.required]
        excluded += [f"({e})" for e in parts.excluded]
    match = " AND ".join(required) or None
    exclude = " OR ".join(excluded) or None
    if match is not None and exclude is not None:
        match, exclude = f"({match}) NOT ({exclude})", None
    return match, exclude, nothing


def fts_expression(query: StudyListQuery) -> str | None:
    """One FTS5 MATCH expression for every full-text area of ``query`` (all required);
    None when nothing is required (no text, or a text that only excludes)."""
    return fts_parts(query)[0]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _all_like(column: str, words: Sequence[str]) -> str:
    return " AND ".join(f"{column} LIKE ? ESCAPE '\\'" for _ in words)


def _sort_keys(query: StudyListQuery, match: str | None) -> list[tuple[str, bool]]:
    """(SQL expression, descending) per sort key, NCT ID last; missing values sort last."""
    keys: list[tuple[str, bool]] = []
    for option in query.sort:
        desc = option.descending
        if option.field == "relevance":
            if match is None:
                continue  # without search text every study is equally relevant
            weights = ", ".join(str(w) for w in FTS_WEIGHTS)
            # bm25 is lower for better matches: "most relevant first" is ascending bm25
            keys.append((f"bm25(studies_fts, {weights})", not desc))
        elif option.field == "enrollment_count":
            missing = -1 if desc else _BIG
            keys.append((f"coalesce(s.enrollment_count, {missing})", desc))
        else:
            missing = "''" if desc else "'~'"
            keys.append((f"coalesce({_DATE_COLUMNS[option.field]}, {missing})", desc))
    keys.append(("s.nct_id", False))
    return keys


def _filters(query: StudyListQuery, geo_ids: Sequence[str] | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for words, role in ((query.spons_words, None), (query.lead_words, "lead")):
        if words:
            role_sql = " AND sp.role = 'lead'" if role else ""
            where.append(
                "EXISTS (SELECT 1 FROM sponsors sp WHERE sp.nct_id = s.nct_id"
                f"{role_sql} AND {_all_like('sp.name', words)})"
            )
            params += [_like(w) for w in words]
    if query.locn_words:
        where.append(
            "EXISTS (SELECT 1 FROM locations l WHERE l.nct_id = s.nct_id"
            f" AND {_all_like(_SITE_TEXT, query.locn_words)})"
        )
        params += [_like(w) for w in query.locn_words]
    if query.any_ids:
        where.append(
            "(s.nct_id IN (SELECT value FROM json_each(?)) OR EXISTS (SELECT 1 FROM identifiers i"
            " WHERE i.nct_id = s.nct_id AND upper(i.id) IN (SELECT value FROM json_each(?))))"
        )
        ids = json.dumps([i.upper() for i in query.any_ids])
        params += [ids, ids]
    for column, values in (
        ("s.nct_id", query.nct_ids),
        ("s.overall_status", query.statuses or None),
        ("s.study_type", query.study_types or None),
        ("s.sex", query.sexes or None),
        ("s.nct_id", geo_ids),
    ):
        if values is not None:
            where.append(f"{column} IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(values)))
    if query.phases:
        where.append(
            "EXISTS (SELECT 1 FROM json_each(?) p"
            " WHERE '|' || s.phases || '|' LIKE '%|' || p.value || '|%')"
        )
        params.append(json.dumps(list(query.phases)))
    if query.age_groups:
        where.append("(" + " OR ".join(_AGE_GROUP_SQL[g] for g in query.age_groups) + ")")
    for column, flag in (
        ("s.has_results", query.has_results),
        ("s.healthy_volunteers", query.healthy_volunteers),
    ):
        if flag is not None:
            where.append(f"{column} = ?")
            params.append(int(flag))
    return where, params


def _keyset(keys: list[tuple[str, bool]], after: Sequence[Any]) -> tuple[str, list[Any]]:
    """``(k1, k2, …) > after`` in each key's own direction, as SQL over the key aliases."""
    ors: list[str] = []
    params: list[Any] = []
    for i, (_, desc) in enumerate(keys):
        ands = [f"k{j} = ?" for j in range(i)] + [f"k{i} {'<' if desc else '>'} ?"]
        ors.append("(" + " AND ".join(ands) + ")")
        params += list(after[: i + 1])
    return "(" + " OR ".join(ors) + ")", params


def list_studies_sql(
    query: StudyListQuery,
    after: Sequence[Any] | None = None,
    limit: int | None = None,
    geo_ids: Sequence[str] | None = None,
) -> tuple[str, list[Any], int]:
    """SQL, parameters and key count for one page (``limit`` None: every row).

    ``after`` is the keys of the last row of the previous page; ``geo_ids`` the NCT IDs
    already found near ``query.geo`` (the distance test runs in Python).
    """
    match, exclude, nothing = fts_parts(query)
    keys = _sort_keys(query, match)
    where, params = _filters(query, geo_ids)
    source = "studies s"
    if exclude is not None:
        where.insert(0, "s.id NOT IN (SELECT rowid FROM studies_fts WHERE studies_fts MATCH ?)")
        params.insert(0, exclude)
    if match is not None:
        source = "studies_fts JOIN studies s ON s.id = studies_fts.rowid"
        where.insert(0, "studies_fts MATCH ?")
        params.insert(0, match)
    if nothing:
        where.insert(0, "0")  # a search text without words matches no study
    columns = ", ".join(f"{expr} AS k{i}" for i, (expr, _) in enumerate(keys))
    inner = f"SELECT s.nct_id AS nct_id, {columns} FROM {source}"
    if where:
        inner += " WHERE " + " AND ".join(where)
    sql = f"SELECT * FROM ({inner})"
    if after is not None:
        if len(after) != len(keys):
            raise ValueError("cursor does not match the sort order")
        condition, key_params = _keyset(keys, after)
        sql += f" WHERE {condition}"
        params += key_params
    sql += " ORDER BY " + ", ".join(
        f"k{i} {'DESC' if d else 'ASC'}" for i, (_, d) in enumerate(keys)
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params, len(keys)


def count_studies_sql(
    query: StudyListQuery, geo_ids: Sequence[str] | None = None
) -> tuple[str, list[Any]]:
    """SQL and parameters counting every study the query matches."""
    sql, params, _ = list_studies_sql(query, geo_ids=geo_ids)
    return f"SELECT count(*) FROM ({sql})", params


def studies_near(store: Reader, geo: GeoCircle) -> list[str]:
    """NCT IDs with at least one site (site- or city-level point) within the circle."""
    box = bounding_box(geo.lat, geo.lon, geo.radius_km)
    lon_sql = "(l.lon >= ? OR l.lon <= ?)" if box.crosses_antimeridian else "l.lon BETWEEN ? AND ?"
    rows = store.execute(
        "SELECT DISTINCT l.nct_id, l.lat, l.lon FROM locations l"
        f" WHERE l.lat BETWEEN ? AND ? AND {lon_sql}",
        (box.min_lat, box.max_lat, box.min_lon, box.max_lon),
    )
    near = {
        nct
        for nct, lat, lon in rows
        if lat is not None and haversine_km(geo.lat, geo.lon, lat, lon) <= geo.radius_km
    }
    return sorted(near)


def list_studies(
    store: Reader,
    query: StudyListQuery,
    after: Sequence[Any] | None,
    limit: int,
    count_total: bool = False,
) -> StudyListPage:
    """One page of the studies ``query`` matches, in order, starting after ``after``."""
    geo_ids = studies_near(store, query.geo) if query.geo is not None else None
    sql, params, width = list_studies_sql(query, after, limit + 1, geo_ids)
    rows = [
        ListedStudy(nct_id=r[0], keys=tuple(r[1 : width + 1])) for r in store.execute(sql, params)
    ]
    total = None
    if count_total:
        count_sql, count_params = count_studies_sql(query, geo_ids)
        total = int(store.execute(count_sql, count_params).fetchone()[0])
    return StudyListPage(rows=rows[:limit], has_more=len(rows) > limit, total=total)


def latest_update_posted(store: Reader) -> str | None:
    """The most recent last-update-posted date of any stored study (ISO, as stored)."""
    row = store.execute("SELECT max(last_update_posted) FROM studies").fetchone()
    return row[0] if row else None


__all__ = [
    "StudySort",
    "count_studies_sql",
    "fts_expression",
    "fts_parts",
    "latest_update_posted",
    "list_studies",
    "list_studies_sql",
    "studies_near",
]
