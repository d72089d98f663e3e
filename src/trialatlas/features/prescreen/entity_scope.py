"""Which named things a yes/no question asks about, and how far a negation reaches.

The askable entities of a criterion (``specific_entities``), their profile terms
(qualified, scoped), whether every one must apply, objects of "to" left out, and the
negations ("non-pregnant", "not pregnant or nursing", an exclusion's "No …") that
turn a criterion's yes around.
"""

from __future__ import annotations

import re

from trialatlas.features.prescreen.model import ProfileTerm
from trialatlas.features.prescreen.phrasing import (
    exception_spans,
    lab_abnormality_spans,
    lead_sentence,
    plain_words,
    unescape,
)
from trialatlas.features.prescreen.rules import phrasing
from trialatlas.features.prescreen.term_scope import scoped_term
from trialatlas.model.criteria import Criterion, Entity

ASKABLE = ("pregnancy", "condition", "drug", "procedure", "behaviour", "device")
_TO_PHRASE = re.compile(
    r"(?<!limited )(?<!due )(?<!related )(?<!prior )\bto(?:\s+[\w/-]+){0,3}\s*$"
)
_NEGATION_PREFIX = re.compile(
    r"(?:\bnon|\bnot(?:\s+be)?|\bno|\b(?:refrain|abstain)\s+from|\bavoid|\bnot\s+to)[\s-]*$",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    r"\b(?:uncontrolled|poorly controlled|severe|significant|unstable|advanced|decompensated|"
    r"untreated|refractory|end[- ]stage|malignant|life[- ]threatening)\b",
    re.IGNORECASE,
)
_BARE_ADJECTIVE = re.compile(r"^[a-z]+(?:al|ic|ary|ous|ive|ian)$")
CONTRACEPTION = re.compile(r"contracept|birth[- ]control", re.IGNORECASE)


_ADJACENT = re.compile(r"^[ \t]+(?:[A-Za-z-]+[ \t]+){0,2}$")


def _joined_adjectives(criterion: Criterion) -> list[Entity]:
    """The criterion's entities, a lone adjective the parser split off joined to the name
    right after it ("ovarian" + "cancer" in "ovarian epithelial cancer")."""
    entities = sorted(criterion.entities, key=lambda e: e.start)
    out: list[Entity] = []
    skip: set[int] = set()
    for n, entity in enumerate(entities):
        if n in skip:
            continue
        if entity.type == "condition" and _BARE_ADJECTIVE.match(entity.text.lower()):
            nxt = next(
                (
                    (m, e)
                    for m, e in enumerate(entities[n + 1 :], n + 1)
                    if e.type == "condition" and e.start >= entity.end
                ),
                None,
            )
            if nxt is not None:
                gap = criterion.text[entity.end - criterion.start : nxt[1].start - criterion.start]
                words = gap.lower().split()
                if _ADJACENT.match(gap) and not {"or", "and", "nor"} & set(words):
                    m, other = nxt
                    text = criterion.text[
                        entity.start - criterion.start : other.end - criterion.start
                    ]
                    out.append(
                        other.model_copy(
                            update={
                                "text": text,
                                "start": entity.start,
                                "normalized": None,
                                "code": None,
                            }
                        )
                    )
                    skip.add(m)
                    continue
        out.append(entity)
    return out


def specific_entities(
    criterion: Criterion, end: int | None = None, covered: set[str] | None = None
) -> list[Entity]:
    """Askable entities (not generic, not uncertain) up to offset ``end``, de-duplicated."""
    generic = phrasing().generic_terms
    covered = covered or set()
    exempt = exception_spans(criterion.text) + lab_abnormality_spans(criterion.text)
    out: list[Entity] = []
    for entity in _joined_adjectives(criterion):
        if entity.type not in ASKABLE or entity.uncertain:
            continue
        rel = entity.start - criterion.start
        if any(a <= rel < b for a, b in exempt):
            continue  # "… excluding skin cancers" (an exception), "abnormal urinalysis results"
        if end is not None and entity.start >= end:
            continue
        name = entity.text.lower()
        if name in generic or name in covered:
            continue
        if CONTRACEPTION.search(name):
            continue  # asked only as "will you use birth control" (contraception_spec)
        if entity.type == "condition" and _BARE_ADJECTIVE.match(name):
            continue  # "gastrointestinal", "renal": an adjective standing for a list
        if any(
            name == e.text.lower() or (e.start <= entity.start and entity.end <= e.end) for e in out
        ):
            continue
        out = [e for e in out if not (entity.start <= e.start and e.end <= entity.end)]
        out.append(entity)
    return out


