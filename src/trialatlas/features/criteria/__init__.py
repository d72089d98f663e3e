"""Eligibility criteria → structured, checkable criteria (a pipeline of small stages).

``parse_criteria(text)`` is the entry point; ``to_json(parsed)`` its JSON form.
See ``docs/criteria.md`` for the entity types and the record layout.
"""

from trialatlas.features.criteria.pipeline import default_stages, parse_criteria
from trialatlas.features.criteria.serialize import to_json

__all__ = ["default_stages", "parse_criteria", "to_json"]
