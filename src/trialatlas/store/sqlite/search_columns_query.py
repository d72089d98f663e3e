"""A search without words answered over the search columns (:mod:`search_columns`).

Same meaning as the SQL of :mod:`search_sql` and :mod:`search_filters`, test for
test: a missing age bound is no bound, a missing date fails a date range, a trial
is near a place when one of its sites with a point lies within the radius (the
haversine of :mod:`search_geo`), and hits come in the order ``(sort key, NCT ID)``
after the cursor. Every count is exact, the country facet included (over the whole
set, not only its best hits).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from trialatlas.index.geo import EARTH_RADIUS_KM, bounding_box
from trialatlas.model.search import DEFAULT_RADIUS_KM, SearchQuery
from trialatlas.store.search_cursor import Cursor
from trialatlas.store.search_facets import Counts
from trialatlas.store.search_filters import lower_date_key, sponsor_pattern
from trialatlas.store.sqlite.search_columns import (
    IntArray,
    SearchColumns,
    bm25_of,
    find_ncts,
    nocase,
    sponsor_nct_ids,
    word_match_ids,
)
from trialatlas.store.sqlite.search_geo import town_sites_sql

Row = tuple[object, ...]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Near:
    """Trials with a site within the radius (positions) and their nearest site's km."""

    rows: IntArray
    km: npt.NDArray[np.float64]


def answer(
    conn: sqlite3.Connection,
    cols: SearchColumns,
    query: SearchQuery,
    cursor: Cursor | None,
    limit: int,
    match: str | None = None,
) -> tuple[list[Row], Counts]:
    """The next ``limit`` hits (rows as :func:`search_sql.build_page` gives them) and the
    exact counts of a search without words, or of one near a place with words
    (``match``, their FTS5 expression; ``query.near`` must then be set)."""
    mask = filter_mask(conn, cols, query)
    near = nearest(cols, query, conn) if query.near is not None else None
    if near is not None:
        keep = mask[near.rows]
        near = Near(near.rows[keep], near.km[keep])
        if match:
            present = np.isin(cols.ids[near.rows], word_match_ids(conn, match), assume_unique=True)
            near = Near(near.rows[present], near.km[present])
        mask = np.zeros(cols.size, dtype=np.bool_)
        mask[near.rows] = True
    elif match:
        raise ValueError("words are searched over the columns only near a place")
    sort = query.effective_sort
    if sort == "nearest":
        if near is None:
            raise ValueError("sorting by the nearest site needs a place")
        rows = _nearest_page(cols, near, cursor, limit)
    elif sort == "relevance":
        if near is None or not match:
            raise ValueError("sorting by relevance needs words to rank by")
        rows = _relevance_page(conn, cols, near, match, cursor, limit)
    else:
        rows = _date_page(cols, sort, mask, near, cursor, limit)
    return rows, counts(cols, mask)


def word_counts(
    conn: sqlite3.Connection, cols: SearchColumns, query: SearchQuery, match: str, limit: int
) -> Counts | None:
    """Exact counts of a search with words (``match``, their FTS5 expression) and any
    filters, or None when the words match more than ``limit`` trials (reading every
    match would then cost more than counting a sample in SQL)."""
    ids = word_match_ids(conn, match, limit + 1)
    if len(ids) > limit:
        return None
    at = np.minimum(np.searchsorted(cols.ids, ids), max(cols.size - 1, 0))
    mask = np.zeros(cols.size, dtype=np.bool_)
    if cols.size:
        mask[at[cols.ids[at] == ids]] = True
    return counts(cols, mask & filter_mask(conn, cols, query))


