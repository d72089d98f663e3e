"""One keyset page of a :class:`~trialatlas.store.listing.StudyListQuery` in SQL, written
once for every backend (the ClinicalTrials.gov-compatible API and the FHIR search read
through it). Built without a database: the dialect's spellings come from the
backend's :class:`~trialatlas.store.sql_text.Params`, the full-text tests (the
registry's Essie subset over the backend's text index) from its :class:`TextPart`;
each backend has one :class:`ListingSql`.

Paging is keyset paging: each row carries its sort keys, and the next page starts
strictly after the last row's keys, so walking the pages visits every study once even
when sort values tie (NCT ID breaks ties). User words reach LIKE only as escaped
literals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from trialatlas.index.geo import haversine_km
from trialatlas.store.geo_sql import box_tests
from trialatlas.store.listing import GeoCircle, ListedStudy, StudyListPage, StudyListQuery
from trialatlas.store.sql_text import Params, Rows

DATE_COLUMNS = {
    "last_update_posted": "s.last_update_posted",
    "first_posted": "s.first_posted",
    "start_date": "s.start_date",
    "primary_completion_date": "s.primary_completion_date",
    "completion_date": "s.completion_date",
}
BIG = 9_223_372_036_854_775_807  # sorts after every enrollment count
SITE_TEXT = (
    "(coalesce(l.facility, '') || ' ' || coalesce(l.city, '') || ' ' || coalesce(l.state, '')"
    " || ' ' || coalesce(l.zip, '') || ' ' || coalesce(l.country, ''))"
)
# Age groups as the registry computes them (CHILD < 18 y, ADULT 18-64 y, OLDER_ADULT >= 65 y),
# on the age limits in days (365.25 days a year); a missing limit is no limit.
AGE_GROUP_SQL = {
    "CHILD": "(s.min_age_days IS NULL OR s.min_age_days < 6574)",
    "ADULT": "((s.min_age_days IS NULL OR s.min_age_days < 23741)"
    " AND (s.max_age_days IS NULL OR s.max_age_days >= 6574))",
    "OLDER_ADULT": "(s.max_age_days IS NULL OR s.max_age_days >= 23741)",
}


@dataclass(frozen=True, slots=True)
class TextPart:
    """The full-text areas of a query on one backend: the studies joined to the text
    index (``source``, the studies as ``s``), the WHERE tests, and the relevance (an
    SQL expression, lower is better; None when no text ranks) built on demand."""

    source: str
    where: list[str]
    relevance: Callable[[], str | None]


def like_pattern(word: str) -> str:
    """LIKE pattern of names holding ``word`` (wildcards in it taken literally)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _all_like(column: str, words: Sequence[str], p: Params) -> str:
    return " AND ".join(
        f"{column} {p.LIKE_ANY_CASE} {p.add('like', like_pattern(w))} ESCAPE '\\'" for w in words
    )


def sort_keys(query: StudyListQuery, text: TextPart) -> list[tuple[str, bool]]:
    """(SQL expression, descending) per sort key, NCT ID last; missing values sort last."""
    keys: list[tuple[str, bool]] = []
    for option in query.sort:
        desc = option.descending
        if option.field == "relevance":
            rank = text.relevance()
            if rank is None:
                continue  # without search text every study is equally relevant
            # lower is better: "most relevant first" is the rank ascending
            keys.append((rank, not desc))
        elif option.field == "enrollment_count":
            missing = -1 if desc else BIG
            keys.append((f"coalesce(s.enrollment_count, {missing})", desc))
        else:
            missing = "''" if desc else "'~'"
            keys.append((f"coalesce({DATE_COLUMNS[option.field]}, {missing})", desc))
    keys.append(("s.nct_id", False))
    return keys


def filters(
    query: StudyListQuery, geo_ids: Sequence[str] | None, p: Params, phases_test: str
) -> list[str]:
    """WHERE tests over ``s`` for every condition of ``query`` but its text and place
    (``geo_ids``: the NCT IDs already found near the place, None for no place;
    ``phases_test``: see :class:`ListingSql`)."""
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
            f" AND {_all_like(SITE_TEXT, query.locn_words, p)})"
        )
    if query.any_ids:
        ids = p.array("any_ids", [i.upper() for i in query.any_ids])
        where.append(
            f"({p.in_array('s.nct_id', ids)} OR EXISTS (SELECT 1 FROM identifiers i"
            f" WHERE i.nct_id = s.nct_id AND {p.in_array('upper(i.id)', ids)}))"
        )
    for column, values in (
        ("s.nct_id", query.nct_ids),
        ("s.overall_status", query.statuses or None),
        ("s.study_type", query.study_types or None),
        ("s.sex", query.sexes or None),
        ("s.nct_id", geo_ids),
    ):
        if values is not None:
            where.append(p.in_array(column, p.array("in", values)))
    if query.phases:
        where.append(phases_test.format(p.array("phases", query.phases)))
    if query.age_groups:
        where.append("(" + " OR ".join(AGE_GROUP_SQL[g] for g in query.age_groups) + ")")
    for column, flag in (
        ("s.has_results", query.has_results),
        ("s.healthy_volunteers", query.healthy_volunteers),
    ):
        if flag is not None:
            where.append(f"{column} = {p.add('flag', int(flag))}")
    if query.updated_from:
        where.append(f"s.last_update_posted >= {p.add('updated', query.updated_from)}")
    if query.updated_to:  # ISO dates compare as text ("2024-02" sorts before its days)
        where.append(f"s.last_update_posted <= {p.add('updated', query.updated_to)}")
    return where


