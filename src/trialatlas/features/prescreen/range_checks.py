"""A comparison's limits as a :class:`RangeCheck`, and the range said in words.

``>/=`` and ``</=`` read as ``=`` by the parser are ``>=`` / ``<=``; a check keeps
the unit as written. The words ("30 to 90 mm", "at least 18", "below 30 mm or above
90 mm") are what a questionnaire shows as the disqualifying answer.
"""

from __future__ import annotations

import re

from trialatlas.features.prescreen.model import RangeCheck
from trialatlas.features.prescreen.quantities import fmt_number
from trialatlas.model.criteria import Comparison, Criterion

_GE_SLASH = re.compile(r">\s*/\s*=|=\s*/\s*>")
_LE_SLASH = re.compile(r"<\s*/\s*=|=\s*/\s*<")


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
    """The values that disqualify, in words, capitalised (outside or inside the range)."""
    text = describe_outside(check) if check.inside_meets else describe_range(check)
    return text[0].upper() + text[1:]
