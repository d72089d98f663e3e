"""A patient's note → sentence spans (offsets into the note).

A sentence ends at a line break, or at ``.``, ``!`` or ``?`` followed by space and a
capital, a digit, a quote or a bracket, unless the dot ends a title or a short form
("Dr.", "vs.", "e.g.", "approx."); a decimal point is never followed by space. Spans are trimmed of
surrounding space and never empty; ``note[start:end]`` is the sentence text.
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n\s*")
_NO_BREAK_AFTER = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "vs",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "approx",
        "etc",
        "fig",
        "pt",
        "pts",
        "yrs",
        "yr",
        "hr",
        "hrs",
        "min",
        "mins",
        "wk",
        "wks",
        "mo",
        "mos",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def _keeps_going(text: str, cut: int) -> bool:
    """True when the dot before ``cut`` ends a title or short form, not a sentence."""
    head = text[max(0, cut - 12) : cut].rstrip("\"')] \t")
    m = _LAST_WORD.search(head)
    if m is None:
        return False
    word = m.group(1).lower()
    return word in _NO_BREAK_AFTER


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every sentence of ``text``, in order, trimmed, non-empty."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        if "\n" not in m.group() and _keeps_going(text, m.start()):
            continue
        s, e = _trim(text, pos, m.start())
        if e > s:
            spans.append((s, e))
        pos = m.end()
    s, e = _trim(text, pos, len(text))
    if e > s:
        spans.append((s, e))
    return spans


def sentence_at(spans: list[tuple[int, int]], offset: int) -> int | None:
    """Index of the sentence holding character ``offset`` (None when between sentences)."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        s, e = spans[mid]
        if offset < s:
            hi = mid
        elif offset >= e:
            lo = mid + 1
        else:
            return mid
    return None
