""" "Is … safe?" — what was recorded, never a verdict.

Three parts: what the trial's phase means for what is known about safety; the
serious adverse events posted by this trial, group by group (treatment and
comparison each named, never summed), and by completed trials of the same treatment
in the store (their treatment groups only); the
comparison the trial uses (placebo, vehicle such as DMSO, sham, usual care).
The answer always says that the registry reports, and does not judge, safety.
"""

from __future__ import annotations

from trialatlas.features.patient_summary.event_groups import (
    group_counts,
    own_events_sentences,
    treatment_counts,
)
from trialatlas.features.patient_summary.evidence import Evidence
from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import Answer, LinkItem, Sentence
from trialatlas.features.patient_summary.naming import Naming, short_list, tidy_intervention_name
from trialatlas.features.patient_summary.prose import join_words
from trialatlas.model.study import Study

PHASE_WORDS: dict[str, tuple[str, ...]] = {
    "EARLY_PHASE1": (
        "This is an early phase 1 trial.",
        "It is one of the first tests in people, with very few participants.",
        "Little is known yet about safety.",
    ),
    "PHASE1": (
        "This is a phase 1 trial.",
        "Phase 1 trials are among the first tests in people.",
        "They look mainly at safety and the right dose, so little is known yet.",
    ),
    "PHASE2": (
        "This is a phase 2 trial.",
        "Phase 2 trials usually follow first tests in a small number of people.",
        "Researchers are still learning about its safety and side effects.",
    ),
    "PHASE3": (
        "This is a phase 3 trial.",
        "Phase 3 trials usually follow earlier trials that gave some safety information.",
        "They test the treatment in more people to learn more.",
    ),
    "PHASE4": (
        "This is a phase 4 trial.",
        "Phase 4 trials study treatments that are already approved.",
        "They look at safety and use over a longer time.",
    ),
    "NA": (
        "The record gives no phase for this trial.",
        "Trials of devices, procedures or behavior often have no phase.",
    ),
}
COMPARATOR_WORDS = {
    "PLACEBO_COMPARATOR": "a placebo: a look-alike with no active medicine",
    "SHAM_COMPARATOR": "a sham: a fake procedure that looks like the real one",
    "ACTIVE_COMPARATOR": "an active treatment, used for comparison",
    "NO_INTERVENTION": "no study treatment",
}
_VEHICLE_TERMS = ("DMSO", "dimethyl sulfoxide", "saline", "vehicle")


def safety_question(names: Naming) -> str:
    return (
        f"Is {names.question_name} safe?"
        if names.question_name
        else "What is known about safety in this study?"
    )


def safety_answer(study: Study, names: Naming, evidence: Evidence, glossary: Glossary) -> Answer:
    """Phase meaning, posted serious adverse events, the comparator, and the caution."""
    sentences = _phase_sentences(study)
    items: list[LinkItem] = []
    own = study.results.adverse_events if study.results else None
    if own is not None and own.groups:
        sentences += own_events_sentences(own.groups, study)  # per group, never summed
    sentences += _store_events(evidence, names, items)
    sentences += _comparator_sentences(study, glossary)
    sentences.append(
        Sentence(
            text="The registry reports what was recorded. It does not say that a treatment is safe.",
            sources=["design.phases", "results.adverse_events"],
        )
    )
    sentences.append(
        Sentence(
            text="Ask the trial team about possible risks and side effects.",
            sources=["design.phases"],
        )
    )
    return Answer(id="safety", question=safety_question(names), sentences=sentences, items=items)


def _phase_sentences(study: Study) -> list[Sentence]:
    if study.design.study_type == "OBSERVATIONAL":
        return [
            Sentence(
                text="This is an observational study. It does not give a new treatment.",
                sources=["design.study_type"],
            )
        ]
    phases = [p for p in study.design.phases if p in PHASE_WORDS]
    if not phases:
        return [
            Sentence(text="The record does not give the trial's phase.", sources=["design.phases"])
        ]
    first = phases[0]
    out = [Sentence(text=text, sources=["design.phases"]) for text in PHASE_WORDS[first]]
    if len(phases) > 1:
        numbers = join_words([p.replace("PHASE", "phase ") for p in phases])
        out.append(Sentence(text=f"It combines {numbers} in one trial.", sources=["design.phases"]))
    return out


def _store_events(evidence: Evidence, names: Naming, items: list[LinkItem]) -> list[Sentence]:
    """Serious side effects in the treatment groups of other finished trials of the
    treatment (comparison, run-in and total groups are left out, never added in)."""
    term = evidence.terms[0] if evidence.terms else names.treatment_or_study
    trials = 0
    total_affected = total_at_risk = 0
    sources: list[str] = []
    for trial in evidence.trials:
        events = evidence.events.get(trial.nct_id)
        treated = treatment_counts(group_counts(events.posted, events.arms)) if events else None
        if treated is None or not treated[1]:
            continue
        affected, at_risk = treated
        trials += 1
        total_affected += affected
        total_at_risk += at_risk
        source = f"store:{trial.nct_id}.results.adverse_events"
        sources.append(source)
        items.append(
            LinkItem(
                text=trial.title,
                nct_id=trial.nct_id,
                note=f"{affected} of {at_risk} participants given the treatment had a serious side effect",
                sources=[source],
            )
        )
    if not trials:
        return [
            Sentence(
                text=f"The registry holds no posted side effect data from other trials of {term}.",
                sources=["store:trials_with_results", *evidence.term_sources],
            )
        ]
    return [
        Sentence(
            text=(
                f"In {trials} finished {'trial' if trials == 1 else 'trials'} of {term} that posted "
                f"results, {total_affected} of {total_at_risk} participants given the treatment "
                "had a serious side effect."
            ),
            sources=sources,
        ),
        Sentence(
            text="These counts leave out comparison groups, such as placebo.",
            sources=sources,
        ),
    ]


def _comparator_sentences(study: Study, glossary: Glossary) -> list[Sentence]:
    out: list[Sentence] = []
    for i, arm in enumerate(study.arms):
        words = COMPARATOR_WORDS.get(arm.type or "")
        if words is None:
            continue
        names = [tidy_intervention_name(n) for n in arm.intervention_names]
        what = short_list(names) if names else "no study treatment"
        sources = [f"arms[{i}].type", f"arms[{i}].label"]
        if arm.type == "NO_INTERVENTION":
            text = f"One group (“{arm.label}”) gets no study treatment, for comparison."
        else:
            text = f"One group (“{arm.label}”) gets {what}. This is {words}."
            sources.append(f"arms[{i}].intervention_names")
        out.append(Sentence(text=text, sources=sources))
        out += _vehicle_sentences(" ".join([arm.label, *arm.intervention_names]), glossary, sources)
    if (
        not out
        and study.arms
        and len(study.arms) == 1
        and study.design.study_type == "INTERVENTIONAL"
    ):
        out.append(
            Sentence(
                text="Everyone in this trial gets the treatment. There is no placebo group.",
                sources=["arms[0].type", "design.intervention_model"],
            )
        )
    return out


def _vehicle_sentences(text: str, glossary: Glossary, sources: list[str]) -> list[Sentence]:
    """Explain a vehicle named by the comparator ("DMSO is a liquid used to …")."""
    lower = text.lower()
    for term in _VEHICLE_TERMS:
        if term.lower() in lower:
            entry = glossary.lookup(term)
            if entry is not None:
                return [Sentence(text=f"{entry.term} is {entry.lay}.", sources=sources)]
    return []
