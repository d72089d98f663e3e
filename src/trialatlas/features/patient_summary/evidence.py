""" "What data supports the effectiveness of …?" — from the registry, and only from it.

Two kinds of evidence: the trial's own record (posted results, its references with
PubMed links) and the completed trials in the store that test the same treatment
and posted results (:meth:`Store.trials_with_results`). The answer counts and lists
them; it never weighs them. With nothing to show it says so plainly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trialatlas.features.patient_summary.model import Answer, LinkItem, Sentence
from trialatlas.features.patient_summary.naming import (
    Naming,
    is_placebo_like,
    tested_interventions,
    tidy_intervention_name,
)
from trialatlas.features.patient_summary.prose import clean_text, plural
from trialatlas.features.trial_sections import PUBMED_URL
from trialatlas.model.codes import label, phases_label
from trialatlas.model.study import Study
from trialatlas.store.base import EvidenceTrial, SeriousEvents, Store

MAX_TRIALS = 5
MAX_REFERENCES = 8
MAX_CITATION_CHARS = 300
STORE_SOURCE = "store:trials_with_results"
_FORM_WORDS = re.compile(
    r"\b(?:injections?|infusions?|tablets?|capsules?|oral|iv|intravenous|subcutaneous|solution|"
    r"cream|gel|ointment|spray|patch|doses?|dosing|therapy|treatment|group|arm|regimen|"
    r"administration|product|drug|and other treatments)\b",
    re.IGNORECASE,
)
_REFERENCE_WORDS = {"RESULT": "about this trial's results", "BACKGROUND": "as background"}


@dataclass
class Evidence:
    """What the store holds about other trials of the treatment."""

    terms: list[str]
    term_sources: list[str]
    total: int = 0
    trials: list[EvidenceTrial] = field(default_factory=list)
    events: dict[str, SeriousEvents] = field(default_factory=dict)


def intervention_terms(study: Study) -> tuple[list[str], list[str]]:
    """Search terms for "the same intervention": tidy names without form words, other names."""
    terms: list[str] = []
    sources: list[str] = []
    for index, iv in tested_interventions(study):
        for text, source in [(iv.name, f"interventions[{index}].name")] + [
            (o, f"interventions[{index}].other_names") for o in iv.other_names
        ]:
            term = _core_name(text)
            if term and term.lower() not in (t.lower() for t in terms):
                terms.append(term)
                sources.append(source)
    return terms[:6], list(dict.fromkeys(sources))


def _core_name(text: str) -> str | None:
    tidy = tidy_intervention_name(text)
    core = " ".join(_FORM_WORDS.sub(" ", tidy).split()).strip(" ,;-")
    core = core or tidy
    if is_placebo_like(core) or sum(c.isalnum() for c in core) < 3:
        return None
    return core


def gather_evidence(store: Store, study: Study) -> Evidence:
    """Completed trials with posted results that test the same treatment (this one excluded)."""
    terms, sources = intervention_terms(study)
    evidence = Evidence(terms=terms, term_sources=sources)
    if not terms:
        return evidence
    evidence.total, evidence.trials = store.trials_with_results(terms, study.nct_id, MAX_TRIALS)
    if evidence.trials:
        evidence.events = store.serious_events([t.nct_id for t in evidence.trials])
    return evidence


def evidence_question(names: Naming, title: str) -> str:
    if names.question_name:
        return f"What data shows whether {names.question_name} works?"
    return "What data does the registry hold about this study?"


def evidence_answer(study: Study, names: Naming, title: str, evidence: Evidence) -> Answer:
    """Own results and references, then other trials of the treatment with posted results."""
    sentences: list[Sentence] = []
    items: list[LinkItem] = []
    if study.has_results:
        sentences.append(
            Sentence(
                text="This trial has posted its results. You can read them on the full registry page.",
                sources=["has_results"],
            )
        )
    sentences += _reference_sentences(study)
    items += _reference_items(study)
    if evidence.total:
        term = evidence.terms[0]
        sources = [STORE_SOURCE, *evidence.term_sources]
        sentences.append(
            Sentence(
                text=(
                    f"The registry holds {plural(evidence.total, 'finished trial')} of {term} "
                    "that posted results."
                ),
                sources=sources,
            )
        )
        if evidence.total > len(evidence.trials):
            sentences.append(
                Sentence(
                    text=f"The {len(evidence.trials)} most recent are listed here.", sources=sources
                )
            )
        items += [_trial_item(t) for t in evidence.trials]
    if not sentences:
        what = names.treatment or "this study"
        sentences.append(
            Sentence(
                text=f"The registry holds no evidence yet about how well {what} works.",
                sources=["references", "has_results", STORE_SOURCE, *evidence.term_sources],
            )
        )
    else:
        sentences.append(
            Sentence(
                text="These records show what was studied. They do not prove that the treatment works.",
                sources=["references", STORE_SOURCE],
            )
        )
    return Answer(
        id="evidence",
        question=evidence_question(names, title),
        sentences=sentences,
        items=items,
    )


def _reference_sentences(study: Study) -> list[Sentence]:
    refs = [r for r in study.references if r.citation or r.pmid]
    if not refs:
        return []
    out = [
        Sentence(
            text=f"The trial record lists {plural(len(refs), 'published paper')}.",
            sources=["references"],
        )
    ]
    for code, words in _REFERENCE_WORDS.items():
        count = sum(1 for r in refs if r.type == code)
        if count and count != len(refs):
            out.append(
                Sentence(text=f"{count} of them are listed {words}.", sources=["references"])
            )
        elif count:
            out.append(Sentence(text=f"All of them are listed {words}.", sources=["references"]))
    return out


def _reference_items(study: Study) -> list[LinkItem]:
    items = []
    for i, ref in enumerate(study.references):
        if not (ref.citation or ref.pmid) or len(items) >= MAX_REFERENCES:
            continue
        text = clean_text(ref.citation) or f"PubMed {ref.pmid}"
        if len(text) > MAX_CITATION_CHARS:
            text = text[: MAX_CITATION_CHARS - 1].rsplit(" ", 1)[0] + "…"
        pmid = ref.pmid if ref.pmid and ref.pmid.isdigit() else None
        items.append(
            LinkItem(
                text=text,
                url=PUBMED_URL.format(pmid=pmid) if pmid else None,
                note=f"PMID {pmid}" if pmid else label("reference_type", ref.type) or None,
                sources=[f"references[{i}]"],
            )
        )
    return items


def _trial_item(trial: EvidenceTrial) -> LinkItem:
    notes = [phases_label(trial.phases) if trial.phases and trial.phases != ["NA"] else None]
    if trial.enrollment_count:
        notes.append(plural(trial.enrollment_count, "participant"))
    if trial.completion_date:
        notes.append(f"completed {trial.completion_date}")
    return LinkItem(
        text=trial.title,
        nct_id=trial.nct_id,
        note=" · ".join(n for n in notes if n) or None,
        sources=[f"store:{trial.nct_id}"],
    )
