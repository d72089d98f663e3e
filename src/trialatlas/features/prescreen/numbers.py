"""Numeric comparisons → number-with-unit questions ("How strong is your pain (VAS)?").

The measurement a comparison is about is found by the aliases of ``measures.json``
written nearest to it in its sentence (``VAS``, ``ODI``, ``MED``, ``diastolic``);
the measure gives the plain question, the units to offer and the molar mass for
mg/dL ↔ mmol/L. Without a known measure the comparison's subject names the value.
mg/dL ↔ mmol/L. Without a known measure the comparison's subject names the value.
The measure and the unit are chosen in :mod:`.comparison_measures`; the limits become
a :class:`RangeCheck` in :mod:`.range_checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trialatlas.features.criteria.units import is_time_unit, normalize_value
from trialatlas.features.prescreen.comparison_measures import comparison_measure, question_unit
from trialatlas.features.prescreen.model import ProfileTerm, RangeCheck
from trialatlas.features.prescreen.phrasing import (
    is_conditional,
    lower_first,
    lower_words,
    sentence_bounds,
)
from trialatlas.features.prescreen.quantities import same_dimension
from trialatlas.features.prescreen.range_checks import operator_of, range_check
from trialatlas.features.prescreen.rules import Measure, phrasing
from trialatlas.model.criteria import Comparison, Criterion

_AGE_SUBJECT = re.compile(r"\bage[ds]?\b|\byears? old\b", re.IGNORECASE)
_DOSE_UNIT = re.compile(r"/\s*(?:day|d|week)\b|per day", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z0-9][A-Z0-9-]+$")
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


def number_spec(criterion: Criterion, comparison: Comparison) -> NumberSpec | None:
    """A number question for ``comparison``, or None when it cannot be asked plainly."""
    if comparison.uln_multiplier is not None or comparison.reference is not None:
        return None
    if is_time_unit(comparison.unit):
        return None
    text = criterion.text
    lo, hi = sentence_bounds(text, max(comparison.start - criterion.start, 0))
    sentence = text[lo:hi]
    measure = comparison_measure(criterion, comparison, lo, hi)
    subject_name = _subject_entity(criterion, comparison.start, criterion.start + lo, measure)
    written_subject = comparison.subject.text if comparison.subject else None
    if measure is None and not _measured(criterion, comparison):
        return None
    if measure is None and _vague_subject(written_subject):
        return None  # "What is your scores?": no one can answer that
    unit = question_unit(criterion, comparison, measure)
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
