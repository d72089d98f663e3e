"""Backend parity: the same records in SQLite and in a real PostgreSQL (``parity_urls``)
give the same answers: studies and raw records, every search filter and facet, exact
counts, distances, keyset paging, the evidence and related-trial queries, vectors.

Relevance is FTS5's bm25 in SQLite and the same formula over tsvector counts in
PostgreSQL (stemmers and tokenizers differ a little): the same hits, nearly the same
best hits, not always in the same exact order.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from trialatlas.features.search import search_trials
from trialatlas.model.search import SearchQuery, SearchResults
from trialatlas.store import open_store
from trialatlas.store.base import Store
from trialatlas.store.listing import GeoCircle, StudyListQuery, StudySort

pytestmark = pytest.mark.postgres

SEED = "NCT06001853"


@pytest.fixture(scope="module")
def stores(parity_urls: dict[str, str]) -> Iterator[tuple[Store, Store]]:
    lite, pg = open_store(parity_urls["sqlite"]), open_store(parity_urls["postgres"])
    yield lite, pg
    lite.close()
    pg.close()


def _ids(store: Store) -> list[str]:
    return [s.nct_id for s in store.iter_studies()]


def test_the_same_studies_and_raw_records(stores: tuple[Store, Store]) -> None:
    lite, pg = stores
    ids = _ids(lite)
    assert len(ids) > 400 and _ids(pg) == ids
    assert lite.count_studies() == pg.count_studies() == len(ids)
    assert lite.latest_update_posted() == pg.latest_update_posted()
    assert lite.get_studies(ids) == pg.get_studies(ids)
    for nct in ids[::7]:
        assert lite.get_study(nct) == pg.get_study(nct)
        a, b = lite.get_raw(nct), pg.get_raw(nct)
        assert a is not None and b is not None
        assert (a.text, a.checksum, a.format, a.source) == (b.text, b.checksum, b.format, b.source)


def _walk(store: Store, query: SearchQuery) -> tuple[list[str], SearchResults]:
    first = page = search_trials(store, query)
    ids = [h.nct_id for h in page.results]
    while page.next:
        page = search_trials(store, query.model_copy(update={"cursor": page.next}))
        ids += [h.nct_id for h in page.results]
    return ids, first


SEARCHES: list[dict[str, object]] = [
    {},
    {"status": ["COMPLETED"]},
    {"open_to_enrollment": True},
    {"phase": ["PHASE1"]},
    {"phase": ["PHASE2", "PHASE3"], "sort": "start_date"},
    {"study_type": "INTERVENTIONAL", "sponsor_class": "INDUSTRY"},
    {"sponsor": "national"},
    {"age_years": 10},
    {"age_years": 70, "sex": "FEMALE"},
    {"healthy_volunteers": True},
    {"has_results": True},
    {"start_from": "2005-01-01", "start_to": "2012-06-30"},
    {"updated_from": "2020-01-01"},
    {"country": "france"},
    {"condition": "cancer"},
    {"intervention": "placebo"},
    {"text": "pain"},
    {"text": "breast cancer", "sort": "last_update"},
    {"text": "the with of"},  # function words alone: required too
    {"text": "asthma zzqqxx"},
    {"text": "NCT06001853, nct00000102"},
    {"text": "!!! ***"},
    {"place": "Boston, MA", "radius_km": 200, "sort": "nearest"},
    {"place": "Jacksonville, FL", "radius_km": 400, "text": "pain"},
    {"place": "Paris, France", "radius_km": 300},
    {"open_first": True},
    {"open_first": True, "text": "cancer"},
]


@pytest.mark.parametrize("fields", SEARCHES, ids=[str(s) for s in SEARCHES])
def test_every_filter_and_facet_alike(stores: tuple[Store, Store], fields: dict) -> None:
    lite, pg = stores
    query = SearchQuery(page_size=9, **fields)
    a_ids, a = _walk(lite, query)
    b_ids, b = _walk(pg, query)
    assert a.total == b.total == len(a_ids) == len(b_ids)
    assert len(set(b_ids)) == len(b_ids), "a trial came back twice"
    assert set(a_ids) == set(b_ids)
    assert (a.words, a.sort, a.open_total) == (b.words, b.sort, b.open_total)
    assert a.facets == b.facets
    if query.effective_sort != "relevance":
        assert a_ids == b_ids  # the same keys, the same order
    else:
        top = min(5, len(a_ids))  # bm25 on both: the best hits are nearly the same
        assert len(set(a_ids[:5]) & set(b_ids[:5])) >= top - 1, (a_ids[:5], b_ids[:5])
    if query.place:
        near_a = {h.nct_id: h.nearest_site for h in a.results}
        for hit in b.results:
            site = near_a.get(hit.nct_id)
            if site is not None and hit.nearest_site is not None:
                assert abs(site.distance_km - hit.nearest_site.distance_km) < 1e-3


def test_relevance_puts_the_seed_first_for_its_words(stores: tuple[Store, Store]) -> None:
    for store in stores:
        results = search_trials(store, SearchQuery(text="facet arthropathy"))
        assert results.results[0].nct_id == SEED
        scores = [h.score for h in results.results]
        assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
        assert store.search_text("lumbar facet arthropathy")[0].nct_id == SEED


@pytest.mark.parametrize("words", ["pain", "breast cancer", "asthma zzqqxx", "vaccine"])
def test_full_text_hits_alike(stores: tuple[Store, Store], words: str) -> None:
    lite, pg = stores
    a, b = lite.search_text(words, limit=1000), pg.search_text(words, limit=1000)
    assert {h.nct_id for h in a} == {h.nct_id for h in b} and a
    assert {h.nct_id: h.conditions for h in a} == {h.nct_id: h.conditions for h in b}
    ranked_a = [n for n, _ in lite.rank_text(words.split(), 1000)]
    ranked_b = [n for n, _ in pg.rank_text(words.split(), 1000)]
    assert set(ranked_a) == set(ranked_b)
    assert len(set(ranked_a[:10]) & set(ranked_b[:10])) >= min(10, len(ranked_a)) - 2
    assert len({h.nct_id for h in a[:10]} & {h.nct_id for h in b[:10]}) >= min(10, len(a)) - 2
    counts = ["pain", "cancer", "asthma", "zzqqxx"]
    assert lite.text_document_frequencies(counts) == pg.text_document_frequencies(counts)


def test_keyset_paging_of_the_listing_api(stores: tuple[Store, Store]) -> None:
    lite, pg = stores
    queries = [
        StudyListQuery(sort=(StudySort("last_update_posted"),)),
        StudyListQuery(statuses=("COMPLETED",), sort=(StudySort("enrollment_count", False),)),
        StudyListQuery(cond="cancer OR asthma", phases=("PHASE2",)),
        StudyListQuery(term="pain NOT back", age_groups=("OLDER_ADULT",)),
        StudyListQuery(intr='"stem cell"', spons_words=("univ",)),
        StudyListQuery(geo=GeoCircle(42.36, -71.06, 100), sort=(StudySort("start_date", False),)),
        StudyListQuery(any_ids=("nct06001853",), has_results=False),
        StudyListQuery(updated_from="2023-01-01", sort=(StudySort("last_update_posted", False),)),
        StudyListQuery(updated_to="2015-12-31", term="pain"),
    ]
    for query in queries:
        pages: list[list[str]] = []
        for store in (lite, pg):
            walked: list[str] = []
            after = None
            while True:
                page = store.list_studies(query, after, 7, count_total=after is None)
                if after is None:
                    total = page.total
                walked += [r.nct_id for r in page.rows]
                if not page.has_more:
                    break
                after = page.rows[-1].keys
            assert len(walked) == len(set(walked)) == total
            assert walked or query.any_ids, query  # a query that finds nothing proves nothing
            pages.append(walked)
        assert pages[0] == pages[1], query
    ranked = StudyListQuery(term="cancer", sort=(StudySort("relevance"),))
    a = lite.list_studies(ranked, None, 500, True)
    b = pg.list_studies(ranked, None, 500, True)
    assert a.total == b.total and {r.nct_id for r in a.rows} == {r.nct_id for r in b.rows}


@pytest.mark.parametrize(
    ("interventions", "conditions"),
    [(["placebo"], ["cancer"]), (["stem cell", "BM-MSC"], ["back pain"]), (["vaccine"], [])],
)
def test_evidence_alike(stores: tuple[Store, Store], interventions, conditions) -> None:
    lite, pg = stores
    assert lite.trials_with_results(interventions, SEED, 5) == pg.trials_with_results(
        interventions, SEED, 5
    )
    assert lite.count_intervention_trials(
        interventions, conditions, SEED
    ) == pg.count_intervention_trials(interventions, conditions, SEED)


def test_serious_events_briefs_and_term_neighbours_alike(stores: tuple[Store, Store]) -> None:
    lite, pg = stores
    ids = _ids(lite)
    posted = 0
    for start in range(0, len(ids), 50):  # at most 50 trials a call
        chunk = ids[start : start + 50]
        events = lite.serious_events(chunk)
        assert events == pg.serious_events(chunk)
        posted += len(events)
    assert posted > 0
    assert lite.study_briefs(ids) == pg.study_briefs(ids)
    for nct in [SEED, *ids[::25]]:
        assert lite.term_neighbours(nct, 50) == pg.term_neighbours(nct, 50)
    briefs = lite.study_briefs(ids[:20]).values()
    mesh = sorted({m for b in briefs for m in b.condition_mesh})
    assert lite.term_document_counts("condition_mesh", mesh) == pg.term_document_counts(
        "condition_mesh", mesh
    )
    names = ["low back pain", "breast cancer", "asthma"]
    assert lite.term_document_counts("conditions", names) == pg.term_document_counts(
        "conditions", names
    )


def test_vectors_and_their_texts_alike(stores: tuple[Store, Store]) -> None:
    lite, pg = stores
    texts_a = [t for batch in lite.iter_study_texts(batch=100) for t in batch]
    texts_b = [t for batch in pg.iter_study_texts(batch=100) for t in batch]
    assert texts_a == texts_b
    models = lite.vector_models()
    assert models and models == pg.vector_models()
    for model in models:
        assert lite.vector_checksums(model) == pg.vector_checksums(model)
        (ids_a, vec_a), *_ = lite.iter_vectors(model, batch=100_000)
        (ids_b, vec_b), *_ = pg.iter_vectors(model, batch=100_000)
        assert ids_a == ids_b and np.array_equal(vec_a, vec_b)


def test_related_trials_feature_alike(stores: tuple[Store, Store]) -> None:
    from trialatlas.features.related.related import related_trials
    from trialatlas.index.vectors import vector_index_from_store

    found = []
    for store in stores:
        model = next(iter(store.vector_models()))
        related = related_trials(store, SEED, vector_index_from_store(store, model, None))
        assert related is not None and related.related
        found.append([t.nct_id for t in related.related + related.more_related])
    assert len(set(found[0][:5]) & set(found[1][:5])) >= 3, found


HOSTILE = [
    "'; DROP TABLE studies; --",
    "pain & | ! ( ) : * <-> <2>",
    '"unclosed phrase',
    "back\\pain %s %(x)s {}",
    "cancer:* & !!breast",
    "naïve café ß Ünïcödé 肺癌",
    "o'brien’s covid-19 n=100",
    "a " * 200,
]


def _listed_total(store: Store, query: StudyListQuery) -> int | str:
    """The total of a listing, or the message of the error it raises."""
    from trialatlas.store.essie_query import EssieError

    try:
        return store.list_studies(query, None, 20, True).total or 0
    except EssieError as exc:
        return str(exc)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_only_words_on_both(stores: tuple[Store, Store], text: str) -> None:
    lite, pg = stores
    query = SearchQuery(text=text, condition=text[:50], intervention=text[:50], sponsor=text[:50])
    a, b = search_trials(lite, query), search_trials(pg, query)
    assert a.total == b.total
    plain = SearchQuery(text=text)
    a, b = search_trials(lite, plain), search_trials(pg, plain)
    assert (a.total, a.words) == (b.total, b.words)
    hits_a = {h.nct_id for h in lite.search_text(text, 1000)}
    assert hits_a == {h.nct_id for h in pg.search_text(text, 1000)}
    ranked_a = {n for n, _ in lite.rank_text([text], 1000)}
    assert ranked_a == {n for n, _ in pg.rank_text([text], 1000)}
    listing = StudyListQuery(term=text, spons_words=(text[:20],))
    assert _listed_total(lite, listing) == _listed_total(pg, listing)
