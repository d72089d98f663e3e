"""Values stated without a comparison: "HbA1c 7.5%", "48 hours", "ECOG 0 or 1".

Three shapes become entities (no :class:`Comparison`, since nothing is bounded):

* a number with a unit ("58 mmol/mol", "45%", "48 hours"): a ``value``, or a
  ``temporal`` entity for elapsed time; units too ambiguous to stand without
  an operator ("in", "s", "m" …, ``units.json`` ``ambiguous``) are skipped;
* the score after a measurement ("ECOG performance status of **0 or 1**",
  "NYHA class **III**", "Karnofsky **70**", "ASA class **1, 2, or 3**"): a ``value``;
* the letter grades after a scale graded by letters ("Child-Pugh class **B or C**",
  "BCLC stage **C**": ``entity_patterns.json`` ``letter_graded_scales``): a ``value``.

Runs inside the comparison stage, after the comparisons, on text they left.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from trialatlas.features.criteria.document import Item
from trialatlas.features.criteria.numbers import NUMBER, NUMBER_START, parse_number
from trialatlas.features.criteria.rules import read_json
from trialatlas.features.criteria.units import unit_key, unit_pattern
from trialatlas.model.criteria import EntityType

_ROMAN = r"(?:I{1,3}|IV|VI{0,3}|IX|X)[abcABC]?(?![\w])"
# a full stop after a score ends the sentence: "ECOG 0 or 1."
_SCORE = rf"(?:\d+(?:\.\d+)?(?!\d|\.\d)|{_ROMAN})"
# between two scores of a list: "0, 1 or 2", "1, 2, or 3" (a serial comma), "A & B"
_LIST_SEPARATOR = r"[ \t]*(?:,[ \t]*(?:and/or|or|and)?|and/or|or|and|to|-|/|&)[ \t]*"
_SCORE_AFTER = re.compile(
    r"(?:\s*\([^()]{1,15}\))?[ \t]*"
    r"(?:(?:[Ss]core|[Ss]tatus|[Gg]rade|[Cc]lass|[Ss]tage|[Ll]evel|[Vv]alue|[Cc]ategory|of|is|was|"
    r"must\s+be|should\s+be|between|[=:])[ \t]*){0,3}"
    rf"(?P<v>{_SCORE}(?:{_LIST_SEPARATOR}{_SCORE})*)"
)
_LETTER = r"[A-E](?!\w)(?!-\d)"
_LETTERS_AFTER = re.compile(
    r"(?:[ \t]*\([^()]{1,15}\))?[ \t]*(?:-[ \t]*)?"
    r"(?:(?i:class(?:es|ification)?|score|stage|grade|group)[ \t]*(?::[ \t]*)?)?"
    rf"(?P<v>{_LETTER}(?:{_LIST_SEPARATOR}{_LETTER})*)"
)
_NOT_A_SCORE_TAIL = re.compile(r"\s*(?:[%/]|[a-zA-Z]{1,6}/|x\s*10|\d)")


@cache
def _bare_pattern() -> re.Pattern[str]:
    return re.compile(
        rf"{NUMBER_START}(?P<v>{NUMBER})\s*-?\s*(?P<u>{unit_pattern()})", re.IGNORECASE
    )


@cache
def _letter_graded_scales() -> re.Pattern[str]:
    """The names of ``entity_patterns.json`` ``letter_graded_scales`` as one pattern."""
    names = read_json("entity_patterns.json").get("letter_graded_scales", {}).get("names", [])
    words = [r"[\s-]*".join(re.escape(w) for w in re.split(r"[\s-]+", n)) for n in names]
    alternatives = "|".join(sorted(words, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


@cache
def _ambiguous_units() -> frozenset[str]:
    return frozenset(unit_key(u) for u in read_json("units.json").get("ambiguous", []))


def bare_quantities(
    view: str,
    item: Item,
    taken: list[tuple[int, int]],
    classify: Callable[[int, int, str, float | None], EntityType],
) -> list[tuple[int, int, EntityType]]:
    """``(start, end, type)`` of numbers with units outside ``taken`` spans.

    ``classify(start, end, unit, value)`` names the type (value or temporal).
    """
    out: list[tuple[int, int, EntityType]] = []
    ambiguous = _ambiguous_units()
    for m in _bare_pattern().finditer(view, item.start, item.end):
        s, e = m.span()
        unit = m.group("u")
        if unit_key(unit) in ambiguous or any(s < te and ts < e for ts, te in taken):
            continue
        out.append((s, e, classify(s, e, unit, parse_number(m.group("v")))))
    return out


def score_values(
    view: str, item: Item, measurements: list[tuple[int, int]], taken: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Spans of the numbers or Roman numerals that directly follow a measurement."""
    out: list[tuple[int, int]] = []
    for _, m_end in measurements:
        m = _SCORE_AFTER.match(view, m_end, item.end)
        if m is None:
            continue
        s, e = m.span("v")
        if _NOT_A_SCORE_TAIL.match(view, e, item.end) or any(s < te and ts < e for ts, te in taken):
            continue
        out.append((s, e))
        taken.append((s, e))
    return out


def letter_grades(view: str, item: Item, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the capital-letter grades right after a scale graded by letters."""
    out: list[tuple[int, int]] = []
    for scale in _letter_graded_scales().finditer(view, item.start, item.end):
        m = _LETTERS_AFTER.match(view, scale.end(), item.end)
        if m is None:
            continue
        s, e = m.span("v")
        if any(s < te and ts < e for ts, te in taken):
            continue
        out.append((s, e))
        taken.append((s, e))
    return out
