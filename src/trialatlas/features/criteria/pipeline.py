"""``parse_criteria``: the criteria pipeline assembled from its stages.

Stages, in order (each ``stage(doc) -> doc``):

1. :class:`SectionDetector` — inclusion / exclusion headers → sections
2. :class:`ItemSplitter` — bullets, numbers, nesting, wrapped lines → items
3. :class:`WindowFinder` — time windows (+ ``temporal`` entities)
4. :class:`EntityFinder` — vocabulary and pattern entities
5. :class:`ComparisonFinder` — numeric comparisons (+ ``value`` entities)
6. :class:`ContextAnnotator` — negated / uncertain / historical
7. :class:`Normalizer` — drug dictionary names, ICD-10 labels

The parser never raises: a stage that fails on an odd input leaves the items
as the earlier stages made them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache

from trialatlas.features.criteria.comparisons import ComparisonFinder
from trialatlas.features.criteria.context import ContextAnnotator
from trialatlas.features.criteria.document import CriteriaDoc, Stage
from trialatlas.features.criteria.entities import EntityFinder
from trialatlas.features.criteria.items import ItemSplitter
from trialatlas.features.criteria.normalization import Normalizer
from trialatlas.features.criteria.sections import SectionDetector
from trialatlas.features.criteria.windows import WindowFinder
from trialatlas.model.criteria import Criterion, EntityType, ParsedCriteria

log = logging.getLogger(__name__)

_STRUCTURE_STAGES = (SectionDetector, ItemSplitter)


def default_stages(
    normalize: bool = True, lexicon: dict[str, EntityType] | None = None
) -> list[Stage]:
    """The standard pipeline; ``normalize=False`` skips the vocabulary look-ups.

    ``lexicon`` (term → type) replaces the shipped lexicons (``merge_lexicons``
    builds one), e.g. to score a lexicon built without some trials.
    """
    stages: list[Stage] = [
        SectionDetector(),
        ItemSplitter(),
        WindowFinder(),
        EntityFinder(lexicon=lexicon),
        ComparisonFinder(),
        ContextAnnotator(),
    ]
    if normalize:
        stages.append(Normalizer())
    return stages


@cache
def _default_pipeline() -> tuple[Stage, ...]:
    """The standard stages, built once per process (their rules load on first use)."""
    return tuple(default_stages())


def run_stages(text: str, stages: Sequence[Stage]) -> CriteriaDoc:
    """Run ``stages`` over ``text``; a failing stage is logged (not the text) and skipped."""
    doc = CriteriaDoc(source=text)
    for stage in stages:
        try:
            doc = stage(doc)
        except Exception:  # the parser must never raise on registry text
            log.warning("criteria stage %s failed; skipped", type(stage).__name__, exc_info=True)
            if isinstance(stage, _STRUCTURE_STAGES):
                break
    return doc


def to_parsed(doc: CriteriaDoc) -> ParsedCriteria:
    """Freeze the working document into typed :class:`Criterion` records."""
    criteria = [
        Criterion(
            kind=item.kind,
            text=doc.source[item.start : item.end],
            start=item.start,
            end=item.end,
            parent=item.parent,
            depth=item.depth,
            entities=sorted(item.entities, key=lambda e: (e.start, e.end)),
            comparisons=item.comparisons,
            windows=item.windows,
        )
        for item in doc.items
    ]
    return ParsedCriteria(source=doc.source, criteria=criteria)


def parse_criteria(text: str, stages: Sequence[Stage] | None = None) -> ParsedCriteria:
    """Parse eligibility criteria text into ordered, structured criteria.

    Offsets of every criterion, entity, comparison and window index ``text``.
    Never raises; non-string input is treated as empty text.
    """
    if not isinstance(text, str):
        text = ""
    doc = run_stages(text, stages if stages is not None else _default_pipeline())
    try:
        return to_parsed(doc)
    except Exception:
        log.warning("criteria could not be frozen; returning none", exc_info=True)
        return ParsedCriteria(source=text, criteria=[])
