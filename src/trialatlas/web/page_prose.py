"""The prose of a rendered HTML page, as a reader meets it (stdlib parser, no I/O).

Prose is the text of headings and paragraphs inside ``<main>``: every ``h1``–``h6``
and ``p`` that is not inside a list, a table, a definition list, a form, a navigation
bar or a folded ``<details>`` summary. A paragraph that holds nothing but links or
badges (a row of buttons) is navigation, not prose. Each block is one text, so a
heading without a full stop still counts as a sentence of its own.

Used by ``bench/readability.py`` (the reading grade of the patient page) and by the
tests that hold the page to plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

PROSE_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p"})
# Text inside these is not prose: lists, tables and forms are read item by item.
ASIDE_TAGS = frozenset({"ul", "ol", "table", "dl", "form", "nav", "select", "script", "style"})
# Inline elements whose text is a control or a label, not a sentence (links, badges).
CONTROL_CLASSES = ("badge", "tag", "button")
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SPACE = re.compile(r"\s+")


@dataclass
class ProseBlock:
    """One heading or paragraph: its tag, its text and whether all of it is controls."""

    tag: str
    text: str = ""
    loose_text: str = ""  # text outside links and badges

    @property
    def is_navigation(self) -> bool:
        return self.tag == "p" and not self.loose_text.strip(" ·|,.:;()\n\t")


@dataclass
class _Parser(HTMLParser):
    blocks: list[ProseBlock] = field(default_factory=list)
    _stack: list[tuple[str, bool]] = field(default_factory=list)  # (tag, is a control)
    _in_main: int = 0
    _aside: int = 0
    _current: ProseBlock | None = None
    _control_depth: int = 0

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            return
        classes = (dict(attrs).get("class") or "").split()
        control = tag == "a" or any(c.startswith(CONTROL_CLASSES) for c in classes)
        self._stack.append((tag, control))
        if tag == "main":
            self._in_main += 1
        if tag in ASIDE_TAGS:
            self._aside += 1
        if control:
            self._control_depth += 1
        if tag in PROSE_TAGS and self._in_main and not self._aside and self._current is None:
            self._current = ProseBlock(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not any(t == tag for t, _ in self._stack):
            return
        while self._stack:
            open_tag, control = self._stack.pop()
            if open_tag == "main":
                self._in_main -= 1
            if open_tag in ASIDE_TAGS:
                self._aside -= 1
            if control:
                self._control_depth -= 1
            if self._current is not None and open_tag == self._current.tag:
                self._finish()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._current is None or self._aside:
            return
        self._current.text += data
        if not self._control_depth:
            self._current.loose_text += data

    def _finish(self) -> None:
        block = self._current
        self._current = None
        if block is None:
            return
        block.text = _SPACE.sub(" ", block.text).strip()
        if block.text and not block.is_navigation:
            self.blocks.append(block)


def page_prose(html: str) -> list[ProseBlock]:
    """The headings and paragraphs of the page's ``<main>``, lists, tables and controls aside."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.blocks


def prose_texts(html: str) -> list[str]:
    """The text of each prose block of the page, in page order."""
    return [block.text for block in page_prose(html)]
