"""Questions from the structured eligibility: age (years) and sex.

Ages are compared in the unit the registry gives (``18 Years``, ``6 Months``); an
age in years counts in whole years, so a 65-year-old meets "up to 65 Years".
"""

from __future__ import annotations

import re

from trialatlas.features.prescreen.model import (
    CheckedCriterion,
    Choice,
    ChoiceCheck,
    ProfileTerm,
    Question,
    RangeCheck,
)
from trialatlas.features.prescreen.range_checks import disqualifying_words, operator_of, range_check
from trialatlas.model.criteria import Comparison, Criterion
from trialatlas.model.study import Age, Eligibility

AGE_ID = "age"
SEX_ID = "sex"
AGE_MEASURE = "age"
_AGE_TEXT = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE
)
SEX_LABELS = {"female": "Female", "male": "Male"}


def _age_value(age: Age) -> tuple[float, str]:
    match = _AGE_TEXT.match(age.text)
    if match is None:
        return age.days / 365.25, "years"
    return float(match.group(1)), f"{match.group(2).lower()}s"


def age_question() -> Question:
    """The "How old are you?" question, with no checks yet."""
    return Question(
        id=AGE_ID,
        group="About you",
        text="How old are you?",
        answer_type="number",
        unit="years",
        units=["years", "months"],
        measure=AGE_MEASURE,
        profile_terms=[ProfileTerm(type="measurement", text="age")],
        checks=[],
    )


def structured_age_check(eligibility: Eligibility) -> CheckedCriterion | None:
    """The registry's minimum / maximum age as one check, or None without limits."""
    low, high = eligibility.minimum_age, eligibility.maximum_age
    if low is None and high is None:
        return None
    unit = _age_value(low)[1] if low else _age_value(high)[1]  # type: ignore[arg-type]
    if low and high and _age_value(low)[1] != _age_value(high)[1]:
        unit = "years"
    values = {}
    for name, age in (("low", low), ("high", high)):
        if age is not None:
            value, written = _age_value(age)
            values[name] = value if written == unit else age.days / 365.25
    check = RangeCheck(
        low=values.get("low"), high=values.get("high"), unit=unit, measure=AGE_MEASURE
    )
    if low and high:
        text = f"Ages {low.text} to {high.text}"
    elif low:
        text = f"Ages {low.text} and older"
    else:
        text = f"Ages up to {high.text}"  # type: ignore[union-attr]
    return CheckedCriterion(
        key="age",
        index=None,
        kind="inclusion",
        source="eligibility",
        text=text,
        disqualifying_answer=disqualifying_words(check),
        label="age",
        check=check,
    )


def text_age_check(
    index: int, criterion: Criterion, text: str, comparison: Comparison, unit: str
) -> CheckedCriterion:
    """An age limit written in the criteria text (``Age ≥ 18 years``)."""
    kind = criterion.kind
    operator = operator_of(criterion, comparison)
    check = range_check(comparison, kind == "inclusion", unit, operator).model_copy(
        update={"measure": AGE_MEASURE}
    )
    if check.unit and check.unit.lower().startswith("y"):
        check = check.model_copy(update={"unit": "years"})
    return CheckedCriterion(
        key=f"c{index}",
        index=index,
        kind=kind,  # type: ignore[arg-type]
        source="criteria",
        text=text,
        disqualifying_answer=disqualifying_words(check),
        label="age",
        check=check,
    )


def sex_question(eligibility: Eligibility) -> Question | None:
    """The "What is your sex?" question, when the trial takes only women or only men."""
    required = (eligibility.sex or "").lower()
    if required not in SEX_LABELS:
        return None
    other = "male" if required == "female" else "female"
    check = ChoiceCheck(allowed=[required])
    criterion = CheckedCriterion(
        key="sex",
        index=None,
        kind="inclusion",
        source="eligibility",
        text=f"Sex: {SEX_LABELS[required]} only",
        disqualifying_answer=SEX_LABELS[other],
        label="sex",
        check=check,
    )
    return Question(
        id=SEX_ID,
        group="About you",
        text="What is your sex?",
        help="The sex recorded at birth, as the trial's registry record uses it.",
        answer_type="choice",
        choices=[Choice(value=v, label=label) for v, label in SEX_LABELS.items()],
        checks=[criterion],
    )
