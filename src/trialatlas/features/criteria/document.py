"""The working document the criteria pipeline stages pass along.

Each stage is a callable ``stage(doc) -> doc`` that reads what earlier stages
set and adds its own annotations (medspaCy style). ``view`` is a same-length
copy of ``source`` with registry escapes and HTML entities blanked out
(``\\>`` → `` >``, ``&gt;`` → ``>   ``), so every offset found in the view is
an offset into the original text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from trialatlas.features.criteria.lexicon import Token, tokenize
from trialatlas.model.criteria import Comparison, CriterionKind, Entity, EntityType, TimeWindow

_ENTITY_PADDING = {
    "&gt;=": "≥    ",
    "&lt;=": "≤    ",
    "&gt;": ">   ",
    "&lt;": "<   ",
    "&ge;": "≥   ",
    "&le;": "≤   ",
    "&amp;": "&    ",
    "&nbsp;": "      ",
}
_SPACES = {"\u00a0", "\u2007", "\u202f", "\u2009", "\u200a", "\t"}
_DASHES = {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"}


def make_view(source: str) -> str:
    """Same-length text for matching: escapes blanked, odd spaces and dashes unified."""
    chars = list(source)
    n = len(chars)
    i = 0
    while i < n:
        ch = chars[i]
        if ch == "\\" and i + 1 < n and not chars[i + 1].isalnum() and not chars[i + 1].isspace():
            chars[i] = " "
            i += 2
            continue
        if ch == "&":
            for entity, padded in _ENTITY_PADDING.items():
                if source.startswith(entity, i):
                    chars[i : i + len(entity)] = list(padded)
                    i += len(entity)
                    break
            else:
                i += 1
            continue
        if ch in _SPACES:
            chars[i] = " "
        elif ch in _DASHES:
            chars[i] = "-"
        i += 1
    return "".join(chars)


@dataclass(slots=True)
class Section:
    """A run of lines under one header (or before any header)."""

    kind: CriterionKind
    start: int  # first character after the header line
    end: int
    header: str | None = None


@dataclass(slots=True)
class Item:
    """One criterion under construction: a bullet, numbered item or line."""

    kind: CriterionKind
    start: int
    end: int
    depth: int = 0
    parent: int | None = None
    marker: str | None = None
    indent: int = 0
    entities: list[Entity] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    windows: list[TimeWindow] = field(default_factory=list)
    tokens: list[Token] | None = None  # set by the first stage that tokenizes the item
    valued: bool = False  # under a "Life expectancy:" heading: its durations are values

    def words(self, view: str) -> list[Token]:
        """The item's tokens (tokenized once, shared by the stages)."""
        if self.tokens is None:
            self.tokens = tokenize(view, self.start, self.end)
        return self.tokens


@dataclass(slots=True)
class CriteriaDoc:
    """Source text, its matching view and the annotations stages add."""

    source: str
    view: str = ""
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.view:
            self.view = make_view(self.source)


Stage = Callable[[CriteriaDoc], CriteriaDoc]


def make_entity(etype: EntityType, source: str, start: int, end: int) -> Entity:
    """An :class:`Entity` for ``source[start:end]``, built without re-validation.

    Stages call this in their inner loops; the type comes from typed rules
    (checked when the rules load) and the text from the source itself.
    """
    return Entity.model_construct(type=etype, text=source[start:end], start=start, end=end)


def line_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``text[start:end]``, without its line break."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < stop:
        nl = text.find("\n", pos, stop)
        line_end = stop if nl < 0 else nl
        cut = line_end - 1 if line_end > pos and text[line_end - 1] == "\r" else line_end
        spans.append((pos, cut))
        pos = line_end + 1
    return spans
