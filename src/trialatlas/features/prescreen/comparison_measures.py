"""The measure of ``measures.json`` a comparison is about, and the unit to ask it in.

The measure is the one whose aliases are written nearest to the comparison in its
sentence (``VAS``, ``ODI``, ``MED``, ``diastolic``), or the one its subject names
outright; not one that names something else than the subject, nor one whose units do
not fit. The unit is the one written, a blood count's read from its size, or the
unit of the next limit of the sentence.
"""

from __future__ import annotations

import re

from trialatlas.features.prescreen.phrasing import sentence_bounds
from trialatlas.features.prescreen.quantities import convert, same_dimension
from trialatlas.features.prescreen.rules import Measure, measures
from trialatlas.model.criteria import Comparison, Criterion

PER_UL = "/µL"
PER_LITRE = "10^9/L"
_PAIR_SECOND = re.compile(r"\d\s*/\s*$")


def comparison_measure(
    criterion: Criterion, comparison: Comparison, lo: int, hi: int
) -> Measure | None:
    """The measure ``comparison`` is about, read in its sentence ``criterion.text[lo:hi]``."""
    text = criterion.text
    rel_start, rel_end = comparison.start - criterion.start, comparison.end - criterion.start
    sentence = text[lo:hi]
    measure = _subject_measure(comparison)
    if measure is not None and comparison.subject is not None:
        # "birth weight ≥ 2 kg": the subject "weight" is part of a longer measure's name
        nearest = _nearest_measure(sentence, rel_start - lo, rel_end - lo)
        subject = comparison.subject.text.strip().lower()
        if (
            nearest is not None
            and nearest is not measure
            and any(subject in a.lower() and len(a) > len(subject) for a in nearest.aliases)
            and any(p.search(sentence) for p in nearest.patterns)
        ):
            measure = nearest
    if measure is None:
        measure = _nearest_measure(sentence, rel_start - lo, rel_end - lo)
        if measure is not None and _names_other_thing(criterion, comparison, measure, lo):
            measure = None
    if measure is not None and measure.id == "systolic" and _second_of_pair(text, rel_start):
        measure = next((m for m in measures() if m.id == "diastolic"), measure)
    if measure is not None and not _unit_fits(measure, comparison):
        measure = None
    return measure


def question_unit(
    criterion: Criterion, comparison: Comparison, measure: Measure | None
) -> str | None:
    """The unit the question asks in: as written, else read from the number or the
    sentence; spelled as the measure spells it."""
    unit = (
        comparison.unit.strip()
        if comparison.unit
        else count_unit(measure, comparison) or _sibling_unit(criterion, comparison, measure)
    )
    if unit and measure is not None:
        unit = next((u for u in measure.units if convert(1.0, unit, u) == 1.0), unit)
    return unit


def _nearest_measure(sentence: str, rel_start: int, rel_end: int) -> Measure | None:
    best: tuple[int, int, Measure] | None = None
    for measure in measures():
        for pattern in measure.patterns:
            for match in pattern.finditer(sentence):
                if match.end() <= rel_start:
                    distance = rel_start - match.end()
                elif match.start() >= rel_end:  # the subject is usually written first
                    distance = 3 * (match.start() - rel_end) + 5
                else:
                    distance = 0
                key = (distance, -(match.end() - match.start()), measure)
                if best is None or key[:2] < best[:2]:
                    best = key
    return best[2] if best else None


def _subject_measure(comparison: Comparison) -> Measure | None:
    """The measure the comparison's subject names outright ("180 mmHg **systolic**")."""
    subject = comparison.subject.text.strip() if comparison.subject else ""
    if not subject:
        return None
    for measure in measures():
        for pattern in measure.patterns:
            match = pattern.search(subject)
            if match is not None and match.group(0) == subject:
                return measure
    return None


_SUBJECT_FILLER = frozenset(
    {
        "level",
        "levels",
        "count",
        "value",
        "values",
        "concentration",
        "result",
        "results",
        "score",
        "serum",
        "plasma",
        "total",
        "blood",
        "of",
        "the",
        "a",
        "an",
        "and",
        "or",
        "is",
        "be",
        "must",
        "should",
        "with",
        "test",
        "baseline",
        "screening",
    }
)
_SUBJECT_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _names_other_thing(
    criterion: Criterion, comparison: Comparison, measure: Measure, lo: int
) -> bool:
    """Is the comparison's subject something else than a measure named only before it
    (or only after it)?

    ``LVEF ≥ 40%, … room air oxygen saturation of > 94%``: the saturation is no LVEF,
    though LVEF is the nearest measure written before it; in ``Hb ≥ 9 g/dL Platelet
    count ≥ 100,000/mm3`` the hemoglobin is no platelet count.
    """
    subject = comparison.subject
    if subject is None:
        return False
    words = [w for w in _SUBJECT_WORD.findall(subject.text) if w.lower() not in _SUBJECT_FILLER]
    if not words or any(p.search(subject.text) for p in measure.patterns):
        return False
    sentence_rel = subject.start - criterion.start - lo
    after_rel = comparison.end - criterion.start - lo
    text = criterion.text[lo:]
    mentions = [m for p in measure.patterns for m in p.finditer(text)]
    if not mentions:
        return False
    if all(m.end() <= sentence_rel for m in mentions):
        return True
    # "WBC ≥ 3,000/mm3 Platelet count ≥ 100,000/mm3": named after, as another limit's subject
    others = [
        (c.subject.start - criterion.start - lo, c.subject.end - criterion.start - lo)
        for c in criterion.comparisons
        if c.subject is not None and c.start >= comparison.end
    ]
    return all(
        m.start() >= after_rel and any(s <= m.start() and m.end() <= e for s, e in others)
        for m in mentions
    )


def _unit_fits(measure: Measure, comparison: Comparison) -> bool:
    if not comparison.unit:
        return True
    if not measure.units:
        return comparison.unit.strip() in {"%", "points", "point"}
    return any(same_dimension(u, comparison.unit, measure) for u in measure.units)


def count_unit(measure: Measure | None, comparison: Comparison) -> str | None:
    """The unit of a blood cell count written without one, read from its size:
    "Platelets at least 100,000", "ANC ≥ 1500" are per µL (per mm³); "ANC ≥ 1.5",
    "Platelets ≥ 100" are 10^9/L. None for any other measure."""
    if measure is None or measure.per_ul_from is None:
        return None
    value = max(comparison.value, comparison.upper_value or comparison.value)
    return PER_UL if value >= measure.per_ul_from else PER_LITRE


def _sibling_unit(
    criterion: Criterion, comparison: Comparison, measure: Measure | None
) -> str | None:
    """``> 170 or < 90 mm Hg``: a bare number takes the unit of the next limit of its
    sentence (or the measure's usual unit)."""
    if measure is None or not measure.units:
        return None
    text = criterion.text
    lo, hi = sentence_bounds(text, max(comparison.start - criterion.start, 0))
    after = [
        other
        for other in criterion.comparisons
        if other.unit
        and lo <= other.start - criterion.start < hi
        and other.start > comparison.start
    ]
    for other in after:
        if other.unit and any(same_dimension(u, other.unit, measure) for u in measure.units):
            return other.unit.strip()
    return measure.units[0]


def _second_of_pair(text: str, rel_start: int) -> bool:
    """``BP < 140/90 mmHg``: the number after the slash is the diastolic pressure."""
    return _PAIR_SECOND.search(text, max(0, rel_start - 8), max(rel_start, 0)) is not None
