"""Entity stage: vocabulary and rule matches typed as condition, drug, lab, ….

Sources, strongest first: the curated and corpus-derived lexicons
(``lexicon_curated.json``, ``lexicon_derived.json``), the shipped drug
dictionary (:mod:`.drugs`) and word-shape patterns (``entity_patterns.json``:
medical suffixes, drug stems, "X level", "… disease"). Overlaps are resolved
longest first, then by source rank; spans already taken by time windows are
left alone. Drugs get their dictionary name, conditions their ICD-10 label
(:mod:`.conditions`) in a later pass, so this stage stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.drugs import drug_matcher
from trialatlas.features.criteria.lexicon import PhraseMatcher, Token, tokenize
from trialatlas.features.criteria.rules import (
    lexicon_terms,
    pattern_generic_words,
    pattern_rules,
    pattern_trim_words,
    stop_terms,
)
from trialatlas.model.criteria import Entity, EntityType

_RANK_LEXICON = 0
_RANK_DRUGS = 1
_RANK_PATTERN = 2
_TRIMMED_TYPES = {"condition", "measurement", "drug", "procedure"}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible entity before overlap resolution."""

    start: int
    end: int
    type: EntityType
    rank: int


@cache
def lexicon_matcher() -> PhraseMatcher[EntityType]:
    """Matcher over the curated + derived lexicons (built on first use)."""
    return PhraseMatcher(lexicon_terms().items(), max_tokens=8)


def _trim(view: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading function words and qualifiers from a pattern match.

    A match left with only its generic head word ("level", "agents") is dropped.
    """
    trim = pattern_trim_words()
    tokens = [t for t in tokenize(view, start, end) if t.text not in "()[],;:"]
    i = 0
    while i < len(tokens) - 1 and tokens[i].text.lower() in trim:
        i += 1
    if not tokens or (i == len(tokens) - 1 and tokens[i].text.lower() in pattern_generic_words()):
        return start, start
    return tokens[i].start, end


def find_candidates(
    view: str, tokens: list[Token], start: int, end: int, use_drugs: bool = True
) -> list[Candidate]:
    """Every vocabulary and pattern hit inside ``view[start:end]``."""
    out: list[Candidate] = []
    for m in lexicon_matcher().find_all(tokens):
        out.append(Candidate(m.start, m.end, m.payload, _RANK_LEXICON))
    if use_drugs:
        stop = stop_terms()
        for m in drug_matcher().find_all(tokens):
            if view[m.start : m.end].lower() not in stop:
                out.append(Candidate(m.start, m.end, "drug", _RANK_DRUGS))
    for rule in pattern_rules():
        for m in rule.pattern.finditer(view, start, end):
            s, e = m.span()
            if rule.type in _TRIMMED_TYPES:
                s, e = _trim(view, s, e)
            if e - s >= 2:
                out.append(Candidate(s, e, rule.type, _RANK_PATTERN))
    return out


def resolve(candidates: list[Candidate], taken: list[tuple[int, int]]) -> list[Candidate]:
    """Non-overlapping choice: longest first, then best rank, then leftmost."""
    chosen: list[Candidate] = []
    occupied = list(taken)
    for c in sorted(
        candidates, key=lambda c: (c.rank > _RANK_DRUGS, -(c.end - c.start), c.rank, c.start)
    ):
        if any(c.start < e and s < c.end for s, e in occupied):
            continue
        chosen.append(c)
        occupied.append((c.start, c.end))
    chosen.sort(key=lambda c: c.start)
    return chosen


class EntityFinder:
    """Stage: add typed entities to every item (after the window stage)."""

    def __init__(self, use_drug_dictionary: bool = True) -> None:
        self.use_drug_dictionary = use_drug_dictionary

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            self.annotate(doc, item)
        return doc

    def annotate(self, doc: CriteriaDoc, item: Item) -> None:
        """Entities of one item, appended to ``item.entities``."""
        tokens = tokenize(doc.view, item.start, item.end)
        candidates = find_candidates(
            doc.view, tokens, item.start, item.end, self.use_drug_dictionary
        )
        taken = [(e.start, e.end) for e in item.entities]
        for c in resolve(candidates, taken):
            item.entities.append(
                Entity(type=c.type, text=doc.source[c.start : c.end], start=c.start, end=c.end)
            )
        item.entities.sort(key=lambda e: e.start)
