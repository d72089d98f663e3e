"""Comparison stage: numeric constraints with units ("eGFR ≥ 60 mL/min/1.73 m2").

Finds bounds written with symbols or words (``≥``, ``at least``, ``no more
than``, ``18 years or older``), ranges (``between 7.5% and 10.0%``, ``18 to 75
years``, ``18-65``) and limits relative to normal (``> 2 × ULN``); joins a
lower and an upper bound of the same subject into one ``between`` ("at least
30mm and not more than 90mm"); normalizes units with pint (:mod:`.units`) and
names the subject (the lab, score or age the numbers constrain). Each
comparison also becomes a ``value`` entity. Runs after the entity stage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from trialatlas.features.criteria.comparison_subjects import find_subject, source_span
from trialatlas.features.criteria.document import CriteriaDoc, Item, make_entity
from trialatlas.features.criteria.entity_rules import measured_heads
from trialatlas.features.criteria.items import heading_text
from trialatlas.features.criteria.lexicon import normalize_token
from trialatlas.features.criteria.numbers import NUMBER, NUMBER_START, has_number, parse_number
from trialatlas.features.criteria.pressure_pairs import split_pressure_pairs
from trialatlas.features.criteria.quantities import bare_quantities, letter_grades, score_values
from trialatlas.features.criteria.units import (
    is_time_unit,
    normalize_value,
    time_unit_name,
    unit_pattern,
)
from trialatlas.features.criteria.windows import is_value_duration
from trialatlas.model.criteria import Comparison, EntityType, Operator, Span

_W = r"\s+"
_PREFIX = {
    ">=": r"≥\s*/?\s*=?|>\s*/\s*=|>\s*or\s*=(?:\s*to\b)?|>\s*=|=\s?>|=\s*/\s*>|≧|⩾|\bat least\b|\bno less than\b|\bnot less than\b|\b(?:a )?minimum(?: of)?\b|\bmin\.|"
    r"\b(?:greater|more|higher|older) than or equal to\b|\bequal to or (?:greater|more|higher|older) than\b|"
    r"\bequal or (?:greater|more|higher|older) than\b|\b(?:greater|more|higher|older) or equal to\b",
    "<=": r"≤\s*/?\s*=?|<\s*/\s*=|<\s*or\s*=(?:\s*to\b)?|<\s*=|=\s?<|=\s*/\s*<|≦|⩽|\bat most\b|\bno more than\b|\bnot more than\b|\bnot exceeding\b|\bnot to exceed\b|"
    r"\bdoes not exceed\b|\bup to\b|\b(?:a )?maximum(?: of)?\b|\bmax\.|\b(?:less|lower|smaller) than or equal to\b|"
    r"\bequal to or (?:less|lower|smaller|younger) than\b|\bequal or (?:less|lower|younger) than\b|"
    r"\bno (?:greater|higher|older) than\b|\bnot (?:greater|higher|older) than\b|"
    r"\b(?:less|lower|younger) or equal to\b|\byounger than or equal to\b",
    ">": r"(?<![<>=])>(?!\s*/?\s*=|\s*or\s*=)|\b(?:over|above|older than) the age of\b|"
    r"\b(?:greater|more|higher|larger|older|longer) than\b|\babove\b|\bover\b|"
    r"\bexceeding\b|\bexceeds?\b|\bin excess of\b",
    "<": r"(?<![<>=])<(?!\s*/?\s*=|\s*or\s*=)|\b(?:under|below|younger than) the age of\b|"
    r"\b(?:less|lower|fewer|smaller|younger|shorter) than\b|\bbelow\b|\bunder\b",
    "==": r"(?<![<>=!/≥≤])(?<![<>]\s)(?<![<>]/)=(?![<>=]|\s?[<>]|\s*/\s*[<>])|\bequal to\b|\bequals\b",
}
_POSTFIX = {
    ">=": r"or (?:more|greater|higher|older|above|over|longer)|and (?:above|over|older|greater|more|up)|\+|or greater than",
    "<=": r"or (?:less|fewer|lower|younger|below|under|smaller)|and (?:below|under|younger|less)",
}
_REF = (
    r"(?P<ref>ULN|UNL|upper limits? (?:of )?(?:the )?norm(?:al)?(?: range| values?)?|"
    r"upper normal limits?|(?:(?<=x\s)|(?<=×\s)|(?<=\*\s)|(?<=x)|(?<=×)|(?<=times\s))(?:top\s+|upper\s+)?normal(?:\s+(?:range|values?|limits?))?|"
    r"LLN|lower limits? of (?:the )?normal(?: range)?|lower normal limits?)"
)
_AGE_WORD = re.compile(r"\bage[ds]?\b|\bold|\byoung", re.IGNORECASE)
_ABBREVIATION = re.compile(r"(?=[\w-]*[A-Z][\w-]*[A-Z])[A-Za-z][\w-]{1,11}")
_PEOPLE = re.compile(
    r"\b(?:patients?|subjects?|participants?|women|men|males?|females?|children|adults?|"
    r"individuals?|persons?|people|volunteers?|cases?|episodes?|times?|doses?|lesions?)\b",
    re.IGNORECASE,
)
_REFERENCE_TOKENS = frozenset({"uln", "lln", "upper", "lower"})
_ELAPSED = frozenset({"hour", "day", "week", "month", "year"})
_ADULT_YEARS = 12  # a bound of this many years or more with no other subject is an age
_AGE_WORDS = r"(?:\s*(?:years?|yrs?)?\s*(?:of age|old|of life))"


# First characters an operator / a number can start with: a lookahead that lets the
# regex engine skip every other position cheaply (the alternations are long).
_PREFIX_START = r"(?=[<>=≥≤≧≦⩾⩽]|\b[abdefghilmnosuy])"


def _op_group(ops: dict[str, str], prefix: str) -> str:
    names = {">=": "ge", "<=": "le", ">": "gt", "<": "lt", "==": "eq"}
    return "|".join(f"(?P<{prefix}{names[op]}>{body})" for op, body in ops.items())


def _spaced(pattern: str) -> str:
    return pattern.replace(" ", r"\s+")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    unit = unit_pattern()
    value = rf"(?P<v>{NUMBER})\s*(?P<u>{unit})?"
    uln = rf"(?:\s*(?:x|×|\*|times|-?fold)?\s*(?:the\s+)?(?:institutional\s+|local\s+|site\s+)?{_spaced(_REF)})?"
    prefix = _spaced(_op_group(_PREFIX, "p"))
    postfix = _spaced(_op_group(_POSTFIX, "q"))
    single = re.compile(
        rf"{_PREFIX_START}(?:{prefix})\s*(?:of\s+|:\s*)?{value}{uln}(?:{_AGE_WORDS}?\s*(?:{postfix}))?",
        re.IGNORECASE,
    )
    postonly = re.compile(
        rf"{NUMBER_START}{value}{uln}{_AGE_WORDS}?\s*(?:{postfix})", re.IGNORECASE
    )
    ranged = re.compile(
        rf"(?=\b[bfr]|[>≥=]|{NUMBER_START})(?:(?P<between>between|from|range\s+of|ranging\s+from)\s+(?:the\s+ages?\s+of\s+)?)?"
        rf"(?P<lop>(?:>\s*/?\s*=?|≥|=>)\s*)?(?P<v>{NUMBER})\s*(?P<u1>{unit})?\s*"
        rf"(?P<conn>-|~|～|to|and|through|until)\s*(?P<uop>(?:<\s*/?\s*=?|≤|=<)\s*)?(?P<w>{NUMBER})\s*(?P<u>{unit})?",
        re.IGNORECASE,
    )
    bare_ref = re.compile(
        rf"{_PREFIX_START}(?:{prefix})\s*(?:the\s+)?(?:institutional\s+)?{_spaced(_REF)}",
        re.IGNORECASE,
    )
    return single, postonly, ranged, bare_ref


@cache
def _trailing_pattern() -> re.Pattern[str]:
    """A bare number with a unit after a bound and "and/or": ``> 120 mmHg diastolic
    and/or 180 mmHg systolic`` (at most two words between, no digits)."""
    return re.compile(
        rf"(?:\s+[A-Za-z][A-Za-z-]*){{0,2}}\s*,?\s*(?:and\s*/\s*or|or|and)\s+"
        rf"(?P<v>{NUMBER})\s*(?P<u>{unit_pattern()})",
        re.IGNORECASE,
    )


def _operator(m: re.Match[str], prefix: str) -> Operator | None:
    for name, op in (("ge", ">="), ("le", "<="), ("gt", ">"), ("lt", "<"), ("eq", "==")):
        try:
            if m.group(prefix + name):
                return op  # type: ignore[return-value]
        except IndexError:
            continue
    return None


def _build(
    text: str,
    start: int,
    end: int,
    op: Operator,
    value: float,
    unit: str | None,
    upper: float | None = None,
    ref: str | None = None,
) -> Comparison:
    reference = None
    if ref:
        reference = "LLN" if ref.strip().lower().startswith(("lln", "lower")) else "ULN"
    norm = normalize_value(value, unit)
    upper_norm = normalize_value(upper, unit) if upper is not None else None
    return Comparison(
        text=text,
        start=start,
        end=end,
        operator=op,
        value=value,
        upper_value=upper,
        unit=unit,
        unit_normalized=norm.unit_normalized,
        canonical_unit=norm.canonical_unit,
        value_canonical=norm.value_canonical,
        upper_canonical=upper_norm.value_canonical if upper_norm else None,
        lower_inclusive=op != ">",  # "> 50": the lower bound 50 itself is not allowed
        upper_inclusive=op != "<",  # "< 2": nor is the upper bound 2
        uln_multiplier=value if reference else None,
        reference=reference,  # type: ignore[arg-type]
    )


def find_comparisons(
    view: str, start: int, end: int, blocked: list[tuple[int, int]], references: bool = True
) -> list[Comparison]:
    """Comparisons in ``view[start:end]`` outside ``blocked`` spans, bounds joined.

    ``references=False`` skips the pass for bare limits ("> ULN") when the text
    names no reference range.
    """
    single, postonly, ranged, bare_ref = _patterns()
    taken = list(blocked)
    found: list[Comparison] = []

    def free(s: int, e: int) -> bool:
        return len(found) < MAX_PER_ITEM and not any(s < te and ts < e for ts, te in taken)

    for m in ranged.finditer(view, start, end):
        conn = m.group("conn").lower()
        if conn == "and" and not m.group("between"):
            continue
        low, high = parse_number(m.group("v")), parse_number(m.group("w"))
        if low is None or high is None or high < low or not free(*m.span()):
            continue
        unit = m.group("u") or m.group("u1")
        s, e = m.start(), m.end()
        while e > s and view[e - 1].isspace():
            e -= 1  # "7 to 17 years" without a unit: the range ends at its number
        comp = _build(view[s:e], s, e, "between", low, unit, high)
        lop, uop = m.group("lop"), m.group("uop")
        if (lop or uop) and conn not in ("to", "-", "~", "～"):
            continue  # "> 5 and 10": two things, not one range
        if lop and not re.search("[=≥]", lop):
            comp = comp.model_copy(update={"lower_inclusive": False})
        if uop and not re.search("[=≤]", uop):
            comp = comp.model_copy(update={"upper_inclusive": False})  # "1 to < 2 years"
        found.append(comp)
        taken.append((s, e))
    passes = [(single, "p"), (postonly, "q")]
    if references:
        passes.append((bare_ref, "r"))
    for pattern, kind in passes:
        pos = start
        while (m := pattern.search(view, pos, end)) is not None:
            pos = m.end() if m.end() > m.start() else m.end() + 1
            if not free(*m.span()):
                continue
            if kind == "r":
                op, value, unit, ref = _operator(m, "p"), 1.0, None, m.group("ref")
            else:
                op = _operator(m, "p") if kind == "p" else None
                op = op or _operator(m, "q")
                value = parse_number(m.group("v"))
                unit, ref = m.group("u"), m.group("ref")
            if op is None or value is None:
                continue
            s, e = m.start(), _without_opposite_postfix(m, kind, op)
            while e > s and view[e - 1].isspace():
                e -= 1
            if s < e < m.end():
                pos = e  # "… or older than 95": the postfix word starts the next bound
            found.append(_build(view[s:e], s, e, op, value, unit, ref=ref))
            taken.append((s, e))
    found.sort(key=lambda c: c.start)
    found = _trailing_bounds(view, end, found, free, taken)
    return _share_units(view, _join_bounds(view, found))


_DIRECTION = {">=": 1, ">": 1, "<=": -1, "<": -1}


def _without_opposite_postfix(m: re.Match[str], kind: str, op: str) -> int:
    """End of a prefix bound without a postfix pointing the other way: in "younger than
    18 years of age or older than 95", "or older" belongs to the next bound."""
    if kind != "p":
        return m.end()
    for name, post in (("qge", ">="), ("qle", "<=")):
        try:
            start = m.start(name)
        except IndexError:
            continue
        if start >= 0 and _DIRECTION[post] != _DIRECTION.get(op, 0):
            return start  # the caller trims the space before it
    return m.end()


