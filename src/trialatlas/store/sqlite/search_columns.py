"""The search columns: every study's filter fields, site countries and site points
as in-memory arrays, read from the store once per store generation.

A search without words (filters alone, or a place) tests every study of the store;
in SQL that is one index lookup per study and per site, hundreds of milliseconds in
a full registry. Over arrays the same tests are a few vector operations: every
filter, the exact total, every facet (countries included) and the nearest site of
each trial within a radius take milliseconds for 600,000 studies.
:mod:`search_columns_query` answers the search; this module reads the arrays.

The arrays belong to a store generation (``store_generation``, moved by every write
that changes a study): a search reads the generation first and uses the arrays only
when they are of the same one. Building takes about a second per 100,000 studies;
one thread builds while the others search in SQL (:class:`SearchColumnsCache`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from trialatlas.process_memory import release_freed_memory
from trialatlas.store.fts_query import FTS_WEIGHTS

NULL_MIN_AGE = -1  # no lower age bound: every age is above it
NULL_MAX_AGE = np.iinfo(np.int32).max  # no upper age bound
_FETCH = 50_000  # rows per fetch while reading
_NCT = "U11"  # NCT IDs (validated at ingest: NCT + 8 digits)
_DATE = "U10"  # ISO partial dates

IntArray = npt.NDArray[np.int64]
_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def nocase(text: str) -> str:
    """``text`` folded as SQLite's NOCASE collation folds it (ASCII letters only)."""
    return text.translate(_ASCII_FOLD)


class Codes:
    """Small integer codes for the values of one text column (code 0 is NULL)."""

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self._codes: dict[str | None, int] = {None: 0}

    def code(self, value: str | None) -> int:
        found = self._codes.get(value)
        if found is None:
            found = self._codes[value] = len(self.values)
            self.values.append(value)
        return found

    def find(self, value: str) -> int:
        """The code of ``value``, or -1 when no study has it."""
        return self._codes.get(value, -1)


