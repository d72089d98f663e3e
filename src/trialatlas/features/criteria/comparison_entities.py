"""The entities a comparison stands for: a ``value`` or ``temporal`` entity, its subject typed.

A bounded amount becomes a ``value`` entity, or ``temporal`` when it is elapsed time
("< 3 months"); a small count ("at least one") none, unless it follows a grade or a
score. What a value bounds is a measurement ("ALAT > 2 × ULN"), and a drug name
bounded by a level is a lab ("testosterone > 15 ng/dL"). Bare quantities and scores
the comparisons left become entities too (:mod:`.quantities`).
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.document import CriteriaDoc, Item, make_entity
from trialatlas.features.criteria.entity_rules import measured_heads
from trialatlas.features.criteria.lexicon import normalize_token
from trialatlas.features.criteria.quantities import bare_quantities, letter_grades, score_values
from trialatlas.features.criteria.units import is_time_unit, time_unit_name
from trialatlas.features.criteria.windows import is_value_duration
from trialatlas.model.criteria import Comparison, EntityType, Span

_AGE_WORD = re.compile(r"\bage[ds]?\b|\bold|\byoung", re.IGNORECASE)
_ABBREVIATION = re.compile(r"(?=[\w-]*[A-Z][\w-]*[A-Z])[A-Za-z][\w-]{1,11}")
_PEOPLE = re.compile(
    r"\b(?:patients?|subjects?|participants?|women|men|males?|females?|children|adults?|"
    r"individuals?|persons?|people|volunteers?|cases?|episodes?|times?|doses?|lesions?)\b",
    re.IGNORECASE,
)
_ELAPSED = frozenset({"hour", "day", "week", "month", "year"})
_ADULT_YEARS = 12  # a bound of this many years or more with no other subject is an age


def _is_count(comp: Comparison) -> bool:
    """ "at least one", "2 or more": a count of events, not a measured value."""
    return (
        comp.unit is None
        and comp.reference is None
        and comp.operator in (">=", ">")
        and comp.value == int(comp.value)
        and comp.value < 10
    )


_GRADED = re.compile(
    r"\b(?:grades?|scores?|stages?|class(?:es)?|scales?|ps|status|levels?|index|ratio)\b\W*$",
    re.IGNORECASE,
)


def _graded(view: str, item: Item, comp: Comparison, subject: Span | None) -> bool:
    """A small number after a grade, score or scale is a value, not a count: "neuropathy
    of Grade ≥ 3", "Child-Pugh score > 5", "ASA status 4 or higher"."""
    if _GRADED.search(view, max(item.start, comp.start - 25), comp.start) is not None:
        return True
    return subject is not None and any(
        e.type == "measurement" and e.start < subject.end and subject.start < e.end
        for e in item.entities
    )


def quantity_type(
    view: str,
    item: Item,
    start: int,
    end: int,
    unit: str | None,
    value: float | None = None,
    ranged: bool = False,
) -> EntityType:
    """``temporal`` for an amount of elapsed time ("< 3 months", "48 hours"), else ``value``.

    Ages ("> 18 years", "18 years of age", "2-5 years"), life expectancy,
    gestation, durations and intervals stay values (``windows.json``
    ``value_context``), and so do seconds and minutes (aPTT > 44 s, a 6-minute
    walk): they are measured, not elapsed since an event.
    """
    name = time_unit_name(unit)
    if name not in _ELAPSED or item.valued or _AGE_WORD.search(view, start, end):
        return "value"
    if name == "year" and (ranged or value is not None and value >= _ADULT_YEARS):
        return "value"  # "> 18 years", "18 to 65 years", "2-5 years": an age
    if is_value_duration(view, start, end, item.start, item.end):
        return "value"
    return "temporal"


def _entity_type(view: str, item: Item, comp: Comparison, subject: Span | None) -> EntityType:
    if comp.reference is not None:
        return "value"
    if subject is not None and _AGE_WORD.search(subject.text):
        return "value"
    return quantity_type(
        view, item, comp.start, comp.end, comp.unit, comp.value, comp.operator == "between"
    )


def add_comparison_entity(
    doc: CriteriaDoc, item: Item, comp: Comparison, subject: Span | None
) -> None:
    """The entity of one comparison (none for a bare count), and its subject typed."""
    if _is_count(comp) and not _graded(doc.view, item, comp, subject):
        return
    etype = _entity_type(doc.view, item, comp, subject)
    item.entities.append(make_entity(etype, doc.source, comp.start, comp.end))
    if etype == "value" and subject is not None and not is_time_unit(comp.unit):
        _type_subject(doc, item, subject)
        if comp.reference is not None or _CONCENTRATION.search(comp.unit or ""):
            _drug_to_lab(item, subject)


def _type_subject(doc: CriteriaDoc, item: Item, subject: Span) -> None:
    """What a value bounds is measured: "ALAT > 2 × ULN", "Spontaneous breathing activity ≥ 6".

    Untyped subject words become a measurement when they look measured: an
    abbreviation with two capitals, or a head noun of ``entity_patterns.json``
    ``measured_heads`` (activity, pressure, area …); not "nerve root
    impingement ≤ 30 mm", not ages, people or counts.
    """
    if _AGE_WORD.search(subject.text) or _PEOPLE.search(subject.text):
        return
    words = subject.text.split()
    last = normalize_token(words[-1].strip("()[],:;")) if words else ""
    if not (_ABBREVIATION.fullmatch(subject.text) or last in measured_heads()):
        return
    for e in item.entities:
        if e.start < subject.end and subject.start < e.end:
            return
    item.entities.append(make_entity("measurement", doc.source, subject.start, subject.end))


_CONCENTRATION = re.compile(
    r"/\s*(?:d?l|m?l|[µu]l|mm3|mm\^3|hpf)\b|\bmmol|\bµmol|\bumol", re.IGNORECASE
)


def _drug_to_lab(item: Item, subject: Span) -> None:
    """A drug name bounded by a level is a lab: "testosterone > 15 ng/dL", "creatine
    kinase > 2 × ULN" (a dose, "prednisone > 10 mg/day", stays a drug)."""
    item.entities = [
        e.model_copy(update={"type": "measurement"})
        if e.type == "drug" and e.start == subject.start and e.end == subject.end
        else e
        for e in item.entities
    ]


def add_quantities(
    doc: CriteriaDoc, item: Item, blocked: list[tuple[int, int]], numeric: bool
) -> None:
    """Value / temporal entities for bare quantities and scores (:mod:`.quantities`),
    outside ``blocked`` spans and the item's comparisons and values."""
    view = doc.view
    taken = blocked + [(c.start, c.end) for c in item.comparisons]
    taken += [(e.start, e.end) for e in item.entities if e.type in ("value", "temporal")]

    def classify(start: int, end: int, unit: str, value: float | None) -> EntityType:
        return quantity_type(view, item, start, end, unit, value)

    found = bare_quantities(view, item, taken, classify) if numeric else []
    taken += [(s, e) for s, e, _ in found]
    measurements = [(e.start, e.end) for e in item.entities if e.type == "measurement"]
    found += [(s, e, "value") for s, e in score_values(view, item, measurements, taken)]
    found += [(s, e, "value") for s, e in letter_grades(view, item, taken)]
    for s, e, etype in found:
        item.entities.append(make_entity(etype, doc.source, s, e))
