"""Age and sex from a patient's note: "A 58-year-old African-American woman", "48 M",
"45 yo F", "74M", "an 8-year-old male", "a 6-month-old male infant", "70 y/o".

The age is the first age phrase of the note (the patient is introduced first; a later
"menarche at age 14" is no age). The sex is the sex word next to that age, else the
first patient word ("woman", "boy", "gentleman"), else the pronouns the note uses
most ("she"/"her" against "he"/"his"/"him"). Each comes with the offset that decided
it, so the caller can cite its sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from trialatlas.features.criteria.numbers import WORD_NUMBERS

SexValue = Literal["female", "male"]

_NUM = r"(?P<n>\d{1,3}(?:\.\d)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?P<u>years?|yrs?|y|months?|mos?|weeks?|wks?|days?)"
# "58-year-old", "58 year old", "5 months old", "6-month-old", "56-year old"
_AGE_OLD = re.compile(rf"(?<![\w.]){_NUM}[\s-]*{_UNIT}\.?[\s-]*old\b", re.IGNORECASE)
# "44 yo", "55yo", "70 y/o", "66 y.o.", "41 year man", "aged 45", "age: 45", "45 years of age"
_AGE_SHORT = re.compile(
    r"(?<![\w.])(?P<n>\d{1,3})\s*(?P<u>yo|y/o|y\.o\.?|yr?s?(?=\s+(?:old|of age))|"
    r"years?(?=\s+(?:of\s+age|man|woman|male|female|boy|girl|gentleman|lady))|"
    r"yrs?(?=\s+(?:man|woman|male|female)))(?![\w/])",
    re.IGNORECASE,
)
_AGE_WORD = re.compile(r"\b(?:aged?|age:)\s*(?P<n>\d{1,3})\b(?!\s*(?:%|mg|kg|cm))", re.IGNORECASE)
# "48 M", "74M", "60 yo M", "22yo F", "79 yo F": age followed by a one-letter sex
_AGE_LETTER = re.compile(
    r"(?<![\w./-])(?P<n>\d{1,3})\s*(?:yo|y/o|y\.o\.)?\s*(?P<s>[MF])(?![\w/])(?!\s*[/:=])"
)
# "a 3-day-old", "two weeks old": the criteria parser's number words, and "a"/"an"
_WORD_NUMBERS: dict[str, float] = {**WORD_NUMBERS, "a": 1, "an": 1}
_PER_YEAR = {"y": 1.0, "m": 12.0, "w": 52.1775, "d": 365.25}

_FEMALE = (
    r"woman|women|female|girl|lady|gravida|mother of|postmenopausal|pre-menopausal|"
    r"premenopausal|perimenopausal|G\d+\s*P\d+"
)
_MALE = r"man|men|male|boy|gentleman|guy|father of"
_SEX_WORD = re.compile(rf"\b(?:(?P<f>{_FEMALE})|(?P<m>{_MALE}))\b", re.IGNORECASE)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_HE = re.compile(r"\b(?:he|his|him|himself)\b", re.IGNORECASE)
_NEAR_AGE = 60  # characters after the age phrase searched for its sex word


@dataclass(frozen=True, slots=True)
class Stated:
    """A value and the character offset of the words that stated it."""

    value: float | str
    start: int
    end: int


def _number(word: str) -> float | None:
    low = word.lower()
    if low in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[low])
    try:
        return float(low)
    except ValueError:
        return None


def _years(amount: float, unit: str) -> float:
    key = unit.lower()[:1]
    if key == "m" and unit.lower().startswith("mo"):
        return round(amount / _PER_YEAR["m"], 3)
    return round(amount / _PER_YEAR.get(key, 1.0), 3)


def find_age(text: str) -> Stated | None:
    """The patient's age in years and where it was stated; None when not stated."""
    found: list[tuple[int, int, float]] = []
    for m in _AGE_OLD.finditer(text):
        n = _number(m.group("n"))
        if n is not None:
            found.append((m.start(), m.end(), _years(n, m.group("u"))))
    for pattern in (_AGE_SHORT, _AGE_WORD, _AGE_LETTER):
        for m in pattern.finditer(text):
            n = _number(m.group("n"))
            if n is not None and 0 < n <= 120:
                found.append((m.start(), m.end(), n))
    if not found:
        return None
    start, end, years = min(found, key=lambda f: (f[0], -f[1]))
    if years > 125:
        return None
    return Stated(years, start, end)


def _sex_of(m: re.Match[str]) -> SexValue:
    return "female" if m.group("f") else "male"


def find_sex(text: str, age: Stated | None = None) -> Stated | None:
    """The patient's sex ("female" / "male") and where it was stated; None when unclear."""
    if age is not None:
        letter = _AGE_LETTER.match(text, age.start)
        if letter is not None:
            sex = "male" if letter.group("s") == "M" else "female"
            return Stated(sex, letter.start("s"), letter.end("s"))
        near = _SEX_WORD.search(text, age.end, min(len(text), age.end + _NEAR_AGE))
        if near is not None:
            return Stated(_sex_of(near), near.start(), near.end())
        before = text[max(0, age.start - 40) : age.start]
        for m in reversed(list(_SEX_WORD.finditer(before))):
            start = age.start - len(before) + m.start()
            return Stated(_sex_of(m), start, start + len(m.group()))
    first = _SEX_WORD.search(text, 0, min(len(text), 300))
    if first is not None:
        return Stated(_sex_of(first), first.start(), first.end())
    she = list(_SHE.finditer(text))
    he = list(_HE.finditer(text))
    if len(she) == len(he):
        return None
    winner = she if len(she) > len(he) else he
    m = winner[0]
    return Stated("female" if winner is she else "male", m.start(), m.end())
