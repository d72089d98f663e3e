"""Bounds on how much registry text one page reads and renders.

The registry's own field limits keep real texts under about 32,000 characters (the
longest detailed descriptions); a record with a 20 MB text is broken or hostile, and
reading all of it made its pages take 15 s and stall the server. Pages therefore read
at most :data:`MAX_PAGE_TEXT_CHARS` of any one text, cut at a paragraph, sentence or
word break, and say where the full text is (the registry page, the record's JSON).
The stored record is never changed: the API's JSON still carries every character.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

MAX_PAGE_TEXT_CHARS = 40_000
# Eligibility criteria are parsed line by line into questions, and the parse grows faster
# than the text: the pre-screener reads at most this many lines (the longest bundled
# record has 164, the registry caps the text at 20,000 characters).
MAX_CRITERIA_LINES = 500
CUT_MARK = " …"
_BREAKS = ("\n\n", "\n", ". ", "; ", " ")

M = TypeVar("M", bound=BaseModel)


def is_too_long(text: str | None, limit: int = MAX_PAGE_TEXT_CHARS) -> bool:
    """True when a page shows only the start of ``text``."""
    return text is not None and len(text) > limit


def cut_text(text: str, limit: int = MAX_PAGE_TEXT_CHARS) -> str:
    """``text`` itself when short enough; otherwise its start, at most ``limit``
    characters, ended at the last paragraph, line, sentence or word break in its last
    fifth, and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    floor = limit * 4 // 5
    for mark in _BREAKS:
        at = head.rfind(mark, floor)
        if at > 0:
            return head[: at + (1 if mark == ". " else 0)].rstrip() + CUT_MARK
    return head.rstrip() + CUT_MARK


def first_lines(
    text: str, max_lines: int = MAX_CRITERIA_LINES, max_chars: int = MAX_PAGE_TEXT_CHARS
) -> str:
    """``text`` itself when it has at most ``max_lines`` lines and ``max_chars``
    characters; otherwise its whole first lines within both bounds (a line is never cut
    in the middle unless the first line alone is too long). No mark is added: the result
    is read line by line (criteria), and the caller says that the text was cut."""
    if len(text) <= max_chars and text.count("\n") < max_lines:
        return text
    head = text[:max_chars]
    if len(text) > max_chars and "\n" in head:
        head = head[: head.rfind("\n")]
    return "\n".join(head.split("\n")[:max_lines]).rstrip()


def _bounded(value: Any, limit: int) -> tuple[Any, bool]:
    if isinstance(value, str):
        return (cut_text(value, limit), True) if len(value) > limit else (value, False)
    if isinstance(value, BaseModel):
        changes: dict[str, Any] = {}
        for name in type(value).model_fields:
            new, changed = _bounded(getattr(value, name), limit)
            if changed:
                changes[name] = new
        return (value.model_copy(update=changes), True) if changes else (value, False)
    if isinstance(value, list | tuple):
        items = [_bounded(item, limit) for item in value]
        if not any(changed for _, changed in items):
            return value, False
        return type(value)(item for item, _ in items), True
    if isinstance(value, Mapping):
        pairs = {key: _bounded(item, limit) for key, item in value.items()}
        if not any(changed for _, changed in pairs.values()):
            return value, False
        return {key: item for key, (item, _) in pairs.items()}, True
    return value, False


def bounded(record: M, limit: int = MAX_PAGE_TEXT_CHARS) -> M:
    """``record`` (a Study or any part of it) with every text longer than ``limit`` cut
    by :func:`cut_text`; the very same object when no text is that long."""
    new, _ = _bounded(record, limit)
    return new
