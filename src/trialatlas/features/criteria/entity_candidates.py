"""Entity candidates: every vocabulary and rule hit in an item, and the choice among them.

Vocabularies (the curated and derived lexicons, the shipped drug dictionary) are
looked up token by token in one merged matcher; the word-shape rules of
``entity_patterns.json`` (:mod:`.entity_rules`) add their hits. A measurement only a
word shape suggests needs a result near it; overlaps are resolved vocabulary first,
then longest, then by source rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

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
from trialatlas.model.criteria import EntityType

_RANK_LEXICON = 0
_RANK_DRUGS = 1
RANK_RULE = 2  # the rank of a candidate found by a rule, not looked up


@dataclass(slots=True)
class Candidate:
    """A possible entity before overlap resolution."""

    start: int
    end: int
    type: EntityType
    rank: int
    shape: bool = False  # found by a word-shape rule, not looked up in a vocabulary


Vocabulary = PhraseMatcher[EntityType | int]  # lexicon type, or a drug-dictionary concept index


@cache
def lexicon_matcher() -> PhraseMatcher[EntityType]:
    """Matcher over the curated + derived lexicons (built on first use)."""
    return PhraseMatcher(lexicon_terms().items(), max_tokens=8)


@cache
def vocabulary_matcher(use_drugs: bool = True) -> Vocabulary:
    """The drug dictionary and the lexicons in one matcher (one look-up per token)."""
    return combine_vocabularies(lexicon_matcher(), use_drugs)


def combine_vocabularies(lexicon: PhraseMatcher[EntityType], use_drugs: bool) -> Vocabulary:
    """Lexicon terms over the drug dictionary: the lexicon wins on a shared term."""
    return PhraseMatcher.merged(drug_matcher(), lexicon) if use_drugs else lexicon  # type: ignore[return-value]


def find_candidates(
    view: str,
    tokens: list[Token],
    start: int,
    end: int,
    vocabulary: Vocabulary | None = None,
    rules: EntityRules | None = None,
) -> list[Candidate]:
    """Every vocabulary and rule hit inside ``view[start:end]``."""
    rules = rules if rules is not None else entity_rules()
    vocabulary = vocabulary if vocabulary is not None else vocabulary_matcher()
    norms = {t.norm for t in tokens}
    # vocabulary-ranked patterns first: on the same span, the rule that reads the
    # context ("24 weeks **gestation**" measured) beats the context-free term
    patterns = pattern_matches(rules, view, start, end, norms)
    out = [Candidate(s, e, etype, _RANK_LEXICON, True) for s, e, etype, vocab in patterns if vocab]
    for m in vocabulary.find_all(tokens):
        if isinstance(m.payload, int):  # a drug-dictionary concept
            out.append(Candidate(m.start, m.end, "drug", _RANK_DRUGS))
        else:
            out.append(Candidate(m.start, m.end, m.payload, _RANK_LEXICON))
    for first, last, etype in suffix_matches(rules, tokens):
        out.append(Candidate(tokens[first].start, tokens[last - 1].end, etype, RANK_RULE, True))
    for first, last, etype, vocabulary in head_matches(rules, view, tokens):
        rank = _RANK_LEXICON if vocabulary else RANK_RULE
        out.append(Candidate(tokens[first].start, tokens[last - 1].end, etype, rank, True))
    for s, e, etype, vocab in patterns:
        if not vocab:
            out.append(Candidate(s, e, etype, RANK_RULE, True))
    return out


_RESULT_AFTER = re.compile(r"[^.;\n]{0,40}?(?:\d|\b(?:positive|negative|ULN)\b)", re.IGNORECASE)
_RESULT_BEFORE = re.compile(r"(?:\d|\b(?:positive|negative)\b)[^.;\n\d]{0,20}$", re.IGNORECASE)


def inside(c: Candidate, spans: list[tuple[int, int]]) -> bool:
    """True when ``c`` lies strictly inside one of ``spans`` (shorter, not the same span)."""
    return any(s <= c.start and c.end <= e and c.end - c.start < e - s for s, e in spans)


def unmeasured(
    view: str,
    tokens: list[Token],
    start: int,
    end: int,
    candidates: list[Candidate],
    rules: EntityRules,
) -> tuple[list[Candidate], list[tuple[int, int]]]:
    """A measurement only a word shape suggests ("blood **sample**", "acceptable
    **level**", "SCID **Screen**") needs a result near it: a number, "positive",
    "× ULN" after it or a number just before, unless it names an instrument
    ("Rotterdam **criteria**": ``named_measures``). No measurement qualifies the
    word after it ("glucose **regulation**", "weight-**lowering**":
    ``unmeasured_before``). Returns the candidates kept and the spans of those
    left out (shorter candidates inside them stay out too)."""
    kept: list[Candidate] = []
    dropped: list[tuple[int, int]] = []
    last = {t.end: t.norm for t in tokens}
    following = {a.end: b.norm for a, b in zip(tokens, tokens[1:], strict=False)}
    for c in candidates:
        if c.type == "measurement" and following.get(c.end) in rules.unmeasured_before:
            dropped.append((c.start, c.end))  # "glucose regulation", "weight-lowering"
            continue
        if (
            c.type != "measurement"
            or not c.shape
            or last.get(c.end) in rules.named_measures
            or _RESULT_AFTER.match(view, c.end, end)
            or _RESULT_BEFORE.search(view, max(start, c.start - 24), c.start)
        ):
            kept.append(c)
        else:
            dropped.append((c.start, c.end))
    return kept, dropped


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
