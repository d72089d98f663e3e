"""Eligibility criteria as a flat list of items, and the time windows they state.

Items come from the registry-page outline (:func:`criteria_outline`): each bullet
with its section kind (inclusion, exclusion, or ``criteria`` when the text has no
headers), its parent's text (for "any of the following:" lists) and its position.
Time windows ("within 3 months prior to enrollment") come from the criteria
parser's window stage (:mod:`trialatlas.features.criteria`) when it is importable,
else from a small regular expression of our own; either way as :class:`Window`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from trialatlas.features.criteria_text import OutlineList, Paragraph, criteria_outline
from trialatlas.features.patient_summary.prose import clean_text, number_text

UNITS = ("hour", "day", "week", "month", "year")


@dataclass(frozen=True, slots=True)
class CriteriaItem:
    """One criterion: section kind, its text, its parent item's text (or None)."""

    kind: str  # inclusion | exclusion | criteria
    text: str
    parent: str | None
    index: int


@dataclass(frozen=True, slots=True)
class Window:
    """A time window: ``within`` 3 ``month`` before ``enrollment``."""

    relation: str  # within, in the past, at least before, before, for at least, for, after
    amount: float
    unit: str
    anchor: str | None
    text: str

    @property
    def days(self) -> float:
        return (
            self.amount * {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}[self.unit]
        )

    @property
    def length(self) -> str:
        """``3 months``, ``1 year``."""
        word = self.unit if self.amount == 1 else self.unit + "s"
        return f"{number_text(self.amount)} {word}"


@lru_cache(maxsize=256)
def criteria_items(text: str | None) -> tuple[CriteriaItem, ...]:
    """Every item and paragraph of the criteria text, depth-first, with its section kind."""
    items: list[CriteriaItem] = []
    for section in criteria_outline(text):
        _walk(section.blocks, section.kind, None, items)
    return tuple(items)


def _walk(blocks: list[Any], kind: str, parent: str | None, out: list[CriteriaItem]) -> None:
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(CriteriaItem(kind, clean_text(block.text), parent, len(out)))
        elif isinstance(block, OutlineList):
            for item in block.items:
                text = clean_text(item.text)
                out.append(CriteriaItem(kind, text, parent, len(out)))
                _walk(item.children, kind, text, out)


# --- time windows ----------------------------------------------------------------------

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "a": 1, "an": 1}  # fmt: skip
_AMOUNT = r"(?P<amount>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|an?)"
_UNIT = r"(?P<unit>hours?|days?|weeks?|months?|years?|hrs?|wks?|mos?|yrs?)\b"
_EVENT = (
    r"(?P<anchor>(?:the\s+)?(?:study\s+)?(?:enrol(?:l)?ment|entry|screening|randomi[sz]ation|"
    r"baseline|first\s+dose|treatment|consent|surgery|study\s+(?:drug|treatment|start|entry)))"
)
_LINK = r"\s*,?\s*(?:prior\s+to|before|preceding|of|from)\s+"
_ANCHOR = rf"(?:{_LINK}{_EVENT})?"
_FALLBACK = (
    ("at least before", re.compile(rf"\bat\s+least\s+{_AMOUNT}\s*{_UNIT}(?=\s*(?:prior|before)){_ANCHOR}", re.I)),
    ("within", re.compile(rf"\bwithin\s+(?:the\s+)?(?:last\s+|past\s+|previous\s+)?{_AMOUNT}\s*{_UNIT}{_ANCHOR}", re.I)),
    ("in the past", re.compile(rf"\b(?:in|during)\s+the\s+(?:last|past|previous|preceding)\s+{_AMOUNT}\s*{_UNIT}{_ANCHOR}", re.I)),
    ("for at least", re.compile(rf"\bfor\s+(?:at\s+least|a\s+minimum\s+of|more\s+than|over|>|≥)\s*{_AMOUNT}\s*{_UNIT}", re.I)),
    ("before", re.compile(rf"\b{_AMOUNT}\s*{_UNIT}\s*(?:prior\s+to|before)\s+(?:{_EVENT})?", re.I)),
)  # fmt: skip


@lru_cache(maxsize=4096)
def find_windows(text: str) -> tuple[Window, ...]:
    """Time windows stated in one criterion's text, left to right (the parser's, else ours)."""
    parser = _parser_stages()
    if parser is not None:
        try:
            found = _parser_windows(text, parser)
        except Exception:  # the parser is another team's work in progress: never fail on it
            found = []
        if found:
            return tuple(found)
    return tuple(_fallback_windows(text))


@cache
def _parser_stages() -> tuple[Any, list[Any]] | None:
    try:
        from trialatlas.features.criteria import parse_criteria
        from trialatlas.features.criteria.items import ItemSplitter
        from trialatlas.features.criteria.sections import SectionDetector
        from trialatlas.features.criteria.windows import WindowFinder
    except ImportError:
        return None
    return parse_criteria, [SectionDetector(), ItemSplitter(), WindowFinder()]


def _parser_windows(text: str, parser: tuple[Any, list[Any]]) -> list[Window]:
    parse, stages = parser
    parsed = parse(text, stages)
    out = []
    for criterion in parsed.criteria:
        for w in criterion.windows:
            if w.unit in UNITS:
                out.append(Window(w.relation, float(w.amount), w.unit, w.anchor, w.text))
    return out


def _fallback_windows(text: str) -> list[Window]:
    found: list[tuple[int, Window]] = []
    taken: list[tuple[int, int]] = []
    for relation, pattern in _FALLBACK:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            amount_text = m.group("amount").lower()
            amount = float(_NUMBER_WORDS.get(amount_text, 0) or amount_text)
            unit = _unit(m.group("unit"))
            anchor = _anchor(m.groupdict().get("anchor"))
            found.append((m.start(), Window(relation, amount, unit, anchor, m.group(0).strip())))
            taken.append((m.start(), m.end()))
    return [w for _, w in sorted(found, key=lambda pair: pair[0])]


def _unit(text: str) -> str:
    text = text.lower()
    for unit in UNITS:
        if text.startswith(unit[:2]) or (unit == "month" and text.startswith("mo")):
            return unit
    return "day"  # pragma: no cover - the pattern only admits the units above


def _anchor(text: str | None) -> str | None:
    if not text:
        return None
    t = text.lower()
    for key, name in (("random", "randomization"), ("screen", "screening"), ("baseline", "screening"),
                      ("consent", "consent"), ("surgery", "surgery"), ("enrol", "enrollment"),
                      ("entry", "enrollment"), ("start", "enrollment")):  # fmt: skip
        if key in t:
            return name
    return "treatment"


ANCHOR_WORDS = {
    "enrollment": "enrollment",
    "screening": "screening",
    "randomization": "being assigned to a group",
    "consent": "signing the consent form",
    "treatment": "the first study treatment",
    "surgery": "surgery",
    "diagnosis": "diagnosis",
    "study": "the study",
}


def window_phrase(window: Window) -> str:
    """A window in plain words: ``within 3 months before enrollment``."""
    anchor = ANCHOR_WORDS.get(window.anchor or "")
    before = f" before {anchor}" if anchor else ""
    if window.relation == "at least before":
        return f"at least {window.length} before {anchor or 'the study'}"
    if window.relation in ("for at least", "for"):
        return (
            f"for at least {window.length}"
            if window.relation == "for at least"
            else f"for {window.length}"
        )
    if window.relation == "after":
        return f"{window.length} after {anchor or 'it'}"
    if window.relation == "in the past":
        return f"in the past {window.length}{before}"
    return f"within {window.length}{before}"