def _trailing_bounds(
    view: str,
    end: int,
    found: list[Comparison],
    free: Callable[[int, int], bool],
    taken: list[tuple[int, int]],
) -> list[Comparison]:
    """A bare amount in the same unit after a bound shares its operator: ``> 120 mmHg
    diastolic and/or 180 mmHg systolic`` → ``> 120 mmHg`` and ``> 180 mmHg``."""
    extra: list[Comparison] = []
    for comp in found:
        if comp.operator not in (">", ">=", "<", "<=") or not comp.unit or comp.reference:
            continue
        m = _trailing_pattern().match(view, comp.end, end)
        if m is None or not free(m.start("v"), m.end("u")):
            continue
        value = parse_number(m.group("v"))
        if value is None or is_time_unit(m.group("u")):
            continue
        s, e = m.start("v"), m.end("u")
        bound = _build(view[s:e], s, e, comp.operator, value, m.group("u"))
        if bound.unit_normalized is None or bound.unit_normalized != comp.unit_normalized:
            continue
        extra.append(bound)
        taken.append((s, e))
    if not extra:
        return found
    return sorted(found + extra, key=lambda c: c.start)


MAX_PER_ITEM = 64  # a criterion with more numbers than this is not a criterion (bounds work)

_JOIN = re.compile(r"^\s*(?:,\s*)?(?:and|but|&|,)\s*$", re.IGNORECASE)


