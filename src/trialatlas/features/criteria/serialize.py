"""JSON form of parsed criteria (the ``--json`` output and the API body)."""

from __future__ import annotations

from typing import Any

from trialatlas.model.criteria import ParsedCriteria

_ENTITY_FIELDS = (
    "type",
    "text",
    "start",
    "end",
    "negated",
    "uncertain",
    "historical",
    "normalized",
    "code",
    "system",
)


def to_json(parsed: ParsedCriteria) -> dict[str, Any]:
    """``{"criteria": [{"kind", "text", "start", "end", "parent", "entities", "comparisons", "windows"}]}``."""
    return {
        "criteria": [
            {
                "kind": c.kind,
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "parent": c.parent,
                "depth": c.depth,
                "entities": [{f: getattr(e, f) for f in _ENTITY_FIELDS} for e in c.entities],
                "comparisons": [comp.model_dump(mode="json") for comp in c.comparisons],
                "windows": [w.model_dump(mode="json") for w in c.windows],
            }
            for c in parsed.criteria
        ]
    }
