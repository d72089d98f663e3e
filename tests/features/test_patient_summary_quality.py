"""Patient page wording on real bundled trials: the purpose sentence, the title's
condition and the eligibility lead (reviewer's cases)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trialatlas.features.patient_summary import PatientSummary, patient_summary
from trialatlas.store import open_store
from trialatlas.store.base import Store


@pytest.fixture(scope="module")
def store(bundled_store_path: str) -> Iterator[Store]:
    opened = open_store(bundled_store_path)
    yield opened
    opened.close()


def summary_of(store: Store, nct_id: str) -> PatientSummary:
    study = store.get_study(nct_id)
    assert study is not None, nct_id
    return patient_summary(store, study)


def purpose(summary: PatientSummary) -> str:
    return next(a for a in summary.answers if a.id == "purpose").text


def eligibility(summary: PatientSummary) -> str:
    return " ".join(s.text for s in summary.eligibility.sentences)


def test_purpose_prefers_the_purpose_heading_over_the_rationale(store: Store) -> None:
    text = purpose(
        summary_of(store, "NCT00006042")
    )  # RATIONALE: … PURPOSE: Phase I trial to study …
    assert text.startswith("This phase 1 trial studies the effectiveness of cyclophosphamide")
    assert "Drugs used in chemotherapy" not in text


def test_purpose_skips_background_and_never_cuts_a_list(store: Store) -> None:
    assert "Prednisone is associated" not in purpose(summary_of(store, "NCT00001475"))
    text = purpose(
        summary_of(store, "NCT00000642")
    )  # "Part 1: To determine both the safety, tolerance, and …"
    assert "Part 1" not in text
    assert "the safety, tolerance." not in text
    assert text.startswith("This study aims to find out")


def test_purpose_first_sentence_has_its_source(store: Store) -> None:
    answer = next(a for a in summary_of(store, "NCT00000517").answers if a.id == "purpose")
    first = answer.sentences[0]
    assert first.text.startswith("This study aims to find out the benefits and risks")
    assert first.sources == ["brief_summary"]


def test_title_names_the_condition_the_trial_targets(store: Store) -> None:
    # Prevention of erectile dysfunction after prostate surgery, not a prostate cancer treatment.
    assert summary_of(store, "NCT00106392").title.text == "Tacrolimus for Erectile Dysfunction"
    assert summary_of(store, "NCT00229073").title.text == "Dapoxetine for Premature Ejaculation"
    assert summary_of(store, "NCT06001853").title.text == "BM-MSC Injection for Low Back Pain"


def test_eligibility_names_sex_condition_duration_and_diagnosis(store: Store) -> None:
    seed = eligibility(summary_of(store, "NCT06001853"))
    assert "The trial is for adults with low back pain." in seed
    assert "Their low back pain must have lasted at least 6 months." in seed
    assert "They must have a diagnosis of" in seed and "L1-S1" in seed
    women = summary_of(store, "NCT00005054")
    assert "The trial is for women with breast cancer." in eligibility(women)
    assert "PRIOR CONCURRENT THERAPY" not in eligibility(women)
    sex = next(
        s for s in women.eligibility.sentences if s.text.startswith("The trial is for women")
    )
    assert "eligibility.sex" in sex.sources
    lymphoma = eligibility(summary_of(store, "NCT00003741"))
    assert (
        "They must have a confirmed diagnosis of CD30+ anaplastic large cell lymphoma" in lymphoma
    )


def test_a_prevention_trial_says_what_it_tries_to_prevent(store: Store) -> None:
    summary = summary_of(store, "NCT00106392")  # primary purpose PREVENTION
    # a drug named as a word of the sentence (issue 12: "tacrolimus", not "Tacrolimus")
    assert "It tests whether tacrolimus can prevent erectile dysfunction." in purpose(summary)
    sentence = next(
        s
        for a in summary.answers
        if a.id == "purpose"
        for s in a.sentences
        if s.text.startswith("It tests whether")
    )
    assert "design.primary_purpose" in sentence.sources


def test_a_condition_named_beside_a_treatment_word_is_still_the_condition(store: Store) -> None:
    """'Ocular Hypertension' (its 'ocular' also in 'Topical Ocular Hypotensive Eye Drops')
    is the condition, not the broader MeSH 'Hypertension' (high blood pressure)."""
    title = summary_of(store, "NCT00000125").title.text
    assert title == "Topical Ocular Hypotensive Eye Drops for High Pressure in the Eye"
