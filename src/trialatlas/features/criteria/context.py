"""ConText stage: negated, uncertain and historical entities (Chapman et al.).

Triggers come from ``context_rules.json`` as typed :class:`ContextRule`
objects (the medspaCy layout). A forward trigger ("no", "without", "history
of") covers the entities after it, a backward trigger ("… is excluded",
"HIV negative") those before it, up to ``max_scope`` tokens, the end of the
clause (``;``, ``.``, line break) or a terminating trigger ("but", "which",
"except"). PSEUDO triggers ("no more than", "not limited to") win over the
shorter triggers inside them and mark nothing. A trigger never marks an
entity it overlaps ("non-smoker" stays one entity).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.rules import ContextRule, context_rules

_CLAUSE_END = re.compile(r"[;!?]|\.(?=\s|$)|\n\s*\n")
_TOKEN = re.compile(r"\S+")
_FLAGS = {
    "NEGATED_EXISTENCE": "negated",
    "POSSIBLE_EXISTENCE": "uncertain",
    "HISTORICAL": "historical",
}


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    rules: tuple[ContextRule, ...]


class ContextAnnotator:
    """Stage: set ``negated`` / ``uncertain`` / ``historical`` on item entities."""

    def __init__(self, rules: tuple[ContextRule, ...] | None = None) -> None:
        self.rules = rules if rules is not None else context_rules()
        by_literal: dict[str, list[ContextRule]] = defaultdict(list)
        for rule in self.rules:
            by_literal[" ".join(rule.literal.lower().split())].append(rule)
        self._by_literal = {k: tuple(v) for k, v in by_literal.items()}
        alternatives = sorted(self._by_literal, key=len, reverse=True)
        body = "|".join(r"\s+".join(re.escape(w) for w in lit.split()) for lit in alternatives)
        self._pattern = (
            re.compile(rf"(?<![\w-])(?:{body})(?![\w])", re.IGNORECASE) if body else None
        )

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            self.annotate(doc, item)
        return doc

    def _clauses(self, view: str, start: int, end: int) -> list[tuple[int, int]]:
        out, pos = [], start
        for m in _CLAUSE_END.finditer(view, start, end):
            out.append((pos, m.start()))
            pos = m.end()
        out.append((pos, end))
        return [(s, e) for s, e in out if e > s]

    def annotate(self, doc: CriteriaDoc, item: Item) -> None:
        """Mark the entities of one item that fall in a trigger's scope."""
        if self._pattern is None or not item.entities:
            return
        view = doc.view
        flags: dict[int, set[str]] = defaultdict(set)
        for c_start, c_end in self._clauses(view, item.start, item.end):
            hits = [
                _Hit(
                    m.start(),
                    m.end(),
                    self._by_literal.get(" ".join(m.group().lower().split()), ()),
                )
                for m in self._pattern.finditer(view, c_start, c_end)
            ]
            terminators = [h for h in hits if any(r.category == "TERMINATE" for r in h.rules)]
            for hit in hits:
                for rule in hit.rules:
                    flag = _FLAGS.get(rule.category)
                    if flag is None:
                        continue
                    lo, hi = self._scope(view, hit, rule, c_start, c_end, terminators)
                    for idx, entity in enumerate(item.entities):
                        if entity.start < hit.end and hit.start < entity.end:
                            continue
                        if entity.start < hi and lo < entity.end:
                            flags[idx].add(flag)
        if flags:
            item.entities = [
                e.model_copy(update={f: True for f in flags[i]}) if i in flags else e
                for i, e in enumerate(item.entities)
            ]

    @staticmethod
    def _scope(
        view: str, hit: _Hit, rule: ContextRule, c_start: int, c_end: int, terminators: list[_Hit]
    ) -> tuple[int, int]:
        if rule.direction == "backward":
            lo = max([c_start] + [t.end for t in terminators if t.end <= hit.start])
            if rule.max_scope:
                tokens = list(_TOKEN.finditer(view, lo, hit.start))
                if len(tokens) > rule.max_scope:
                    lo = tokens[-rule.max_scope].start()
            return lo, hit.start
        hi = min([c_end] + [t.start for t in terminators if t.start >= hit.end])
        if rule.max_scope:
            tokens = list(_TOKEN.finditer(view, hit.end, hi))
            if len(tokens) > rule.max_scope:
                hi = tokens[rule.max_scope - 1].end()
        return hit.end, hi
