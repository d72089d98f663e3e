"""Item stage: split each section into criteria, with nesting and wrapped lines.

A criterion starts at a bullet (``*``, ``-``, ``•`` …), a numbered or lettered
marker (``1.``, ``1)``, ``(1)``, ``a.``, ``i.``) or, without markers, at a new
line. Nesting follows indentation (registry markdown ``* `` vs ``  * ``) and,
at equal indentation, a change of marker style under an item ending in ``:``
or an outline step (``1.`` → ``a.``). A line that continues a sentence (starts
in lower case, follows a dangling word, or sits indented under a bullet's text)
is joined to the criterion before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from trialatlas.features.criteria.document import CriteriaDoc, Item, Section, line_spans
from trialatlas.features.criteria.rules import inline_label_pattern
from trialatlas.model.criteria import CriterionKind

_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[*\-•·▪◦‣●○■□➢►o](?=[ \t])|\(?\d{1,3}[.)](?!\d)|\(\d{1,3}\)"
    r"|\(?[a-zA-Z][.)](?![a-zA-Z0-9])|\(?(?:[ivx]{1,5}|[IVX]{1,5})[.)](?![a-zA-Z0-9])|\([a-zA-Z]\))"
    r"(?P<gap>[ \t]+|$)"
)
_CONNECTOR_END = re.compile(
    r"(?:[,\-/(&+≥≤<>=]|\b(?:and|or|of|the|with|to|for|in|a|an|than|by|at|on|from|as|who|which|"
    r"that|including|include|per|is|are|be|has|have|not|no|any|if|within|after|before|prior|"
    r"between|e\.g\.|i\.e\.))\s*$",
    re.IGNORECASE,
)
_LOWER_START = re.compile(r"^[a-z(\[{,;]|^(?:and|or)\b")
# a lower-case line that goes on with the sentence before it ("who smoke", "and/or …")
_CLAUSE_START = re.compile(
    r"^(?:[(\[{,;:]|(?:and|or|nor|but|who|whom|whose|which|that|where|when|while|with|without|"
    r"within|in|of|for|to|at|by|from|than|as|if|unless|except|including|such|e\.g\.|i\.e\.|eg|ie|"
    r"is|are|was|were|be|been|has|have|had|on|per|after|before|prior|due|between|during|"
    r"despite|because|defined|according|other|the|a|an)\b)",
    re.IGNORECASE,
)
# a short unmarked line naming a topic ("Chemotherapy", "Biologic therapy") heads the
# bullets under it, as a line ending in ":" does
_HEADING_LINE = re.compile(r"^[A-Z][A-Za-z/&-]*(?:[ \t]+[A-Za-z/&-]+){0,3}$")
_WRAP_WIDTH = 72  # narrowest line width hard-wrapped registry text is assumed to use
_WORD = re.compile(r"\S+")
_SUB_STYLES = {
    "num": {"alpha", "roman", "bullet"},
    "alpha": {"roman", "bullet"},
    "roman": {"bullet"},
}


@dataclass(slots=True)
class _Open:
    index: int
    indent: int
    style: str
    ends_colon: bool


def marker_style(marker: str, previous: str | None = None) -> str:
    """``bullet``, ``num``, ``alpha`` or ``roman`` (``i.`` stays alpha after ``h.``)."""
    core = marker.strip("().")
    if not core or not core[0].isalnum():
        return "bullet"
    if core.isdigit():
        return "num"
    if core == "o":
        return "bullet"
    low = core.lower()
    if set(low) <= set("ivx") and (len(low) > 1 or previous == "roman" or low != "i"):
        return "roman" if len(low) > 1 or previous != "alpha" else "alpha"
    if low == "i" and previous != "alpha":
        return "roman"
    return "alpha"


def _indent_width(indent: str) -> int:
    return len(indent.replace("\t", "    "))


class ItemSplitter:
    """Stage: fill ``doc.items`` (criteria in text order) from ``doc.sections``."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        items: list[Item] = []
        for section in doc.sections:
            self._split(doc, section, items)
        doc.items = split_inline_labels(doc.view, items)
        return doc

    def _split(self, doc: CriteriaDoc, section: Section, items: list[Item]) -> None:
        view = doc.view
        stack: list[_Open] = []
        current: Item | None = None
        content_col = 0
        blank = True
        last_style: str | None = None
        spans = line_spans(view, section.start, section.end)
        width = max((e - s for s, e in spans), default=0)
        for start, end in spans:
            line = view[start:end]
            if not line.strip():
                blank = True
                continue
            m = _MARKER.match(line)
            if m is not None and m.group("gap") == "" and m.end() == len(line):
                m = None  # a lone "-" or "1." line: no text to hold
            if m is not None:
                indent = _indent_width(m.group("indent"))
                style = marker_style(m.group("marker"), last_style)
                last_style = style
                text_start = start + m.end()
                current = self._new_item(
                    items, stack, section.kind, text_start, end, view, indent, style
                )
                content_col = m.end()
                blank = False
                continue
            stripped = line.lstrip(" \t")
            indent = _indent_width(line[: len(line) - len(stripped)])
            if (
                current is not None
                and not blank
                and self._continues(view, current, stripped, indent, content_col, width)
            ):
                current.end = start + len(line.rstrip())
                continue
            current = self._new_item(
                items,
                stack,
                section.kind,
                start + (len(line) - len(stripped)),
                end,
                view,
                indent,
                "plain",
            )
            content_col = indent
            blank = False

    @staticmethod
    def _continues(
        view: str, item: Item, stripped: str, indent: int, content_col: int, width: int = 0
    ) -> bool:
        previous = view[item.start : item.end]
        if _CONNECTOR_END.search(previous):
            return True
        if _LOWER_START.match(stripped):
            if item.marker != "plain" or _CLAUSE_START.match(stripped):
                return True
            # a plain line starting in lower case goes on only when the line before is
            # full (hard-wrapped text): "glaucoma\npersistent pain" are two criteria
            last = item.end - (view.rfind("\n", 0, item.end) + 1)
            first = _WORD.match(stripped)
            needed = last + 1 + (len(first.group()) if first else 0)
            return needed > max(width, _WRAP_WIDTH) - 4
        return item.marker is not None and item.marker != "plain" and indent >= max(content_col, 1)

    @staticmethod
    def _new_item(
        items: list[Item],
        stack: list[_Open],
        kind: CriterionKind,
        start: int,
        end: int,
        view: str,
        indent: int,
        style: str,
    ) -> Item | None:
        while end > start and view[end - 1].isspace():
            end -= 1
        if end <= start:
            return None
        parent = _place(stack, indent, style)
        depth = 0 if parent is None else items[parent].depth + 1
        item = Item(
            kind=kind, start=start, end=end, depth=depth, parent=parent, marker=style, indent=indent
        )
        items.append(item)
        text = view[start:end].rstrip()
        heading = text.endswith(":") or style == "plain" and _HEADING_LINE.match(text) is not None
        stack.append(_Open(len(items) - 1, indent, style, heading))
        return item


