"""How every store backend turns what it gathered for a search into pages: the checks
on the query, the page and the cursor after it, the open-first search paged through
its two groups, and the hits of a page. No SQL here: each backend gathers the hits
after a cursor and the counts of the whole set (:class:`Gathered`) its own way, in
one snapshot, and reads the titles, conditions and nearest sites of a page's trials.

A hit row starts ``(nct_id, sort key, rank, …)``; the next page starts strictly after
the last hit in the order ``(sort key, nct_id)`` (:mod:`trialatlas.store.search_cursor`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from trialatlas.model.codes import label, phases_label
from trialatlas.model.search import (
    DEFAULT_RADIUS_KM,
    NearestSite,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from trialatlas.store.open_first import group_queries
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
from trialatlas.store.search_facets import Counts, merged_counts

Row = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Gathered:
    """The hits after the cursor (one more than a page at least) and the counts of the
    whole set. ``pools``: each hit's rank pool (its ``pool_below``), empty when the
    search is not ranked one pool at a time; ``pooled``: the matches fill a pool;
    ``every_country``: the country counts cover the whole set."""

    rows: list[Row]
    counts: Counts
    mode: Mode
    pools: list[int | None] = field(default_factory=list)
    pooled: bool = False
    every_country: bool = True


# the hits after a cursor (None: from the start) and the counts, of one plain search
Gather = Callable[[SearchQuery, Cursor | None], Gathered]
# the answer to a search from a page of hit rows, the counts, the next cursor and what
# was gathered
Answer = Callable[[SearchQuery, list[Row], Counts, str | None, list[Gathered]], SearchResults]


def checked_query(query: SearchQuery) -> tuple[SearchQuery, Cursor | None]:
    """``query`` with the default radius around its place, and its cursor (None for
    the first page or an open-first search, whose cursor is read by group);
    :class:`SearchError` when the sort needs a place it lacks,
    :class:`~trialatlas.model.search.InvalidCursor` for a damaged cursor."""
    if query.near is not None and query.radius_km is None:
        query = query.model_copy(update={"radius_km": DEFAULT_RADIUS_KM})
    if query.sort == "nearest" and query.near is None:
        raise SearchError("Sorting by the nearest site needs a place to measure from.")
    cursor = decode_cursor(query.cursor, query) if query.cursor and not query.open_first else None
    return query, cursor


def search_pages(
    query: SearchQuery, cursor: Cursor | None, gather: Gather, answer: Answer
) -> SearchResults:
    """One page of ``query`` (checked by :func:`checked_query`) and the cursor after it."""
    if query.open_first:
        return _open_first(query, gather, answer)
    found = gather(query, cursor)
    next_cursor = None
    if len(found.rows) > query.page_size:
        next_cursor = encode_cursor(cursor_after(query, found, query.page_size - 1))
    return answer(query, found.rows[: query.page_size], found.counts, next_cursor, [found])


def _open_first(query: SearchQuery, gather: Gather, answer: Answer) -> SearchResults:
    """Trials open to enrollment first, then the others, each group in the order of
    the sort: one search per group (both give their counts; the page takes the hits
    of the cursor's group, then those of the next group)."""
    group, inner = decode_group_cursor(query.cursor, query) if query.cursor else ("open", None)
    found: dict[Group, Gathered] = {}
    hits: list[tuple[Group, int]] = []  # (group, index in the group's rows)
    for name, sub in group_queries(query):
        cursor = decode_cursor(inner, sub) if inner is not None and name == group else None
        found[name] = gather(sub, cursor)
        if name != "open" or group == "open":
            hits += [(name, i) for i in range(len(found[name].rows))]
    size = query.page_size
    page = [found[name].rows[i] for name, i in hits[:size]]
    next_cursor = None
    if len(hits) > size:
        name, i = hits[size - 1]
        sub = dict(group_queries(query))[name]
        wrapped = encode_cursor(cursor_after(sub, found[name], i))
        next_cursor = encode_group_cursor(name, wrapped, query)
    parts = list(found.values())
    results = answer(query, page, merged_counts([p.counts for p in parts]), next_cursor, parts)
    results.open_first = True
    results.open_total = found["open"].counts.total if "open" in found else 0
    return results


def cursor_after(query: SearchQuery, found: Gathered, index: int) -> Cursor:
    """The cursor after the hit ``found.rows[index]`` of ``query``."""
    last = found.rows[index]
    key = last[1] if isinstance(last[1], str) else float(last[1])  # type: ignore[arg-type]
    below = found.pools[index] if found.pools else None
    fingerprint = query_fingerprint(query)
    return Cursor(query.effective_sort, found.mode, key, str(last[0]), fingerprint, below)


def nearest_site(row: Row) -> NearestSite:
    """A site row ``(facility, city, state, country, geo_precision, km)``."""
    facility, city, state, country, precision, km = row
    return NearestSite(
        facility=facility, city=city, state=state, country=country,  # type: ignore[arg-type]
        distance_km=round(float(km), 3),  # type: ignore[arg-type]
        precision=precision if precision in ("city", "zip") else "site",  # type: ignore[arg-type]
    )  # fmt: skip


def search_hits(
    page: list[Row],
    studies: Mapping[object, Row],
    conditions: Mapping[str, list[str]],
    sites: Mapping[str, NearestSite],
) -> list[SearchHit]:
    """The page's hits: ``studies`` maps an NCT ID to ``(title, status, phases)``
    (``|``-joined codes), ``conditions`` and ``sites`` are by NCT ID."""
    out = []
    for nct, _key, rank, *_ in page:
        title, status, phases = studies.get(nct, (nct, None, None))
        codes = str(phases).split("|") if phases else []
        out.append(
            SearchHit(
                nct_id=str(nct),
                title=str(title),
                status=status,  # type: ignore[arg-type]
                status_label=label("overall_status", status) or None,  # type: ignore[arg-type]
                phase=codes,
                phase_label=phases_label(codes) or None,
                conditions=conditions.get(str(nct), []),
                nearest_site=sites.get(str(nct)),
                score=None if rank is None else round(-float(rank), 4),  # type: ignore[arg-type]
            )
        )
    return out
