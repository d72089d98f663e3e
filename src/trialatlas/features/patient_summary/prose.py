"""Small text tools for plain sentences: cleaning registry text, splitting, casing, lists.

Pure functions over strings. Registry text arrives with markdown escapes, odd
spacing, shouted labels ("RATIONALE:", "PURPOSE:") and run-on sentences; these
helpers tidy it without changing what it says.
"""

from __future__ import annotations

import re

from trialatlas.features.criteria_text import unescape_registry

_SPACES = re.compile(r"\s+")
_LABEL = re.compile(
    r"^(?:(?:brief\s+)?summary|rationale|(?:study\s+|primary\s+)?purpose|(?:study\s+)?objectives?|"
    r"background|(?:specific\s+)?aims?|(?:primary|main|secondary) (?:objectives?|aims?|goals?)|"
    r"primary|secondary|amended|part\s+(?:[ivx]+|\d{1,2}|[a-d])|goals?|overview|introduction|"
    r"description|study design|design|hypothes[ie]s)\s*:\s*",
    re.IGNORECASE,
)
_ROMAN_ITEM = re.compile(r"^(?:[ivx]+|\d{1,2}|[a-z])[.)]\s+", re.IGNORECASE)
# A sentence ends at . ! ? before a space and a capital, digit or quote; not after an
# abbreviation such as "e.g.", "Dr.", "vs." or a single capital letter ("J. Smith").
_ABBREVIATIONS = (
    "e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "prof", "approx", "no", "fig",
    "inc", "ltd", "co", "st", "jr", "sr", "al", "ca", "min", "max", "resp", "incl",
)  # fmt: skip
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "via",
        "vs",
        "with",
        "without",
    ]
)


def clean_text(text: str | None) -> str:
    """Registry text on one line: escapes dropped, whitespace collapsed, edges trimmed,
    powers of ten in words (``10 x106 cells`` → ``10 million cells``)."""
    if not text:
        return ""
    return plain_powers(_SPACES.sub(" ", unescape_registry(text)).strip())


# "2 x 10^6", "5x10E9", "1.5 × 10*8", and the superscript the registry lost: "10 x106 cells".
_POWER = re.compile(
    r"(?<![\w.])(?P<value>\d+(?:\.\d+)?)\s*[x×X*]\s*10\s*(?:\^|\*\*|E|e)\s*(?P<exp>\d{1,2})(?!\d)"
    r"|(?<![\w.])(?P<lvalue>\d+(?:\.\d+)?)\s*[x×X]\s*10(?P<lexp>[3-9]|1[0-5])(?=\s*(?:/|cells?\b|"
    r"(?:[A-Za-z]*IU|CFU|PFU|TCID50|vp|viral|particles?|units?|organisms?|CD34|copies|genome|/kg|per|in)\b|[,;.)]|$))"
)
_SCALES = ((12, "trillion"), (9, "billion"), (6, "million"))
_GLUED = re.compile(r"\b(million|billion|trillion)(?=[A-Za-z])")


def plain_powers(text: str) -> str:
    """Powers of ten in words: ``2.5 x 10^8`` → ``250 million``; ``3 x 10^4`` → ``30,000``."""
    if "10" not in text:
        return text
    return _GLUED.sub(r"\1 ", _POWER.sub(_power_words, text))


def _power_words(match: re.Match[str]) -> str:
    value = float(match.group("value") or match.group("lvalue"))
    exponent = int(match.group("exp") or match.group("lexp"))
    for scale, word in _SCALES:
        if exponent >= scale:
            return f"{_number(value * 10 ** (exponent - scale))} {word}"
    return _number(value * 10**exponent, grouped=True)


def _number(value: float, grouped: bool = False) -> str:
    rounded = round(value, 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}" if grouped else str(int(rounded))
    return f"{rounded:g}"


def strip_label(text: str) -> str:
    """Drop a leading section label or list marker: ``PURPOSE: Phase II…`` → ``Phase II…``."""
    return split_labels(text)[1]


def split_labels(text: str) -> tuple[list[str], str]:
    """The leading section labels (lower case, without the colon) and the text after them:
    ``RATIONALE: Drugs…`` → ``(["rationale"], "Drugs…")``."""
    labels: list[str] = []
    previous = None
    while previous != text:
        previous = text
        match = _LABEL.match(text)
        if match:
            labels.append(match.group(0).rstrip(": ").lower())
            text = text[match.end() :]
        text = _ROMAN_ITEM.sub("", text)
    return labels, text.strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph (abbreviation-aware, conservative)."""
    text = clean_text(text)
    if not text:
        return []
    pieces = _SPLIT.split(text)
    out: list[str] = []
    for piece in pieces:
        if out and _ends_with_abbreviation(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return [p.strip() for p in out if p.strip()]


def _ends_with_abbreviation(text: str) -> bool:
    last = text.rstrip(".!?").rsplit(" ", 1)[-1].lower().lstrip("(")
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def as_sentence(text: str) -> str:
    """Capital first letter (unless it starts with a lower-case code like ``mRNA``), a full stop."""
    text = text.strip().rstrip(",;: ")
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if not any(c.isupper() for c in first[1:]):
        text = text[0].upper() + text[1:]
    if text[-1] not in ".!?":
        text += "."
    return text


def with_period(text: str) -> str:
    """The text with a full stop at the end (no change of case)."""
    text = text.strip().rstrip(",;: ")
    return text if not text or text[-1] in ".!?" else text + "."


def lower_first(text: str) -> str:
    """``Low back pain`` → ``low back pain``; acronyms and names with inner capitals stay."""
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if len(first) > 1 and any(c.isupper() for c in first[1:]):
        return text
    return text[0].lower() + text[1:]


def title_case(text: str) -> str:
    """Title case that leaves acronyms, codes and small words alone (``BM-MSC Injection``)."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        if i > 0 and word.lower() in SMALL_WORDS and not (len(word) == 1 and word.isupper()):
            out.append(word.lower())
        elif any(c.isupper() for c in word) or not word[:1].isalpha():
            out.append(word)
        else:
            out.append("-".join(p[:1].upper() + p[1:] for p in word.split("-")))
    return " ".join(out)


def join_words(items: list[str], conjunction: str = "and") -> str:
    """``["a", "b", "c"]`` → ``a, b and c``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 trial``, ``3 trials`` (``plural_form`` for irregular words)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def number_text(value: float) -> str:
    """``3.0`` → ``3``; ``1.5`` → ``1.5``."""
    return f"{value:g}"


def shorten(text: str, max_words: int) -> str | None:
    """The text cut at a clause boundary within ``max_words`` words, or None if it cannot be."""
    if word_count(text) <= max_words:
        return text
    for boundary in (";", " - ", ", which", ", and", ","):
        head = text.split(boundary, 1)[0]
        if head != text and 4 <= word_count(head) <= max_words:
            return head
    return None