def _place(stack: list[_Open], indent: int, style: str) -> int | None:
    """Pop ``stack`` to where an item at ``indent`` with ``style`` belongs; its parent index."""
    for k in range(len(stack) - 1, -1, -1):
        entry = stack[k]
        if entry.indent < indent:
            break
        if entry.indent == indent and entry.style == style:
            del stack[k:]
            return stack[-1].index if stack else None
    while stack and stack[-1].indent > indent:
        stack.pop()
    if stack and stack[-1].indent == indent:
        top = stack[-1]
        if style != "plain" and (top.ends_colon or style in _SUB_STYLES.get(top.style, set())):
            return top.index
        stack.pop()
    return stack[-1].index if stack else None


def split_inline_labels(view: str, items: list[Item]) -> list[Item]:
    """Items naming two or more NCI sub-headings inline ("Age: 18 and over Performance
    status: ECOG 0-1 Life expectancy: …", ``sections.json`` ``inline_labels``) split at
    each label; children of a split item stay under its first piece."""
    pattern = inline_label_pattern()
    if pattern is None:
        return items
    out: list[Item] = []
    first_of: dict[int, int] = {}
    for index, item in enumerate(items):
        starts = [m.start() for m in pattern.finditer(view, item.start, item.end)]
        cuts = [s for s in starts if s > item.start]
        first_of[index] = len(out)
        if len(starts) < 2 or not cuts:
            out.append(item)
            continue
        bounds = [item.start, *cuts, item.end]
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            while hi > lo and view[hi - 1].isspace():
                hi -= 1
            if hi > lo:
                out.append(replace(item, start=lo, end=hi, entities=[], comparisons=[], windows=[]))
    for item in out:
        if item.parent is not None:
            item.parent = first_of[item.parent]
    return out


def inline_label_end(view: str, start: int, end: int) -> int | None:
    """End of the NCI sub-heading label ("Hepatic:") an item starts with, if any."""
    pattern = inline_label_pattern()
    m = pattern.match(view, start, end) if pattern is not None else None
    return m.end() if m is not None else None


# a heading line that is a sentence ("Patients must have:") names nothing measured
_SENTENCE_WORD = re.compile(
    r"\b(?:must|should|have|has|had|are|is|be|will|may|can|following|with|who|if)\b",
    re.IGNORECASE,
)


def heading_text(doc: CriteriaDoc, item: Item) -> tuple[int, int] | None:
    """The span of the short heading an item sits under ("Age:", "Life expectancy"),
    without its colon, or None (no parent, or a parent that is a criterion of its own)."""
    if item.parent is None or not 0 <= item.parent < len(doc.items):
        return None
    parent = doc.items[item.parent]
    text = doc.view[parent.start : parent.end].rstrip().rstrip(":").rstrip()
    if not text or len(text.split()) > 4 or any(ch.isdigit() for ch in text):
        return None
    if _SENTENCE_WORD.search(text):
        return None  # "Patients must have:" leads a list; it names nothing measured
    return parent.start, parent.start + len(text)
