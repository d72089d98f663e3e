"""The sentence that says what a prevention trial tests: "It tests whether aspirin can
prevent cataract."

A prevention trial may be for people who do not have the condition yet (aspirin and
cataract in healthy physicians) or for people who already have it, to prevent what
comes with it (ACCORD: adults with type 2 diabetes, to prevent heart attacks and
strokes). "Can prevent diabetes" is wrong for the second kind, so when the inclusion
criteria or the summary say the participants have the condition, the sentence says
"can prevent health problems in people with type 2 diabetes". Names keep the record's
capitals only where the record itself writes them so inside its sentences, and never
in lower case: "Anti-hypertensive Agents" becomes "anti-hypertensive agents", while
"Lyme disease" and "Lipitor" stay.
"""

from __future__ import annotations

import re

from trialatlas.features.patient_summary.model import Sentence
from trialatlas.features.patient_summary.naming import Naming
from trialatlas.model.study import Study

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_TITLE_WORD = re.compile(r"^[A-Z][a-z]+(?:-[A-Za-z][a-z]+)*$")  # "Agents", "Anti-hypertensive"
# a capitalised word after a lower-case word or a comma: a name, not a sentence's start
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z,])\s+([A-Z][a-z]+(?:-[A-Za-z][a-z]+)*)\b")
_INCLUSION_END = re.compile(r"\bexclusion criteria\b", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:no|not|none|without|free (?:of|from)|absence of|never|negative|exclud\w*|rule[sd]? out)\b",
    re.IGNORECASE,
)
_WHO_WITH = re.compile(
    r"\b(?:people|patients|adults|children|women|men|persons|participants|subjects|"
    r"individuals|those|survivors|youth|veterans)\b(?:\s+\S+){0,3}?\s+(?:with|who have|"
    r"diagnosed with|suffering from|living with)\s+(?P<rest>[^.;]{0,80})",
    re.IGNORECASE,
)
_CONDITION_PEOPLE = re.compile(  # "older heart failure patients"
    r"(?P<rest>(?:(?!(?:in|of|for|with|to|and|or|the|a|an|among|by|from)\s)[A-Za-z'-]+\s+)"
    r"{1,4})(?:patients|people|survivors|sufferers)\b",
    re.IGNORECASE,
)
_FILLER = frozenset(
    {"and", "or", "of", "the", "with", "in", "a", "an", "type", "disease", "diseases", "mellitus"}
)
_LINE = re.compile(r"\n|(?<=[.;])\s+")


def _proper_words(study: Study) -> set[str]:
    """Words the record capitalises inside its sentences ("with Lyme disease") and never
    writes in lower case: names, kept as written ("Strength Training" of a study's name
    is not one when the record also writes "training")."""
    text = " ".join(
        t
        for t in (
            study.brief_summary,
            study.detailed_description,
            study.eligibility.criteria_text,
        )
        if t
    )
    lower = {w for w in _WORD.findall(text) if w.islower()}
    capital = {m.group(1) for m in _MID_SENTENCE_CAPITAL.finditer(text)}
    return {w for w in capital if w.lower() not in lower}


def in_sentence_case(name: str, proper: set[str]) -> str:
    """``name`` as a sentence writes it: each of its parts ("Anti-hypertensive Agents" of
    "… and Anti-hypertensive Agents") in lower case unless the record capitalises one of
    its words inside its own sentences (``proper``: "Rauwolfia Alkaloids" stays whole);
    acronyms and words with inner capitals stay."""
    parts = re.split(r"(, | and | or )", name)
    out = []
    for part in parts:
        words = [w.strip(",.;:!?()") for w in part.split(" ")]
        if any(_TITLE_WORD.match(w) and w in proper for w in words):
            out.append(part)
            continue
        out.append(
            " ".join(
                w.replace(c, c.lower()) if _TITLE_WORD.match(c) else w
                for w, c in zip(part.split(" "), words, strict=True)
            )
        )
    return "".join(out)


def _telling_words(condition: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(condition)}
    return {w[:-1] if w.endswith("s") and len(w) > 4 else w for w in words} - _FILLER


def _names(text: str, telling: set[str]) -> bool:
    words = {w.lower() for w in _WORD.findall(text)}
    words |= {w[:-1] for w in words if w.endswith("s") and len(w) > 4}
    return bool(telling) and telling <= words


def participants_have(study: Study, names: Naming) -> bool:
    """Do the inclusion criteria (a line that names the condition without a "no",
    "without", …) or the summary ("adults with type 2 diabetes") say that the participants
    already have the trial's condition?"""
    telling = set()
    for name in (names.condition_term, names.condition_in_text):
        if name:
            telling = telling or _telling_words(name)
    if not telling:
        return False
    criteria = study.eligibility.criteria_text or ""
    found = _INCLUSION_END.search(criteria)
    inclusion = criteria[: found.start()] if found else criteria  # older records: one list
    for line in _LINE.split(inclusion):
        if _names(line, telling) and not _NEGATION.search(line):
            return True
    for text in (study.brief_summary, study.identification.brief_title):
        for pattern in (_WHO_WITH, _CONDITION_PEOPLE):
            for match in pattern.finditer(text or ""):
                if _names(match.group("rest"), telling):
                    return True
    return False


def prevention_sentence(study: Study, names: Naming) -> Sentence | None:
    """What a prevention trial tests, in the words its participants fit (see the module)."""
    condition = names.condition_in_text
    if not names.treatment or not condition:
        return None
    proper = _proper_words(study)
    treatment = in_sentence_case(names.treatment, proper)
    condition = in_sentence_case(condition, proper)
    sources = ["design.primary_purpose", *names.treatment_sources, *names.condition_sources]
    if participants_have(study, names):
        return Sentence(
            text=f"It tests whether {treatment} can prevent health problems in people "
            f"with {condition}.",
            sources=[*sources, "eligibility.criteria_text"],
        )
    return Sentence(text=f"It tests whether {treatment} can prevent {condition}.", sources=sources)
