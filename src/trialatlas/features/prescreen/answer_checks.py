"""Impossible answers, found before any verdict: a message per question, never the value.

``answer_problems(form, raw, today)`` reads each answer sent for a question of ``form``
and names what is wrong with it: a word where a number goes ("abc" for an age), a
number no one can have (an age of 200, 150 on a 0 to 100 mm pain scale, a negative
weight), a unit the question cannot compare, a date in the future, a choice that is
not offered. The form shows each message beside its field and the API answers 422
naming the field; no verdict is given on answers with a problem. A message never
repeats the answer (answers are never echoed, stored or logged).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trialatlas.features.prescreen.answers import (
    Answer,
    merge_form_fields,
    read_answer,
)
from trialatlas.features.prescreen.model import Question, Questionnaire
from trialatlas.features.prescreen.quantities import convert, fmt_number

MAX_AGE_YEARS = 125.0
# Limits no answer can pass, per measure of ``measures.json``, in the unit given.
POSSIBLE: dict[str, tuple[float, float, str | None]] = {
    "age": (0.0, MAX_AGE_YEARS, "years"),
    "vas_pain": (0.0, 100.0, "mm"),
    "nrs_pain": (0.0, 10.0, None),
    "odi": (0.0, 100.0, None),
    "ecog": (0.0, 5.0, None),
    "karnofsky": (0.0, 100.0, None),
    "mmse": (0.0, 30.0, None),
    "lvef": (0.0, 100.0, "%"),
    "spo2": (0.0, 100.0, "%"),
    "hba1c": (0.0, 100.0, "%"),
    "temperature": (20.0, 46.0, "°C"),
    "systolic": (0.0, 400.0, "mmHg"),
    "diastolic": (0.0, 300.0, "mmHg"),
    "bmi": (0.0, 250.0, "kg/m²"),
    "weight": (0.0, 700.0, "kg"),
    "birth_weight": (0.0, 10.0, "kg"),
}
# Things that are never below zero (counts, concentrations, sizes, doses, rates).
NON_NEGATIVE = frozenset(
    {"med", "egfr", "crcl", "creatinine", "glucose", "ldl", "cholesterol", "triglycerides"}
    | {"bilirubin", "hemoglobin", "platelets", "wbc", "anc", "alt", "ast", "qtc", "psa"}
)
# "On a scale from 0 to 10", "0–100 mm": a scale the question itself states.
_STATED_SCALE = re.compile(
    r"\b(?:scale\s+(?:from|of)\s+)?0\s*(?:to|-|–)\s*(\d+(?:\.\d+)?)\s*(mm|cm|points?)?"
    r"(?=[^?]*\b(?:scale|VAS|NRS|score)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AnswerProblem:
    """What is wrong with the answer to ``question_id``, in words that do not repeat it."""

    question_id: str
    message: str


def _unreadable(question: Question, raw: Any, today: dt.date) -> str:
    if question.answer_type == "yes_no":
        return "Choose yes, no or not sure."
    if question.answer_type == "choice":
        labels = ", ".join(c.label for c in question.choices)
        return f"Choose one of the options ({labels}), or not sure."
    if question.answer_type == "date":
        if _in_future(raw, today):
            return (
                "This date is in the future. Give the month and year it happened, "
                "or leave it blank."
            )
        return "Give a date as year and month, like 2023-05, or leave it blank."
    if question.measure == "age":
        return "Give your age as a number of years, like 52."
    unit = f" in {question.unit}" if question.unit else ""
    return f"Give a number{unit}, like 6 or 6.5, or leave it blank."


_DATE_START = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def _in_future(raw: Any, today: dt.date) -> bool:
    """Does an answer the reader refused name a (valid) day after ``today``?"""
    if isinstance(raw, Mapping):
        raw = raw.get("value")
    if isinstance(raw, dt.date):
        return raw > today
    match = _DATE_START.match(str(raw)[:40]) if isinstance(raw, str) else None
    if match is None:
        return False
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        first = dt.date(year or 1, month or 1, day or 1)
    except ValueError:
        return False
    return first > today


def _scale(question: Question) -> tuple[float, float, str | None] | None:
    """The limits of the scale the question names, or of its measure."""
    if question.measure in POSSIBLE:
        return POSSIBLE[question.measure]
    stated = _STATED_SCALE.search(question.text)
    if stated is None:
        return None
    unit = stated.group(2)
    unit = None if unit is None or unit.lower().startswith("point") else unit
    return 0.0, float(stated.group(1)), unit or question.unit


def _impossible(question: Question, answer: Answer) -> str | None:
    """Why a number answer cannot be true, or None."""
    number = answer.number
    if number is None:
        return None
    unit = answer.unit or question.unit
    if (
        answer.unit
        and question.unit
        and convert(number, answer.unit, question.unit, question.measure) is None
    ):
        units = " or ".join(question.units or [question.unit])
        return f"Give this in {units}; that unit cannot be compared here."
    scale = _scale(question)
    if scale is not None:
        low, high, scale_unit = scale
        value = number
        if scale_unit is not None and unit is not None and unit != scale_unit:
            converted = convert(number, unit, scale_unit, question.measure)
            value = converted if converted is not None else number
        if not low <= value <= high:
            if question.measure == "age":
                return f"Give an age between 0 and {fmt_number(high)} years."
            shown_unit = scale_unit
            if scale_unit and question.unit and question.unit != scale_unit:
                low_q = convert(low, scale_unit, question.unit, question.measure)
                high_q = convert(high, scale_unit, question.unit, question.measure)
                if low_q is not None and high_q is not None:
                    low, high, shown_unit = round(low_q), round(high_q), question.unit
            where = f" {shown_unit}" if shown_unit else ""
            return (
                f"Give a value from {fmt_number(low)} to {fmt_number(high)}{where}; "
                "no one can have a value outside that."
            )
        return None
    if number < 0 and question.measure in NON_NEGATIVE:
        return "Give a value of zero or more; this is never below zero."
    return None


def answer_problems(
    form: Questionnaire, raw: Mapping[Any, Any] | None, today: dt.date | None = None
) -> list[AnswerProblem]:
    """One problem per answered question whose answer is unreadable or impossible, in
    page order. Answers to no question are left to :func:`unknown_answer_ids`."""
    if not isinstance(raw, Mapping):
        return []
    day = today or dt.date.today()
    merged, _ = merge_form_fields(raw)
    problems: list[AnswerProblem] = []
    for question in form.questions():
        if question.id not in merged:
            continue
        given = merged[question.id]
        try:
            answer = read_answer(question, given, day)
        except Exception:  # noqa: BLE001 - an odd value is a problem to name, never a crash
            answer = Answer(kind="invalid", shown="")
        if answer is None:
            continue
        message = None
        if answer.kind == "invalid":
            message = _unreadable(question, given, day)
        elif answer.kind == "number":
            message = _impossible(question, answer)
        if message is not None:
            problems.append(AnswerProblem(question.id, message))
    return problems


def problems_message(problems: list[AnswerProblem], where: str = "answers") -> str:
    """``answers.age: Give an age between 0 and 125 years.; answers.c7a: …`` for the API."""
    return "; ".join(f"{where}.{p.question_id}: {p.message}" for p in problems)
