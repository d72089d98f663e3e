"""Plain words on every patient page (issue 12): the rendered page's prose reads at
grade 8 or below, registry paragraphs are left to the full registry page (lists stay
lists), questions do not repeat the trial's name, purpose answers say what is tested,
in whom and what is measured, and doses keep their powers of ten."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from trialatlas.features.criteria_text import OutlineList, OutlineSection, criteria_outline
from trialatlas.features.patient_summary import PatientSummary, patient_summary
from trialatlas.features.patient_summary.criteria_lists import patient_criteria
from trialatlas.features.patient_summary.prose import clean_text
from trialatlas.features.patient_summary.readability import text_stats
from trialatlas.store import open_store
from trialatlas.store.base import Store
from trialatlas.web.page_prose import page_prose, prose_texts

PAGE_SAMPLE = 40
MAX_QUESTION_WORDS = 10
# "x 10^6", or the superscript lost ("x106"); a product ("2 X 100mg") is not one.
_POWER_LEFT = re.compile(r"\d\s*[x×X]\s*10\s*(?:\^|E)\s*\d|\d\s*[x×X]\s*10[3-9]\b(?!\s*mg)")
_QUOTED = re.compile(r"“[^”]*”")  # a group's name, quoted as the registry writes it


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


# --- the rendered page ---------------------------------------------------------------------


def test_an_older_records_criteria_are_a_list_not_registry_paragraphs(bundled_client) -> None:
    html = bundled_client.get("/trials/NCT00008073").text  # PDQ layout, line breaks lost
    prose = " ".join(prose_texts(html))
    assert "CHARACTERISTICS" not in prose and "Hematopoietic" not in prose
    section = html[html.index('id="eligibility"') : html.index('id="timeline"')]
    assert "<li>Patient characteristics:" in section
    assert "<li>Performance status: ECOG 0-2</li>" in section


def test_running_registry_text_is_linked_not_pasted(bundled_client) -> None:
    html = bundled_client.get("/trials/NCT00000576").text  # criteria written as running text
    assert "/trials/NCT00000576/details#eligibility" in html
    assert not any("1,251 grams" in t for t in prose_texts(html))


def test_page_prose_reads_at_grade_8_on_nine_in_ten_pages(bundled_client, store: Store) -> None:
    ids = random.Random(12).sample(sorted(store.iter_nct_ids()), PAGE_SAMPLE)  # type: ignore[attr-defined]
    grades = {}
    for nct_id in ids:
        response = bundled_client.get(f"/trials/{nct_id}")
        assert response.status_code == 200, nct_id
        grades[nct_id] = text_stats(b.text for b in page_prose(response.text)).grade
    easy = [n for n, g in grades.items() if g <= 8.0]
    assert len(easy) >= 0.9 * len(ids), sorted(grades.items(), key=lambda x: -x[1])[:8]


# --- every trial of the store --------------------------------------------------------------


def _paragraphs(sections: list[OutlineSection]) -> list[str]:
    return [b.text for s in sections for b in s.blocks if not isinstance(b, OutlineList)]


def _item_texts(blocks: list) -> set[str]:
    out: set[str] = set()
    for block in blocks:
        if isinstance(block, OutlineList):
            for item in block.items:
                out.add(item.text)
                out |= _item_texts(item.children)
    return out


@pytest.mark.slow
def test_no_patient_page_shows_registry_paragraphs_and_every_list_survives(store: Store) -> None:
    pasted, lost = [], []
    for study in store.iter_studies():
        outline = criteria_outline(study.eligibility.criteria_text)
        shown = patient_criteria(outline)
        if _paragraphs(shown.sections):
            pasted.append(study.nct_id)
        listed = _item_texts([b for s in outline for b in s.blocks])
        if not listed <= _item_texts([b for s in shown.sections for b in s.blocks]):
            lost.append(study.nct_id)
    assert not pasted, pasted[:10]
    assert not lost, lost[:10]


@pytest.mark.slow
def test_no_question_repeats_a_long_trial_name_and_no_dose_keeps_a_lost_superscript(
    store: Store,
) -> None:
    long_questions, powers = [], []
    for study in store.iter_studies():
        summary = patient_summary(store, study)
        for answer in summary.answers:
            if len(answer.question.split()) > MAX_QUESTION_WORDS:
                long_questions.append((study.nct_id, answer.question))
        powers += [
            (study.nct_id, s.text)
            for s in summary.sentences()
            if _POWER_LEFT.search(_QUOTED.sub("", s.text))
        ]
    assert not long_questions, long_questions[:10]
    assert not powers, powers[:10]


# --- one trial at a time -------------------------------------------------------------------


def test_questions_name_a_short_treatment_and_say_this_treatment_for_a_long_one(
    store: Store,
) -> None:
    seed = [a.question for a in summary_of(store, "NCT06001853").answers]
    assert seed[2] == "What data shows whether BM-MSC Injection works?"
    assert seed[3] == "Is BM-MSC Injection safe?"
    long = [a.question for a in summary_of(store, "NCT00008073").answers]
    assert long[3] == "Is this treatment safe?"
    assert not any("Octreotide" in q for q in long)


@pytest.mark.parametrize("nct_id", ["NCT00005431", "NCT00005135"])
def test_a_purpose_answer_that_meant_nothing_now_says_what_who_and_measure(
    store: Store, nct_id: str
) -> None:
    text = purpose(summary_of(store, nct_id))
    assert "Bivariate" not in text and "particularly important" not in text
    assert "The record does not sum up its goal in a few plain words." in text
    assert "It is an observational study of people with" in text
    assert "The record does not say what main result the trial measures." in text


def test_background_sentences_are_not_the_purpose(store: Store) -> None:
    assert not purpose(summary_of(store, "NCT06126874")).startswith("In the literature")


def test_a_measure_keeps_the_registrys_capitals(store: Store) -> None:
    text = purpose(summary_of(store, "NCT06126874"))
    assert "international Consultation" not in text
    assert "The main result they measure is International Consultation on Incontinence" in text


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("10 x106 cells", "10 million cells"),
        ("at the dose 10 x 106 in 1 ml", "at the dose 10 million in 1 ml"),
        ("2.0 X 10^6 mIU per day", "2 million mIU per day"),
        ("2.5 x 10^8 cells", "250 million cells"),
        ("3x10^12 vp", "3 trillion vp"),
        ("5 x 104 CFU", "50,000 CFU"),
        ("1 x 10^6peptide", "1 million peptide"),
        ("2 x 100 mg", "2 x 100 mg"),  # a product, not a lost superscript
        ("3 x 105 mg tablets", "3 x 105 mg tablets"),
    ],
)
def test_powers_of_ten_in_words(raw: str, plain: str) -> None:
    assert clean_text(raw) == plain


def test_the_seed_dose_reads_in_millions(store: Store) -> None:
    texts = [s.text for t in summary_of(store, "NCT06001853").treatments for s in t.sentences]
    assert any("10 million in 1 ml" in t for t in texts), texts


def test_an_eligibility_sentence_drops_the_registrys_section_label(store: Store) -> None:
    summary = summary_of(store, "NCT00002568")  # "DISEASE CHARACTERISTICS: Histologically …"
    text = " ".join(s.text for s in summary.eligibility.sentences)
    assert "CHARACTERISTICS" not in text
    assert "for example: confirmed by tissue tests primary ovarian" in text
