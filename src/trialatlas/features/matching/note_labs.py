"""Lab results and measurements stated in a patient's note, with their units.

A measurement entity (from the criteria lexicons or a note short form: "EF",
"HbA1c", "hemoglobin (Hb)") followed closely by a number is a result: "EF was 25%",
"a hemoglobin (Hb) of 9.0 g/dL", "HbA1c 9.1%", "BMI was 24". Blood pressure is read
as its two halves ("BP 175/95 mmHg" → systolic 175, diastolic 95 mmHg); height and
weight from "165 cm tall", "weighs 96 kg". Units are the criteria parser's
(``data/criteria/units.json``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from trialatlas.features.criteria.numbers import parse_number
from trialatlas.features.criteria.units import is_time_unit, unit_pattern
from trialatlas.features.matching.note_sentences import sentence_at
from trialatlas.features.matching.note_terms import note_terms
from trialatlas.features.matching.patient_facts import LabFinding
from trialatlas.model.criteria import Entity

_VALUE = r"(?P<v>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_LINK = (
    r"(?:\s*\((?:[^()\d]{1,15})\))?[ \t]*(?::|=|~)?[ \t]*"
    r"(?:(?:of|was|is|were|at|level|levels|count|value|measured|found|noted|to\s+be|"
    r"elevated|decreased|low|high|increased|reduced|around|approximately|about|only)"
    r"[ \t]+(?:at[ \t]+|to[ \t]+)?){0,3}"
)
_PRESSURE = re.compile(
    r"\b(?:BP|blood\s+pressure)\b[^.\d;]{0,30}?(?P<s>\d{2,3})\s*/\s*(?P<d>\d{2,3})"
    r"(?:\s*(?P<u>mm\s*Hg|mmHg))?",
    re.IGNORECASE,
)
_HEIGHT = re.compile(
    r"(?P<v>\d{2,3}(?:\.\d+)?)\s*(?P<u>cm|m|in|inches)\s+tall\b|"
    r"\bheight\s+(?:of\s+|is\s+|was\s+)?(?P<v2>\d{2,3}(?:\.\d+)?)\s*(?P<u2>cm|m|in)\b",
    re.IGNORECASE,
)
_WEIGHT = re.compile(
    r"\bweigh(?:s|ed|ing|t\s+(?:of|is|was))?\s+(?:about\s+|approximately\s+)?"
    r"(?P<v>\d{1,3}(?:\.\d+)?)\s*(?P<u>kg|kilograms?|lbs?|pounds)\b",
    re.IGNORECASE,
)
_MAX_GAP = 40


@cache
def _result() -> re.Pattern[str]:
    return re.compile(
        rf"{_LINK}{_VALUE}(?!\s*/\s*\d)(?:[ \t]*(?P<u>%|{unit_pattern()}))?(?![\w/])",
        re.IGNORECASE,
    )


def _lab_name(entity: Entity) -> str:
    form = note_terms().abbreviation(entity.text)
    return form.name if form is not None else " ".join(entity.text.split())


def _lab(
    name: str,
    value: float,
    unit: str | None,
    text: str,
    s: int,
    e: int,
    spans: list[tuple[int, int]],
) -> LabFinding:
    return LabFinding(
        name=name,
        value=value,
        unit=unit,
        text=text[s:e],
        sentence=sentence_at(spans, s),
        start=s,
        end=e,
    )


def find_labs(
    text: str, entities: Sequence[Entity], spans: list[tuple[int, int]]
) -> list[LabFinding]:
    """Every measured value the note states, in text order (one per mention)."""
    out: list[LabFinding] = []
    taken: list[tuple[int, int]] = []
    for m in _PRESSURE.finditer(text):
        unit = "mmHg"
        for half, group in (("systolic blood pressure", "s"), ("diastolic blood pressure", "d")):
            value = parse_number(m.group(group))
            if value is not None:
                out.append(_lab(half, value, unit, text, m.start(), m.end(), spans))
        taken.append(m.span())
    for pattern, name in ((_HEIGHT, "height"), (_WEIGHT, "weight")):
        for m in pattern.finditer(text):
            raw = m.group("v") or (m.groupdict().get("v2") or "")
            unit = m.group("u") or m.groupdict().get("u2")
            value = parse_number(raw)
            if value is not None:
                out.append(_lab(name, value, unit, text, m.start(), m.end(), spans))
                taken.append(m.span())
    result = _result()
    for entity in entities:
        if entity.type != "measurement":
            continue
        if any(entity.start < e and s < entity.end for s, e in taken):
            continue
        m = result.match(text, entity.end, min(len(text), entity.end + _MAX_GAP))
        if m is None:
            continue
        value = parse_number(m.group("v"))
        if value is None:
            continue
        unit = m.group("u")
        if unit and is_time_unit(unit):
            continue  # "blood cell count 2 weeks later": a time, not a result
        out.append(_lab(_lab_name(entity), value, unit, text, entity.start, m.end(), spans))
        taken.append((entity.start, m.end()))
    out.sort(key=lambda lab: lab.start or 0)
    return out
