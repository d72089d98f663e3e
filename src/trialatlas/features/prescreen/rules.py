"""The pre-screener's rules, loaded from JSON data files into typed objects.

``data/prescreen/measures.json`` (measurements and scales), ``phrasing.json`` (how
questions are worded, which phrases mean "the study team decides") and
``drug_classes.json`` (class → member drugs). Read on first use, never at import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "prescreen"


def _read(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def alias_pattern(alias: str) -> re.Pattern[str]:
    """Whole-word pattern; short all-capital aliases (``MED``, ``ALT``) match case-sensitively."""
    body = r"[\s-]+".join(re.escape(part) for part in alias.split())
    flags = 0 if (alias.isupper() and len(alias) <= 4) else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}(?![\w])", flags)


@dataclass(frozen=True)
class Measure:
    """A measurement or scale a comparison can be about."""

    id: str
    aliases: tuple[str, ...]
    group: str
    question: str
    label: str
    units: tuple[str, ...]
    default_subject: str | None = None
    help: str | None = None
    molar_mass: float | None = None
    ifcc: bool = False
    profile_names: tuple[str, ...] = ()
    per_ul_from: float | None = None  # a blood cell count: a bare limit this big is per µL
    patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False)

    @property
    def uses_subject(self) -> bool:
        return "{subject}" in self.question


@dataclass(frozen=True)
class Rewrite:
    """A sentence pattern and the question templates it produces."""

    pattern: re.Pattern[str]
    templates: dict[str, str]
    group: str | None = None
    flip: bool = False
    terms: str | None = None  # entity type a profile is matched on; "none": never


@dataclass(frozen=True)
class Phrasing:
    rewrites: tuple[Rewrite, ...]
    judgement: tuple[str, ...]
    team_only: tuple[re.Pattern[str], ...]
    team_tests: tuple[re.Pattern[str], ...]  # the team's tests or records, even with a number
    team_tests_unless_named: tuple[re.Pattern[str], ...]
    exception_markers: tuple[str, ...]
    example_markers: tuple[str, ...]
    trailing_markers: tuple[str, ...]  # cut from a question, never shown as examples
    conditional_starts: tuple[str, ...]
    generic_terms: frozenset[str]
    countable_heads: frozenset[str]
    plain_words: tuple[tuple[re.Pattern[str], str], ...]
    max_question_words: int
    section_headings: frozenset[str] = frozenset()
    not_criteria: tuple[re.Pattern[str], ...] = ()
    lab_abnormalities: tuple[re.Pattern[str], ...] = ()  # the team's lab results
    positive_things: tuple[re.Pattern[str], ...] = ()  # "No venous access": absence excludes


@dataclass(frozen=True)
class DrugClass:
    id: str
    names: tuple[re.Pattern[str], ...]
    members: frozenset[str]


@cache
def measures() -> tuple[Measure, ...]:
    """Every known measure, in file order."""
    out = []
    for raw in _read("measures.json")["measures"]:
        aliases = tuple(raw["aliases"])
        out.append(
            Measure(
                id=raw["id"],
                aliases=aliases,
                group=raw["group"],
                question=raw["question"],
                label=raw["label"],
                units=tuple(raw.get("units", [])),
                default_subject=raw.get("default_subject"),
                help=raw.get("help"),
                molar_mass=raw.get("molar_mass"),
                ifcc=bool(raw.get("ifcc", False)),
                profile_names=tuple(raw.get("profile_names", [])),
                per_ul_from=raw.get("per_ul_from"),
                patterns=tuple(alias_pattern(a) for a in aliases),
            )
        )
    return tuple(out)


@cache
def measure_by_id(measure_id: str) -> Measure | None:
    return next((m for m in measures() if m.id == measure_id), None)


def _pattern(source: str) -> re.Pattern[str]:
    """Case-insensitive, except a pattern with a capitalised short form (``IHC``,
    ``FISH``, ``MSS``) that would otherwise match an everyday word ("fish")."""
    if re.search(r"\b[A-Z]{2,}\b", source.replace("\\b", " ")):
        return re.compile(source)
    return re.compile(source, re.IGNORECASE)


@cache
def phrasing() -> Phrasing:
    raw = _read("phrasing.json")
    rewrites = tuple(
        Rewrite(
            pattern=re.compile(r["pattern"], re.IGNORECASE | re.DOTALL),
            templates=dict(r["templates"]),
            group=r.get("group"),
            flip=bool(r.get("flip", False)),
            terms=r.get("terms"),
        )
        for r in raw["rewrites"]
    )
    plain = tuple(
        (re.compile(rf"(?<![\w-]){re.escape(k)}(?![\w])", re.IGNORECASE), v)
        for k, v in sorted(raw["plain_words"].items(), key=lambda kv: -len(kv[0]))
    )
    return Phrasing(
        rewrites=rewrites,
        judgement=tuple(s.lower() for s in raw["judgement"]),
        team_only=tuple(re.compile(p, re.IGNORECASE) for p in raw["team_only"]),
        team_tests=tuple(_pattern(p) for p in raw.get("team_tests", ())),
        team_tests_unless_named=tuple(_pattern(p) for p in raw.get("team_tests_unless_named", ())),
        exception_markers=tuple(raw["exception_markers"]),
        example_markers=tuple(raw["example_markers"]),
        trailing_markers=tuple(raw.get("trailing_markers", ())),
        conditional_starts=tuple(s.lower() for s in raw["conditional_starts"]),
        generic_terms=frozenset(s.lower() for s in raw["generic_terms"]),
        countable_heads=frozenset(s.lower() for s in raw["countable_heads"]),
        plain_words=plain,
        max_question_words=int(raw.get("max_question_words", 30)),
        section_headings=frozenset(s.lower() for s in raw.get("section_headings", ())),
        not_criteria=tuple(re.compile(p, re.IGNORECASE) for p in raw.get("not_criteria", ())),
        lab_abnormalities=tuple(
            re.compile(p, re.IGNORECASE) for p in raw.get("lab_abnormalities", ())
        ),
        positive_things=tuple(
            re.compile(rf"(?:[\w'/-]+\s+){{0,3}}?(?:{p})\b", re.IGNORECASE)
            for p in raw.get("positive_things", ())
        ),
    )


@cache
def drug_classes() -> tuple[DrugClass, ...]:
    return tuple(
        DrugClass(
            id=raw["id"],
            names=tuple(alias_pattern(n.lower()) for n in raw["names"]),
            members=frozenset(m.lower() for m in raw["members"]),
        )
        for raw in _read("drug_classes.json")["classes"]
    )


def class_members(drug_text: str) -> frozenset[str]:
    """Member drug names of every class named in ``drug_text`` (empty if none)."""
    members: set[str] = set()
    for cls in drug_classes():
        if any(p.search(drug_text) for p in cls.names):
            members |= cls.members
    return frozenset(members)
