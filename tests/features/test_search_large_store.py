"""What a search does in a very large store (relevance ranked pool by pool, counts
estimated from a sample, filters-only pages read in date order), run on the bundled
sample with the thresholds lowered so that every path is taken: every hit still comes
back exactly once, and every estimate says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trialatlas.features.search import search_trials
from trialatlas.model.search import InvalidCursor, SearchQuery, SearchResults
from trialatlas.store import open_store
from trialatlas.store.base import Store
from trialatlas.store.search_cursor import Cursor, decode_cursor, encode_cursor, query_fingerprint
from trialatlas.store.sqlite import search, search_counts
from trialatlas.store.sqlite.search_filters import phase_test
from trialatlas.store.sqlite.search_sql import build_page, build_sample
from trialatlas.store.sqlite.sql_text import Params

POOL = 40
SAMPLE = 300


@pytest.fixture(scope="module")
def store(bundled_store_path: str) -> Iterator[Store]:
    s = open_store(bundled_store_path)
    yield s
    s.close()


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch, store: Store) -> Iterator[Store]:
    """The bundled store treated as a very large one (small pools and samples), its
    searches without words answered in SQL (as while the search columns are built)."""
    monkeypatch.setattr(store, "_search_columns", None)
    monkeypatch.setattr(search_counts, "LARGE_STORE", 0)
    monkeypatch.setattr(search_counts, "COUNT_SAMPLE", SAMPLE)
    monkeypatch.setattr(search, "COUNT_SAMPLE", SAMPLE)
    monkeypatch.setattr(search, "RANK_POOL", POOL)
    search_counts._caches.__dict__.clear()  # counts remembered under other thresholds
    yield store
    search_counts._caches.__dict__.clear()


def walk(store: Store, page_size: int = 25, **fields: object) -> tuple[list[str], SearchResults]:
    query = SearchQuery(page_size=page_size, **fields)  # type: ignore[arg-type]
    first = page = search_trials(store, query)
    ids = [h.nct_id for h in page.results]
    while page.next:
        page = search_trials(store, query.model_copy(update={"cursor": page.next}))
        ids += [h.nct_id for h in page.results]
    return ids, first


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "cancer"},
        {"text": "cancer", "status": ["RECRUITING", "COMPLETED"]},
        {"text": "pain", "phase": ["PHASE2"]},
        {"text": "cancer", "place": "Boston, MA", "radius_km": 150},
    ],
)
def test_pools_return_every_hit_once(store: Store, large: Store, fields: dict) -> None:
    search_counts._caches.__dict__.clear()
    with pytest.MonkeyPatch.context() as exact:
        exact.setattr(search_counts, "LARGE_STORE", 10**9)
        expected, whole = walk(store, page_size=100, **fields)
    search_counts._caches.__dict__.clear()
    ids, first = walk(large, page_size=7, **fields)
    assert len(ids) == len(set(ids)), "a trial came back twice"
    assert set(ids) == set(expected)
    assert whole.rank_pool is None
    assert first.rank_pool == (POOL if len(expected) > POOL else None)
    scores = [h.score for h in first.results]
    assert scores == sorted(scores, reverse=True)  # the first pool is in relevance order


def test_words_alone_count_exactly_and_estimate_facets(store: Store, large: Store) -> None:
    search_counts._caches.__dict__.clear()
    with pytest.MonkeyPatch.context() as exact:
        exact.setattr(search_counts, "LARGE_STORE", 10**9)
        truth = search_trials(store, SearchQuery(text="cancer"))
    search_counts._caches.__dict__.clear()
    results = search_trials(large, SearchQuery(text="cancer"))
    assert truth.total > SAMPLE and truth.facets_sample is None
    assert results.total == truth.total and not results.total_estimated
    assert results.facets_sample == SAMPLE + 1
    filtered = search_trials(large, SearchQuery(text="cancer", status=["COMPLETED"]))
    assert filtered.total_estimated and filtered.facets_sample == SAMPLE + 1
    assert filtered.total > 0


def test_filters_alone_small_and_large_sets(store: Store, large: Store, sample_facts) -> None:
    small = {n for n, f in sample_facts.items() if f.status == "WITHDRAWN"}
    assert 0 < len(small) <= SAMPLE
    ids, first = walk(large, status=["WITHDRAWN"])
    assert set(ids) == small and first.total == len(small) and not first.total_estimated
    ids, first = walk(large, page_size=100, has_results=True)
    expected = {n for n, f in sample_facts.items() if f.has_results}
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert first.total_estimated and first.facets_sample == SAMPLE + 1
    dates = [sample_facts[n].updated or "" for n in ids]
    assert dates == sorted(dates, reverse=True)


def test_phase_test_is_exact() -> None:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    for code in ("PHASE1", "EARLY_PHASE1", "NA", "PHASE2"):
        p = Params()
        test = phase_test(code, p).replace("s.phases", ":v")
        for value in ("PHASE1", "EARLY_PHASE1", "EARLY_PHASE1|PHASE1", "PHASE1|PHASE2", "NA"):
            got = conn.execute(f"SELECT {test}", {**p.values, "v": value}).fetchone()[0]
            assert bool(got) == (code in value.split("|")), (code, value)


def test_pool_cursor_round_trip_and_damage() -> None:
    query = SearchQuery(text="cancer")
    cursor = Cursor("relevance", "all", -2.5, "NCT01234567", query_fingerprint(query), 4321)
    assert decode_cursor(encode_cursor(cursor), query) == cursor
    import base64

    import orjson

    bad = [1, "relevance", "all", -2.5, "NCT01234567", query_fingerprint(query), "x"]
    text = base64.urlsafe_b64encode(orjson.dumps(bad)).decode().rstrip("=")
    with pytest.raises(InvalidCursor):
        decode_cursor(text, query)


def test_pool_and_walk_sql() -> None:
    page = build_page(SearchQuery(text="cancer"), "all", None, 21, pool=100, pool_below=500)
    assert page is not None
    assert "ORDER BY studies_fts.rowid DESC LIMIT" in page.text
    assert 500 in page.params.values()
    walked = build_page(SearchQuery(has_results=True), "all", None, 21, walk=True)
    assert walked is not None and "INDEXED BY studies_last_update" in walked.text
    assert build_sample(SearchQuery(text="cancer"), "all", 10) is None
    assert build_sample(SearchQuery(has_results=True), "all", 10) is not None


@pytest.mark.parametrize(
    "fields",
    [
        {"country": "united states", "sex": "FEMALE"},
        {"country": "Canada"},
        {"phase": ["PHASE1"], "sort": "start_date"},
    ],
)
def test_filters_alone_same_hits_as_an_exact_search(
    store: Store, large: Store, fields: dict
) -> None:
    search_counts._caches.__dict__.clear()
    with pytest.MonkeyPatch.context() as exact:
        exact.setattr(search_counts, "LARGE_STORE", 10**9)
        expected, whole = walk(store, page_size=100, **fields)
    search_counts._caches.__dict__.clear()
    ids, first = walk(large, page_size=100, **fields)
    assert ids == expected  # same hits, same order
    assert first.total_estimated == (whole.total > SAMPLE)


def test_first_page_inside_the_first_pool_says_it_is_pooled(store: Store, large: Store) -> None:
    with pytest.MonkeyPatch.context() as bigger:
        bigger.setattr(search, "RANK_POOL", 250)  # more than the first page reads
        first = search_trials(large, SearchQuery(text="cancer", page_size=5))
        assert first.total > 250 and first.rank_pool == 250
        second = search_trials(large, SearchQuery(text="cancer", page_size=5, cursor=first.next))
        assert second.rank_pool == 250
