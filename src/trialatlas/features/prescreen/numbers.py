"""Numeric comparisons → number-with-unit questions ("How strong is your pain (VAS)?").

The measurement a comparison is about is found by the aliases of ``measures.json``
written nearest to it in its sentence (``VAS``, ``ODI``, ``MED``, ``diastolic``);
the measure gives the plain question, the units to offer and the molar mass for
mg/dL ↔ mmol/L. Without a known measure the comparison's subject names the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trialatlas.features.criteria.units import is_time_unit, normalize_value
from trialatlas.features.prescreen.model import ProfileTerm, RangeCheck
from trialatlas.features.prescreen.phrasing import (
    is_conditional,
    lower_first,
    lower_words,
    sentence_bounds,
)
from trialatlas.features.prescreen.quantities import convert, fmt_number, same_dimension
from trialatlas.features.prescreen.rules import Measure, measures, phrasing
from trialatlas.model.criteria import Comparison, Criterion

_AGE_SUBJECT = re.compile(r"\bage[ds]?\b|\byears? old\b", re.IGNORECASE)
_DOSE_UNIT = re.compile(r"/\s*(?:day|d|week)\b|per day", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9-]+$")
_GE_SLASH = re.compile(r">\s*/\s*=|=\s*/\s*>")
_LE_SLASH = re.compile(r"<\s*/\s*=|=\s*/\s*<")
_PLAIN_SUBJECT = re.compile(r"^[A-Za-z][\w\s\-/,']{1,60}$")


@dataclass(frozen=True)
class NumberSpec:
    """Everything a number question needs, before it is numbered and grouped."""

    text: str
    label: str
    group: str
    unit: str | None
    units: list[str]
    check: RangeCheck
    help: str | None = None
    measure: str | None = None
    not_applicable: str | None = None
    terms: list[ProfileTerm] = field(default_factory=list)
    covers: frozenset[str] = frozenset()  # entity names this question already asks about


def is_age_comparison(comparison: Comparison) -> bool:
    """``Age ≥ 18 years``, ``under 18 years of age``: a limit on the person's age (in years
    when no unit is written)."""
    subject = comparison.subject.text if comparison.subject else ""
    if comparison.reference is not None or not _AGE_SUBJECT.search(subject):
        return False
    return comparison.unit is None or is_time_unit(comparison.unit)


def operator_of(criterion: Criterion, comparison: Comparison) -> str:
    """The comparison's operator; ``>/=`` and ``</=`` (read as ``=``) are ``>=`` / ``<=``."""
    if comparison.operator != "==":
        return comparison.operator
    rel = comparison.start - criterion.start
    before = criterion.text[max(0, rel - 4) : rel + 2]
    if _GE_SLASH.search(before):
        return ">="
    if _LE_SLASH.search(before):
        return "<="
    return "=="


def range_check(
    comparison: Comparison, inside_meets: bool, unit: str | None, operator: str | None = None
) -> RangeCheck:
    """The comparison's limits as a :class:`RangeCheck` in the unit as written."""
    op, value = operator or comparison.operator, comparison.value
    low = high = None
    low_inc = high_inc = True
    if op in (">=", ">"):
        low, low_inc = value, op == ">="
    elif op in ("<=", "<"):
        high, high_inc = value, op == "<="
    elif op == "==":
        low = high = value
    else:
        low, high = value, comparison.upper_value
        low_inc, high_inc = comparison.lower_inclusive, comparison.upper_inclusive
    return RangeCheck(
        low=low,
        high=high,
        low_inclusive=low_inc,
        high_inclusive=high_inc,
        unit=unit,
        inside_meets=inside_meets,
    )


