"""ConText stage: negated, uncertain and historical entities (Chapman et al.).

Triggers come from ``context_rules.json`` as typed :class:`ContextRule`
objects (the medspaCy layout). A forward trigger ("no", "without", "history
of") covers the entities after it, a backward trigger ("… is excluded",
"HIV negative") those before it, up to ``max_scope`` tokens, the end of the
clause (``;``, ``.``, line break) or a terminating trigger ("but", "however",
"which", "except"). Scopes never leave the criterion. "non-" right before an
entity negates it ("non-pregnant", "non-diabetic") unless the two make a name
("non-small cell lung cancer"; ``context_rules.json`` ``prefix_negation``). PSEUDO triggers ("no
more than", "not only", "no increase", "gram negative") win over the shorter
triggers inside them and mark nothing. A trigger marks only the entity types
its rule allows (``allowed_types``; negation applies to conditions, drugs,
procedures … not to values or time expressions) and never an entity it
overlaps ("non-smoker" stays one entity).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.lexicon import PhraseMatcher, Token, term_key, tokenize
from trialatlas.features.criteria.rules import (
    ContextRule,
    PrefixNegation,
    context_rules,
    exclusion_prohibitions,
    prefix_negation,
)

_CLAUSE_END = re.compile(r"[;!?]|\.(?=\s|$)|\n\s*\n")
_TOKEN = re.compile(r"\S+")
_CHARS_PER_TOKEN = 40  # look this far per token when counting a scope
_FLAGS = {
    "NEGATED_EXISTENCE": "negated",
    "POSSIBLE_EXISTENCE": "uncertain",
    "HISTORICAL": "historical",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """The text one trigger covers: ``view[start:end]``, set by ``rule``."""

    rule: ContextRule
    trigger_start: int
    trigger_end: int
    start: int
    end: int


class ContextAnnotator:
    """Stage: set ``negated`` / ``uncertain`` / ``historical`` on item entities."""

    def __init__(
        self, rules: tuple[ContextRule, ...] | None = None, prefix: PrefixNegation | None = None
    ) -> None:
        """``rules`` default to ``context_rules.json``, ``prefix`` to its ``prefix_negation``
        (with explicit ``rules`` and no ``prefix``, no prefix negates)."""
        self.rules = rules if rules is not None else context_rules()
        if prefix is None:
            prefix = prefix_negation() if rules is None else PrefixNegation()
        self.prefix = prefix
        by_key: dict[tuple[str, ...], list[ContextRule]] = defaultdict(list)
        for rule in self.rules:
            by_key[term_key(rule.literal)].append(rule)
        # Triggers are looked up token by token (longest first), like the vocabularies.
        self._matcher: PhraseMatcher[tuple[ContextRule, ...]] = PhraseMatcher(max_tokens=12)
        for key, found in by_key.items():
            self._matcher.add_key(key, tuple(found))

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            self.annotate(doc, item)
        return doc

    @staticmethod
    def _clauses(view: str, start: int, end: int) -> list[tuple[int, int]]:
        out, pos = [], start
        for m in _CLAUSE_END.finditer(view, start, end):
            out.append((pos, m.start()))
            pos = m.end()
        out.append((pos, end))
        return [(s, e) for s, e in out if e > s]

    def scopes(
        self, view: str, start: int, end: int, tokens: list[Token] | None = None
    ) -> list[Scope]:
        """Every flagging trigger in ``view[start:end]`` with the text it covers."""
        tokens = tokens if tokens is not None else tokenize(view, start, end)
        found = [(m.start, m.end, m.payload) for m in self._matcher.find(tokens)]
        if not found:
            return []
        out: list[Scope] = []
        for c_start, c_end in self._clauses(view, start, end):
            hits = [h for h in found if c_start <= h[0] and h[1] <= c_end]
            if not hits:
                continue
            terminators = [
                (s, e) for s, e, rules in hits if any(r.category == "TERMINATE" for r in rules)
            ]
            term_starts = [s for s, _ in terminators]
            term_ends = sorted(e for _, e in terminators)
            for h_start, h_end, rules in hits:
                for rule in rules:
                    if rule.category not in _FLAGS:
                        continue
                    lo, hi = _scope(
                        view, h_start, h_end, rule, c_start, c_end, term_starts, term_ends
                    )
                    out.append(Scope(rule, h_start, h_end, lo, hi))
        return out

    def annotate(self, doc: CriteriaDoc, item: Item) -> None:
        """Mark the entities of one item that fall in a trigger's scope."""
        if not item.entities:
            return
        order = sorted(range(len(item.entities)), key=lambda i: item.entities[i].start)
        starts = [item.entities[i].start for i in order]
        longest = max(e.end - e.start for e in item.entities)
        flags: dict[int, set[str]] = defaultdict(set)
        for k, entity in enumerate(item.entities):
            if self.prefixed(doc.view, item.start, entity.start, entity.end, entity.type):
                flags[k].add("negated")
        for scope in self.scopes(doc.view, item.start, item.end, item.words(doc.view)):
            if item.kind == "exclusion" and scope.rule.literal in exclusion_prohibitions():
                continue  # "may not have been prescribed X" under exclusions: X excludes
            allowed = scope.rule.allowed_types
            first = bisect_left(starts, scope.start - longest)
            last = bisect_left(starts, scope.end)
            for k in range(first, last):
                entity = item.entities[order[k]]
                if allowed is not None and entity.type not in allowed:
                    continue
                if entity.start < scope.trigger_end and scope.trigger_start < entity.end:
                    continue
                if entity.start < scope.end and scope.start < entity.end:
                    flags[order[k]].add(_FLAGS[scope.rule.category])
        if flags:
            item.entities = [
                e.model_copy(update={f: True for f in flags[i]}) if i in flags else e
                for i, e in enumerate(item.entities)
            ]

    def prefixed(self, view: str, floor: int, start: int, end: int, etype: str) -> bool:
        """True when a negating prefix sits right before ``view[start:end]`` ("non-pregnant")."""
        rule = self.prefix
        if not rule.prefixes or etype not in rule.allowed_types:
            return False
        for p in rule.prefixes:
            s = start - len(p)
            if s < floor or view[s:start].lower() != p or (s > 0 and view[s - 1].isalnum()):
                continue
            first = _FIRST_WORD.match(view, start, end)
            if first is None or first.end() < end:
                return False  # "non-hormonal contraception": a kind of the thing, not its absence
            return first.group().lower() not in rule.compounds
        return False


_FIRST_WORD = re.compile(r"[\w']+")


def _scope(
    view: str,
    h_start: int,
    h_end: int,
    rule: ContextRule,
    c_start: int,
    c_end: int,
    term_starts: list[int],
    term_ends: list[int],
) -> tuple[int, int]:
    """Character range a trigger covers (clause, terminators, ``max_scope`` tokens)."""
    if rule.direction == "backward":
        k = bisect_right(term_ends, h_start)
        lo = max(c_start, term_ends[k - 1]) if k else c_start
        if rule.max_scope:
            window = max(lo, h_start - _CHARS_PER_TOKEN * rule.max_scope)
            tokens = list(_TOKEN.finditer(view, window, h_start))
            if len(tokens) > rule.max_scope:
                lo = tokens[-rule.max_scope].start()
        return lo, h_start
    k = bisect_left(term_starts, h_end)
    hi = min(c_end, term_starts[k]) if k < len(term_starts) else c_end
    if rule.max_scope:
        window = min(hi, h_end + _CHARS_PER_TOKEN * rule.max_scope)
        tokens = list(_TOKEN.finditer(view, h_end, window))
        if len(tokens) > rule.max_scope:
            hi = tokens[rule.max_scope - 1].end()
    return h_end, hi
