"""Searches without words over the in-memory search columns give what the SQL gives:
the same hits in the same order across every page, the same total and facets (the
countries exact over the whole set), on the bundled store; and the columns follow
the store when a write changes it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialatlas.features.search import resolve_place
from trialatlas.ingest import ingest_paths
from trialatlas.model.search import GeoPoint, SearchQuery, SearchResults
from trialatlas.store import open_store
from trialatlas.store.base import Store
from trialatlas.store.sqlite import search_counts
from trialatlas.store.sqlite.search import search_trials
from trialatlas.store.sqlite.search_columns import SearchColumnsCache, load_columns

SEED = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def store(bundled_store_path: str) -> Iterator[Store]:
    s = open_store(bundled_store_path)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def exact_sql(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The SQL side counts exactly (no samples) so that the two can be compared."""
    monkeypatch.setattr(search_counts, "LARGE_STORE", 10**9)
    search_counts._caches.__dict__.clear()
    yield
    search_counts._caches.__dict__.clear()


def _walk(store: Store, query: SearchQuery, columns: SearchColumnsCache | None) -> tuple[list[tuple[str, float | None]], SearchResults]:  # fmt: skip
    conn = store._conn()  # type: ignore[attr-defined]
    first = page = search_trials(conn, query, columns)
    hits = [
        (h.nct_id, h.nearest_site.distance_km if h.nearest_site else None) for h in page.results
    ]
    while page.next:
        page = search_trials(conn, query.model_copy(update={"cursor": page.next}), columns)
        hits += [(h.nct_id, h.nearest_site.distance_km if h.nearest_site else None) for h in page.results]  # fmt: skip
    return hits, first


def _facets(results: SearchResults, *, countries: bool) -> dict[str, list[tuple[str, int]]]:
    facets = results.facets.model_dump()
    if not countries:
        facets.pop("country")
    return {k: [(f["value"], f["count"]) for f in v] for k, v in facets.items()}


def _same(store: Store, query: SearchQuery, page_size: int = 50) -> SearchResults:
    query = query.model_copy(update={"page_size": page_size})
    columns = SearchColumnsCache()
    assert query.text == "" and columns.get(store._conn()) is not None  # type: ignore[attr-defined]
    fast, fast_first = _walk(store, query, columns)
    slow, slow_first = _walk(store, query, None)
    assert [h for h, _ in fast] == [h for h, _ in slow]  # same hits, same order, each once
    assert len({h for h, _ in fast}) == len(fast) == fast_first.total == slow_first.total
    assert fast == slow  # nearest sites too
    exact_countries = slow_first.country_facet_top is None
    assert _facets(fast_first, countries=exact_countries) == _facets(
        slow_first, countries=exact_countries
    )
    assert fast_first.country_facet_top is None
    return fast_first