def describe_range(check: RangeCheck) -> str:
    """``30 to 90 mm``, ``at least 18``, ``more than 50 mg/day``."""
    unit = f" {check.unit}" if check.unit else ""
    low, high = check.low, check.high
    if low is not None and high is not None:
        if low == high:
            return f"exactly {fmt_number(low)}{unit}"
        lower = fmt_number(low) if check.low_inclusive else f"more than {fmt_number(low)}"
        upper = fmt_number(high) if check.high_inclusive else f"less than {fmt_number(high)}"
        return f"{lower} to {upper}{unit}"  # "1 to less than 2 years"
    if low is not None:
        return f"{'at least' if check.low_inclusive else 'more than'} {fmt_number(low)}{unit}"
    if high is not None:
        return f"{'at most' if check.high_inclusive else 'less than'} {fmt_number(high)}{unit}"
    return "any value"


def describe_outside(check: RangeCheck) -> str:
    """The values outside the range, in words (``below 30 mm or above 90 mm``)."""
    unit = f" {check.unit}" if check.unit else ""
    parts = []
    if check.low is not None:
        parts.append(
            f"{'below' if check.low_inclusive else 'at or below'} {fmt_number(check.low)}{unit}"
        )
    if check.high is not None:
        parts.append(
            f"{'above' if check.high_inclusive else 'at or above'} {fmt_number(check.high)}{unit}"
        )
    return " or ".join(parts) or "none"


def disqualifying_words(check: RangeCheck) -> str:
    text = describe_outside(check) if check.inside_meets else describe_range(check)
    return text[0].upper() + text[1:]


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


def _subject_entity(
    criterion: Criterion, start: int, lo: int, measure: Measure | None = None
) -> str | None:
    """Nearest condition or measurement named before the comparison in its sentence
    (never the measure's own name: "low back pain with VAS ≥ 30 mm" is about the low
    back pain, not "your VAS")."""
    generic = phrasing().generic_terms
    best = None
    for entity in criterion.entities:
        if (
            entity.type not in ("condition", "measurement")
            or entity.end > start
            or entity.start < lo
        ):
            continue
        if (
            measure is not None
            and measure.uses_subject
            and any(p.fullmatch(entity.text.strip()) for p in measure.patterns)
        ):
            continue
        if entity.text.lower() in generic and best is not None:
            continue
        if best is None or entity.start >= best.start:
            best = entity
    return best.text if best else None


def _measured(criterion: Criterion, comparison: Comparison) -> bool:
    """Without a known measure, ask only when the subject is a measurement the parser found."""
    subject = comparison.subject
    if subject is None or not _PLAIN_SUBJECT.match(subject.text):
        return False
    return any(
        e.type == "measurement" and e.start < subject.end and subject.start < e.end
        for e in criterion.entities
    )


PER_UL = "/µL"
PER_LITRE = "10^9/L"


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


_VAGUE_SUBJECTS = frozenset(
    {
        "score",
        "scores",
        "grade",
        "grades",
        "value",
        "values",
        "level",
        "levels",
        "result",
        "results",
        "ps",
        "count",
        "number",
        "total",
        "rate",
        "index",
        "ratio",
        "test",
    }
)


_RATING = re.compile(r"\b(?:total score|scale|iq|rating)\b|-r\b")


def _vague_subject(subject: str | None) -> bool:
    """A subject that names no measurement of its own ("scores", "PS", "level")."""
    words = (subject or "").strip().lower().split()
    while words and words[0] in ("total", "overall", "the", "a", "mean", "average"):
        words = words[1:]
    # "scale-R total score", "full-Scale IQ": a rating only the study team scores
    return " ".join(words) in _VAGUE_SUBJECTS or bool(_RATING.search(" ".join(words)))


_DEFINED_AS = re.compile(r"\b(?:defined|characteri[sz]ed)\s+(?:as|by)\b", re.IGNORECASE)


def _defines_subject(criterion: Criterion, comparison: Comparison) -> bool:
    """``Unexplained fever, defined as greater than 100.4 °F``: the number only defines
    the condition, so the condition itself is still asked about (a temperature does not
    say whether a fever is unexplained)."""
    rel = comparison.start - criterion.start
    return _DEFINED_AS.search(criterion.text, max(0, rel - 20), rel) is not None


