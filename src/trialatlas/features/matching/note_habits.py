"""Smoking status and pregnancy from a patient's note.

Smoking: the note's phrases decide first ("quit smoking 10 years ago" → former,
"nonsmoker", "denies smoking" → never; ``note_terms.json`` ``smoking``), then a
smoking entity's ConText flags (negated → never, historical → former), then any
other mention of smoking → current. A relative's smoking is not the patient's.

Pregnancy: a pregnancy mention ("pregnant", "her second pregnancy") or a gestational
age ("at 11 weeks gestation", "24W3D gestational") → pregnant, unless it is negated
("not pregnant") or describes the patient's own birth ("born at 38 weeks of
gestation"); "postmenopausal" → not pregnant. Never stated for a man.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from trialatlas.features.matching.note_terms import note_terms
from trialatlas.model.criteria import Entity

SMOKING_WORDS = re.compile(r"smok|tobacco|cigar|nicotine|vap(?:e|ing)", re.IGNORECASE)
_GESTATION = re.compile(
    r"(?<![\w.])\d{1,2}(?:\s*\+\s*\d)?\s*(?:w|wks?|weeks?)(?:\s*\d\s*d(?:ays?)?)?\b"
    r"[\s,]*(?:of\s+|and\s+\d\s+days?\s+)?(?:gestation|gestational|pregnan)",
    re.IGNORECASE,
)
_BORN = re.compile(
    r"\b(?:born|birth|delivered|preterm infant|premature infant)\b[^.]{0,25}$", re.IGNORECASE
)
_PREGNANT = re.compile(r"\b(?:pregnant|pregnancy|gravid)\b", re.IGNORECASE)
_NOT_PREGNANT = re.compile(
    r"\b(?:post-?menopausal|not\s+(?:currently\s+)?pregnant|non-?pregnant|"
    r"negative\s+pregnancy\s+test|pregnancy\s+test\s+(?:was\s+|is\s+)?negative|"
    r"negative\s+for\s+pregnancy|s/p\s+(?:total\s+)?hysterectomy)\b",
    re.IGNORECASE,
)
_OTHER_PREGNANCY = re.compile(
    r"\b(?:ectopic|previous|prior|past|last|first|molar)\s+pregnanc|pregnancies\b|"
    r"\bpregnancy\s+(?:test|prevention|history)|\b(?:avoid|prevent)\w*\s+pregnan|"
    r"\b(?:become|becoming|get|getting|trying\s+to\s+get)\s+pregnant|"
    r"\b(?:plan|plans|planning|planned|want|wants|wish|wishes)\s+(?:a\s+|to\s+\w+\s+)?pregnan|"
    r"\b(?:with|during|in|after|before|prior\s+to)\s+(?:her\s+|a\s+)?pregnancy",
    re.IGNORECASE,
)

_SOMEONE_ELSE = re.compile(
    r"\b(?:mother|father|sister|brother|parents?|husband|wife|spouse|partner|son|daughter|"
    r"boyfriend|girlfriend|roommate|family|friend)s?\b[^.;]{0,25}$",
    re.IGNORECASE,
)

Scopes = Sequence[tuple[int, int, int, int]]


@dataclass(frozen=True, slots=True)
class Said:
    """A value and the character offset of the words that said it."""

    value: str | bool
    start: int


def _in(scopes: Scopes, start: int, end: int) -> bool:
    return any(start < e and s < end for _, _, s, e in scopes)


def _others(text: str, start: int, end: int, scopes: Scopes) -> bool:
    """A relative's (or anyone else's) habit: "her father smokes"."""
    return _in(scopes, start, end) or bool(_SOMEONE_ELSE.search(text, max(0, start - 40), start))


def find_smoking(text: str, entities: Sequence[Entity], family: Scopes) -> Said | None:
    """``current`` / ``former`` / ``never`` and where the note says it; None if silent."""
    phrases = note_terms().smoking
    for status, pattern in phrases:
        if status == "current":
            continue
        for m in pattern.finditer(text):
            if not _others(text, m.start(), m.end(), family):
                return Said(status, m.start())
    for e in entities:
        if e.type not in ("behaviour", "condition") or not SMOKING_WORDS.search(e.text):
            continue
        if _others(text, e.start, e.end, family) or e.uncertain:
            continue
        if e.negated:
            return Said("never", e.start)
        return Said("former" if e.historical else "current", e.start)
    for status, pattern in phrases:
        if status != "current":
            continue
        for m in pattern.finditer(text):
            if not _others(text, m.start(), m.end(), family):
                return Said(status, m.start())
    return None


def _other(text: str, start: int, end: int) -> bool:
    """A pregnancy that is not a current one: past, planned, a test, a birth."""
    window = text[max(0, start - 25) : min(len(text), end + 25)]
    return _OTHER_PREGNANCY.search(window) is not None


def find_pregnancy(
    text: str, entities: Sequence[Entity], skip: Scopes, male: bool, child: bool = False
) -> Said | None:
    """True / False and where the note says it; None when it says nothing, for a man
    or a child. ``skip``: spans that are not about the patient now (a relative, a past
    medical history list)."""
    if male or child:
        return None
    negative = _NOT_PREGNANT.search(text)
    if negative is not None:
        return Said(False, negative.start())
    for m in _GESTATION.finditer(text):
        if _BORN.search(text, max(0, m.start() - 40), m.start()) is None:
            return Said(True, m.start())
    for e in entities:
        if (
            e.type == "pregnancy"
            and e.negated
            and not _in(skip, e.start, e.end)
            and not _other(text, e.start, e.end)
        ):
            return Said(False, e.start)
    for m in _PREGNANT.finditer(text):
        if _in(skip, m.start(), m.end()) or _other(text, m.start(), m.end()):
            continue
        negated = any(e.negated and e.start < m.end() and m.start() < e.end for e in entities)
        uncertain = any(
            (e.uncertain or e.historical) and e.start < m.end() and m.start() < e.end
            for e in entities
        )
        if negated:
            return Said(False, m.start())
        if not uncertain:
            return Said(True, m.start())
    return None
