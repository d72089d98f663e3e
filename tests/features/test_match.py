"""The key end-to-end test of matching on the whole bundled sample: a note about a
55-year-old with chronic facet-mediated low back pain in Jacksonville finds the seed
trial NCT06001853 in the first five, explains its criteria with the sentences that
decided them, and does not take a negated condition as present."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from trialatlas.features.matching import MatchResult, match_patient
from trialatlas.store import open_store

SEED = "NCT06001853"
NOTE = (
    "55-year-old man from Jacksonville, FL with chronic facet-mediated low back pain for 3 "
    "years despite physical therapy and NSAIDs. "
    "No history of diabetes. "
    "A lumbar medial branch block gave him 80% relief for a few hours. "
    "He takes ibuprofen 400 mg twice a day."
)


@pytest.fixture(scope="module")
def bundled_store(bundled_store_path: str) -> Iterator[Any]:
    store = open_store(bundled_store_path)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def result(bundled_store: Any) -> MatchResult:
    return match_patient(bundled_store, NOTE, limit=10)


def _sentence_of(text: str) -> str:
    """The note's sentence that holds ``text`` (evidence quotes whole sentences)."""
    for sentence in NOTE.split(". "):
        if text.strip().rstrip(".") in sentence + "." or sentence.strip(".") in text:
            return sentence
    raise AssertionError("the evidence is not a sentence of the note")


def test_the_seed_trial_is_in_the_first_five(result: MatchResult) -> None:
    ranked = [r.nct_id for r in result.results]
    assert SEED in ranked[:5], ranked


def test_its_criteria_are_explained_with_the_right_sentences(result: MatchResult) -> None:
    seed = next(r for r in result.results if r.nct_id == SEED)
    assert seed.why and seed.summary
    decided = [c for c in seed.criteria if c.verdict != "unknown"]
    assert decided, "some criteria of the seed trial are decided from the note"
    kinds = {c.kind for c in seed.criteria}
    assert {"inclusion", "exclusion"} <= kinds
    for criterion in decided:
        for evidence in criterion.evidence:
            _sentence_of(evidence.text)  # every quote is a sentence of the note
    age = [c for c in seed.criteria if c.kind == "age"]
    assert age and age[0].verdict == "met"
    assert any("55-year-old" in e.text for e in age[0].evidence)
    pain = [c for c in decided if c.text.startswith("Chronic low back pain with or without")]
    assert pain and pain[0].verdict == "met"
    assert pain[0].evidence
    assert all("chronic facet-mediated low back pain" in e.text for e in pain[0].evidence)
    assert seed.eligibility != "unlikely"


def test_the_pain_duration_is_read_from_the_note(result: MatchResult) -> None:
    seed = next(r for r in result.results if r.nct_id == SEED)
    pain = [c for c in seed.criteria if "Low back pain for at least 6 months" in c.text]
    assert pain and pain[0].verdict == "met"
    assert pain[0].evidence
    assert all("for 3 years" in e.text for e in pain[0].evidence)


def test_a_negated_condition_is_ruled_out_not_present(result: MatchResult) -> None:
    conditions = result.patient["conditions"]
    diabetes = [c for c in conditions if "diabetes" in c["name"].lower()]
    assert diabetes, "diabetes is understood"
    assert all(c["status"] == "absent" for c in diabetes)
    present = [c["name"].lower() for c in conditions if c["status"] == "present"]
    assert any("back pain" in name for name in present)
    assert not any("diabetes" in name for name in present)
    assert result.patient["age"] == 55 and result.patient["sex"] == "male"


def test_near_jacksonville_gives_the_seed_trials_site(bundled_store: Any) -> None:
    near = match_patient(bundled_store, NOTE, near="Jacksonville, FL", radius="50mi", limit=10)
    ranked = [r.nct_id for r in near.results]
    assert SEED in ranked[:5], ranked
    seed = next(r for r in near.results if r.nct_id == SEED)
    assert seed.nearest_site is not None and seed.nearest_site.city == "Jacksonville"
    assert seed.nearest_site.distance_mi is not None and seed.nearest_site.distance_mi < 50
    assert all(
        r.nearest_site is not None and (r.nearest_site.distance_mi or 0) <= 50.5
        for r in near.results
    )