@dataclass(frozen=True, slots=True)
class SearchColumns:
    """Arrays over the store's studies in id order (one position per study)."""

    generation: int
    ids: IntArray  # study ids (rowids), ascending
    nct: npt.NDArray[np.str_]  # NCT IDs
    nct_rank: IntArray  # position of each NCT ID in NCT ID order (ties of sort keys)
    by_nct: IntArray  # positions in NCT ID order
    sorted_nct: npt.NDArray[np.str_]  # NCT IDs in NCT ID order (nct[by_nct])
    status: npt.NDArray[np.int16]
    phases: npt.NDArray[np.int16]
    study_type: npt.NDArray[np.int16]
    sponsor_class: npt.NDArray[np.int16]
    sex: npt.NDArray[np.int16]
    codes: dict[str, Codes]  # column → its codes
    min_age: npt.NDArray[np.int32]
    max_age: npt.NDArray[np.int32]
    healthy: npt.NDArray[np.int8]  # -1 unknown, 0 no, 1 yes
    results: npt.NDArray[np.bool_]
    start: npt.NDArray[np.str_]  # ISO partial dates, '' when missing
    updated: npt.NDArray[np.str_]
    order: dict[str, IntArray]  # sort → positions in (date desc, NCT ID) order
    country_rows: dict[str, IntArray]  # NOCASE-folded country → positions of its trials
    country_names: dict[str, str]  # folded → the name as the registry writes it
    site_lat: npt.NDArray[np.float64]  # sites with a point, by latitude
    site_lon: npt.NDArray[np.float64]
    site_row: IntArray  # the position of each site's trial

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (bytes)."""
        arrays = [
            self.ids, self.nct, self.nct_rank, self.by_nct, self.sorted_nct, self.status, self.phases, self.study_type,
            self.sponsor_class, self.sex, self.min_age, self.max_age, self.healthy,
            self.results, self.start, self.updated, self.site_lat, self.site_lon, self.site_row,
            *self.order.values(), *self.country_rows.values(),
        ]  # fmt: skip
        return sum(a.nbytes for a in arrays)

    def positions(self, nct_ids: list[str]) -> IntArray:
        """Positions of the studies with these NCT IDs (unknown ones left out)."""
        if not nct_ids:
            return np.empty(0, dtype=np.int64)
        positions, found = find_ncts(self.sorted_nct, self.by_nct, nct_ids)
        return np.unique(positions[found])


def find_ncts(
    sorted_nct: npt.NDArray[np.str_], by_nct: IntArray, nct_ids: Sequence[object]
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """For each of ``nct_ids``: a position and whether it is that study's (False for an
    NCT ID the studies lack), by binary search in ``sorted_nct`` (``nct[by_nct]``)."""
    wanted = np.asarray(nct_ids, dtype=_NCT)
    if not len(sorted_nct):
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=np.bool_)
    at = np.minimum(np.searchsorted(sorted_nct, wanted), len(sorted_nct) - 1)
    return by_nct[at], sorted_nct[at] == wanted


def read_generation(conn: sqlite3.Connection) -> int:
    """The store generation: moves whenever a write changes a study."""
    row = conn.execute("SELECT value FROM store_generation WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def sponsor_nct_ids(conn: sqlite3.Connection, pattern: str) -> list[str]:
    """NCT IDs of trials with a sponsor or collaborator whose name is LIKE ``pattern``."""
    rows = conn.execute(
        "SELECT DISTINCT nct_id FROM sponsors WHERE name LIKE ? ESCAPE '\\'", (pattern,)
    )
    return [str(r[0]) for r in rows]


def word_match_ids(conn: sqlite3.Connection, match: str, limit: int | None = None) -> IntArray:
    """Ids of the studies whose text matches the FTS5 expression ``match``, ascending;
    with ``limit``, the walk through the matches stops after that many."""
    sql = "SELECT rowid FROM studies_fts WHERE studies_fts MATCH ?"
    rows = (
        conn.execute(sql, (match,))
        if limit is None
        else conn.execute(f"{sql} LIMIT ?", (match, limit))
    )
    return np.sort(np.fromiter((r[0] for r in rows), dtype=np.int64))


_SCORED = "scored_studies"  # temporary table of the study ids to score (bm25_of)


def bm25_of(conn: sqlite3.Connection, match: str, ids: list[int]) -> list[tuple[int, float]]:
    """``(id, BM25 rank)`` of the studies ``ids`` for the FTS5 expression ``match``
    (lower is better, as :func:`search_sql.build_page` ranks). FTS5 still walks every
    match, but scores only the rows that join the temporary table of ``ids``."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_SCORED} (id INTEGER PRIMARY KEY)")
    conn.execute(f"DELETE FROM temp.{_SCORED}")
    conn.executemany(f"INSERT INTO temp.{_SCORED} VALUES (?)", ((i,) for i in ids))
    weights = ", ".join(repr(w) for w in FTS_WEIGHTS)
    rows = conn.execute(
        f"SELECT studies_fts.rowid, bm25(studies_fts, {weights}) FROM studies_fts"
        f" CROSS JOIN temp.{_SCORED} AS t ON t.id = studies_fts.rowid"
        " WHERE studies_fts MATCH ?",
        (match,),
    ).fetchall()
    return [(int(i), float(r)) for i, r in rows]


