"""Comparison stage: numeric constraints with units ("eGFR ≥ 60 mL/min/1.73 m2").

Finds bounds written with symbols or words (``≥``, ``at least``, ``no more
than``, ``18 years or older``), ranges (``between 7.5% and 10.0%``, ``18 to 75
years``, ``18-65``) and limits relative to normal (``> 2 × ULN``); joins a
lower and an upper bound of the same subject into one ``between`` ("at least
30mm and not more than 90mm"); normalizes units with pint (:mod:`.units`) and
names the subject (the lab, score or age the numbers constrain). Each
comparison also becomes a ``value`` entity. Runs after the entity stage.

The numbers are found by :mod:`.comparison_bounds`; this stage names each one's
subject and adds its entities (:mod:`.comparison_entities`).
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.comparison_bounds import find_comparisons, siblings
from trialatlas.features.criteria.comparison_entities import add_comparison_entity, add_quantities
from trialatlas.features.criteria.comparison_patterns import trailing_bound_pattern
from trialatlas.features.criteria.comparison_subjects import find_subject, source_span
from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.items import heading_text
from trialatlas.features.criteria.numbers import has_number
from trialatlas.features.criteria.pressure_pairs import split_pressure_pairs
from trialatlas.model.criteria import Comparison, Span

_REFERENCE_TOKENS = frozenset({"uln", "lln", "upper", "lower"})


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
            add_comparison_entity(doc, item, comp, subject)
        add_quantities(doc, item, blocked, numeric)
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
    m = trailing_bound_pattern().match(doc.view, first.end, item.end)
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