def _near(place: str, radius_km: float, **fields: object) -> SearchQuery:
    resolved = resolve_place(place, radius_km)
    near = GeoPoint(lat=resolved.lat, lon=resolved.lon)
    return SearchQuery(near=near, radius_km=radius_km, place=place, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": ["RECRUITING"], "phase": ["PHASE2"]},
        {"open_to_enrollment": True, "age_years": 70, "sex": "FEMALE"},
        {"phase": ["PHASE1"], "sort": "start_date"},  # not the EARLY_PHASE1 trials
        {"phase": ["EARLY_PHASE1", "PHASE4"], "has_results": False},
        {"study_type": "OBSERVATIONAL", "healthy_volunteers": True},
        {"sponsor_class": "INDUSTRY", "has_results": True, "country": "united states"},
        {"sponsor": "mayo clinic"},
        {"country": "Canada", "start_from": date(2015, 8, 1), "start_to": date(2020, 12, 31)},
        {"updated_from": date(2023, 1, 1), "age_years": 1.5},
        {"country": "Atlantis"},
        {"status": ["COMPLETED"], "open_to_enrollment": True},  # no status left
    ],
)
def test_filters_alone(store: Store, fields: dict[str, object]) -> None:
    _same(store, SearchQuery(**fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("place", "radius_km", "fields"),
    [
        ("Jacksonville, FL", 25.0, {"sort": "nearest"}),
        ("Boston, MA", 80.0, {"sort": "nearest", "status": ["COMPLETED"]}),
        ("Houston, TX", 160.0, {"sort": "last_update", "phase": ["PHASE3"]}),
        ("Paris, France", 100.0, {"sort": "start_date"}),
        ("Suva, Fiji", 50.0, {"sort": "nearest"}),  # crosses the antimeridian
    ],
)
def test_near_a_place(
    store: Store, place: str, radius_km: float, fields: dict[str, object]
) -> None:
    _same(store, _near(place, radius_km, **fields), page_size=20)


def test_seed_trial_near_jacksonville(store: Store) -> None:
    query = _near("Jacksonville, FL", 25.0, sort="nearest", page_size=20)
    hits, _ = _walk(store, query, SearchColumnsCache())
    km = dict(hits)
    assert km["NCT06001853"] is not None and km["NCT06001853"] < 25
    assert [d for _, d in hits] == sorted(d for _, d in hits)  # nearest first


def test_countries_are_exact_over_the_whole_set(store: Store) -> None:
    results = _same(store, SearchQuery(status=["COMPLETED"]), page_size=1000)
    top = results.facets.country[0]
    assert top.count > 200  # more than the best hits a words search counts countries over
    assert search_trials(store._conn(), SearchQuery(status=["COMPLETED"], country=top.value), None).total == top.count  # type: ignore[attr-defined]  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    status=st.lists(st.sampled_from(["RECRUITING", "COMPLETED", "TERMINATED", "WITHDRAWN"]), max_size=2),
    phase=st.lists(st.sampled_from(["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "NA"]), max_size=2),
    age=st.none() | st.floats(min_value=0, max_value=100),
    sex=st.none() | st.sampled_from(["FEMALE", "MALE"]),
    results=st.none() | st.booleans(),
    start=st.none() | st.dates(min_value=date(1995, 1, 1), max_value=date(2026, 1, 1)),
    sort=st.sampled_from(["last_update", "start_date"]),
)  # fmt: skip
def test_any_filters(store: Store, status, phase, age, sex, results, start, sort) -> None:  # type: ignore[no-untyped-def]
    query = SearchQuery(
        status=status, phase=phase, age_years=age, sex=sex, has_results=results,
        start_from=start, sort=sort,
    )  # fmt: skip
    _same(store, query, page_size=500)


def test_columns_follow_the_store(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    try:
        ingest_paths(store, [str(SEED / "v2")])
        before = search_trials(store._conn(), SearchQuery(), store._search_columns)  # type: ignore[attr-defined]
        assert before.total > 0
        ingest_paths(store, [str(SEED / "xml")])
        after = search_trials(store._conn(), SearchQuery(), store._search_columns)  # type: ignore[attr-defined]
        assert after.total > before.total
        conn = store._conn()  # type: ignore[attr-defined]
        assert store._search_columns.get(conn).size == after.total  # type: ignore[attr-defined, union-attr]
    finally:
        store.close()


def test_columns_memory_and_shape(store: Store) -> None:
    conn = store._conn()  # type: ignore[attr-defined]
    conn.execute("BEGIN")
    try:
        cols = load_columns(conn)
    finally:
        conn.execute("COMMIT")
    assert cols.size == 8118
    assert cols.nbytes < 20_000_000
    assert Counter(cols.nct.tolist()).most_common(1)[0][1] == 1
    assert (
        len(cols.site_row) == len(cols.site_lat) and (cols.site_lat[1:] >= cols.site_lat[:-1]).all()
    )


@pytest.mark.parametrize(
    ("text", "place", "radius_km", "fields"),
    [
        ("low back pain", "Jacksonville, FL", 50.0, {"sort": "nearest"}),
        ("cancer", "Boston, MA", 80.0, {"sort": "relevance"}),
        ("cancer", "Houston, TX", 160.0, {"sort": "nearest", "status": ["COMPLETED"]}),
        ("diabetes", "Paris, France", 300.0, {"sort": "last_update", "phase": ["PHASE3"]}),
        ("asthma", "New York, NY", 300.0, {"sort": "relevance", "age_years": 30}),
    ],
)
def test_words_near_a_place(
    store: Store,
    text: str,
    place: str,
    radius_km: float,
    fields: dict[str, object],
) -> None:
    """Words near a place over the columns (each match near the place scored), or in
    SQL: the same hits, order, distances, scores and counts."""
    query = _near(place, radius_km, text=text, page_size=20, **fields)
    fast, fast_first = _walk(store, query, SearchColumnsCache())
    slow, slow_first = _walk(store, query, None)
    assert fast == slow
    assert [h.score for h in fast_first.results] == [h.score for h in slow_first.results]
    assert fast_first.total == slow_first.total == len(fast) > 0
    exact = slow_first.country_facet_top is None  # SQL: countries of the best 200 hits
    assert _facets(fast_first, countries=exact) == _facets(slow_first, countries=exact)
    assert fast_first.country_facet_top is None


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "cancer"},
        {"text": "cancer", "status": ["RECRUITING", "COMPLETED"], "sort": "last_update"},
        {"text": "pain", "phase": ["PHASE2"], "age_years": 40},
        {"condition": "asthma", "country": "United States"},
        {"text": "breast cancer", "sponsor": "national cancer", "sort": "start_date"},
        {"text": "zzzzqqq"},
    ],
)
def test_words_counted_over_the_columns(store: Store, fields: dict[str, object]) -> None:
    """A search with words (no place) pages in SQL and counts over the columns: the
    same hits as all in SQL, exact counts, countries over the whole set."""
    query = SearchQuery(page_size=50, **fields)  # type: ignore[arg-type]
    fast, fast_first = _walk(store, query, SearchColumnsCache())
    slow, slow_first = _walk(store, query, None)
    assert fast == slow
    assert fast_first.total == slow_first.total == len(fast)
    exact = slow_first.country_facet_top is None
    assert _facets(fast_first, countries=exact) == _facets(slow_first, countries=exact)
    assert fast_first.country_facet_top is None
    for facet in fast_first.facets.country[:2]:  # each count is the country filter's total
        narrowed = query.model_copy(update={"country": facet.value})
        conn = store._conn()  # type: ignore[attr-defined]
        assert search_trials(conn, narrowed, SearchColumnsCache()).total == facet.count


def test_a_large_store_is_rebuilt_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a large store's columns exist, a write makes searches run in SQL (still
    right) while a background thread builds the columns of the new generation."""
    monkeypatch.setattr(SearchColumnsCache, "SYNC_LIMIT", 0)  # every store counts as large
    monkeypatch.setattr(SearchColumnsCache, "REBUILD_GAP_S", 0.0)
    store = open_store(str(tmp_path / "s.db"))
    try:
        cache = store._search_columns  # type: ignore[attr-defined]
        conn = store._conn()  # type: ignore[attr-defined]
        ingest_paths(store, [str(SEED / "v2")])
        store.search_trials(SearchQuery())
        first = cache._columns
        assert first is not None
        ingest_paths(store, [str(SEED / "xml")])
        during = store.search_trials(SearchQuery())  # SQL while the rebuild runs
        assert during.total == search_trials(conn, SearchQuery(), None).total > first.size
        for _ in range(200):
            if cache._columns is not first:
                break
            time.sleep(0.05)
        assert cache._columns is not first and cache._columns.size == during.total
        assert cache.get(conn) is cache._columns  # of the current generation: in use again
    finally:
        store.close()