def _join_bounds(view: str, found: list[Comparison]) -> list[Comparison]:
    """``≥ 30 mm and ≤ 90 mm`` → one ``between`` comparison."""
    out: list[Comparison] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        if (
            b is not None
            and a.operator in (">=", ">")
            and b.operator in ("<=", "<")
            and a.reference == b.reference
            and _JOIN.match(view[a.end : b.start])
            and (a.unit is None or b.unit is None or a.unit_normalized == b.unit_normalized)
            and a.value <= b.value
        ):
            unit = a.unit or b.unit
            joined = _build(
                view[a.start : b.end], a.start, b.end, "between", a.value, unit, b.value
            )
            out.append(
                joined.model_copy(
                    update={
                        "lower_inclusive": a.operator == ">=",
                        "upper_inclusive": b.operator == "<=",
                    }
                )
            )
            i += 2
            continue
        out.append(a)
        i += 1
    return out


_SIBLING = re.compile(r"^\s*(?:,\s*)?(?:or|and|and/or|,|/)\s*$", re.IGNORECASE)


def _share_units(view: str, found: list[Comparison]) -> list[Comparison]:
    """``> 170 or < 90 mm Hg``: a bare bound takes the unit of the sibling bound after it."""
    out = list(found)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if (
            a.unit is None
            and b.unit is not None
            and a.reference is None
            and b.reference is None
            and _SIBLING.match(view[a.end : b.start])
        ):
            shared = _build(a.text, a.start, a.end, a.operator, a.value, b.unit, a.upper_value)
            out[i] = shared.model_copy(
                update={"lower_inclusive": a.lower_inclusive, "upper_inclusive": a.upper_inclusive}
            )
    return out


