"""How long a condition has lasted, as a note says it → the day it began.

Read right after the condition ("low back pain **for 3 years**", "cough **x 2 weeks**",
"type 2 diabetes **10 years ago**", "pain that began **two days earlier**", "asthma
**since 2019**", "**since March 2019**", "**since age 40**", "diagnosed with COPD **in
2015**") or right before it ("a **2-week history of** cough", "**3 years of** back
pain"). A year alone is its first day, as in a profile ("2019" → 2019-01-01). A range
("2-3 years") counts its shorter end; a vague amount ("several years") says nothing.

Only the words between the condition and the time phrase may be filler ("that
began", "diagnosed", "(", ","): "HTN and DM for 5 years" dates DM, not HTN.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from trialatlas.features.criteria.numbers import WORD_NUMBERS
from trialatlas.features.criteria.windows import UNIT_DAYS
from trialatlas.features.prescreen.answers import days_before

_WORDS = {**WORD_NUMBERS, "a": 1.0, "an": 1.0, "a couple of": 2.0, "couple of": 2.0}
_NUM = (
    r"(?P<n>\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*\d+(?:\.\d+)?|\s*\+)?|"
    rf"(?P<w>{'|'.join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))})"
)
_UNIT = (
    r"(?:(?P<hour>hours?|hrs?)|(?P<day>days?)|(?P<week>weeks?|wks?)|"
    r"(?P<month>months?|mos?)|(?P<year>years?|yrs?))\b"
)
_ABOUT = (
    r"(?:(?:about|approximately|approx\.?|around|roughly|nearly|almost|over|more\s+than|"
    r"at\s+least|greater\s+than|~)\s*)?"
)
_QTY = rf"{_ABOUT}(?:{_NUM})\s*-?\s*{_UNIT}"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_YEAR = r"(?P<yr>(?:19|20)\d\d)\b"
_VERB = (
    r"(?:(?:was|were|is|first|initially)\s+)?"
    r"(?:began|begun|started|starting|beginning|diagnosed|dx(?:'?d)?|noted|developed|onset)"
)
# what may stand between the condition and the time phrase after it
_GAP = re.compile(
    r"[ \t]*(?:[(,]\s*)?(?:(?:that|which)\s+)?(?:(?:has|have|had)\s+)?"
    r"(?:(?:been\s+)?(?:present|ongoing|going\s+on|worsening|persist(?:ed|ing)|progressive)\s+)?"
    rf"(?P<verb>{_VERB}\s+)?(?:(?:with|as)\s+)?",
    re.IGNORECASE,
)
_FOR = rf"(?:for|x|×|over)\s*(?:the\s+)?(?P<last>(?:past|last|previous|prior)\s+)?(?:{_ABOUT}(?:{_NUM})\s*-?\s*|(?P<bare>)){_UNIT}"
_AGO = rf"{_QTY}\s+(?:ago|earlier|prior|before)\b"
_IN = rf"(?:in\s+)?(?:{_MONTH}\s+)?{_YEAR}"
_AT_AGE = r"at\s+(?:the\s+)?age\s+(?:of\s+)?(?P<age>\d{1,3})\b"
# tried in order at the end of the gap; the last two only after a verb ("diagnosed")
_AFTER = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        _FOR,
        _AGO,
        rf"since\s+(?:{_MONTH}\s+)?{_YEAR}",
        r"since\s+age\s+(?P<age>\d{1,3})\b",
        rf"since\s+{_AGO}",
        _IN,
        _AT_AGE,
    )
)
_MAX_DAYS = 130 * UNIT_DAYS["year"]  # longer is no lifetime
_AFTER_A_VERB = 2  # the last two need one
# a point in time says nothing of now ("MI 10 years ago", "diagnosed in 2015") unless
# it is when something began ("pain that began 2 days ago"); a duration lasts up to now
_AGO_INDEX = 1
_POINTS = frozenset({_AGO_INDEX, len(_AFTER) - 2, len(_AFTER) - 1})
_BEGAN = re.compile(r"began|begun|start|beginning|onset", re.IGNORECASE)
# "a 2-week history of", "10-year h/o", "3 years of" and up to three modifiers before it
_BEFORE = re.compile(
    rf"(?:{_QTY})\s*(?:-\s*)?(?:long\s+)?(?P<hist>(?:history|hx)\s+of|h/o|of)\s+"
    r"(?:[A-Za-z][A-Za-z-]*\s+){0,3}$",
    re.IGNORECASE,
)
# "diagnosed with COPD in 2015": a diagnosis verb a few words before the condition
_VERB_BEFORE = re.compile(
    r"\b(?:diagnosed|dx(?:'?d)?)\s+(?:with\s+|as\s+having\s+)?(?:[A-Za-z][A-Za-z-]*\s+){0,3}$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Onset:
    """The day a condition began, where the note says so (``note[start:end]``), and
    whether the phrase says it is still going on ("for 3 years", "since 2019", "a
    2-week history of cough", "began 2 days ago"; not "MI 10 years ago")."""

    day: dt.date
    start: int
    end: int
    lasting: bool = False


def _group(m: re.Match[str], name: str) -> str | None:
    return m.groupdict().get(name)


def _day(m: re.Match[str], today: dt.date, age: float | None) -> dt.date | None:
    """The day the phrase ``m`` names."""
    year = _group(m, "yr")
    if year is not None:
        month = _group(m, "mon")
        mon = _MONTHS.index(month.lower()[:3]) + 1 if month else 1
        return dt.date(int(year), mon, 1)
    at = _group(m, "age")
    if at is not None:
        if age is None or not 0 <= int(at) <= age:
            return None
        return days_before(today, (age - int(at)) * UNIT_DAYS["year"])
    number, word = _group(m, "n"), _group(m, "w")
    if number is not None:
        amount: float | None = float(number)
    elif word is not None:
        amount = _WORDS.get(" ".join(word.lower().split()))
    else:  # "for the past year"; "for months" says nothing
        amount = 1.0 if _group(m, "bare") is not None and _group(m, "last") else None
    unit = next((u for u in UNIT_DAYS if _group(m, u)), None)
    if amount is None or unit is None or not 0 <= amount * UNIT_DAYS[unit] <= _MAX_DAYS:
        return None
    return days_before(today, amount * UNIT_DAYS[unit])


def _after(
    text: str, end: int, stop: int, today: dt.date, age: float | None, verb: bool
) -> Onset | None:
    gap = _GAP.match(text, end, stop)
    if gap is None:
        return None
    verb = verb or bool(gap.group("verb"))
    tried = _AFTER if verb else _AFTER[:-_AFTER_A_VERB]
    for n, pattern in enumerate(tried):
        m = pattern.match(text, gap.end(), stop)
        if m is not None:
            day = _day(m, today, age)
            began = _BEGAN.search(gap.group("verb") or "") is not None
            lasting = n not in _POINTS or (began and n == _AGO_INDEX)
            return Onset(day, m.start(), m.end(), lasting) if day is not None else None
    return None


def find_onset(
    text: str,
    start: int,
    end: int,
    sentence: tuple[int, int],
    today: dt.date,
    age: float | None = None,
) -> Onset | None:
    """The onset of the condition at ``text[start:end]`` inside the sentence
    ``text[sentence[0]:sentence[1]]``, or None when the note does not say it."""
    head = text[sentence[0] : start]
    found = _after(text, end, sentence[1], today, age, bool(_VERB_BEFORE.search(head)))
    if found is None:
        b = _BEFORE.search(head)
        day = _day(b, today, age) if b is not None else None
        if b is not None and day is not None:
            found = Onset(day, sentence[0] + b.start(), sentence[0] + b.end("hist"), True)
    if found is None or not dt.date(1900, 1, 1) <= found.day <= today:
        return None
    return found