def filter_mask(conn: sqlite3.Connection, cols: SearchColumns, query: SearchQuery) -> Mask:
    """True for the studies that pass every filter of ``query`` (words and place aside)."""
    mask = np.ones(cols.size, dtype=np.bool_)
    if query.has_results is not None:
        mask &= cols.results == query.has_results
    if query.healthy_volunteers is not None:
        mask &= cols.healthy == int(query.healthy_volunteers)
    if query.age_years is not None:
        days = round(query.age_years * 365.25)
        mask &= (cols.min_age <= days) & (cols.max_age >= days)
    for column, value in (("study_type", query.study_type), ("sponsor_class", query.sponsor_class)):
        if value:
            mask &= getattr(cols, column) == cols.codes[column].find(value)
    if query.statuses:
        wanted = [cols.codes["status"].find(s) for s in query.statuses]
        mask &= np.isin(cols.status, wanted)
    if query.status_not:
        left_out = [cols.codes["status"].find(s) for s in query.status_not]
        mask &= ~np.isin(cols.status, left_out)  # code 0 (no status) stays
    if query.sex:
        sexes = cols.codes["sex"]
        mask &= np.isin(cols.sex, [0, sexes.find("ALL"), sexes.find(query.sex)])
    for dates, low, high in (
        (cols.start, query.start_from, query.start_to),
        (cols.updated, query.updated_from, query.updated_to),
    ):
        if low:
            mask &= dates >= lower_date_key(low)
        if high:
            mask &= (dates != "") & (dates <= high.isoformat())
    if query.phase:
        values = cols.codes["phases"].values
        wanted = [
            code for code, value in enumerate(values)
            if value and set(value.split("|")) & set(query.phase)
        ]  # fmt: skip
        mask &= np.isin(cols.phases, wanted)
    if query.sponsor:
        keep = np.zeros(cols.size, dtype=np.bool_)
        keep[cols.positions(sponsor_nct_ids(conn, sponsor_pattern(query.sponsor)))] = True
        mask &= keep
    if query.country:
        keep = np.zeros(cols.size, dtype=np.bool_)
        rows = cols.country_rows.get(nocase(query.country))
        if rows is not None:
            keep[rows] = True
        mask &= keep
    return mask