def siblings(view: str, a: Comparison, b: Comparison) -> bool:
    """True when ``b`` follows ``a`` as another limit of the same thing ("> 170 or < 90")."""
    return a.end <= b.start and _SIBLING.match(view[a.end : b.start]) is not None


def _is_count(comp: Comparison) -> bool:
    """ "at least one", "2 or more": a count of events, not a measured value."""
    return (
        comp.unit is None
        and comp.reference is None
        and comp.operator in (">=", ">")
        and comp.value == int(comp.value)
        and comp.value < 10
    )


_GRADED = re.compile(
    r"\b(?:grades?|scores?|stages?|class(?:es)?|scales?|ps|status|levels?|index|ratio)\b\W*$",
    re.IGNORECASE,
)


def _graded(view: str, item: Item, comp: Comparison, subject: Span | None) -> bool:
    """A small number after a grade, score or scale is a value, not a count: "neuropathy
    of Grade ≥ 3", "Child-Pugh score > 5", "ASA status 4 or higher"."""
    if _GRADED.search(view, max(item.start, comp.start - 25), comp.start) is not None:
        return True
    return subject is not None and any(
        e.type == "measurement" and e.start < subject.end and subject.start < e.end
        for e in item.entities
    )


def quantity_type(
    view: str,
    item: Item,
    start: int,
    end: int,
    unit: str | None,
    value: float | None = None,
    ranged: bool = False,
) -> EntityType:
    """``temporal`` for an amount of elapsed time ("< 3 months", "48 hours"), else ``value``.

    Ages ("> 18 years", "18 years of age", "2-5 years"), life expectancy,
    gestation, durations and intervals stay values (``windows.json``
    ``value_context``), and so do seconds and minutes (aPTT > 44 s, a 6-minute
    walk): they are measured, not elapsed since an event.
    """
    name = time_unit_name(unit)
    if name not in _ELAPSED or item.valued or _AGE_WORD.search(view, start, end):
        return "value"
    if name == "year" and (ranged or value is not None and value >= _ADULT_YEARS):
        return "value"  # "> 18 years", "18 to 65 years", "2-5 years": an age
    if is_value_duration(view, start, end, item.start, item.end):
        return "value"
    return "temporal"


