""" "How does … differ from other treatments?" — from the record and the store, not from opinion.

What kind of treatment it is (the intervention type in words), how the record
describes it (made plain), what the trial compares it with (the other arms), and
how many other trials in the store test it for the same condition.
"""

from __future__ import annotations

from trialatlas.features.patient_summary.evidence import Evidence
from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import Answer, Sentence
from trialatlas.features.patient_summary.naming import (
    COMPARATOR_ARM_TYPES,
    Naming,
    tested_interventions,
    tidy_intervention_name,
)
from trialatlas.features.patient_summary.prose import (
    join_words,
    lower_first,
    shorten,
    split_sentences,
    with_period,
)
from trialatlas.model.study import Study
from trialatlas.store.base import Store

MAX_DESCRIPTION_WORDS = 28  # registry words, before the glossary explains terms
TYPE_WORDS = {
    "DRUG": "a drug (a medicine)",
    "BIOLOGICAL": "a biological product: it is made from living cells or other living sources",
    "DEVICE": "a medical device",
    "PROCEDURE": "a procedure, such as surgery or an injection done by a doctor",
    "RADIATION": "a radiation treatment",
    "BEHAVIORAL": "a program that helps people change habits or behavior",
    "GENETIC": "a genetic treatment or test",
    "DIETARY_SUPPLEMENT": "a dietary supplement",
    "COMBINATION_PRODUCT": "a product that combines a drug with a device or a biological product",
    "DIAGNOSTIC_TEST": "a test to find or check a disease",
}
COUNT_SOURCE = "store:count_intervention_trials"


def differences_question(names: Naming) -> str:
    if names.question_name:
        return f"How does {names.question_name} differ from other treatments?"
    return "How does this study differ from other studies?"


def differences_answer(
    store: Store, study: Study, names: Naming, evidence: Evidence, glossary: Glossary
) -> Answer:
    """Kind of treatment, its plain description, the comparison, and how common it is."""
    sentences: list[Sentence] = []
    tested = tested_interventions(study)
    explained: set[str] = set()
    for index, iv in tested[:2]:
        words = TYPE_WORDS.get(iv.type or "")
        if words:
            name = tidy_intervention_name(iv.name)
            sentences.append(
                Sentence(text=f"{name} is {words}.", sources=[f"interventions[{index}].type"])
            )
        described = _description(iv.description, glossary, explained)
        if described:
            sentences.append(
                Sentence(
                    text=f"The record describes it like this: {described}",
                    sources=[f"interventions[{index}].description"],
                )
            )
    sentences += _comparison(study)
    sentences += _how_common(store, study, names, evidence)
    if study.design.study_type == "OBSERVATIONAL" and not tested:
        sentences.insert(
            0,
            Sentence(
                text="This study does not test a treatment. It collects information.",
                sources=["design.study_type"],
            ),
        )
    sentences.append(
        Sentence(
            text="Your doctor can tell you how it compares with the care you get now.",
            sources=names.treatment_sources or ["design.study_type"],
        )
    )
    return Answer(id="differences", question=differences_question(names), sentences=sentences)


def _description(text: str | None, glossary: Glossary, explained: set[str]) -> str | None:
    sentences = split_sentences(text or "")
    if not sentences:
        return None
    first = shorten(sentences[0], MAX_DESCRIPTION_WORDS)
    return with_period(lower_first(glossary.plain(first, explained))) if first else None


def _comparison(study: Study) -> list[Sentence]:
    comparators = [(i, a) for i, a in enumerate(study.arms) if a.type in COMPARATOR_ARM_TYPES]
    if comparators:
        labels = join_words([f"“{a.label}”" for _, a in comparators])
        return [
            Sentence(
                text=f"The trial compares it with another group: {labels}."
                if len(comparators) == 1
                else f"The trial compares it with other groups: {labels}.",
                sources=[f"arms[{i}].label" for i, _ in comparators]
                + [f"arms[{i}].type" for i, _ in comparators],
            )
        ]
    if len(study.arms) == 1:
        return [
            Sentence(
                text="Everyone in the trial gets the same treatment.", sources=["arms[0].label"]
            )
        ]
    if len(study.arms) > 1:
        return [
            Sentence(
                text=f"The trial has {len(study.arms)} groups that get different versions of the treatment.",
                sources=[f"arms[{i}].type" for i in range(len(study.arms))],
            )
        ]
    return []


def _how_common(store: Store, study: Study, names: Naming, evidence: Evidence) -> list[Sentence]:
    if not evidence.terms or not names.condition_term:
        return []
    count = store.count_intervention_trials(evidence.terms, [names.condition_term], study.nct_id)
    term = evidence.terms[0]
    condition = names.condition_in_text or names.condition_term
    sources = [COUNT_SOURCE, *evidence.term_sources, *names.condition_sources]
    if count == 0:
        text = f"No other trial in the registry tests {term} for {condition}."
    elif count == 1:
        text = f"One other trial in the registry tests {term} for {condition}."
    else:
        text = f"{count:,} other trials in the registry test {term} for {condition}."
    return [Sentence(text=text, sources=sources)]