def _keyset(keys: list[tuple[str, bool]], after: Sequence[Any], p: Params) -> str:
    """``(k1, k2, …) > after`` in each key's own direction, as SQL over the key aliases."""
    ors: list[str] = []
    for i, (_, desc) in enumerate(keys):
        ands = [f"k{j} = {p.add('after', after[j])}" for j in range(i)]
        ands.append(f"k{i} {'<' if desc else '>'} {p.add('after', after[i])}")
        ors.append("(" + " AND ".join(ands) + ")")
    return "(" + " OR ".join(ors) + ")"


@dataclass(frozen=True, slots=True)
class ListingSql:
    """One backend's listing: its parameter collector, its full-text tests (they add
    their parameters to the collector) and its test of the phases: SQL true when
    ``s.phases`` holds one of the codes of the array parameter ``{}`` stands for."""

    params: type[Params]
    text_part: Callable[[StudyListQuery, Any], TextPart]
    phases_test: str

    def page_sql(
        self,
        query: StudyListQuery,
        after: Sequence[Any] | None = None,
        limit: int | None = None,
        geo_ids: Sequence[str] | None = None,
    ) -> tuple[str, dict[str, Any], int]:
        """SQL, parameters and key count for one page (``limit`` None: every row).

        ``after`` is the keys of the last row of the previous page; ``geo_ids`` the NCT
        IDs already found near ``query.geo`` (the distance test runs in Python)."""
        p = self.params()
        text = self.text_part(query, p)
        keys = sort_keys(query, text)
        where = [*text.where, *filters(query, geo_ids, p, self.phases_test)]
        columns = ", ".join(f"{expr} AS k{i}" for i, (expr, _) in enumerate(keys))
        inner = f"SELECT s.nct_id AS nct_id, {columns} FROM {text.source}"
        if where:
            inner += " WHERE " + " AND ".join(where)
        sql = f"SELECT * FROM ({inner}) AS page"
        if after is not None:
            if len(after) != len(keys):
                raise ValueError("cursor does not match the sort order")
            sql += f" WHERE {_keyset(keys, after, p)}"
        sql += " ORDER BY " + ", ".join(
            f"k{i} {'DESC' if d else 'ASC'}" for i, (_, d) in enumerate(keys)
        )
        if limit is not None:
            sql += f" LIMIT {p.add('limit', limit)}"
        return sql, p.values, len(keys)

    def list_studies(
        self,
        store: Rows,
        query: StudyListQuery,
        after: Sequence[Any] | None,
        limit: int,
        count_total: bool = False,
    ) -> StudyListPage:
        """One page of the studies ``query`` matches, in order, starting after ``after``."""
        geo_ids = studies_near(store, query.geo, self.params()) if query.geo is not None else None
        sql, values, width = self.page_sql(query, after, limit + 1, geo_ids)
        found = store.rows(sql, values)
        rows = [ListedStudy(nct_id=r[0], keys=tuple(r[1 : width + 1])) for r in found]
        total = None
        if count_total:
            count_sql, count_values, _ = self.page_sql(query, None, None, geo_ids)
            counted = store.rows(f"SELECT count(*) FROM ({count_sql}) AS counted", count_values)
            total = int(counted[0][0])
        return StudyListPage(rows=rows[:limit], has_more=len(rows) > limit, total=total)


def studies_near(store: Rows, geo: GeoCircle, p: Params) -> list[str]:
    """NCT IDs with at least one site (site- or city-level point) within the circle."""
    lat_test, lon_test = box_tests(geo.lat, geo.lon, geo.radius_km, p)
    found = store.rows(
        f"SELECT DISTINCT l.nct_id, l.lat, l.lon FROM locations l WHERE {lat_test} AND {lon_test}",
        p.values,
    )
    near = {
        nct
        for nct, lat, lon in found
        if lat is not None and haversine_km(geo.lat, geo.lon, lat, lon) <= geo.radius_km
    }
    return sorted(near)
