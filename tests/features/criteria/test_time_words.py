"""Hypothesis: a status adverb ("currently", "previously", …) before a criterion is a
time expression of its own and leaves the criterion's other entities as they were."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialatlas.features.criteria import parse_criteria

_ADVERBS = ("Currently", "Previously", "currently", "previously", "Pre-existing")
_BODIES = (
    "taking warfarin",
    "treated with rituximab or methotrexate",
    "diagnosed with type 2 diabetes",
    "receiving dialysis for chronic kidney disease",
    "on insulin with HbA1c > 9%",
    "enrolled in another clinical trial",
    "hepatitis B or HIV infection",
    "neuropathy of grade 2 or higher",
)
_PREFIXES = ("* ", "1. ", "- ", "Exclusion Criteria:\n* ")


def _entities(text: str, start: int) -> set[tuple[str, int, int]]:
    """(type, start, end) of the entities from ``start`` on, other than time expressions."""
    return {
        (e.type, e.start - start, e.end - start)
        for c in parse_criteria(text).criteria
        for e in c.entities
        if e.start >= start and e.type != "temporal"
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PREFIXES), st.sampled_from(_ADVERBS), st.sampled_from(_BODIES))
def test_a_status_adverb_is_temporal_and_changes_nothing_else(
    prefix: str, adverb: str, body: str
) -> None:
    plain = prefix + body
    text = f"{prefix}{adverb} {body}"
    parsed = parse_criteria(text)
    at = len(prefix)
    temporal = [e for c in parsed.criteria for e in c.entities if e.type == "temporal"]
    assert any(e.start == at and e.end == at + len(adverb) for e in temporal), temporal
    assert _entities(text, at + len(adverb) + 1) == _entities(plain, at)
