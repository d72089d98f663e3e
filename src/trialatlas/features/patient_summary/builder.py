"""``patient_summary``: assemble the patient page of one study from its parts.

Each part is its own module (one concept each); this module only puts them in
seed 000's order, measures the readability of the generated sentences and, when
a writer is given, lets it rewrite the answers from the same facts.
"""

from __future__ import annotations

from typing import Protocol

from trialatlas.features.clinics import find_clinics
from trialatlas.features.patient_summary.differences import differences_answer
from trialatlas.features.patient_summary.eligibility import eligibility_summary
from trialatlas.features.patient_summary.evidence import evidence_answer, gather_evidence
from trialatlas.features.patient_summary.glossary import load_glossary
from trialatlas.features.patient_summary.medications import medications_answer
from trialatlas.features.patient_summary.model import PatientSummary, Readability, Sentence
from trialatlas.features.patient_summary.naming import naming, plain_title
from trialatlas.features.patient_summary.people import research_team, running
from trialatlas.features.patient_summary.purpose import purpose_answer
from trialatlas.features.patient_summary.readability import text_stats
from trialatlas.features.patient_summary.safety import safety_answer
from trialatlas.features.patient_summary.timeline import timeline
from trialatlas.features.patient_summary.treatments import treatment_details
from trialatlas.features.text_bounds import bounded
from trialatlas.features.trial_page import canonical_nct_id
from trialatlas.features.trial_sections import registry_url
from trialatlas.model.codes import label, phases_label
from trialatlas.model.study import Study
from trialatlas.store.base import Store


class AnswerWriter(Protocol):
    """Rewrites a summary's answers from the same facts (see :mod:`.llm_writer`)."""

    def rewrite(self, summary: PatientSummary) -> PatientSummary: ...


def readability(sentences: list[Sentence]) -> Readability:
    """Flesch-Kincaid grade of the generated sentences."""
    stats = text_stats(s.text for s in sentences)
    return Readability(
        grade=round(stats.grade, 1),
        words=stats.words,
        sentences=stats.sentences,
        syllables=stats.syllables,
    )


def patient_summary(
    store: Store, study: Study, writer: AnswerWriter | None = None
) -> PatientSummary:
    """The patient page of ``study``: plain title, Q&A, team, eligibility, timeline, treatments,
    clinics and sponsors; every generated sentence with its sources; readability measured.
    Reads at most :data:`~trialatlas.features.text_bounds.MAX_PAGE_TEXT_CHARS` of each text."""
    study = bounded(study)  # a 20 MB text must not make the page take seconds
    glossary = load_glossary()
    names = naming(study, glossary)
    title = plain_title(study, names)
    evidence = gather_evidence(store, study)
    answers = [
        purpose_answer(study, names, glossary),
        medications_answer(study),
        evidence_answer(study, names, title.text, evidence),
        safety_answer(study, names, evidence, glossary),
        differences_answer(store, study, names, evidence, glossary),
    ]
    team, team_note = research_team(study)
    treatments, treatments_note = treatment_details(study, glossary)
    summary = PatientSummary(
        nct_id=study.nct_id,
        registry_url=registry_url(study.nct_id),
        title=title,
        status_code=study.status.overall_status,
        status_label=label("overall_status", study.status.overall_status) or None,
        phase_label=phases_label(study.design.phases) or None,
        answers=answers,
        research_team=team,
        research_team_note=team_note,
        eligibility=eligibility_summary(study, names, glossary),
        timeline=timeline(study, names),
        treatments=treatments,
        treatments_note=treatments_note,
        running=running(study),
        clinics=find_clinics(study),
        readability=Readability(grade=0.0, words=0, sentences=0, syllables=0),
    )
    summary.readability = readability(summary.sentences())
    if writer is not None:
        summary = writer.rewrite(summary)
    return summary


def find_patient_summary(
    store: Store, nct_id: str, writer: AnswerWriter | None = None
) -> PatientSummary | None:
    """The summary of ``nct_id`` (any case), or None when the store has no such trial."""
    canonical = canonical_nct_id(nct_id)
    study = store.get_study(canonical) if canonical else None
    return patient_summary(store, study, writer) if study is not None else None
