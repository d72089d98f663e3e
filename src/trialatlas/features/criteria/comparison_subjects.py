"""What a comparison constrains: "eGFR ≥ 60" → ``eGFR``; "MED) of > 50" → ``MED``.

Looked for, in order: the nearest entity before the numbers separated only by
filler ("score of", "level is", "(ALT)"); a short parenthesized abbreviation
just before; the words just before; an age word for values in years
("18 years of age or older"); a scale named just after ("… on a 100mm VAS").
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.units import is_time_unit
from trialatlas.model.criteria import Comparison, Span

_SUBJECT_TYPES = {
    "measurement",
    "demographic",
    "condition",
    "behaviour",
    "drug",
    "procedure",
    "pregnancy",
    "device",
}
_FILLER = re.compile(
    r"^(?:[\s,:()\[\]\-]|\b(?:of|is|are|was|were|be|will|must|should|level|levels|value|values|score|scores|count|"
    r"counts|result|results|concentration|measured|measure|at|on|with|a|an|the|baseline|average|mean|total|"
    r"screening|status|class|grade|rate|index|need|needs|to|have|has|having|in|by|as|documented|defined|"
    r"equivalent|dose|daily|within|range|ratio)\b|\([^()]{1,20}\))*$",
    re.IGNORECASE,
)
_PAREN_ABBREV = re.compile(
    r"\(\s*([A-Za-z][A-Za-z0-9\-/]{0,11})\s*\)[\s,:]*(?:(?:of|is|was|=|:)\s*)*$"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-/']*")
_STOP = frozenset(
    [
        "with",
        "and",
        "or",
        "in",
        "for",
        "to",
        "on",
        "at",
        "by",
        "of",
        "the",
        "a",
        "an",
        "if",
        "than",
        "who",
        "have",
        "has",
        "having",
        "had",
        "is",
        "are",
        "be",
        "will",
        "been",
        "must",
        "should",
        "patients",
        "patient",
        "subjects",
        "subject",
        "participants",
        "participant",
        "individuals",
        "any",
        "no",
        "not",
        "as",
        "from",
        "that",
        "which",
        "this",
        "these",
        "those",
        "their",
        "his",
        "her",
        "its",
        "where",
        "when",
        "while",
        "all",
    ]
)
_AGE = re.compile(r"\bage[ds]?\b|\bold\b|\bages\b", re.IGNORECASE)
_SCALE_AFTER = re.compile(
    r"^[\s,]*(?:of\s+(?:a\s+)?\d+\s*(?:mm|cm|points?|-point)?\s*)?(?:on|in|using|by|per)\s+(?:the\s+|a\s+)?"
    r"(?:\d+\s*(?:mm|cm|-?point)\s+)?(?P<s>(?:[A-Za-z][\w\-]*\s+){0,4}?(?:VAS|NRS|scale|score|questionnaire|index))\b",
    re.IGNORECASE,
)
_WINDOW = 60


def source_span(doc: CriteriaDoc, start: int, end: int) -> Span:
    """``doc.source[start:end]`` as a :class:`Span`."""
    return Span(text=doc.source[start:end], start=start, end=end)


def _masked(view: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``view[start:end]`` with the parts inside ``spans`` blanked out."""
    gap = view[start:end]
    for s, e in spans:
        if start <= s and e <= end:
            gap = gap[: s - start] + " " * (e - s) + gap[e - start :]
    return gap


def find_subject(doc: CriteriaDoc, item: Item, comp: Comparison) -> Span | None:
    """The span a comparison constrains, or None when the text does not say."""
    view = doc.view
    lo = max(item.start, comp.start - _WINDOW)
    # never reach back into an earlier limit ("WBC ≥ 3,000/mm3 Platelet count ≥ 100,000")
    lo = max([lo] + [c.end for c in item.comparisons if c.end <= comp.start])
    before = [e for e in item.entities if e.type in _SUBJECT_TYPES and lo <= e.end <= comp.start]
    periods = [(w.start, w.end) for w in item.windows if w.relation == "for"]
    for entity in sorted(before, key=lambda e: -e.end):
        if entity.type == "demographic" and not _AGE.search(entity.text):
            break  # "Men ≥ 18 years of age": the age is compared, not the men
        if _FILLER.match(_masked(view, entity.end, comp.start, periods)):
            return source_span(doc, entity.start, entity.end)
        break
    head = view[lo : comp.start]
    m = _PAREN_ABBREV.search(head)
    if m is not None:
        return source_span(doc, lo + m.start(1), lo + m.end(1))
    if comp.unit and is_time_unit(comp.unit) or _AGE.search(view, comp.start, comp.end):
        inside = _AGE.search(view, comp.start, comp.end)
        if inside is not None:
            return source_span(doc, inside.start(), inside.end())
        near = list(_AGE.finditer(view, max(item.start, comp.start - 30), comp.start))
        if near:
            return source_span(doc, near[-1].start(), near[-1].end())
        after = _AGE.match(view, comp.end, min(item.end, comp.end + 12)) or re.compile(
            r"\s*(?:of\s+)?(age)\b", re.I
        ).match(view, comp.end, min(item.end, comp.end + 12))
        if after is not None:
            g = after.lastindex or 0
            return source_span(doc, after.start(g), after.end(g))
    opened = head.rfind("(")
    if opened > head.rfind(")") and _WORD.search(head, opened):
        # "renal function(Cr≤133 µmol/L)": the subject is inside
        head, lo = head[opened + 1 :], lo + opened + 1
    words = [w for w in _WORD.finditer(head)]
    picked: list[re.Match[str]] = []
    for w in reversed(words):
        gap = head[w.end() : picked[0].start() if picked else len(head)]
        if w.group().lower() in _STOP or re.search(r"[.;,:]", gap):
            if picked or w.group().lower() not in {"of", "is", "be", "was", "are"}:
                break
            continue
        picked.insert(0, w)
        if len(picked) == 3:
            break
    if picked:
        return source_span(doc, lo + picked[0].start(), lo + picked[-1].end())
    scale = _SCALE_AFTER.match(view, comp.end, min(item.end, comp.end + 80))
    if scale is not None:
        return source_span(doc, scale.start("s"), scale.end("s"))
    return None