def profile_terms(entities: list[Entity], criterion: Criterion | None = None) -> list[ProfileTerm]:
    """Profile terms; a term narrowed by a severity word ("uncontrolled") is marked qualified."""
    out = []
    for e in entities:
        qualified = bool(_QUALIFIER.search(e.text))
        if criterion is not None and not qualified:
            rel = e.start - criterion.start
            qualified = bool(
                _QUALIFIER.search(criterion.text[max(0, rel - 30) : rel].split(",")[-1])
            )
        term = ProfileTerm(
            type=e.type,  # type: ignore[arg-type]
            text=e.text,
            normalized=e.normalized,
            code=e.code,
            qualified=qualified,
        )
        if criterion is not None:  # "HER2 positive breast cancer", "other malignancy"
            rel = e.start - criterion.start
            treated = tuple(
                t.end - criterion.start
                for t in criterion.entities
                if t.type in ("drug", "procedure") and t.end <= e.start
            )
            term = scoped_term(term, criterion.text, rel, rel + len(e.text), treated)
        out.append(term)
    return out


def requires_all(text: str, names: list[str]) -> bool:
    """``osteoporosis with pathological fracture``, ``X and taken Y``: every one must apply."""
    lowered = text.lower()
    for a, b in zip(names, names[1:], strict=False):
        i, j = lowered.find(a.lower()), lowered.find(b.lower())
        if i < 0 or j < 0 or j < i:
            continue
        between = f" {lowered[i + len(a) : j]} "
        if (
            (" with " in between or " and " in between)
            and "," not in between
            and " or " not in between
        ):
            return True
    return False


def object_of_to(entity: Entity, source: str, base: int) -> bool:
    """Objects of "to" ("contraindication to MRI") are not what the criterion is about."""
    before = source[max(0, entity.start - base - 40) : entity.start - base].lower()
    return bool(_TO_PHRASE.search(before))


def asked_about(question: str, entities: list[Entity], source: str, base: int) -> list[Entity]:
    """Entities the question names, except objects of "to"."""
    lowered = question.lower()
    return [
        e
        for e in entities
        if (e.text.lower() in lowered or plain_words(e.text).lower() in lowered)
        and not object_of_to(e, source, base)
    ]


_LEADING_NO = re.compile(r"^[\W_]*(?:no|not)\b\s*", re.IGNORECASE)
_RESTATED_TYPES = frozenset({"condition", "drug", "pregnancy", "behaviour", "procedure", "device"})


def restates_exclusion(criterion: Criterion) -> bool:
    """ "No clinically evident brain metastases", "Not pregnant", "Not currently taking
    theophylline" under an exclusion heading restate the exclusion (the registry's double
    negative): the thing named excludes, so a yes goes against it. Never the absence of
    something good ("No venous access", "Not a surgical candidate", "not able to …":
    ``positive_things`` in ``phrasing.json``), which excludes as written."""
    if criterion.kind != "exclusion":
        return False
    text = unescape(criterion.text)
    match = _LEADING_NO.match(text)
    if match is None:
        return False
    rest = text[match.end() :]
    if any(p.match(rest) for p in phrasing().positive_things):
        return False
    lead_end = criterion.start + lead_sentence(criterion.text)[1]
    named = [
        e
        for e in criterion.entities
        if e.type in _RESTATED_TYPES and criterion.start + match.end() <= e.start < lead_end
    ]
    return bool(named)


def negated_prefix(criterion: Criterion, entity: Entity) -> bool:
    """``non-pregnant``, ``not pregnant``: negations the entity's own span leaves out."""
    rel = entity.start - criterion.start
    return bool(_NEGATION_PREFIX.search(criterion.text[max(0, rel - 16) : rel]))


_LIST_GAP = re.compile(r"^\s*(?:,|/|\bor\b|\bnor\b|\band\b)(?:\s*(?:or|and)\b)?\s*$", re.I)


def negated_list(criterion: Criterion, entities: list[Entity]) -> set[int]:
    """Ids of the negated entities: a negation covers the list it begins ("not pregnant or
    nursing", "no pregnancy, breast feeding")."""
    out: set[int] = set()
    previous: Entity | None = None
    for entity in sorted(entities, key=lambda e: e.start):
        listed = previous is not None and id(previous) in out
        if listed and previous is not None:
            gap = criterion.text[previous.end - criterion.start : entity.start - criterion.start]
            listed = bool(_LIST_GAP.match(gap))
        if listed or negated_prefix(criterion, entity):
            out.add(id(entity))
        previous = entity
    return out