def covered_by_definition(criterion: Criterion, comparison: Comparison) -> set[str]:
    """Names defined by a bracketed limit: ``hypertension (BP > 170/110 mmHg)``."""
    text = criterion.text
    rel = comparison.start - criterion.start
    names = set()
    for entity in criterion.entities:
        gap_start = entity.end - criterion.start
        if 0 <= rel - gap_start <= 30:
            between = text[gap_start:rel]
            if "(" in between and ")" not in between:
                names.add(entity.text.lower())
    return names


def _tidy(name: str) -> str:
    return name if _ACRONYM.match(name) else lower_first(name)


_PAIR_SECOND = re.compile(r"\d\s*/\s*$")


def _second_of_pair(text: str, rel_start: int) -> bool:
    """``BP < 140/90 mmHg``: the number after the slash is the diastolic pressure."""
    return _PAIR_SECOND.search(text, max(0, rel_start - 8), max(rel_start, 0)) is not None


def number_spec(criterion: Criterion, comparison: Comparison) -> NumberSpec | None:
    """A number question for ``comparison``, or None when it cannot be asked plainly."""
    if comparison.uln_multiplier is not None or comparison.reference is not None:
        return None
    if is_time_unit(comparison.unit):
        return None
    text = criterion.text
    rel_start, rel_end = comparison.start - criterion.start, comparison.end - criterion.start
    lo, hi = sentence_bounds(text, max(rel_start, 0))
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
    subject_name = _subject_entity(criterion, comparison.start, criterion.start + lo, measure)
    written_subject = comparison.subject.text if comparison.subject else None
    if measure is None and not _measured(criterion, comparison):
        return None
    if measure is None and _vague_subject(written_subject):
        return None  # "What is your scores?": no one can answer that
    unit = (
        comparison.unit.strip()
        if comparison.unit
        else count_unit(measure, comparison) or _sibling_unit(criterion, comparison, measure)
    )
    if unit and measure is not None:
        unit = next((u for u in measure.units if convert(1.0, unit, u) == 1.0), unit)
    inside_meets = criterion.kind == "inclusion"
    check = range_check(comparison, inside_meets, unit, operator_of(criterion, comparison))
    conditional = is_conditional(sentence)
    if measure is not None:
        subject = _tidy(subject_name) if subject_name else (measure.default_subject or "")
        question = measure.question.format(subject=subject)
        label = measure.label.format(subject=subject)
        units = [unit] if unit else []
        units += [
            u for u in measure.units if u not in units and normalize_value(1.0, u).canonical_unit
        ]
        if unit:
            units = [u for u in units if u == unit or same_dimension(u, unit, measure)]
        group, help_text, measure_id = measure.group, measure.help, measure.id
        if measure.uses_subject and subject_name:  # "leg pain VAS", never a bare "VAS"
            names = [label, *(f"{subject} {a}" for a in measure.aliases), f"{subject} score"]
        else:
            names = [label, *measure.aliases, *measure.profile_names]
    else:
        label = _tidy(written_subject or "value")
        question = f"What is your {label}?" if unit else f"What is your {label} (a number)?"
        units = [unit] if unit else []
        dose = bool(unit and _DOSE_UNIT.search(unit))
        group = "Medicines" if dose else "Tests and measurements"
        help_text, measure_id, names = None, None, [label]
    if conditional:
        lead_in = (
            f"If you have {lower_words(subject_name)}" if subject_name else "If this applies to you"
        )
        question = f"{lead_in}: {lower_first(question)}"
    check = check.model_copy(update={"measure": measure_id, "not_applicable_meets": conditional})
    terms = [ProfileTerm(type="measurement", text=n) for n in dict.fromkeys(names) if n]
    return NumberSpec(
        text=question,
        label=label,
        group=group,
        unit=unit,
        units=units,
        check=check,
        help=help_text,
        measure=measure_id,
        not_applicable=f"I don't have {lower_words(subject_name)}"
        if conditional and subject_name
        else ("This does not apply to me" if conditional else None),
        terms=terms,
        covers=frozenset(
            {n.lower() for n in (written_subject, subject_name) if n}
            | covered_by_definition(criterion, comparison)
        )
        if not _defines_subject(criterion, comparison)
        else frozenset(),
    )
