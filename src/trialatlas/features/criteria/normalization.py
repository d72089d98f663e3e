"""Normalization stage: drugs to the shipped drug dictionary, conditions to ICD-10.

Runs last, on the entities the other stages found. Both vocabularies load on
first use (:mod:`.drugs`, :mod:`.conditions`); a mention neither knows keeps
``normalized = None``.
"""

from __future__ import annotations

from trialatlas.features.criteria.conditions import lookup_condition
from trialatlas.features.criteria.document import CriteriaDoc
from trialatlas.features.criteria.drugs import lookup_drug
from trialatlas.model.criteria import Entity

_CONDITION_TYPES = {"condition", "behaviour", "pregnancy"}


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
            item.entities = [
                normalize_entity(e)
                if (e.type == "drug" and self.drugs)
                or (e.type in _CONDITION_TYPES and self.conditions)
                else e
                for e in item.entities
            ]
        return doc