def load_columns(conn: sqlite3.Connection) -> SearchColumns:
    """Read the arrays from the store, in one read transaction (one snapshot)."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        return _load(conn)
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")


def _fetch(conn: sqlite3.Connection, sql: str) -> Iterator[list[tuple[object, ...]]]:
    cursor = conn.execute(sql)
    while rows := cursor.fetchmany(_FETCH):
        yield rows


def _load(conn: sqlite3.Connection) -> SearchColumns:
    generation = read_generation(conn)
    codes = {name: Codes() for name in ("status", "phases", "study_type", "sponsor_class", "sex")}
    coders = [codes[n].code for n in codes]
    parts: list[list[npt.NDArray[Any]]] = [[] for _ in range(13)]
    sql = (
        "SELECT id, nct_id, overall_status, phases, study_type, lead_sponsor_class, sex,"
        " min_age_days, max_age_days, healthy_volunteers, has_results, start_date,"
        " last_update_posted FROM studies ORDER BY id"
    )
    for chunk in _fetch(conn, sql):  # a chunk at a time: little memory beyond the arrays
        cols = list(zip(*chunk, strict=True))
        parts[0].append(np.asarray(cols[0], dtype=np.int64))
        parts[1].append(np.asarray(cols[1], dtype=_NCT))
        for k, coder in enumerate(coders, start=2):
            parts[k].append(np.asarray([coder(v) for v in cols[k]], dtype=np.int16))  # type: ignore[arg-type]
        parts[7].append(
            np.asarray([NULL_MIN_AGE if v is None else v for v in cols[7]], dtype=np.int32)
        )
        parts[8].append(
            np.asarray([NULL_MAX_AGE if v is None else v for v in cols[8]], dtype=np.int32)
        )
        parts[9].append(np.asarray([-1 if v is None else v for v in cols[9]], dtype=np.int8))
        parts[10].append(np.asarray(cols[10], dtype=np.bool_))
        parts[11].append(np.asarray([v or "" for v in cols[11]], dtype=_DATE))
        parts[12].append(np.asarray([v or "" for v in cols[12]], dtype=_DATE))
    empty = [np.int64, _NCT, *[np.int16] * 5, np.int32, np.int32, np.int8, np.bool_, _DATE, _DATE]
    arrays = [
        np.concatenate(p) if p else np.empty(0, dtype=dtype)
        for p, dtype in zip(parts, empty, strict=True)
    ]
    nct_arr = arrays[1]
    by_nct = np.argsort(nct_arr, kind="stable").astype(np.int64)
    nct_rank = np.empty(len(nct_arr), dtype=np.int64)
    nct_rank[by_nct] = np.arange(len(nct_arr))
    sorted_nct = nct_arr[by_nct]

    def rows_of(ncts: tuple[object, ...]) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        return find_ncts(sorted_nct, by_nct, ncts)

    country_rows, country_names = _countries(conn, rows_of)
    site_lat, site_lon, site_row = _sites(conn, rows_of)
    start_arr, upd_arr = arrays[11], arrays[12]
    return SearchColumns(
        generation=generation,
        ids=arrays[0],
        nct=nct_arr,
        nct_rank=nct_rank,
        by_nct=by_nct,
        sorted_nct=sorted_nct,
        status=arrays[2],
        phases=arrays[3],
        study_type=arrays[4],
        sponsor_class=arrays[5],
        sex=arrays[6],
        codes=codes,
        min_age=arrays[7],
        max_age=arrays[8],
        healthy=arrays[9],
        results=arrays[10],
        start=start_arr,
        updated=upd_arr,
        order={
            "last_update": _date_order(upd_arr, nct_rank),
            "start_date": _date_order(start_arr, nct_rank),
        },
        country_rows=country_rows,
        country_names=country_names,
        site_lat=site_lat,
        site_lon=site_lon,
        site_row=site_row,
    )


RowsOf = Callable[[tuple[object, ...]], tuple[IntArray, npt.NDArray[np.bool_]]]


def _date_order(dates: npt.NDArray[np.str_], nct_rank: IntArray) -> IntArray:
    """Positions in the order ``(date DESC, NCT ID)``, a missing date ('') last."""
    if not len(dates):
        return np.empty(0, dtype=np.int64)
    _, date_rank = np.unique(dates, return_inverse=True)
    return np.lexsort((nct_rank, -date_rank.astype(np.int64))).astype(np.int64)


def _countries(
    conn: sqlite3.Connection, rows_of: RowsOf
) -> tuple[dict[str, IntArray], dict[str, str]]:
    rows: dict[str, list[IntArray]] = {}
    names: dict[str, str] = {}
    sql = "SELECT DISTINCT nct_id, country FROM locations WHERE country IS NOT NULL"
    for chunk in _fetch(conn, sql):
        ncts, countries = zip(*chunk, strict=True)
        positions, found = rows_of(ncts)
        keys = np.asarray([nocase(str(c)) for c in countries])
        for country, key in zip(countries, keys.tolist(), strict=True):
            names.setdefault(key, str(country))
        for key in np.unique(keys).tolist():
            rows.setdefault(key, []).append(positions[found & (keys == key)])
    arrays = {k: np.unique(np.concatenate(v)) for k, v in rows.items()}
    return arrays, names


def _sites(
    conn: sqlite3.Connection, rows_of: RowsOf
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], IntArray]:
    lats: list[npt.NDArray[np.float64]] = []
    lons: list[npt.NDArray[np.float64]] = []
    rows: list[IntArray] = []
    sql = "SELECT nct_id, lat, lon FROM locations WHERE lat IS NOT NULL AND lon IS NOT NULL"
    for chunk in _fetch(conn, sql):
        ncts, lat, lon = zip(*chunk, strict=True)
        positions, found = rows_of(ncts)
        lats.append(np.asarray(lat, dtype=np.float64)[found])
        lons.append(np.asarray(lon, dtype=np.float64)[found])
        rows.append(positions[found])
    if not rows:
        return np.empty(0), np.empty(0), np.empty(0, dtype=np.int64)
    lat_arr = np.concatenate(lats)
    by_lat = np.argsort(lat_arr, kind="stable")
    return lat_arr[by_lat], np.concatenate(lons)[by_lat], np.concatenate(rows)[by_lat]


class SearchColumnsCache:
    """A store's search columns, rebuilt when the store generation moves.

    :meth:`get` returns the columns of the current generation, or None when there
    are none yet (the caller then searches in SQL). The first columns, and those of a
    small store, are built right away in the calling thread; the columns of a large
    store that changed are rebuilt in the background (on a connection of its own from
    ``connect``), at most once every ``REBUILD_GAP_S`` seconds, so that a store
    being loaded while it is searched is not rebuilt after every commit.
    """

    SYNC_LIMIT = 50_000  # studies: below this a rebuild takes well under a second
    REBUILD_GAP_S = 30.0

    def __init__(self, connect: Callable[[], sqlite3.Connection] | None = None) -> None:
        self._columns: SearchColumns | None = None
        self._building = threading.Lock()
        self._connect = connect
        self._last_build = 0.0

    def get(self, conn: sqlite3.Connection) -> SearchColumns | None:
        generation = read_generation(conn)
        columns = self._columns
        if columns is not None and columns.generation == generation:
            return columns
        if columns is not None and columns.size >= self.SYNC_LIMIT and self._connect is not None:
            if time.monotonic() - self._last_build >= self.REBUILD_GAP_S:
                self._rebuild_in_background()
            return None
        if not self._building.acquire(blocking=False):
            return None
        try:
            columns = self._columns
            if columns is None or columns.generation != generation:
                columns = self._build(conn)
            return columns if columns.generation == generation else None
        finally:
            self._building.release()

    def _build(self, conn: sqlite3.Connection) -> SearchColumns:
        columns = self._columns = load_columns(conn)
        self._last_build = time.monotonic()
        release_freed_memory()  # the rows read to build them (and older columns)
        return columns

    def _rebuild_in_background(self) -> None:
        if not self._building.acquire(blocking=False):
            return
        connect = self._connect
        assert connect is not None

        def run() -> None:
            try:
                with contextlib.suppress(sqlite3.Error), contextlib.closing(connect()) as conn:
                    self._build(conn)
            finally:
                self._last_build = time.monotonic()
                self._building.release()

        threading.Thread(target=run, name="search-columns", daemon=True).start()

    def clear(self) -> None:
        self._columns = None
