"""Time-window stage: "within 3 months prior to enrollment" → 91.3125 days before enrollment.

Relations: ``within`` (within N …), ``in the past`` (in the last N …),
``at least before`` (at least N before …), ``before`` (N prior to …),
``for at least`` / ``for`` (durations: pain for at least 6 months), ``after``
(N after …). The reference event (``anchor``) comes from ``windows.json``.
``days`` counts calendar-accurate means: a week is 7 days, a month 365.25 / 12 =
30.4375 days and a year 365.25 days (the pre-screener turns whole months and years
back into calendar months when it compares dates).
Ages ("at least 18 years of age") are left to the comparison stage.
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.document import CriteriaDoc, Item, make_entity
from trialatlas.features.criteria.items import heading_text
from trialatlas.features.criteria.numbers import NUMBER, NUMBER_START, has_number, parse_number
from trialatlas.features.criteria.rules import value_context, window_anchors
from trialatlas.model.criteria import TimeWindow, WindowRelation

MAX_PER_ITEM = 64  # bounds the work on text that is not really a criterion
DAYS_PER_YEAR = 365.25  # the mean calendar year: "12 months" is "1 year", never 360 days
DAYS_PER_MONTH = DAYS_PER_YEAR / 12  # 30.4375
UNIT_DAYS = {
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": DAYS_PER_MONTH,
    "year": DAYS_PER_YEAR,
}
_UNIT_TOKENS = frozenset(
    {"hour", "hr", "hrs", "days", "day", "week", "wk", "wks", "month", "mos", "year", "yr", "yrs"}
)
_UNIT_WORDS = {
    "hour": r"hours?|hrs?|(?-i:h)",
    "day": r"days?|(?-i:d)",
    "week": r"weeks?|wks?",
    "month": r"months?|mos?",
    "year": r"years?|yrs?",
}
_TUNIT = "|".join(f"(?P<{k}>{v})" for k, v in _UNIT_WORDS.items())
# hours to months only: "over 2 years" is as often an age ("children over 2 years")
_TUNIT_SHORT = "|".join(f"(?P<{k}>{v if k != 'year' else '(?!)'})" for k, v in _UNIT_WORDS.items())
_AMOUNT = rf"(?P<amount>{NUMBER}|\ban?(?=\s))(?:\s*(?:\(\s*\d+\s*\)))?"
_QTY = rf"{_AMOUNT}\s*-?\s*(?:{_TUNIT})\b"
_MORE = r"(?:(?<=\bfor\s)over|(?:greater|more)\s+than\s+or\s+equal\s+to|at\s+least|a\s+minimum\s+of|minimum\s+of|minimum|no\s+less\s+than|not\s+less\s+than|more\s+than|greater\s+than|longer\s+than|≥|>=|=>|>)"
_LINK = (
    r"\s*(?:,\s*)?(?:prior\s+to|before|preceding|pre|of|from|since|after|following|post|until|to)\b"
)
_DURATION = re.compile(r"duration\b", re.IGNORECASE)
_NOT_BEFORE = re.compile(r"\b(?:no|not)\s+$", re.IGNORECASE)
_AFTER_EVENT = re.compile(r"\s*(?:,\s*)?(?:after|following|post)\b", re.IGNORECASE)
_LINK_RE = re.compile(_LINK + r"\s*", re.IGNORECASE)
_ORDER_LINK = re.compile(
    r"\s*(?:,\s*)?(?:prior\s+to|before|preceding|after|following|since)\b", re.IGNORECASE
)
_AGE_TAIL = re.compile(
    r"\s*(?:of\s+age|old|of\s+life|or\s+(?:older|younger|over|under|above|more)|and\s+(?:older|over|above)|\+|at\s+(?:the\s+time|diagnosis))",
    re.IGNORECASE,
)
_AGE_HEAD = re.compile(
    r"(?:\bage[ds]?|\bold|\bages|\bbetween)\s*(?:of\s*)?(?:\S+\s*)?$", re.IGNORECASE
)

# First characters each pattern can start with: the engine skips other positions cheaply.
_STARTS = {
    "within": r"(?=\bw|\b[lfuid]|<)",
    "in the past": rf"(?=\b[idofatlpr]|{NUMBER_START})",
    "at least before": r"(?=[<>=≥fangmlm])",
    "for at least": r"(?=[<>=≥fdangml])",
    "after": rf"(?:(?=[<>=≥fangml])|{NUMBER_START})",
    "before": NUMBER_START,
    "for": r"(?=[fo])",
}

_PATTERNS: tuple[tuple[WindowRelation, re.Pattern[str]], ...] = tuple(
    (relation, re.compile(_STARTS[relation] + pattern, re.IGNORECASE))
    for relation, pattern in (
        (
            "within",
            rf"\b(?:within|w/in)\s+(?:the\s+)?(?:last\s+|past\s+|previous\s+|prior\s+|preceding\s+|former\s+|next\s+|first\s+)?{_QTY}",
        ),
        (
            "in the past",
            rf"\b(?:(?:in|during|over|for|at\s+any\s+time\s+in)\s+)?(?:the\s+)?(?:last|past|previous|preceding|prior|former)\s+{_QTY}",
        ),
        ("in the past", rf"\b{_QTY}\s+ago\b"),
        # "in the 4 weeks preceding the first vaccination": within 4 weeks before it
        (
            "within",
            rf"\b(?:in|during|within)\s+the\s+{_QTY}(?=\s+(?:preceding|prior\s+to|before)\b)",
        ),
        # "less than 84 days since prior surgery": the surgery was within 84 days
        ("within", rf"(?:\b(?:less|fewer)\s+than|<|\bunder)\s*{_QTY}(?=\s*(?:,\s*)?since\b)"),
        (
            "at least before",
            rf"(?:\bfor\s+)?{_MORE}\s*{_QTY}(?=\s*(?:,\s*)?(?:prior\s+to|before|preceding|since)\b)",
        ),
        # "at least 4 weeks after the last vaccination": after that event
        ("after", rf"{_MORE}\s*{_QTY}(?=\s+(?:after|following|post)\b)"),
        ("for at least", rf"(?:\bfor\s+|\bduration\s+(?:of\s+)?)?{_MORE}\s*{_QTY}"),
        ("after", rf"\b{_QTY}(?=\s+(?:after|following|post)\b)"),
        ("before", rf"\b{_QTY}(?=\s*(?:,\s*)?(?:prior\s+to|before|preceding)\b)"),
        ("for", rf"\bfor\s+(?:the\s+)?{_QTY}"),
        # "average pain over 24 hours": the period a value is taken over, not "> 24 hours"
        ("for", rf"\bover\s+(?:the\s+|a\s+)?{_AMOUNT}\s*-?\s*(?:{_TUNIT_SHORT})\b"),
    )
)


def _unit_of(match: re.Match[str]) -> str | None:
    for unit in _UNIT_WORDS:
        if match.group(unit):
            return unit
    return None


def under_value_heading(doc: CriteriaDoc, item: Item) -> bool:
    """Is the item listed under a heading that makes its durations values?"""
    span = heading_text(doc, item)
    if span is None:
        return False
    before, _ = value_context()
    return before.search(doc.view[span[0] : span[1]] + " ") is not None


def is_value_duration(view: str, s: int, e: int, start: int, end: int) -> bool:
    """True when the words around ``view[s:e]`` make a duration a measured value.

    "Life expectancy of at least 3 months", "gestational age < 37 weeks",
    "cycle length 25-34 days" (``windows.json`` ``value_context``).
    """
    before, after = value_context()
    return (
        before.search(view, max(start, s - 40), s) is not None
        or after.match(view, e, min(end, e + 30)) is not None
    )


def find_anchor(view: str, pos: int, limit: int, duration: bool = False) -> tuple[str, int] | None:
    """Anchor name and end offset of ``prior to <event>`` starting at ``pos``.

    For durations ("for 3 months of treatment") only a real link word counts.
    """
    link = _LINK_RE.match(view, pos, limit)
    if link is None:
        return None
    if duration and not _ORDER_LINK.match(view, pos, limit):
        return None
    best: tuple[str, int] | None = None
    for pattern, anchor in window_anchors():
        m = pattern.match(view, link.end(), limit)
        if m is not None and m.end() > max(link.end(), best[1] if best else 0):
            best = (anchor, m.end())  # the longest anchor: "start of study medication"
    return best


def find_windows(view: str, start: int, end: int) -> list[TimeWindow]:
    """Time windows in ``view[start:end]`` (offsets into the view), left to right."""
    found: list[TimeWindow] = []
    taken: list[tuple[int, int]] = []
    for relation, pattern in _PATTERNS:
        for m in pattern.finditer(view, start, end):
            s, e = m.start(), m.end()
            if len(found) >= MAX_PER_ITEM or any(s < te and ts < e for ts, te in taken):
                continue
            if _AGE_TAIL.match(view, e, end) or _AGE_HEAD.search(view, max(start, s - 12), s):
                continue
            if is_value_duration(view, s, e, start, end):
                continue  # "life expectancy of more than 3 months": a value, not a window
            amount_text = m.group("amount")
            amount = 1.0 if amount_text.lower() in {"a", "an"} else parse_number(amount_text)
            unit = _unit_of(m)
            if amount is None or unit is None:
                continue
            duration = relation in ("for at least", "for")
            if duration and unit == "year" and amount >= 15:
                continue  # "at least 18 years": an age, left to the comparisons
            if relation == "within" and _AFTER_EVENT.match(view, e, end):
                relation = "after"  # "within 6 months after CR": after that event, not now
            negated = _NOT_BEFORE.search(view, max(start, s - 5), s)
            if negated is not None and relation in ("at least before", "for at least"):
                # "no more than 4 months since surgery": at most, so within
                relation, s = "within", negated.start()
            anchor = find_anchor(view, e, end, duration)
            anchor_name = None
            if anchor is not None:
                anchor_name, e = anchor
            found.append(
                TimeWindow(
                    text=view[s:e],
                    start=s,
                    end=e,
                    relation=relation,
                    amount=amount,
                    unit=unit,  # type: ignore[arg-type]
                    days=round(amount * UNIT_DAYS[unit], 4),
                    anchor=anchor_name,
                )
            )
            taken.append((s, e))
    found.sort(key=lambda w: w.start)
    return found


class WindowFinder:
    """Stage: time windows per item, and a ``temporal`` entity for each."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            self.annotate(doc, item)
        return doc

    @staticmethod
    def annotate(doc: CriteriaDoc, item: Item) -> None:
        """Add the windows of one item, with text taken from the source."""
        if under_value_heading(doc, item):
            item.valued = True  # "Life expectancy:" / "* At least 12 weeks": a value
            return
        tokens = item.words(doc.view)
        if not has_number(tokens) and not any(t.norm in _UNIT_TOKENS for t in tokens):
            return  # no amount and no time unit: no window (skips the patterns)
        for w in find_windows(doc.view, item.start, item.end):
            text = doc.source[w.start : w.end]
            item.windows.append(w.model_copy(update={"text": text}))
            # "duration of at least 5 years" bounds how long something lasted: a value
            etype = "value" if _DURATION.match(doc.view, w.start, w.end) else "temporal"
            item.entities.append(make_entity(etype, doc.source, w.start, w.end))
