"""A limit relative to the normal range ("bilirubin ≤ 1.5 × ULN") as a yes/no question:
a patient knows whether a doctor said the value was within so many times the limit."""

from __future__ import annotations

from trialatlas.features.prescreen.model import YesNoCheck
from trialatlas.features.prescreen.quantities import fmt_number
from trialatlas.features.prescreen.topic_questions import YesNoSpec
from trialatlas.model.criteria import Comparison, Criterion

_OPERATOR_WORDS = {
    ">": "more than",
    ">=": "at least",
    "<": "less than",
    "<=": "at most",
    "==": "exactly",
}


def uln_spec(criterion: Criterion, comparison: Comparison) -> YesNoSpec:
    subject = comparison.subject.text if comparison.subject else "this test"
    reference = "lower" if comparison.reference == "LLN" else "upper"
    times = comparison.uln_multiplier if comparison.uln_multiplier is not None else comparison.value
    if comparison.operator == "between" and comparison.upper_value is not None:
        limit = (
            f"between {fmt_number(comparison.value)} and {fmt_number(comparison.upper_value)} times"
        )
    else:
        limit = f"{_OPERATOR_WORDS.get(comparison.operator, 'about')} {fmt_number(times)} times"
    inclusion = criterion.kind == "inclusion"
    return YesNoSpec(
        text=f"Has a doctor told you that your {subject} is {limit} the {reference} limit of normal?",
        group="Tests and measurements",
        check=YesNoCheck(disqualifying=not inclusion),
        disqualifying_answer="No" if inclusion else "Yes",
        label=f"{subject} compared with the {reference} limit of normal",
        terms=[],
        help="Your lab report shows the normal range next to each result.",
    )
