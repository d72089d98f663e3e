"""Registry free text → an outline of paragraphs and nested lists (pure, no I/O).

ClinicalTrials.gov writes eligibility criteria (and summaries) as light markdown:
``* `` bullets, ``  * `` sub-bullets, ``1.`` numbered items and backslash escapes
(``\\>`` for ``>``). The legacy XML keeps the older plain-text layout: ``-  `` bullets
indented by ten spaces, sub-bullets by fifteen, numbered items, lines wrapped at 80
columns. Both become the same typed outline, so a page can render real nested
lists and the eligibility parser can walk criteria one by one.

Nesting follows indentation: an item is the child of the nearest open item whose
marker sits further left. Lines that continue an item (wrapped text) join it;
a paragraph after a blank line belongs to the item it is indented under.
Headers ("Inclusion Criteria:", "EXCLUSION CRITERIA", "Key inclusion criteria for
part A:") start a new section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

SectionKind = Literal["inclusion", "exclusion", "criteria"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Paragraph(_Part):
    """Running text that is not a list item."""

    kind: Literal["paragraph"] = "paragraph"
    text: str


class OutlineItem(_Part):
    """One list item: its text, the marker as the registry wrote it, nested blocks."""

    text: str
    marker: str
    children: list[Block] = Field(default_factory=list)


class OutlineList(_Part):
    """Consecutive items at one level; ``ordered`` for numbered or lettered items."""

    kind: Literal["list"] = "list"
    ordered: bool
    items: list[OutlineItem] = Field(default_factory=list)


Block = Annotated[Paragraph | OutlineList, Field(discriminator="kind")]


class OutlineSection(_Part):
    """A run of blocks under one header (``heading`` is None before any header)."""

    kind: SectionKind
    heading: str | None = None
    blocks: list[Block] = Field(default_factory=list)


OutlineItem.model_rebuild()

_MARKER = re.compile(
    r"^(?P<indent>[ ]*)"
    r"(?P<marker>[*\-+•·▪◦o]|\d{1,3}[.)]|\(\d{1,3}\)|[a-z][.)]|\([a-z]\)"
    r"|(?:ii|iii|iv|vi|vii|viii|ix|xi|xii)[.)])"
    r"[ ]+(?P<content>\S.*)$"
)
_HEADER = re.compile(
    r"^(?:[*\-•]\s+)?(?P<title>(?:(?:key|main|major|general|additional|specific|other)\s+)?"
    r"(?P<kind>inclusion|exclusion|eligibility)(?:\s+criteria)?"
    r"(?P<qualifier>\s*\([^)]{0,60}\)|\s+(?:for|of|in|[-–])\s+[^:.]{1,60})?)"
    r"\s*(?P<colon>:-?)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>~|=^\"'])")
_SEPARATOR = re.compile(r"^[-=_*~.•]+$")


def unescape_registry(text: str) -> str:
    """Drop the registry's markdown backslash escapes: ``\\>`` → ``>``, ``\\~`` → ``~``."""
    return _ESCAPE.sub(r"\1", text)


def _clean_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return [line.expandtabs(4).rstrip() for line in text.split("\n")]


@dataclass
class _Open:
    """An item still open for children, with the columns of its marker and its text."""

    item: OutlineItem
    marker_indent: int
    content_indent: int


