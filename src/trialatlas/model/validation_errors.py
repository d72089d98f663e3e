"""One pydantic validation error → "where: rule", never the value that was sent.

A patient's answers and profile are never echoed in an error: pydantic's own messages
name the rule ("Input should be a valid number"), but a custom validator's message may
quote the input, so any quoted copy of the input is cut out here as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

VALUE_WORDS = "the value sent"
MIN_SCRUB_CHARS = 1
# A name (of a parameter, a field, a question) may be repeated in an error; a value never.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,39}")


def shown_name(name: str, instead: str = "this name") -> str:
    """``name`` when it is shaped like a name (a parameter, field or question id: an
    ASCII identifier of at most 40 characters), else ``instead``: free text someone
    typed into the place of a name is not repeated either."""
    return name if _NAME.fullmatch(name) else instead


def _texts(value: Any) -> Iterable[str]:
    """The strings a message could quote from ``value`` (nested ones too, bounded)."""
    stack = [value]
    seen = 0
    while stack and seen < 200:
        item = stack.pop()
        seen += 1
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            text = str(item)
            if len(text) >= MIN_SCRUB_CHARS:
                yield text
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def scrub_value(message: str, value: Any) -> str:
    """``message`` with every quoted copy of ``value``'s text replaced (a bare word is
    left: it may be part of the rule, e.g. the allowed value ``'female'`` for ``femal``)."""
    for text in sorted(set(_texts(value)), key=len, reverse=True):
        for form in (repr(text), f"'{text}'", f'"{text}"', f"“{text}”"):
            message = message.replace(form, VALUE_WORDS)
    return message


def error_message(err: Mapping[str, Any]) -> str:
    """The rule an input broke (pydantic's ``msg``) without the input's value."""
    message = str(err.get("msg") or "is not valid").removeprefix("Value error, ")
    return scrub_value(message, err.get("input"))


def error_location(err: Mapping[str, Any], skip: Iterable[str] = ()) -> str:
    """``profile.labs.0.value``: the error's location, dotted, leaving out ``skip``."""
    skipped = set(skip)
    return ".".join(str(p) for p in err.get("loc", ()) if p not in skipped)
