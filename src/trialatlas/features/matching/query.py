"""From what was understood of a patient to retrieval queries.

The note itself is a poor query (MATCHING-NOTES.md: the whole note gives the
baseline): the keywords are its present conditions, weighted above what was done
(procedures) and taken (medicines); a finding that is ruled out, only in the
family or only suspected never becomes a keyword. The dense query reads like the
registry's own titles ("low back pain; facet joint syndrome").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

# statuses of a finding that describe the patient (the others never become keywords)
PATIENT_STATUSES = frozenset({"present", "history"})
_CONDITION_WEIGHT = 3
_PROCEDURE_WEIGHT = 1
_MEDICATION_WEIGHT = 1
_MAX_CONDITIONS = 12


class FindingLike(Protocol):
    text: str
    name: str
    status: str
    sentence: int | None


@dataclass(slots=True)
class PatientQuery:
    """Weighted keyword terms (a term repeated weighs more), the title-field terms,
    and the dense query text."""

    terms: list[str] = field(default_factory=list)
    condition_terms: list[str] = field(default_factory=list)
    dense_text: str = ""
    shown_terms: list[str] = field(default_factory=list)


def _distinct(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        key = " ".join(name.lower().split())
        if key and key not in seen:
            seen[key] = name.strip()
    return list(seen.values())


# words that end a condition's modifiers when reading back from it ("man with chronic
# facet-mediated low back pain" → "chronic facet-mediated low back pain")
_MODIFIER_STOPS = frozenset([
    "a", "an", "the", "his", "her", "their", "its", "with", "without", "of", "and", "or",
    "for", "from", "has", "had", "have", "having", "is", "was", "were", "are", "be", "been",
    "to", "in", "on", "at", "by", "who", "which", "that", "presents", "presented",
    "presenting", "complains", "history", "diagnosed", "denies", "no", "not", "patient",
    "man", "woman", "male", "female", "boy", "girl", "child",
])  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*$")


def modifiers(facts: Any, finding: Any, max_words: int = 3) -> list[str]:
    """Up to ``max_words`` words that qualify the finding just before it in its sentence
    ("facet-mediated" in "chronic facet-mediated low back pain"); none when unknown."""
    index, start = getattr(finding, "sentence", None), getattr(finding, "start", None)
    spans = getattr(facts, "sentence_spans", [])
    if index is None or start is None or index >= len(spans):
        return []
    before = facts.sentences[index][: max(start - spans[index][0], 0)]
    words: list[str] = []
    for word in reversed(before.split()):
        if not _WORD.match(word) or word.lower() in _MODIFIER_STOPS or len(words) >= max_words:
            break
        words.insert(0, word)
    return words


def modified_text(facts: Any, finding: Any) -> str:
    """The finding as written with its modifiers ("metastatic breast cancer")."""
    return " ".join([*modifiers(facts, finding), str(finding.text)])


def _name_words(names: list[str]) -> list[str]:
    from trialatlas.store.fts_query import STOPWORDS

    words = [w for name in names if " " in name for w in re.split(r"[\s,/-]+", name)]
    return [w for w in words if len(w) > 2 and w.lower() not in STOPWORDS]


def _patient_findings(findings: Iterable[Any]) -> list[Any]:
    return [f for f in findings if getattr(f, "status", "present") in PATIENT_STATUSES]


def build_query(facts: Any, *, expand: bool = True) -> PatientQuery:
    """Keyword and dense queries from ``facts`` (a ``PatientFacts``)."""
    conditions = _patient_findings(facts.conditions)
    # present before history: what the patient has now leads
    conditions.sort(key=lambda f: 0 if f.status == "present" else 1)
    names = _distinct(f.name for f in conditions)[:_MAX_CONDITIONS]
    written = _distinct(modified_text(facts, f) for f in conditions) if expand else []
    procedures = _distinct(f.name for f in _patient_findings(facts.procedures))[:6]
    medications = _distinct(f.name for f in _patient_findings(facts.medications))[:6]

    terms: list[str] = []
    for name in names:
        terms.extend([name] * _CONDITION_WEIGHT)
    lowered = {n.lower() for n in names}
    name_words = {w for n in lowered for w in re.split(r"[\s-]+", n)}
    for text in written:
        if text.lower() not in lowered:
            terms.append(text)
            # each modifier word on its own too: a rare one ("facet") says much
            terms.extend(w for w in re.split(r"[\s-]+", text) if w.lower() not in name_words)
    for name in procedures:
        terms.extend([name] * _PROCEDURE_WEIGHT)
    for name in medications:
        terms.extend([name] * _MEDICATION_WEIGHT)
    age = getattr(facts, "age", None)
    if age is not None and age < 18:
        terms.extend(["children", "pediatric"])
    # the dense query reads like a registry title: normalized names with their modifiers
    dense_names = _distinct(" ".join([*modifiers(facts, f), f.name]) for f in conditions)[
        :_MAX_CONDITIONS
    ]
    dense_parts = dense_names + procedures[:3]
    dense_text = "; ".join(dense_parts)
    return PatientQuery(
        terms=terms,
        # a profile has no note to add words: its names' words too, so "chronic low back
        # pain" finds "Low Back Pain"
        condition_terms=_distinct(
            names
            + [t for t in written if t not in names]
            + ([] if facts.sentences else _name_words(names))
        ),
        dense_text=dense_text,
        shown_terms=_distinct(names + procedures + medications),
    )
