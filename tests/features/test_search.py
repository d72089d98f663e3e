"""``search_trials`` on the whole bundled sample: every filter against an expectation
computed from the raw records (``sample_facts``), ordering, facets and cursor paging."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from trialatlas.features.search import search_trials
from trialatlas.index.geo import UnknownPlace, geocode, haversine_km
from trialatlas.model.search import InvalidCursor, SearchError, SearchQuery, SearchResults
from trialatlas.store import open_store
from trialatlas.store.base import Store

OPEN = {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"}


@pytest.fixture(scope="module")
def store(bundled_store_path: str) -> Iterator[Store]:
    s = open_store(bundled_store_path)
    yield s
    s.close()


def walk(store: Store, **fields: object) -> tuple[list[str], SearchResults]:
    """Every hit of a search, page after page (100 a page), and the first page."""
    query = SearchQuery(page_size=100, **fields)  # type: ignore[arg-type]
    first = page = search_trials(store, query)
    ids = [h.nct_id for h in page.results]
    while page.next:
        page = search_trials(store, query.model_copy(update={"cursor": page.next}))
        ids += [h.nct_id for h in page.results]
    return ids, first


def expect(sample_facts: dict, keep: Callable[[object], bool]) -> set[str]:
    return {n for n, f in sample_facts.items() if keep(f)}


def check(
    store: Store, sample_facts: dict, keep: Callable[[object], bool], **fields: object
) -> list[str]:
    ids, first = walk(store, **fields)
    expected = expect(sample_facts, keep)
    assert len(ids) == len(set(ids)), "a trial came back twice"
    assert set(ids) == expected
    assert first.total == len(expected)
    return ids


def test_no_filter_returns_every_trial_newest_update_first(store, sample_facts) -> None:
    results = search_trials(store, SearchQuery(page_size=50))
    assert results.total == len(sample_facts) == 8118
    assert results.sort == "last_update"
    dates = [sample_facts[h.nct_id].updated for h in results.results]
    assert dates == sorted(dates, reverse=True)
    assert max(f.updated for f in sample_facts.values() if f.updated) == dates[0]


def test_status_filter(store, sample_facts) -> None:
    check(store, sample_facts, lambda f: f.status == "RECRUITING", status=["RECRUITING"])
    check(
        store,
        sample_facts,
        lambda f: f.status in ("SUSPENDED", "WITHDRAWN"),
        status=["Suspended", "withdrawn"],  # labels and any case are accepted
    )


def test_open_to_enrollment(store, sample_facts) -> None:
    ids = check(store, sample_facts, lambda f: f.status in OPEN, open_to_enrollment=True)
    assert {sample_facts[n].status for n in ids} == OPEN
    # with explicit statuses, only the open ones among them count
    check(
        store,
        sample_facts,
        lambda f: f.status == "RECRUITING",
        open_to_enrollment=True,
        status=["RECRUITING", "COMPLETED"],
    )


def test_phase_filter_matches_combined_phases(store, sample_facts) -> None:
    ids = check(store, sample_facts, lambda f: "PHASE2" in f.phases, phase=["Phase 2"])
    assert any(sample_facts[n].phases == ["PHASE1", "PHASE2"] for n in ids)
    check(
        store,
        sample_facts,
        lambda f: {"PHASE4", "EARLY_PHASE1"} & set(f.phases),
        phase=["4", "EARLY_PHASE1"],
    )


def test_study_type_and_sponsor_class(store, sample_facts) -> None:
    check(
        store, sample_facts, lambda f: f.study_type == "OBSERVATIONAL", study_type="observational"
    )
    check(store, sample_facts, lambda f: f.lead_class == "FED", sponsor_class="FED")


def test_sponsor_name_start_any_sponsor(store, sample_facts) -> None:
    def keep(f: object) -> bool:
        return any(s.lower().startswith("pfizer") for s in f.sponsors)  # type: ignore[attr-defined]

    ids = check(store, sample_facts, keep, sponsor="pfizer")
    assert ids
    # collaborators count too
    collaborator_only = [
        n for n in ids if not sample_facts[n].sponsors[0].lower().startswith("pfizer")
    ]
    assert collaborator_only
    # % and _ are taken literally
    assert search_trials(store, SearchQuery(sponsor="%")).total == len(
        expect(sample_facts, lambda f: any(s.startswith("%") for s in f.sponsors))
    )


@pytest.mark.parametrize(
    ("field", "word", "attribute"),
    [("condition", "asthma", "conditions"), ("intervention", "placebo", "interventions")],
)
def test_condition_and_intervention_words(store, sample_facts, field, word, attribute) -> None:
    # the index stems words (porter): plural forms match too
    pattern = re.compile(rf"\b{word}s?\b", re.IGNORECASE)
    check(
        store,
        sample_facts,
        lambda f: any(pattern.search(t) for t in getattr(f, attribute)),
        **{field: word},
    )


@pytest.mark.parametrize("age", [0, 10, 17, 18, 40, 65, 66, 90])
def test_age_within_limits_missing_bound_is_no_bound(store, sample_facts, age) -> None:
    days = round(age * 365.25)

    def keep(f: object) -> bool:
        low, high = f.min_days, f.max_days  # type: ignore[attr-defined]
        return (low is None or low <= days) and (high is None or high >= days)

    ids = check(store, sample_facts, keep, age_years=age)
    if age == 90:  # only trials without an upper bound (or a high one) remain
        assert any(sample_facts[n].max_days is None and sample_facts[n].min_days for n in ids)
        assert any(
            sample_facts[n].min_days is None and sample_facts[n].max_days is None for n in ids
        )


def test_open_ended_age_bounds(store, sample_facts) -> None:
    no_max = next(
        f for f in sample_facts.values() if f.max_days is None and f.min_days and f.min_days > 6000
    )
    no_min = next(
        f for f in sample_facts.values() if f.min_days is None and f.max_days and f.max_days < 8000
    )
    for age, trial, should in (
        (120, no_max, True),
        (1, no_max, False),
        (0, no_min, True),
        (40, no_min, False),
    ):
        ids, _ = walk(store, age_years=age, text=trial.nct_id)
        assert (trial.nct_id in ids) is should, (age, trial)


@pytest.mark.parametrize("sex", ["FEMALE", "male"])
def test_sex_all_matches_any(store, sample_facts, sex) -> None:
    ids = check(store, sample_facts, lambda f: f.sex in (None, "ALL", sex.upper()), sex=sex)
    assert Counter(sample_facts[n].sex for n in ids)["ALL"] > 0


@pytest.mark.parametrize("value", [True, False])
def test_healthy_volunteers_and_results(store, sample_facts, value) -> None:
    check(store, sample_facts, lambda f: f.healthy is value, healthy_volunteers=value)
    check(store, sample_facts, lambda f: f.has_results is value, has_results=value)


def _earliest(partial: str | None) -> date | None:
    if not partial:
        return None
    parts = [int(p) for p in partial.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


@pytest.mark.parametrize(
    ("low", "high"),
    [(date(2015, 1, 1), date(2016, 6, 30)), (date(2019, 3, 15), None), (None, date(1999, 12, 31))],
)
def test_start_and_update_date_ranges(store, sample_facts, low, high) -> None:
    def within(value: str | None) -> bool:
        day = _earliest(value)  # a partial date means its first day
        return day is not None and (low is None or day >= low) and (high is None or day <= high)

    check(store, sample_facts, lambda f: within(f.start), start_from=low, start_to=high)
    check(store, sample_facts, lambda f: within(f.updated), updated_from=low, updated_to=high)


def test_country_any_site_any_case(store, sample_facts) -> None:
    check(store, sample_facts, lambda f: "Canada" in f.countries, country="canada")
    check(store, sample_facts, lambda f: "United Kingdom" in f.countries, country="UK")


def test_radius_around_a_place_nearest_first(store, sample_facts) -> None:
    place = geocode("Jacksonville, FL")
    radius = 100.0

    def nearest(f: object) -> float | None:
        sites = f.sites  # type: ignore[attr-defined]
        return min((haversine_km(place.lat, place.lon, *s) for s in sites), default=None)

    ids = check(store, sample_facts, lambda f: (d := nearest(f)) is not None and d <= radius,
                place="Jacksonville, FL", radius_km=radius, sort="nearest")  # fmt: skip
    distances = [nearest(sample_facts[n]) for n in ids]
    assert distances == sorted(distances)
    page = search_trials(
        store, SearchQuery(place="Jacksonville, FL", radius_km=radius, sort="nearest")
    )
    assert page.place is not None and page.place.label.startswith("Jacksonville, Florida")
    for hit in page.results:
        assert hit.nearest_site is not None
        assert hit.nearest_site.distance_km == pytest.approx(
            nearest(sample_facts[hit.nct_id]), abs=0.01
        )
    assert "NCT06001853" in ids


def test_words_filters_and_place_together(store, sample_facts) -> None:
    results = search_trials(
        store,
        SearchQuery(
            text="low back pain", place="Jacksonville, FL", radius_km=50, open_to_enrollment=False
        ),
    )
    assert results.results[0].nct_id in {"NCT06001853", "NCT06325566"}
    assert all(h.nearest_site and h.nearest_site.distance_km <= 50 for h in results.results)
    narrowed = search_trials(
        store,
        SearchQuery(
            text="low back pain", place="Jacksonville, FL", radius_km=50, status=["RECRUITING"]
        ),
    )
    assert {h.status for h in narrowed.results} == {"RECRUITING"}
    assert narrowed.total < results.total


def test_relevance_ranks_title_matches_first(store) -> None:
    results = search_trials(store, SearchQuery(text="facet arthropathy"))
    assert results.results[0].nct_id == "NCT06001853"
    scores = [h.score for h in results.results]
    assert scores == sorted(scores, reverse=True)


def test_any_word_when_no_trial_has_all(store) -> None:
    results = search_trials(store, SearchQuery(text="asthma zzqqxx"))
    assert results.words == "any" and results.total > 0
    assert search_trials(store, SearchQuery(text="asthma inhaler")).words == "all"
    # words that do occur together, excluded by a filter: no fallback to any word
    excluded = search_trials(store, SearchQuery(text="asthma inhaler", status=["WITHHELD"]))
    assert (excluded.words, excluded.total) == ("all", 0)


def test_nct_ids_as_text(store) -> None:
    results = search_trials(store, SearchQuery(text="nct06001853, NCT00000102"))
    assert {h.nct_id for h in results.results} == {"NCT06001853", "NCT00000102"}


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "pain"},
        {"text": "cancer", "sort": "start_date"},
        {"status": ["COMPLETED"], "phase": ["PHASE3"]},
        {"place": "Boston, MA", "radius_km": 30, "sort": "nearest"},
        {"country": "France", "sort": "last_update"},
    ],
)
def test_cursor_paging_walks_every_result_once(store, fields) -> None:
    query = SearchQuery(page_size=7, **fields)
    first = page = search_trials(store, query)
    seen: list[str] = [h.nct_id for h in page.results]
    pages = 1
    while page.next:
        page = search_trials(store, query.model_copy(update={"cursor": page.next}))
        seen += [h.nct_id for h in page.results]
        pages += 1
        assert page.total == first.total  # the same search on every page
    assert len(seen) == len(set(seen)) == first.total
    assert pages == -(-first.total // 7)
    everything, _ = walk(store, **fields)
    assert seen == everything  # the same order whatever the page size


def test_facet_counts_over_the_filtered_set(store, sample_facts) -> None:
    pattern = re.compile(r"\basthmas?\b", re.IGNORECASE)
    expected = [f for f in sample_facts.values() if any(pattern.search(t) for t in f.conditions)]
    results = search_trials(store, SearchQuery(condition="asthma"))
    assert results.total == len(expected) <= 200
    facets = results.facets
    assert {c.value: c.count for c in facets.status} == Counter(f.status for f in expected)
    assert {c.value: c.count for c in facets.study_type} == Counter(f.study_type for f in expected)
    assert {c.value: c.count for c in facets.phase} == Counter(
        p for f in expected for p in f.phases
    )
    countries = Counter(c for f in expected for c in f.countries)
    ranked = sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[:30]  # 30 values at most
    assert [(c.value, c.count) for c in facets.country] == ranked
    assert results.country_facet_top is None
    assert facets.status[0].label  # labelled for people


def test_large_set_counts_countries_over_the_best_hits(store, monkeypatch) -> None:
    from trialatlas.store.sqlite import search as sqlite_search

    monkeypatch.setattr(sqlite_search, "WORD_COUNT_LIMIT", 100)  # words too common for the columns
    results = search_trials(store, SearchQuery(text="cancer"))
    assert results.total > 200
    assert results.country_facet_top == 200
    assert 0 < results.facets.country[0].count <= 200


def test_search_without_words_counts_every_country(store) -> None:
    results = search_trials(store, SearchQuery())
    assert results.country_facet_top is None
    assert sum(c.count for c in results.facets.status) == 8118
    for facet in results.facets.country[:3]:
        assert facet.count > 200
        assert search_trials(store, SearchQuery(country=facet.value)).total == facet.count


@pytest.mark.parametrize(
    "text",
    ['"', '"unbalanced', "NEAR(", "NEAR(a b", "*", "^", "a*", "title: pain", "{title}: x", "((", "))",
     "a AND OR NOT", "-", "'; DROP TABLE studies; --", "\x00", "😀 pain", "x" * 10_000, "pain " * 2000],
)  # fmt: skip
def test_hostile_text_never_fails(store, text) -> None:
    results = search_trials(
        store,
        SearchQuery(text=text, condition=text[:50], intervention=text[:50], sponsor=text[:50]),
    )
    assert results.total >= 0


def test_bad_requests_are_clear_errors(store) -> None:
    with pytest.raises(UnknownPlace) as info:
        search_trials(store, SearchQuery(place="Jaksonvile, FL"))
    assert "Jacksonville, Florida, United States" in info.value.suggestions
    with pytest.raises(SearchError):
        search_trials(store, SearchQuery(sort="nearest"))
    with pytest.raises(InvalidCursor):
        search_trials(store, SearchQuery(cursor="not-a-cursor"))
    other = search_trials(store, SearchQuery(text="pain")).next
    with pytest.raises(InvalidCursor):
        search_trials(store, SearchQuery(text="cancer", cursor=other))
    with pytest.raises(ValueError):
        SearchQuery(status=["RUNNING"])
    with pytest.raises(ValueError):
        SearchQuery(start_from=date(2020, 1, 1), start_to=date(2019, 1, 1))


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "cancer", "place": "Boston, MA", "radius_km": 80, "sort": "nearest"},
        {"text": "pain", "place": "New York, NY", "radius_km": 160, "status": ["COMPLETED"]},
        {"text": "asthma", "place": "Paris, France", "radius_km": 300},
    ],
)
def test_words_and_place_same_hits_whichever_finds_the_candidates(
    store, monkeypatch, fields
) -> None:
    import trialatlas.store.sqlite.search as sqlite_search

    found = []
    for sites_per_trial in (0, 10**9):  # sites in the box first; the words' own sites first
        monkeypatch.setattr(sqlite_search, "SITES_PER_TRIAL", sites_per_trial)
        ids, first = walk(store, **fields)
        found.append((ids, first.total, [h.nearest_site for h in first.results]))
    assert found[0] == found[1]
    assert found[0][1] > 0
