"""Normalization stage: drugs to the shipped drug dictionary, conditions to ICD-10.

Runs last, on the entities the other stages found. Both vocabularies load on
first use (:mod:`.drugs`, :mod:`.conditions`); a mention neither knows keeps
``normalized = None``.
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.conditions import exact_condition, lookup_condition
from trialatlas.features.criteria.document import CriteriaDoc, Item
from trialatlas.features.criteria.drugs import lookup_drug
from trialatlas.model.criteria import Entity

_CONDITION_TYPES = {"condition", "behaviour", "pregnancy"}
_WORDS_BEFORE = re.compile(r"(?:[A-Za-z][\w'-]*\s+){1,3}$")
_MAX_WORDS = 3


def widen_condition(source: str, item: Item, entity: Entity) -> Entity:
    """A condition widened over the words just before it when the longer phrase is an
    ICD-10 label: "diffuse large **B-cell lymphoma**" → "diffuse large B-cell lymphoma"
    (C83.3, not the unspecified C85.1). Never over another entity or punctuation."""
    floor = max(
        [item.start] + [e.end for e in item.entities if e.end <= entity.start and e is not entity]
    )
    m = _WORDS_BEFORE.search(source, max(floor, entity.start - 60), entity.start)
    if m is None:
        return entity
    words = list(re.finditer(r"[A-Za-z][\w'-]*", source[m.start() : entity.start]))
    for word in words[-_MAX_WORDS:]:  # the longest label first
        start = m.start() + word.start()
        if exact_condition(source[start : entity.end]) is not None:
            return entity.model_copy(update={"text": source[start : entity.end], "start": start})
    return entity


def normalize_entity(entity: Entity) -> Entity:
    """The entity with ``normalized``/``code``/``system`` filled where a vocabulary knows it."""
    if entity.type == "drug":
        drug = lookup_drug(entity.text)
        if drug is not None:
            return entity.model_copy(
                update={"normalized": drug.name, "code": drug.code, "system": drug.system}
            )
    elif entity.type in _CONDITION_TYPES:
        concept = lookup_condition(entity.text)
        if concept is not None:
            return entity.model_copy(
                update={"normalized": concept.label, "code": concept.code, "system": "ICD-10"}
            )
    return entity


class Normalizer:
    """Stage: fill the normalized names of drug and condition entities."""

    def __init__(self, drugs: bool = True, conditions: bool = True) -> None:
        self.drugs = drugs
        self.conditions = conditions

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            if self.conditions:
                item.entities = [
                    widen_condition(doc.source, item, e) if e.type == "condition" else e
                    for e in item.entities
                ]
            item.entities = [
                normalize_entity(e)
                if (e.type == "drug" and self.drugs)
                or (e.type in _CONDITION_TYPES and self.conditions)
                else e
                for e in item.entities
            ]
        return doc
