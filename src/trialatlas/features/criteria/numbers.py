"""Numbers as written in criteria: digits (``1,500``, ``7.5``, ``.5``) and words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from trialatlas.features.criteria.lexicon import Token

WORD_NUMBERS: dict[str, float] = {
    "zero": 0,
    "one": 1,
    "a single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "twenty-one": 21,
    "twenty-four": 24,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "sixty-five": 65,
    "seventy": 70,
    "seventy-five": 75,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "one hundred": 100,
}

_WORDS = "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))

# A number: digits with thousands separators and decimals, or a number word.
# A decimal comma ("38,3 °C", "1,5 x ULN", "5,1 mg/dL") only before a unit or a multiple:
# "ECOG 0,1 or 2" is a list.
_DECIMAL_COMMA = (
    r"(?<![\w.,])\d+,\d{1,2}(?![\d,])"
    r"(?=\s?(?:[°º%]|[x×*]\s|(?:mg|g|kg|mmol|µmol|umol|mEq|mL|ml|L|cm|mm|IU|U)(?![\w/-])|\w+/))"
)
# Thousands grouped by a space, only before a count unit: "100 000/µL", "1 500 cells"
_SPACE_GROUPED = r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.])(?=\s?(?:/|cells\b))"
NUMBER = rf"(?:{_DECIMAL_COMMA}|{_SPACE_GROUPED}|(?<![\w.,])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?|(?<![\w.])\.\d+|\b(?:{_WORDS})\b)"


# Where a number (or "a"/"an" before a unit) can start: a lookahead that lets the regex
# engine skip other positions cheaply. Use it case-insensitively, before NUMBER.
NUMBER_START = (
    r"(?=[\d.]|\b(?:"
    + "|".join(sorted({re.escape(w[:2]) for w in WORD_NUMBERS} | {"an", r"a\s"}))
    + "))"
)

_NUMBER_WORDS = frozenset(w.split()[-1].split("-")[0] for w in WORD_NUMBERS)


def has_number(tokens: Iterable[Token]) -> bool:
    """True when some token is or starts with a digit, or is a number word (a cheap gate)."""
    return any(t.text[0].isdigit() or t.norm in _NUMBER_WORDS for t in tokens)


def parse_number(text: str) -> float | None:
    """The value of a written number, or None (``1,500`` → 1500, ``six`` → 6)."""
    raw = text.strip().lower()
    if not raw:
        return None
    if raw in WORD_NUMBERS:
        return float(WORD_NUMBERS[raw])
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+", raw):
        raw = re.sub(r"[ \u00a0\u202f]", "", raw)  # "100 000"
    elif re.fullmatch(r"\d+,\d{1,2}", raw):
        raw = raw.replace(",", ".")  # a decimal comma
    try:
        return float(raw)
    except ValueError:
        return None
