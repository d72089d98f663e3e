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
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.rules import ContextRule, context_rules

_CLAUSE_END = re.compile(r"[;!?]|\.(?=\s|$)|\n\s*\n")
_TOKEN = re.compile(r"\S+")
_CHARS_PER_TOKEN = 40  # look this far per token when counting a scope
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
        order = sorted(range(len(item.entities)), key=lambda i: item.entities[i].start)
        starts = [item.entities[i].start for i in order]
        longest = max(e.end - e.start for e in item.entities)
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
            term_starts = [h.start for h in hits if any(r.category == "TERMINATE" for r in h.rules)]
            term_ends = sorted(
                h.end for h in hits if any(r.category == "TERMINATE" for r in h.rules)
            )
            for hit in hits:
                for rule in hit.rules:
                    flag = _FLAGS.get(rule.category)
                    if flag is None:
                        continue
                    lo, hi = self._scope(view, hit, rule, c_start, c_end, term_starts, term_ends)
                    first = bisect_left(starts, lo - longest)
                    last = bisect_left(starts, hi)
                    for k in range(first, last):
                        entity = item.entities[order[k]]
                        if entity.start < hit.end and hit.start < entity.end:
                            continue
                        if entity.start < hi and lo < entity.end:
                            flags[order[k]].add(flag)
        if flags:
            item.entities = [
                e.model_copy(update={f: True for f in flags[i]}) if i in flags else e
                for i, e in enumerate(item.entities)
            ]

    @staticmethod
    def _scope(
        view: str,
        hit: _Hit,
        rule: ContextRule,
        c_start: int,
        c_end: int,
        term_starts: list[int],
        term_ends: list[int],
    ) -> tuple[int, int]:
        """Character range a trigger covers (clause, terminators, ``max_scope`` tokens)."""
        if rule.direction == "backward":
            k = bisect_right(term_ends, hit.start)
            lo = max(c_start, term_ends[k - 1]) if k else c_start
            if rule.max_scope:
                window = max(lo, hit.start - _CHARS_PER_TOKEN * rule.max_scope)
                tokens = list(_TOKEN.finditer(view, window, hit.start))
                if len(tokens) > rule.max_scope:
                    lo = tokens[-rule.max_scope].start()
            return lo, hit.start
        k = bisect_left(term_starts, hit.end)
        hi = min(c_end, term_starts[k]) if k < len(term_starts) else c_end
        if rule.max_scope:
            window = min(hi, hit.end + _CHARS_PER_TOKEN * rule.max_scope)
            tokens = list(_TOKEN.finditer(view, hit.end, window))
            if len(tokens) > rule.max_scope:
                hi = tokens[rule.max_scope - 1].end()
        return hit.end, hi
