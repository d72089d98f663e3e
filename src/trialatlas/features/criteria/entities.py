"""Entity stage: vocabulary and rule matches typed as condition, drug, lab, ….

Sources, strongest first: the curated and corpus-derived lexicons
(``lexicon_curated.json``, ``lexicon_derived.json``), the shipped drug
dictionary (:mod:`.drugs`) and the word-shape rules of
``entity_patterns.json`` (:mod:`.entity_rules`: medical suffixes, drug stems,
head nouns such as "… disease" or "… level", gated patterns). Each item is
tokenized once; vocabularies are looked up token by token (dictionary look-ups,
never a regex per term). Overlaps are resolved vocabulary first, then longest,
then by source rank; spans already taken by time windows are left alone.
Drugs get their dictionary name, conditions their ICD-10 label in a later
pass (:mod:`.normalization`), so this stage stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.drugs import drug_matcher
from trialatlas.features.criteria.entity_rules import (
    EntityRules,
    entity_rules,
    head_matches,
    pattern_matches,
    suffix_matches,
)
from trialatlas.features.criteria.lexicon import PhraseMatcher, Token
from trialatlas.features.criteria.rules import lexicon_terms
from trialatlas.model.criteria import Entity, EntityType

_RANK_LEXICON = 0
_RANK_DRUGS = 1
_RANK_RULE = 2


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


def find_candidates(
    view: str,
    tokens: list[Token],
    start: int,
    end: int,
    use_drugs: bool = True,
    rules: EntityRules | None = None,
) -> list[Candidate]:
    """Every vocabulary and rule hit inside ``view[start:end]``."""
    rules = rules if rules is not None else entity_rules()
    out: list[Candidate] = []
    for m in lexicon_matcher().find_all(tokens):
        out.append(Candidate(m.start, m.end, m.payload, _RANK_LEXICON))
    if use_drugs:
        for m in drug_matcher().find_all(tokens):
            out.append(Candidate(m.start, m.end, "drug", _RANK_DRUGS))
    for first, last, etype in suffix_matches(rules, tokens):
        out.append(Candidate(tokens[first].start, tokens[last - 1].end, etype, _RANK_RULE))
    for first, last, etype, vocabulary in head_matches(rules, view, tokens):
        rank = _RANK_LEXICON if vocabulary else _RANK_RULE
        out.append(Candidate(tokens[first].start, tokens[last - 1].end, etype, rank))
    norms = {t.norm for t in tokens}
    for s, e, etype in pattern_matches(rules, view, start, end, norms):
        out.append(Candidate(s, e, etype, _RANK_RULE))
    return out


def resolve(candidates: list[Candidate], taken: list[tuple[int, int]]) -> list[Candidate]:
    """Non-overlapping choice: vocabularies first, then longest, best rank, leftmost.

    ``taken`` spans (time windows) block every candidate. Other time
    expressions are a layer of their own: a temporal candidate competes only
    with time expressions, so "prior to **stent placement**" keeps both its
    time phrase and its procedure.
    """
    chosen: list[Candidate] = []
    occupied: dict[bool, list[tuple[int, int]]] = {True: list(taken), False: list(taken)}
    for c in sorted(
        candidates, key=lambda c: (c.rank > _RANK_DRUGS, -(c.end - c.start), c.rank, c.start)
    ):
        layer = occupied[c.type == "temporal"]
        if any(c.start < e and s < c.end for s, e in layer):
            continue
        chosen.append(c)
        layer.append((c.start, c.end))
    chosen.sort(key=lambda c: c.start)
    return chosen


class EntityFinder:
    """Stage: add typed entities to every item (after the window stage)."""

    def __init__(self, use_drug_dictionary: bool = True, rules: EntityRules | None = None) -> None:
        self.use_drug_dictionary = use_drug_dictionary
        self.rules = rules

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            self.annotate(doc, item)
        return doc

    def annotate(self, doc: CriteriaDoc, item: Item) -> None:
        """Entities of one item, appended to ``item.entities``."""
        tokens = item.words(doc.view)
        candidates = find_candidates(
            doc.view, tokens, item.start, item.end, self.use_drug_dictionary, self.rules
        )
        taken = [(e.start, e.end) for e in item.entities if e.type == "temporal"]
        for c in resolve(candidates, taken):
            if c.end - c.start < 2:
                continue
            item.entities.append(
                Entity(type=c.type, text=doc.source[c.start : c.end], start=c.start, end=c.end)
            )
        item.entities.sort(key=lambda e: e.start)
