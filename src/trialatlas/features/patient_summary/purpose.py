""""What is the purpose of this trial?" — the summary in short plain sentences, then the facts.

The brief summary's purpose sentence (the one that says "purpose", "aim", "this
study …", else the first) is kept, stripped of labels and rewritten with the
glossary and a few plain-English rules; a sentence still too long is left out
rather than cut mid-meaning. Then what is tested, in whom, the main measure and
the planned size, each from its own field.
"""

from __future__ import annotations

import re

from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import Answer, Sentence
from trialatlas.features.patient_summary.naming import Naming
from trialatlas.features.patient_summary.prose import (
    as_sentence,
    lower_first,
    plural,
    shorten,
    split_sentences,
    strip_label,
    word_count,
)
from trialatlas.model.study import Study

QUESTION = "What is the purpose of this trial?"
MAX_SUMMARY_SENTENCES = 2
MAX_WORDS = 28
SPLIT_WORDS = 20  # longer sentences are split at semicolons and dashes first
_SPLIT_LONG = re.compile(r"\s*;\s+|\s+[-–—]\s+")
MAX_MEASURE_WORDS = 14
_PURPOSE_HINT = re.compile(
    r"\b(?:purpose|aim|goal|objective|this (?:research )?(?:study|trial|project)|we (?:will|propose|plan))\b",
    re.IGNORECASE,
)
_REWRITES = (
    (re.compile(r"^the (?:main |primary )?(?:purpose|aim|goal|objective) of this (?:research )?(?:study|trial|project) is to\b", re.I), "This study aims to"),
    (re.compile(r"^this (?:research )?(?:study|trial) is designed to\b", re.I), "This study aims to"),
    (re.compile(r"^(?:the )?(?:study|trial) (?:is designed )?to\b", re.I), "This study aims to"),
    (re.compile(r"^to\b", re.I), "This study aims to"),
    (re.compile(r"\bphase (?:ii|2) trial to study\b", re.I), "This phase 2 trial studies"),
    (re.compile(r"\bphase (?:i|1) trial to study\b", re.I), "This phase 1 trial studies"),
    (re.compile(r"\bphase (?:iii|3) trial to (?:study|compare)\b", re.I), "This phase 3 trial compares"),
    (re.compile(r"\bin treating patients (?:who have|with)\b", re.I), "in people with"),
    (re.compile(r"\bpatients\b", re.I), "people"),
)  # fmt: skip
_OUTCOME_LEAD = re.compile(r"^(?:change|changes) (?:in|from baseline in)\s+", re.I)


def purpose_answer(study: Study, names: Naming, glossary: Glossary) -> Answer:
    """The purpose in the record's own words (made plain), then what, who, measure and size."""
    explained: set[str] = set()
    sentences = _summary_sentences(study, glossary, explained)
    sentences += _what_and_who(study, names)
    measure = _main_measure(study, glossary, explained)
    if measure is not None:
        sentences.append(measure)
    size = _size(study)
    if size is not None:
        sentences.append(size)
    return Answer(id="purpose", question=QUESTION, sentences=sentences)


def _summary_sentences(study: Study, glossary: Glossary, explained: set[str]) -> list[Sentence]:
    source = "brief_summary"
    text = study.brief_summary or study.detailed_description
    if not text:
        return [Sentence(text="The record gives no summary of the trial's goal.", sources=[source])]
    if not study.brief_summary:
        source = "detailed_description"
    candidates = [strip_label(s) for s in split_sentences(text)]
    candidates = [c for c in candidates if word_count(c) >= 4]
    picked = [c for c in candidates if _PURPOSE_HINT.search(c)][:MAX_SUMMARY_SENTENCES]
    if not picked:
        picked = candidates[:1]
    out = []
    for raw in picked:
        plain = _rewrite(glossary.plain(raw, explained))
        for piece in _SPLIT_LONG.split(plain) if word_count(plain) > SPLIT_WORDS else [plain]:
            short = shorten(piece, MAX_WORDS)
            if short is not None and word_count(short) >= 4:
                out.append(Sentence(text=as_sentence(short), sources=[source]))
    return out


def _rewrite(text: str) -> str:
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def _what_and_who(study: Study, names: Naming) -> list[Sentence]:
    condition = names.condition_in_text
    if study.design.study_type == "OBSERVATIONAL":
        who = f" of people with {condition}" if condition and "healthy" not in condition.lower() else ""
        return [
            Sentence(
                text=f"It is an observational study{who}.",
                sources=["design.study_type", *names.condition_sources],
            ),
            Sentence(
                text="The researchers watch and record what happens. They do not give a new treatment.",
                sources=["design.study_type"],
            ),
        ]
    if names.treatment and condition:
        who = "healthy volunteers" if "healthy" in condition.lower() else f"people with {condition}"
        return [
            Sentence(
                text=f"It tests {names.treatment} in {who}.",
                sources=names.treatment_sources + names.condition_sources,
            )
        ]
    if names.treatment:
        return [Sentence(text=f"It tests {names.treatment}.", sources=names.treatment_sources)]
    return []


def _main_measure(study: Study, glossary: Glossary, explained: set[str]) -> Sentence | None:
    for i, outcome in enumerate(study.outcomes):
        if outcome.kind != "primary":
            continue
        measure = _OUTCOME_LEAD.sub("", glossary.plain(outcome.measure.strip(), explained))
        if word_count(measure) > MAX_MEASURE_WORDS:
            return None
        return Sentence(
            text=as_sentence(f"The main result they measure is: {lower_first(measure)}"),
            sources=[f"outcomes[{i}].measure"],
        )
    return None


def _size(study: Study) -> Sentence | None:
    count = study.design.enrollment_count
    if not count:
        return None
    verb = "enrolled" if study.design.enrollment_type == "ACTUAL" else "plans to enroll"
    return Sentence(
        text=f"The trial {verb} {plural(count, 'person', 'people')}.",
        sources=["design.enrollment_count", "design.enrollment_type"],
    )
