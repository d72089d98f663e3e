"""The note vocabulary (``data/matching/note_terms.json``), loaded once into typed rules.

Only what a patient's note needs beyond the criteria vocabularies: clinical short
forms ("HTN", "s/p", "SOB"), note-only ConText triggers ("hx of", "w/o", "PMH"),
family-history triggers, single words that are no finding on their own, the region
and country short forms that follow a place name ("Jacksonville, FL"), and the
phrases that decide smoking status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from trialatlas.features.criteria.rules import (
    DATA_DIR,
    ContextRule,
    context_rule,
    context_rules,
    read_json,
)
from trialatlas.model.criteria import EntityType

_ENTITY_TYPES = frozenset({"condition", "drug", "procedure", "measurement", "behaviour"})


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A short form as written in notes and what it stands for."""

    name: str
    type: EntityType


@dataclass(frozen=True, slots=True)
class NoteTerms:
    """The note vocabulary as matchers and sets."""

    abbreviations: dict[str, Abbreviation]  # keyed by the form (lower case if case-free)
    abbreviation_pattern: re.Pattern[str] | None
    ignore_case: frozenset[str]
    context_rules: tuple[ContextRule, ...]
    family_rules: tuple[ContextRule, ...]
    not_findings: frozenset[str]
    place_codes: frozenset[str]  # as written (upper case): "FL", "MN", "ON", "UK"
    smoking: tuple[tuple[str, re.Pattern[str]], ...]  # (status, phrases), in trial order

    def abbreviation(self, form: str) -> Abbreviation | None:
        """What ``form`` (as written) stands for, if it is a listed short form."""
        hit = self.abbreviations.get(form)
        if hit is None and form.lower() in self.ignore_case:
            hit = self.abbreviations.get(form.lower())
        return hit


NOTE_TERMS = DATA_DIR.parent / "matching" / "note_terms.json"


def _read(path: Path = NOTE_TERMS) -> dict[str, Any]:
    data: dict[str, Any] = read_json(path)
    return data


def _phrases(words: list[str]) -> re.Pattern[str]:
    body = "|".join(
        r"\s+".join(re.escape(w) for w in phrase.split())
        for phrase in sorted(words, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def _abbreviations(
    data: dict[str, Any],
) -> tuple[dict[str, Abbreviation], re.Pattern[str] | None, frozenset[str]]:
    loose = frozenset(w.lower() for w in data.get("ignore_case", []))
    table: dict[str, Abbreviation] = {}
    forms: list[str] = []
    for form, (name, etype) in data.get("abbreviations", {}).items():
        if etype not in _ENTITY_TYPES:
            raise ValueError(f"note_terms.json abbreviations.{form}: unknown type {etype!r}")
        key = form.lower() if form.lower() in loose else form
        table[key] = Abbreviation(name=name, type=etype)
        forms.append(form)
    if not forms:
        return table, None, loose
    parts = []
    for form in sorted(forms, key=len, reverse=True):
        body = r"\s+".join(re.escape(w) for w in form.split())
        parts.append(f"(?i:{body})" if form.lower() in loose else body)
    pattern = re.compile(rf"(?<![\w-])(?<![\w]/)(?:{'|'.join(parts)})(?![\w-])")
    return table, pattern, loose


def _rules(entries: list[dict[str, Any]]) -> tuple[ContextRule, ...]:
    """Note triggers; each marks the entity types the shipped file allows its category."""
    defaults = read_json("context_rules.json").get("allowed_types", {})
    return tuple(context_rule(r, defaults) for r in entries)


def _family(data: dict[str, Any]) -> tuple[ContextRule, ...]:
    """Family triggers as ConText rules (read as "historical" by the annotator that
    finds their scopes; the note reader turns those scopes into ``family``), plus the
    shipped terminators, so "family history of CAD, but no other …" stops at "but"."""
    block = data.get("family_triggers", {})
    rules = [
        ContextRule(literal=t, category="HISTORICAL", direction=direction, max_scope=10)
        for direction in ("forward", "backward")
        for t in block.get(direction, [])
    ]
    rules += [r for r in context_rules() if r.category == "TERMINATE"]
    return tuple(rules)


@cache
def note_terms() -> NoteTerms:
    """The shipped note vocabulary (read on first use)."""
    data = _read()
    table, pattern, loose = _abbreviations(data)
    smoking = data.get("smoking", {})
    return NoteTerms(
        abbreviations=table,
        abbreviation_pattern=pattern,
        ignore_case=loose,
        context_rules=_rules(data.get("context_rules", [])),
        family_rules=_family(data),
        not_findings=frozenset(w.lower() for w in data.get("not_findings", [])),
        place_codes=frozenset(data.get("place_codes", [])),
        smoking=tuple(
            (status, _phrases(smoking[status]))
            for status in ("former", "never", "current")
            if smoking.get(status)
        ),
    )