def _entity_type(view: str, item: Item, comp: Comparison, subject: Span | None) -> EntityType:
    if comp.reference is not None:
        return "value"
    if subject is not None and _AGE_WORD.search(subject.text):
        return "value"
    return quantity_type(
        view, item, comp.start, comp.end, comp.unit, comp.value, comp.operator == "between"
    )


class ComparisonFinder:
    """Stage: comparisons per item, each with its subject and a ``value`` entity."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            self.annotate(doc, item)
        return doc

    @staticmethod
    def annotate(doc: CriteriaDoc, item: Item) -> None:
        """Add the comparisons of one item, with texts taken from the source."""
        blocked = [(w.start, w.end) for w in item.windows]
        tokens = item.words(doc.view)
        references = any(t.norm in _REFERENCE_TOKENS for t in tokens)
        numeric = has_number(tokens)
        found = (
            find_comparisons(doc.view, item.start, item.end, blocked, references)
            if numeric or references
            else []
        )
        found = split_pressure_pairs(doc.view, item.start, item.end, found)
        found = [
            c for c in found if not _CHANGE.search(doc.view, max(item.start, c.start - 30), c.start)
        ]
        previous: tuple[Comparison, Span | None] | None = None
        together: list[Span] = []  # the subjects "ALT and AST" of the previous comparison
        for comp in found:
            # "> 120 mmHg diastolic and/or 180 mmHg systolic": the second names its own
            trailing = previous is not None and _trailing_subject(doc, item, previous, comp)
            subject = trailing if trailing is not False else find_subject(doc, item, comp)
            if subject is None and previous is not None and siblings(doc.view, previous[0], comp):
                subject = previous[1]  # "systolic BP > 170 or < 90 mm Hg": both bound the BP
            if subject is None and previous is None and (heading := heading_text(doc, item)):
                subject = source_span(doc, *heading)  # "Age:" / "* 18 and over"
            if previous is not None and _same_subjects(doc.view, previous[0], comp, subject):
                subject, others = previous[1], together[:-1]
            else:
                others = coordinated_subjects(doc, item, subject) if subject is not None else []
            previous = (comp, subject)
            together = [*others, subject] if subject is not None else []
            text = doc.source[comp.start : comp.end]
            for other in others:  # "ALT and AST ≤ 2.5 × ULN": one limit for each
                item.comparisons.append(comp.model_copy(update={"text": text, "subject": other}))
            item.comparisons.append(comp.model_copy(update={"text": text, "subject": subject}))
            item.entities = [
                e
                for e in item.entities
                if not (
                    e.start < comp.end
                    and comp.start < e.end
                    and (e.type == "value" or comp.start <= e.start and e.end <= comp.end)
                )
                or (subject is not None and e.start == subject.start)
            ]
            if not _is_count(comp) or _graded(doc.view, item, comp, subject):
                etype = _entity_type(doc.view, item, comp, subject)
                item.entities.append(make_entity(etype, doc.source, comp.start, comp.end))
                if etype == "value" and subject is not None and not is_time_unit(comp.unit):
                    _type_subject(doc, item, subject)
                    if comp.reference is not None or _CONCENTRATION.search(comp.unit or ""):
                        _drug_to_lab(item, subject)
        _add_quantities(doc, item, blocked, numeric)
        item.entities.sort(key=lambda e: (e.start, e.end))


def _same_subjects(view: str, previous: Comparison, comp: Comparison, subject: Span | None) -> bool:
    """Does ``comp`` bound what the comparison before it bounds? "BP < 140/90" (both the
    BP's), "AST ≤ 2.5 × ULN (≤ 5 × ULN if liver metastases)" (still the AST, whether the
    subject found is the "ULN" inside the first limit or none after the bracket)."""
    gap = view[previous.end : comp.start].strip()
    if gap == "/":
        return True
    if subject is None:
        return gap in ("(", "[")
    return previous.start <= subject.start and subject.end <= previous.end


_AND_OR = re.compile(
    r"^\s*(?:\([^()]{1,15}\)\s*)?(?:,\s*(?:and\s*/\s*or|and|or)?|and\s*/\s*or|and|or|/|&)\s*$",
    re.IGNORECASE,
)


def coordinated_subjects(doc: CriteriaDoc, item: Item, subject: Span) -> list[Span]:
    """Measurements joined to a comparison's subject by and/or, in text order: "ALT
    and AST ≤ 2.5 × ULN" → ``[ALT]``; "ALT, AST or bilirubin > 2 × ULN" → ``[ALT, AST]``.

    Only measurements the parser found, so "Men and women ≥ 18 years" stays one age.
    """
    if not any(
        e.type == "measurement" and e.start <= subject.start and subject.end <= e.end
        for e in item.entities
    ):
        return []
    labs = sorted(
        (e for e in item.entities if e.type == "measurement" and e.end <= subject.start),
        key=lambda e: -e.end,
    )
    found: list[Span] = []
    edge = subject.start
    for lab in labs:
        if lab.end > edge:
            continue  # inside or overlapping the one already taken
        if not _AND_OR.match(doc.view[lab.end : edge]):
            break
        found.insert(0, source_span(doc, lab.start, lab.end))
        edge = lab.start
    return found


# "Hemoglobin decreased by more than 2 g/dL": a change, not a level to compare
_CHANGE = re.compile(
    r"\b(?:decrease[sd]?|increase[sd]?|drop(?:ped|s)?|rise|rose|fall|fell|reduction|"
    r"reduced|change[sd]?|declined?)\s+(?:of|by|in)?\s*(?:at\s+least\s+|about\s+)?$|"
    r"\b(?:decrease|increase|drop|rise|fall|reduction|change|decline)\s+(?:in|of)\s+"
    r"(?:[\w-]+\s+){1,3}?(?:of\s+|by\s+)?$",
    re.IGNORECASE,
)


_WORDS_AFTER = re.compile(r"(?:\s+[A-Za-z][A-Za-z-]*)+")
_CONNECTOR_END = re.compile(r",?\s*(?:and\s*/\s*or|or|and)\s*$", re.IGNORECASE)


def _trailing_subject(
    doc: CriteriaDoc, item: Item, previous: tuple[Comparison, Span | None], comp: Comparison
) -> Span | None | bool:
    """The subject of a bound that shares the operator of the one before it, or False
    when ``comp`` is no such bound: as many words after it as stand between the first
    bound and "and/or" ("diastolic … 180 mmHg **systolic**"), else the first's subject."""
    first, first_subject = previous
    m = _trailing_pattern().match(doc.view, first.end, item.end)
    if m is None or m.start("v") != comp.start or comp.operator != first.operator:
        return False
    between = _CONNECTOR_END.sub("", doc.view[first.end : m.start("v")])
    named = len(between.split())  # "diastolic" in "> 120 mmHg diastolic and/or 180 mmHg"
    if named <= 0:
        return first_subject
    after = _WORDS_AFTER.match(doc.view, comp.end, item.end)
    if after is None:
        return first_subject
    words = list(re.finditer(r"[A-Za-z][A-Za-z-]*", doc.view[after.start() : after.end()]))
    if len(words) < named:
        return first_subject
    start = after.start() + words[0].start()
    return source_span(doc, start, after.start() + words[named - 1].end())


