"""Reading answers: whatever a form or a program sends → typed :class:`Answer` values.

Answers are keyed by question id. A value may be a scalar (``"yes"``, ``true``,
``60``, ``"6 cm"``, ``"2023-05"``) or an object ``{"value": 6, "unit": "cm"}``
(also ``{"not_applicable": true}`` or ``{"never": true}``). An HTML form sends the
unit as ``<id>__unit`` and the check boxes as ``<id>__na`` / ``<id>__never``.
Nothing here raises on odd input: an unreadable answer becomes ``invalid``, and
the verdict for its criterion is "unknown". Answers are never stored or logged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from trialatlas.features.criteria.windows import DAYS_PER_MONTH, DAYS_PER_YEAR
from trialatlas.features.prescreen.model import Question, Questionnaire
from trialatlas.features.prescreen.quantities import clean_unit, fmt_number

AnswerKind = Literal[
    "yes", "no", "unsure", "number", "date", "choice", "not_applicable", "never", "invalid"
]
SUFFIXES = ("__unit", "__na", "__never")
MAX_KEYS = 1000
MAX_TEXT = 200

_YES = frozenset({"yes", "y", "true", "1", "on", "oui", "si", "sí"})
_NO = frozenset({"no", "n", "false", "0", "off", "non"})
_UNSURE = frozenset(
    {
        "unsure",
        "not sure",
        "not_sure",
        "unknown",
        "dont know",
        "don't know",
        "dont_know",
        "idk",
        "?",
    }
)
_NOT_APPLICABLE = frozenset(
    {"none", "not applicable", "not_applicable", "n/a", "na", "does not apply"}
)
_NEVER = frozenset({"never", "not applicable", "not_applicable", "n/a"})
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?(?:e[-+]?\d+)?)\s*(.*?)\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:[T ].*)?\s*$")


def calendar_span(days: float) -> tuple[int, str] | None:
    """``(n, "year" | "month")`` when ``days`` is a whole number of mean years or months.

    Windows count a month as 365.25 / 12 days and a year as 365.25 days; dates
    are compared on the calendar, so "12 months" is the same day a year ago.
    """
    for unit, size in (("year", DAYS_PER_YEAR), ("month", DAYS_PER_MONTH)):
        n = round(days / size)
        if n >= 1 and abs(days - n * size) < 1e-6:
            return n, unit
    return None


def days_before(today: dt.date, days: float) -> dt.date:
    """The day ``days`` before ``today``: whole months and years on the calendar.

    ``days_before(2025-06-15, 12 months)`` is 2024-06-15 (a date on or after it is
    "within 12 months"); 31 March less one month is 28/29 February. Other amounts
    count whole days (a part of a day counts as none).
    """
    span = calendar_span(days)
    if span is None:
        return today - dt.timedelta(days=math.floor(days + 1e-9))
    n, unit = span
    months = today.year * 12 + today.month - 1 - (n * 12 if unit == "year" else n)
    year, month = divmod(months, 12)
    if year < dt.MINYEAR:
        return dt.date.min
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(today.day, last))


@dataclass(frozen=True)
class Answer:
    """One typed answer; ``shown`` is how it is quoted back to the patient."""

    kind: AnswerKind
    shown: str
    number: float | None = None
    unit: str | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    choice: str | None = None
    source: Literal["answer", "profile", "description"] = "answer"  # who says it


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT].strip()


def _invalid(value: Any) -> Answer:
    return Answer(kind="invalid", shown=_text(value)[:60] or "(empty)")


def read_yes_no(value: Any) -> Answer | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Answer(kind="yes" if value else "no", shown="yes" if value else "no")
    word = _text(value).lower()
    if word == "":
        return None
    if word in _YES:
        return Answer(kind="yes", shown="yes")
    if word in _NO:
        return Answer(kind="no", shown="no")
    if word in _UNSURE:
        return Answer(kind="unsure", shown="not sure")
    return _invalid(value)


def read_number(value: Any, unit: Any = None, allow_na: bool = False) -> Answer | None:
    if value is None:
        return None
    unit_text = clean_unit(_text(unit)) if isinstance(unit, str | int | float) else None
    if isinstance(value, bool):
        return _invalid(value)
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value)
        if text == "":
            return None
        if text.lower() in _NOT_APPLICABLE:
            return (
                Answer(kind="not_applicable", shown="does not apply")
                if allow_na
                else _invalid(value)
            )
        match = _NUMBER.match(text)
        if match is None:
            return _invalid(value)
        try:
            number = float(match.group(1).replace(",", "."))
        except ValueError:
            return _invalid(value)
        unit_text = clean_unit(match.group(2)) or unit_text
    if math.isnan(number) or math.isinf(number) or abs(number) > 1e12:
        return _invalid(value)
    shown = f"{fmt_number(number)} {unit_text}" if unit_text else fmt_number(number)
    return Answer(kind="number", shown=shown, number=number, unit=unit_text)


def read_date(value: Any, today: dt.date) -> Answer | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Answer(kind="date", shown=value.isoformat(), earliest=value, latest=value)
    text = _text(value)
    if text == "":
        return None
    if text.lower() in _NEVER:
        return Answer(kind="never", shown="never")
    match = _DATE.match(text)
    if match is None:
        return _invalid(value)
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            earliest, latest = dt.date(year, 1, 1), dt.date(year, 12, 31)  # type: ignore[arg-type]
        elif day is None:
            last = calendar.monthrange(year, month)[1]  # type: ignore[arg-type]
            earliest, latest = dt.date(year, month, 1), dt.date(year, month, last)  # type: ignore[arg-type]
        else:
            earliest = latest = dt.date(year, month, day)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return _invalid(value)
    if earliest > today:
        return _invalid(value)
    return Answer(kind="date", shown=text, earliest=earliest, latest=min(latest, today))


def read_choice(value: Any, question: Question) -> Answer | None:
    if value is None:
        return None
    text = _text(value).lower()
    if text == "":
        return None
    if text in _UNSURE:
        return Answer(kind="unsure", shown="not sure")
    for choice in question.choices:
        if text in (choice.value.lower(), choice.label.lower()):
            return Answer(kind="choice", shown=choice.label, choice=choice.value)
    if text in ("f", "woman") and any(c.value == "female" for c in question.choices):
        return Answer(kind="choice", shown="Female", choice="female")
    if text in ("m", "man") and any(c.value == "male" for c in question.choices):
        return Answer(kind="choice", shown="Male", choice="male")
    return _invalid(value)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str | int) and _text(value).lower() in _YES


def read_answer(question: Question, raw: Any, today: dt.date) -> Answer | None:
    """One raw answer for ``question`` → :class:`Answer`; None when not answered."""
    unit = None
    if isinstance(raw, Mapping):
        if _flag(raw.get("not_applicable")) and question.not_applicable:
            return Answer(kind="not_applicable", shown="does not apply")
        if _flag(raw.get("never")) and question.never_label:
            return Answer(kind="never", shown="never")
        unit = raw.get("unit")
        raw = raw.get("value")
    elif isinstance(raw, list | tuple | set):
        return _invalid("a list")
    if question.answer_type == "yes_no":
        return read_yes_no(raw)
    if question.answer_type == "number":
        return read_number(raw, unit, allow_na=question.not_applicable is not None)
    if question.answer_type == "date":
        return read_date(raw, today)
    return read_choice(raw, question)


def merge_form_fields(raw: Mapping[Any, Any]) -> tuple[dict[str, Any], list[str]]:
    """Fold ``<id>__unit`` / ``__na`` / ``__never`` form fields into their answer."""
    merged: dict[str, Any] = {}
    extras: dict[str, dict[str, Any]] = {}
    for n, (key, value) in enumerate(raw.items()):
        if n >= MAX_KEYS:
            break
        name = str(key)[:MAX_TEXT]
        suffix = next((s for s in SUFFIXES if name.endswith(s)), None)
        if suffix is None:
            merged[name] = value
            continue
        field = {"__unit": "unit", "__na": "not_applicable", "__never": "never"}[suffix]
        extras.setdefault(name[: -len(suffix)], {})[field] = value
    for name, extra in extras.items():
        base = merged.get(name)
        if isinstance(base, Mapping):
            merged[name] = {**extra, **base}
        else:
            merged[name] = {**extra, "value": base}
    return merged, list(merged)


def unknown_answer_ids(questionnaire: Questionnaire, raw: Mapping[Any, Any] | None) -> list[str]:
    """The answer keys that name no question of ``questionnaire`` (``<id>__unit`` counts
    as ``<id>``), in the order sent."""
    if not isinstance(raw, Mapping):
        return []
    _, keys = merge_form_fields(raw)
    ids = {q.id for q in questionnaire.questions()}
    return [k for k in keys if k not in ids]


def read_answers(
    questionnaire: Questionnaire, raw: Mapping[Any, Any] | None, today: dt.date
) -> tuple[dict[str, Answer], list[str]]:
    """All answers by question id, and the keys that match no question (ignored)."""
    if not isinstance(raw, Mapping):
        return {}, []
    merged, keys = merge_form_fields(raw)
    answers: dict[str, Answer] = {}
    ids = {q.id: q for q in questionnaire.questions()}
    for key in keys:
        question = ids.get(key)
        if question is None:
            continue
        try:
            answer = read_answer(question, merged[key], today)
        except Exception:  # noqa: BLE001 - odd input is an unreadable answer, never an error
            answer = _invalid("?")
        if answer is not None:
            answers[key] = answer
    ignored = [k for k in keys if k not in ids][:50]
    return answers, ignored
