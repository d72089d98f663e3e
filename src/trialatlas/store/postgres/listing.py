"""PostgreSQL queries behind the ClinicalTrials.gov-compatible API and the FHIR search:
one keyset page of a :class:`~trialatlas.store.listing.StudyListQuery`, the same rows
in the same order as :mod:`trialatlas.store.sqlite.ctgov_api`.

Each row carries its sort keys; the next page starts strictly after the last row's
keys (NCT ID breaks ties), so walking the pages visits every study once. Full-text
areas are the registry's Essie subset, as tsquery tests over the ``study_text`` fields
(:func:`trialatlas.store.postgres.text_query.essie_match`); LIKE sees user words only
as escaped literals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from trialatlas.index.geo import haversine_km
from trialatlas.store.listing import GeoCircle, ListedStudy, StudyListPage, StudyListQuery
from trialatlas.store.postgres.bm25 import bm25_sql
from trialatlas.store.postgres.search_geo import box_test
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.postgres.text_query import essie_match, essie_phrases
from trialatlas.store.sqlite.ctgov_api import _AGE_GROUP_SQL, _BIG, _DATE_COLUMNS

# full-text area → study_text fields (None: the whole document)
_AREAS: dict[str, tuple[str, ...] | None] = {
    "term": None,
    "cond": ("title", "conditions", "keywords"),
    "intr": ("interventions",),
    "titles": ("title",),
}
_SITE_TEXT = (
    "(coalesce(l.facility, '') || ' ' || coalesce(l.city, '') || ' ' || coalesce(l.state, '')"
    " || ' ' || coalesce(l.zip, '') || ' ' || coalesce(l.country, ''))"
)


class Rows(Protocol):
    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]: ...


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _all_like(column: str, words: Sequence[str], p: Params) -> str:
    return " AND ".join(f"{column} ILIKE {p.add('like', _like(w))} ESCAPE '\\'" for w in words)


Ranked = list[tuple[list[tuple[str, ...]], tuple[str, ...] | None]]


def _text_tests(query: StudyListQuery, p: Params) -> tuple[list[str], Ranked]:
    """WHERE tests of the full-text areas, and the phrases relevance ranks by (per area)."""
    from trialatlas.store.essie_query import parse_essie

    where: list[str] = []
    ranked: Ranked = []
    for area, fields in _AREAS.items():
        text = getattr(query, area)
        test = essie_match(text, fields, p)
        if test is None:
            continue
        where.append(test)
        node = parse_essie(text) if test != "FALSE" else None
        if node is not None and not test.startswith("NOT "):
            ranked.append((essie_phrases(node), fields))
    return where, ranked


def _sort_keys(query: StudyListQuery, ranked: Ranked, p: Params) -> list[tuple[str, bool]]:
    """(SQL expression, descending) per sort key, NCT ID last; missing values sort last."""
    keys: list[tuple[str, bool]] = []
    for option in query.sort:
        desc = option.descending
        if option.field == "relevance":
            rank = bm25_sql(ranked, p)
            if rank is None:
                continue  # without search text every study is equally relevant
            keys.append((rank, not desc))
        elif option.field == "enrollment_count":
            missing = -1 if desc else _BIG
            keys.append((f"coalesce(s.enrollment_count, {missing})", desc))
        else:
            missing = "''" if desc else "'~'"
            keys.append((f"coalesce({_DATE_COLUMNS[option.field]}, {missing})", desc))
    keys.append(("s.nct_id", False))
    return keys


def _filters(query: StudyListQuery, geo_ids: Sequence[str] | None, p: Params) -> list[str]:
    where: list[str] = []
    for words, lead in ((query.spons_words, False), (query.lead_words, True)):
        if words:
            role = " AND sp.role = 'lead'" if lead else ""
            where.append(
                "EXISTS (SELECT 1 FROM sponsors sp WHERE sp.nct_id = s.nct_id"
                f"{role} AND {_all_like('sp.name', words, p)})"
            )
    if query.locn_words:
        where.append(
            "EXISTS (SELECT 1 FROM locations l WHERE l.nct_id = s.nct_id"
            f" AND {_all_like(_SITE_TEXT, query.locn_words, p)})"
        )
    if query.any_ids:
        ids = p.add("any_ids", [i.upper() for i in query.any_ids])
        where.append(
            f"(s.nct_id = ANY({ids}) OR EXISTS (SELECT 1 FROM identifiers i"
            f" WHERE i.nct_id = s.nct_id AND upper(i.id) = ANY({ids})))"
        )
    for column, values in (
        ("s.nct_id", query.nct_ids),
        ("s.overall_status", query.statuses or None),
        ("s.study_type", query.study_types or None),
        ("s.sex", query.sexes or None),
        ("s.nct_id", geo_ids),
    ):
        if values is not None:
            where.append(f"{column} = ANY({p.add('in', list(values))})")
    if query.phases:
        where.append(
            f"EXISTS (SELECT 1 FROM unnest({p.add('phases', list(query.phases))}::text[]) AS ph"
            " WHERE strpos('|' || s.phases || '|', '|' || ph || '|') > 0)"
        )
    if query.age_groups:
        where.append("(" + " OR ".join(_AGE_GROUP_SQL[g] for g in query.age_groups) + ")")
    for column, flag in (
        ("s.has_results", query.has_results),
        ("s.healthy_volunteers", query.healthy_volunteers),
    ):
        if flag is not None:
            where.append(f"{column} = {p.add('flag', int(flag))}")
    return where


def list_studies_sql(
    query: StudyListQuery,
    after: Sequence[Any] | None = None,
    limit: int | None = None,
    geo_ids: Sequence[str] | None = None,
) -> tuple[str, dict[str, Any], int]:
    """SQL, parameters and key count for one page (``limit`` None: every row)."""
    p = Params()
    text_where, ranked = _text_tests(query, p)
    keys = _sort_keys(query, ranked, p)
    where = [*text_where, *_filters(query, geo_ids, p)]
    source = "studies s JOIN study_text st ON st.nct_id = s.nct_id"
    columns = ", ".join(f"{expr} AS k{i}" for i, (expr, _) in enumerate(keys))
    inner = f"SELECT s.nct_id AS nct_id, {columns} FROM {source}"
    if where:
        inner += " WHERE " + " AND ".join(where)
    sql = f"SELECT * FROM ({inner}) AS page"
    if after is not None:
        if len(after) != len(keys):
            raise ValueError("cursor does not match the sort order")
        ors = []
        for i, (_, desc) in enumerate(keys):
            ands = [f"k{j} = {p.add('after', after[j])}" for j in range(i)]
            ands.append(f"k{i} {'<' if desc else '>'} {p.add('after', after[i])}")
            ors.append("(" + " AND ".join(ands) + ")")
        sql += " WHERE (" + " OR ".join(ors) + ")"
    sql += " ORDER BY " + ", ".join(
        f"k{i} {'DESC' if d else 'ASC'}" for i, (_, d) in enumerate(keys)
    )
    if limit is not None:
        sql += f" LIMIT {p.add('limit', limit)}"
    return sql, p.values, len(keys)


def studies_near(store: Rows, geo: GeoCircle) -> list[str]:
    """NCT IDs with at least one site (site- or city-level point) within the circle."""
    p = Params()
    found = store.rows(
        f"SELECT DISTINCT l.nct_id, l.lat, l.lon FROM locations l"
        f" WHERE {box_test(geo.lat, geo.lon, geo.radius_km, p)}",
        p.values,
    )
    near = {
        nct
        for nct, lat, lon in found
        if lat is not None and haversine_km(geo.lat, geo.lon, lat, lon) <= geo.radius_km
    }
    return sorted(near)


def list_studies(
    store: Rows,
    query: StudyListQuery,
    after: Sequence[Any] | None,
    limit: int,
    count_total: bool = False,
) -> StudyListPage:
    """One page of the studies ``query`` matches, in order, starting after ``after``."""
    geo_ids = studies_near(store, query.geo) if query.geo is not None else None
    sql, params, width = list_studies_sql(query, after, limit + 1, geo_ids)
    rows = [ListedStudy(nct_id=r[0], keys=tuple(r[1 : width + 1])) for r in store.rows(sql, params)]
    total = None
    if count_total:
        count_sql, count_params, _ = list_studies_sql(query, geo_ids=geo_ids)
        total = int(
            store.rows(f"SELECT count(*) FROM ({count_sql}) AS counted", count_params)[0][0]
        )
    return StudyListPage(rows=rows[:limit], has_more=len(rows) > limit, total=total)