def _type_subject(doc: CriteriaDoc, item: Item, subject: Span) -> None:
    """What a value bounds is measured: "ALAT > 2 × ULN", "Spontaneous breathing activity ≥ 6".

    Untyped subject words become a measurement when they look measured: an
    abbreviation with two capitals, or a head noun of ``entity_patterns.json``
    ``measured_heads`` (activity, pressure, area …); not "nerve root
    impingement ≤ 30 mm", not ages, people or counts.
    """
    if _AGE_WORD.search(subject.text) or _PEOPLE.search(subject.text):
        return
    words = subject.text.split()
    last = normalize_token(words[-1].strip("()[],:;")) if words else ""
    if not (_ABBREVIATION.fullmatch(subject.text) or last in measured_heads()):
        return
    for e in item.entities:
        if e.start < subject.end and subject.start < e.end:
            return
    item.entities.append(make_entity("measurement", doc.source, subject.start, subject.end))


_CONCENTRATION = re.compile(
    r"/\s*(?:d?l|m?l|[µu]l|mm3|mm\^3|hpf)\b|\bmmol|\bµmol|\bumol", re.IGNORECASE
)


def _drug_to_lab(item: Item, subject: Span) -> None:
    """A drug name bounded by a level is a lab: "testosterone > 15 ng/dL", "creatine
    kinase > 2 × ULN" (a dose, "prednisone > 10 mg/day", stays a drug)."""
    item.entities = [
        e.model_copy(update={"type": "measurement"})
        if e.type == "drug" and e.start == subject.start and e.end == subject.end
        else e
        for e in item.entities
    ]


def _add_quantities(
    doc: CriteriaDoc, item: Item, blocked: list[tuple[int, int]], numeric: bool
) -> None:
    """Value / temporal entities for bare quantities and scores (:mod:`.quantities`)."""
    view = doc.view
    taken = blocked + [(c.start, c.end) for c in item.comparisons]
    taken += [(e.start, e.end) for e in item.entities if e.type in ("value", "temporal")]

    def classify(start: int, end: int, unit: str, value: float | None) -> EntityType:
        return quantity_type(view, item, start, end, unit, value)

    found = bare_quantities(view, item, taken, classify) if numeric else []
    taken += [(s, e) for s, e, _ in found]
    measurements = [(e.start, e.end) for e in item.entities if e.type == "measurement"]
    found += [(s, e, "value") for s, e in score_values(view, item, measurements, taken)]
    found += [(s, e, "value") for s, e in letter_grades(view, item, taken)]
    for s, e, etype in found:
        item.entities.append(make_entity(etype, doc.source, s, e))
