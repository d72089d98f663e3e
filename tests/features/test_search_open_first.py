"""Open-first ordering (issue 12): trials open to enrollment before the others, each
group in the order of the sort, page after page; ``open_first=False`` is one order.

Each search is checked against the plain search of the same store: the open-first
order must be the plain order split into its open and closed trials (stable), every
trial once, the same total and facets, and the cursor must page through the groups.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trialatlas.features.search import search_trials
from trialatlas.model.search import InvalidCursor, SearchQuery, SearchResults
from trialatlas.store import open_store
from trialatlas.store.base import Store

OPEN = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}
SEED = "NCT06001853"


@pytest.fixture(scope="module")
def store(bundled_store_path: str) -> Iterator[Store]:
    s = open_store(bundled_store_path)
    yield s
    s.close()


def walk(store: Store, query: SearchQuery) -> tuple[list[tuple[str, str | None]], SearchResults]:
    """Every hit ``(nct_id, status)`` of ``query``, page after page, and the first page."""
    first = page = search_trials(store, query)
    hits = [(h.nct_id, h.status) for h in page.results]
    while page.next:
        page = search_trials(store, query.model_copy(update={"cursor": page.next}))
        assert page.total == first.total and page.open_first == first.open_first
        hits += [(h.nct_id, h.status) for h in page.results]
    return hits, first


SEARCHES = [
    {"text": "low back pain"},
    {"text": "cancer", "page_size": 100},
    {"text": "melanoma", "page_size": 7},
    {"text": "asthma", "sort": "start_date", "page_size": 9},
    {"text": "diabetes", "status": ["COMPLETED", "RECRUITING"], "page_size": 5},
    {"text": "pain", "place": "Boston, MA", "radius_km": 80},
    {"place": "Jacksonville, FL", "radius_km": 100, "sort": "nearest", "page_size": 8},
    {"country": "France", "page_size": 50},
    {"phase": ["PHASE3"], "has_results": False, "page_size": 40},
    {"text": "stroke", "open_to_enrollment": True, "page_size": 3},
    {"text": "hepatitis", "status": ["TERMINATED"], "page_size": 4},
]


@pytest.mark.parametrize("fields", SEARCHES)
def test_open_first_is_the_plain_order_split_by_status(store: Store, fields: dict) -> None:
    plain, plain_first = walk(store, SearchQuery(**fields))
    grouped, first = walk(store, SearchQuery(open_first=True, **fields))
    assert not plain_first.open_first and first.open_first
    expected = [h for h in plain if h[1] in OPEN] + [h for h in plain if h[1] not in OPEN]
    assert grouped == expected  # each trial once, open ones first, the sort's order kept
    assert first.total == plain_first.total == len(grouped)
    assert first.open_total == sum(1 for h in plain if h[1] in OPEN)
    assert first.facets == plain_first.facets
    assert first.sort == plain_first.sort and first.words == plain_first.words


def test_a_page_boundary_between_the_groups(store: Store) -> None:
    """The page that ends exactly on the last open trial links to the closed ones."""
    query = SearchQuery(text="low back pain", open_first=True, page_size=1)
    total_open = search_trials(store, query).open_total
    assert total_open and total_open > 1
    exact = query.model_copy(update={"page_size": total_open})
    page = search_trials(store, exact)
    assert {h.status for h in page.results} <= OPEN and page.next
    after = search_trials(store, exact.model_copy(update={"cursor": page.next}))
    assert after.results and all(h.status not in OPEN for h in after.results)


def test_low_back_pain_ranks_open_trials_first(store: Store) -> None:
    """Issue 12: completed trials came first. Now every open trial comes before them;
    ``order=relevance`` (open_first=False) keeps the one order by relevance."""
    plain, _ = walk(store, SearchQuery(text="low back pain"))
    grouped, first = walk(store, SearchQuery(text="low back pain", open_first=True))
    assert plain[0][1] not in OPEN  # the fault: a closed trial ranked first
    assert all(status in OPEN for _, status in grouped[: first.open_total])
    assert all(status not in OPEN for _, status in grouped[first.open_total :])
    ids = [nct for nct, _ in grouped]
    # the seed trial is ACTIVE_NOT_RECRUITING (its registry page says so): first of the
    # trials not open to enrollment that rank below it, never among the open ones
    seed_status = dict(grouped)[SEED]
    assert seed_status == "ACTIVE_NOT_RECRUITING"
    closed_before_seed = [n for n, s in plain[: [n for n, _ in plain].index(SEED)] if s not in OPEN]
    assert ids.index(SEED) == first.open_total + len(closed_before_seed)


def test_cursors_do_not_cross_orders(store: Store) -> None:
    grouped = search_trials(store, SearchQuery(text="pain", open_first=True, page_size=5))
    plain = search_trials(store, SearchQuery(text="pain", page_size=5))
    assert grouped.next and plain.next
    with pytest.raises(InvalidCursor):
        search_trials(store, SearchQuery(text="pain", page_size=5, cursor=grouped.next))
    with pytest.raises(InvalidCursor):
        search_trials(store, SearchQuery(text="pain", open_first=True, cursor=plain.next))
    with pytest.raises(InvalidCursor):  # another search's open-first cursor
        search_trials(store, SearchQuery(text="cancer", open_first=True, cursor=grouped.next))


def test_status_not_keeps_trials_without_the_statuses(store: Store) -> None:
    every = search_trials(store, SearchQuery(text="asthma")).total
    left_out = search_trials(store, SearchQuery(text="asthma", status_not=sorted(OPEN))).total
    open_ = search_trials(store, SearchQuery(text="asthma", status=sorted(OPEN))).total
    assert 0 < open_ < every and left_out == every - open_