def nearest(
    cols: SearchColumns, query: SearchQuery, conn: sqlite3.Connection | None = None
) -> Near:
    """Each trial with a site within the radius of ``query.near`` (or a city-placed site
    of one of ``query.near_towns``, read through ``conn``), and its nearest such km."""
    assert query.near is not None
    lat0, lon0 = query.near.lat, query.near.lon
    radius = query.radius_km or DEFAULT_RADIUS_KM
    box = bounding_box(lat0, lon0, radius)
    lo = int(np.searchsorted(cols.site_lat, box.min_lat, side="left"))
    hi = int(np.searchsorted(cols.site_lat, box.max_lat, side="right"))
    lat, lon, rows = cols.site_lat[lo:hi], cols.site_lon[lo:hi], cols.site_row[lo:hi]
    if box.crosses_antimeridian:
        inside = (lon >= box.min_lon) | (lon <= box.max_lon)
    else:
        inside = (lon >= box.min_lon) & (lon <= box.max_lon)
    lat, lon, rows = lat[inside], lon[inside], rows[inside]
    phi0 = math.radians(lat0)
    a = (
        np.sin((np.radians(lat) - phi0) / 2) ** 2
        + math.cos(phi0) * np.cos(np.radians(lat)) * np.sin(np.radians(lon - lon0) / 2) ** 2
    )
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    within = km <= radius
    rows, km = rows[within], km[within]
    if query.near_towns and conn is not None:
        rows, km = _with_town_sites(cols, conn, query, rows, km)
    if not len(rows):
        return Near(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
    order = np.lexsort((km, rows))  # by trial, nearest site first
    rows, km = rows[order], km[order]
    first = np.ones(len(rows), dtype=np.bool_)
    first[1:] = rows[1:] != rows[:-1]
    return Near(rows[first], km[first])


def _with_town_sites(
    cols: SearchColumns,
    conn: sqlite3.Connection,
    query: SearchQuery,
    rows: IntArray,
    km: npt.NDArray[np.float64],
) -> tuple[IntArray, npt.NDArray[np.float64]]:
    """``rows``/``km`` and the city-placed sites of the towns the place lies in."""
    assert query.near is not None
    sql = town_sites_sql(query.near.lat, query.near.lon, query.near_towns)
    found = conn.execute(sql.text, sql.params).fetchall()
    if not found:
        return rows, km
    positions, known = find_ncts(cols.sorted_nct, cols.by_nct, [r[0] for r in found])
    town_km = np.asarray([float(r[1]) for r in found], dtype=np.float64)
    return np.concatenate([rows, positions[known]]), np.concatenate([km, town_km[known]])


def _date_page(
    cols: SearchColumns,
    sort: str,
    mask: Mask,
    near: Near | None,
    cursor: Cursor | None,
    limit: int,
) -> list[Row]:
    order = cols.order[sort]
    hits = order[mask[order]]
    dates = cols.updated if sort == "last_update" else cols.start
    if cursor is not None:
        hits = hits[_after_date(cols, hits, dates, cursor)]
    page = hits[:limit]
    km: dict[int, float] = {}
    if near is not None and len(page):
        at = np.searchsorted(near.rows, page)
        km = dict(zip(page.tolist(), near.km[at].tolist(), strict=True))
    return [_row(cols, int(p), str(dates[p]), km.get(int(p))) for p in page]


def _after_date(
    cols: SearchColumns, hits: IntArray, dates: npt.NDArray[np.str_], cursor: Cursor
) -> npt.NDArray[np.bool_] | slice:
    """Which of ``hits`` (in ``(date DESC, NCT ID)`` order) come after the cursor."""
    key = str(cursor.key)
    found = cols.positions([cursor.nct_id])
    if len(found) and str(dates[found[0]]) == key:  # the cursor's own trial: cut there
        where = np.nonzero(hits == found[0])[0]
        if len(where):
            return slice(int(where[0]) + 1, None)
    hit_dates = dates[hits]
    after_nct = cols.nct[hits] > cursor.nct_id
    return (hit_dates < key) | ((hit_dates == key) & after_nct)


def _nearest_page(cols: SearchColumns, near: Near, cursor: Cursor | None, limit: int) -> list[Row]:
    rows, km = near.rows, near.km
    if cursor is not None:
        key = float(cursor.key)
        after = (km > key) | ((km == key) & (cols.nct[rows] > cursor.nct_id))
        rows, km = rows[after], km[after]
    if len(rows) > limit:
        # the ``limit`` nearest without sorting them all: everything up to the
        # limit-th distance (ties included), then sorted
        cut = np.partition(km, limit - 1)[limit - 1]
        close = km <= cut
        rows, km = rows[close], km[close]
    order = np.lexsort((cols.nct_rank[rows], km))[:limit]
    return [_row(cols, int(rows[i]), float(km[i]), float(km[i])) for i in order]


def _relevance_page(
    conn: sqlite3.Connection,
    cols: SearchColumns,
    near: Near,
    match: str,
    cursor: Cursor | None,
    limit: int,
) -> list[Row]:
    """The hits near the place in the order ``(BM25 rank, NCT ID)``: every one of them
    is scored (they are few next to the words' matches in the whole store)."""
    if not len(near.rows):
        return []
    ids = cols.ids[near.rows].tolist()
    scored = dict(bm25_of(conn, match, ids))
    rank = np.asarray([scored[i] for i in ids], dtype=np.float64)
    rows, km = near.rows, near.km
    if cursor is not None:
        key = float(cursor.key)
        after = (rank > key) | ((rank == key) & (cols.nct[rows] > cursor.nct_id))
        rows, km, rank = rows[after], km[after], rank[after]
    order = np.lexsort((cols.nct_rank[rows], rank))[:limit]
    out: list[Row] = []
    for i in order:
        nct, _, _, distance, *facets = _row(cols, int(rows[i]), None, float(km[i]))
        out.append((nct, float(rank[i]), float(rank[i]), distance, *facets))
    return out


def _row(cols: SearchColumns, p: int, key: object, km: float | None) -> Row:
    codes = cols.codes
    return (
        str(cols.nct[p]), key, None, km,
        codes["status"].values[cols.status[p]], codes["phases"].values[cols.phases[p]],
        codes["study_type"].values[cols.study_type[p]],
        codes["sponsor_class"].values[cols.sponsor_class[p]],
    )  # fmt: skip


def counts(cols: SearchColumns, mask: Mask) -> Counts:
    """Exact total, facet combinations and country counts of the set ``mask``."""
    total = int(np.count_nonzero(mask))
    if not total:
        return Counts([], [], 0)
    codes = cols.codes
    sizes = [len(codes[c].values) for c in ("status", "phases", "study_type", "sponsor_class")]
    combo = cols.status[mask].astype(np.int64)
    for column, size in zip(("phases", "study_type", "sponsor_class"), sizes[1:], strict=True):
        combo = combo * size + getattr(cols, column)[mask]
    tally = np.bincount(combo)
    combos: list[Row] = []
    for value in np.nonzero(tally)[0].tolist():
        rest, parts = value, []
        for size in reversed(sizes):
            rest, part = divmod(rest, size)
            parts.append(part)
        st, ph, ty, cl = reversed(parts)
        combos.append((
            codes["status"].values[st], codes["phases"].values[ph],
            codes["study_type"].values[ty], codes["sponsor_class"].values[cl],
            int(tally[value]),
        ))  # fmt: skip
    countries = []
    for key, rows in cols.country_rows.items():
        n = int(np.count_nonzero(mask[rows]))
        if n:
            countries.append((cols.country_names[key], n))
    return Counts(combos, countries, total)
