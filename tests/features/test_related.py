"""Related trials on the bundled store (all 8,000+ sample trials, with their vectors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trialatlas.features.related import OPEN_STATUSES, RelatedTrials, related_trials
from trialatlas.features.related.terms import condition_terms, shared_terms, treatment_terms
from trialatlas.index.vectors import VectorIndex, load_vector_index
from trialatlas.store import open_store
from trialatlas.store.base import BriefIntervention, Store, StudyBrief

SEED = "NCT06001853"
# the store's other trials of bone-marrow mesenchymal stem cells (for erectile dysfunction)
BONE_MARROW_MSC = {"NCT02344849", "NCT02945462", "NCT03361631", "NCT04594850"}


@pytest.fixture(scope="module")
def store(bundled_store_path: str) -> Iterator[Store]:
    opened = open_store(bundled_store_path)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def vectors(store: Store, bundled_store_path: str) -> VectorIndex:
    return load_vector_index(store, bundled_store_path)


@pytest.fixture(scope="module")
def seed_related(store: Store, vectors: VectorIndex) -> RelatedTrials:
    found = related_trials(store, SEED, vectors)
    assert found is not None
    return found


def test_seed_lists_the_other_bone_marrow_msc_trials_for_their_treatment(
    seed_related: RelatedTrials,
) -> None:
    by_id = {t.nct_id: t for t in seed_related.all}
    assert set(by_id) >= BONE_MARROW_MSC
    for nct_id in BONE_MARROW_MSC:
        reason = by_id[nct_id].reasons[0]
        assert reason.startswith("same treatment: ") and "stem cell" in reason


def test_five_related_then_ten_more_never_itself_nor_twice(seed_related: RelatedTrials) -> None:
    assert len(seed_related.related) == 5 and len(seed_related.more_related) == 10
    ids = [t.nct_id for t in seed_related.all]
    assert SEED not in ids and len(set(ids)) == 15
    scores = [t.score for t in seed_related.all]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_each_trial_says_why_in_plain_words_and_whether_it_is_open(
    seed_related: RelatedTrials,
) -> None:
    for trial in seed_related.all:
        assert trial.reasons and all(r == r.lower() for r in trial.reasons)
        assert not any("_" in r or "NCT" in r for r in trial.reasons)  # no codes
        assert trial.open == (trial.overall_status in OPEN_STATUSES)
    assert any(
        r.startswith("same condition: low back pain") for t in seed_related.all for r in t.reasons
    )


def test_without_vectors_the_text_search_stands_in(store: Store) -> None:
    found = related_trials(store, SEED, None)
    assert found is not None and len(found.all) == 15
    assert BONE_MARROW_MSC & {t.nct_id for t in found.all}


def test_unknown_or_malformed_trial_is_none(store: Store, vectors: VectorIndex) -> None:
    assert related_trials(store, "NCT00000000", vectors) is None
    assert related_trials(store, "not an id", vectors) is None


def test_limit_caps_the_total(store: Store, vectors: VectorIndex) -> None:
    found = related_trials(store, SEED, vectors, limit=3)
    assert found is not None and len(found.related) == 3 and found.more_related == []


def _brief(
    nct_id: str, names: list[str], conditions: list[str], mesh: tuple[str, ...] = ()
) -> StudyBrief:
    return StudyBrief(
        nct_id=nct_id,
        title=nct_id,
        overall_status=None,
        study_type="INTERVENTIONAL",
        conditions=tuple(conditions),
        condition_mesh=mesh,
        interventions=tuple(BriefIntervention(type="BIOLOGICAL", name=n) for n in names),
    )


def test_terms_spell_out_abbreviations_and_compare_by_the_name_ending() -> None:
    seed = _brief("A", ["BM-MSC injection", "Placebo"], ["Low Back Pain"])
    other = _brief("B", ["Autologous Bone Marrow derived Mesenchymal Stem Cells"], [])
    cord = _brief("C", ["Wharton Jelly Mesenchymal stem cells"], [])
    transplant = _brief("D", ["Autologous bone marrow transplantation"], [])
    mine = treatment_terms(seed)
    assert [t.display for t in mine] == ["bone marrow mesenchymal stem cells"]  # no placebo
    same = shared_terms("interventions", mine, treatment_terms(other))
    assert [(s.display, s.same) for s in same] == [("bone marrow mesenchymal stem cells", True)]
    similar = shared_terms("interventions", mine, treatment_terms(cord))
    assert [(s.display, s.same) for s in similar] == [("mesenchymal stem cells", False)]
    assert shared_terms("interventions", mine, treatment_terms(transplant)) == []


def test_mesh_headings_read_naturally_and_match_the_registered_name() -> None:
    a = _brief("A", [], ["Knee Osteoarthritis"])
    b = _brief("B", [], [], mesh=("Osteoarthritis, Knee",))
    shared = shared_terms("conditions", condition_terms(a), condition_terms(b))
    assert [s.display for s in shared] == ["knee osteoarthritis"]
    lung = _brief("C", [], ["Non-Small Cell Lung Cancer"])
    small = _brief("D", [], ["Small Cell Lung Cancer"])
    assert shared_terms("conditions", condition_terms(lung), condition_terms(small)) == []
