"""The sentence that says what a prevention trial tests, on real bundled trials: ACCORD
(NCT00000620) is for people who already have type 2 diabetes, so it does not "prevent
diabetes"; names read as words of a sentence ("anti-hypertensive agents"), not as the
registry's capitalised labels (``patient_summary/prevention``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from trialatlas.features.patient_summary import patient_summary
from trialatlas.store import open_store
from trialatlas.store.base import Store

LEAD = "It tests whether "
# everyday words a registry capitalises in its labels ("Health Education", "Other")
COMMON = re.compile(
    r"\b(?:Agents?|Therapy|Treatments?|Programs?|Exercise|Diet|Supplements?|Education|"
    r"Counseling|Training|Intervention|Other|Health|Disease|Diseases|Bones)\b"
)
EXPECTED = {
    "NCT00000620": "It tests whether anti-hyperglycemic agents and anti-hypertensive agents "
    "can prevent health problems in people with diabetes.",
    "NCT00000157": "It tests whether aspirin can prevent cataract.",
    "NCT00000432": "It tests whether education about disease prevention can prevent Lyme disease.",
    "NCT00000475": "It tests whether health education can prevent health problems in people "
    "with heart failure.",
    "NCT00000487": "It tests whether antihypertensive agents and other treatments can prevent "
    "heart diseases.",  # MRFIT: men free from coronary heart disease
    "NCT00000416": "It tests whether rehabilitation counseling can prevent health problems in "
    "people with arthritis.",
    "NCT00000402": "It tests whether calcium can prevent thin, weak bones.",
    "NCT00000362": "It tests whether chin-down position and thickened liquid administration can "
    "prevent lung infection.",
}


@pytest.fixture(scope="module")
def store(bundled_store_path: str) -> Iterator[Store]:
    opened = open_store(bundled_store_path)
    yield opened
    opened.close()


def _prevention_sentence(store: Store, nct_id: str) -> str | None:
    study = store.get_study(nct_id)
    assert study is not None, nct_id
    purpose = next(a for a in patient_summary(store, study).answers if a.id == "purpose")
    return next((s.text for s in purpose.sentences if s.text.startswith(LEAD)), None)


@pytest.mark.parametrize(("nct_id", "expected"), sorted(EXPECTED.items()))
def test_the_prevention_sentence_is_plain_and_right(
    store: Store, nct_id: str, expected: str
) -> None:
    assert _prevention_sentence(store, nct_id) == expected


def test_twenty_prevention_trials_read_as_plain_sentences(store: Store) -> None:
    """The first 20 other prevention trials with the sentence: no capitalised label word
    inside it, and never "prevent" the condition every participant already has."""
    seen = []
    for study in store.iter_studies():
        if study.design.primary_purpose != "PREVENTION" or study.nct_id == "NCT00000620":
            continue
        sentence = _prevention_sentence(store, study.nct_id)
        if sentence is None:
            continue
        seen.append(sentence)
        assert not COMMON.search(sentence[len(LEAD) :]), (study.nct_id, sentence)
        assert sentence.endswith(".") and "  " not in sentence
        if len(seen) == 20:
            break
    assert len(seen) == 20
    assert any("health problems in people with" in s for s in seen)
    assert any("health problems" not in s for s in seen)