@dataclass
class _Builder:
    sections: list[OutlineSection] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)
    last_text: OutlineItem | Paragraph | None = None
    after_blank: bool = False

    def __post_init__(self) -> None:
        self.sections.append(OutlineSection(kind="criteria"))

    def _container(self) -> list[Block]:
        return self.stack[-1].item.children if self.stack else self.sections[-1].blocks

    def header(self, kind: SectionKind, heading: str) -> None:
        self.sections.append(OutlineSection(kind=kind, heading=heading))
        self.stack.clear()
        self.last_text = None

    def item(self, indent: int, marker: str, content_start: int, text: str) -> None:
        while self.stack and self.stack[-1].marker_indent >= indent:
            self.stack.pop()
        container = self._container()
        ordered = not _is_bullet(marker)
        last = container[-1] if container else None
        if not (isinstance(last, OutlineList) and last.ordered == ordered):
            last = OutlineList(ordered=ordered)
            container.append(last)
        new = OutlineItem(text=text, marker=marker)
        last.items.append(new)
        self.stack.append(_Open(new, indent, content_start))
        self.last_text = new

    def _continues(self, indent: int, text: str) -> bool:
        """Wrapped text: no blank line before it, or a blank line splitting a sentence."""
        if self.last_text is None:
            return False
        if not self.after_blank:
            return True
        inside = not self.stack or indent >= self.stack[-1].content_indent
        unfinished = not self.last_text.text.rstrip().endswith((".", ":", ";", "!", "?"))
        return inside and unfinished and text[:1].islower()

    def text(self, indent: int, text: str) -> None:
        if self._continues(indent, text):
            assert self.last_text is not None
            self.last_text.text = f"{self.last_text.text} {text}"
            return
        while self.stack and indent < self.stack[-1].content_indent:
            self.stack.pop()
        paragraph = Paragraph(text=text)
        self._container().append(paragraph)
        self.last_text = paragraph

    def result(self) -> list[OutlineSection]:
        return [s for s in self.sections if s.blocks or s.heading]


def _is_bullet(marker: str) -> bool:
    return marker in {"*", "-", "+", "•", "·", "▪", "◦", "o"}


def _heading(match: re.Match[str]) -> tuple[SectionKind, str] | None:
    """Accept a header line: the bare words, or words with a qualifier and a colon."""
    title = " ".join(match.group("title").split())
    bare = match.group("qualifier") is None and "criteria" in title.lower()
    if not (match.group("colon") or bare or match.group("title").isupper()):
        return None
    if match.group("rest") and not match.group("colon"):
        return None
    kind_word = match.group("kind").lower()
    kind: SectionKind = kind_word if kind_word in ("inclusion", "exclusion") else "criteria"  # type: ignore[assignment]
    if title.lower() in ("inclusion criteria", "exclusion criteria", "eligibility criteria"):
        title = title.title()
    return kind, unescape_registry(title)


def text_blocks(text: str | None) -> list[Block]:
    """Outline of text that has no criteria headers (summaries, descriptions)."""
    builder = _Builder()
    for line in _clean_lines(text or ""):
        _feed(builder, line, headers=False)
    return [block for section in builder.result() for block in section.blocks]


def criteria_outline(text: str | None) -> list[OutlineSection]:
    """Eligibility criteria text → sections (inclusion, exclusion, …) of nested lists.

    Works for registry markdown (``* ``/``  * `` bullets, ``\\>`` escapes), the legacy
    XML layout (``-  `` bullets, indentation, wrapped lines), numbered and lettered
    lists, and text without any header (one section of kind ``criteria``).
    """
    builder = _Builder()
    for line in _clean_lines(text or ""):
        _feed(builder, line, headers=True)
    return builder.result()


def _feed(builder: _Builder, line: str, *, headers: bool) -> None:
    """Add one line to the outline under construction."""
    stripped = line.strip()
    if not stripped or _SEPARATOR.match(stripped):
        builder.after_blank = True
        return
    if headers:
        match = _HEADER.match(stripped)
        found = _heading(match) if match else None
        if found and match:
            builder.header(*found)
            rest = match.group("rest").strip()
            builder.after_blank = True
            if rest:
                builder.text(len(line) - len(line.lstrip()), unescape_registry(rest))
                builder.after_blank = False
            return
    marker = _MARKER.match(line)
    if marker and (marker.group("marker") != "o" or line.startswith("  ", marker.end("marker"))):
        indent = len(marker.group("indent"))
        builder.item(
            indent,
            marker.group("marker"),
            marker.start("content"),
            unescape_registry(marker.group("content").strip()),
        )
    else:
        builder.text(len(line) - len(line.lstrip()), unescape_registry(stripped))
    builder.after_blank = False


def outline_text(blocks: list[Block]) -> list[str]:
    """Every item and paragraph text in reading order (depth-first)."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            for item in block.items:
                out.append(item.text)
                out.extend(outline_text(item.children))
    return out
