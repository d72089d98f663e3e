"""Hypothesis: the parser never raises and every offset indexes the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialatlas.features.criteria import parse_criteria
from trialatlas.model.criteria import ParsedCriteria

_PIECES = st.sampled_from(
    [
        "Inclusion Criteria:",
        "Exclusion Criteria:",
        "\n",
        "\n\n",
        "* ",
        "  * ",
        "1. ",
        "a) ",
        "- ",
        "age ",
        "≥ ",
        "\\> ",
        "\\<",
        "&gt;",
        "18 ",
        "years",
        "between 7.5% and 10%",
        "within 3 months",
        "prior to enrollment",
        "no history of ",
        "diabetes",
        "methotrexate",
        "HbA1c",
        "2 × ULN",
        "mg/day",
        "mL/min/1.73 m2",
        "at least ",
        "and not more than ",
        "pregnant",
        ", ",
        ". ",
        ";",
        "(",
        ")",
        "é",
        "\t",
        "\r\n",
        "Patients must:",
        "DISEASE CHARACTERISTICS:",
    ]
)


def check_offsets(text: str, parsed: ParsedCriteria) -> None:
    assert parsed.source == text
    n = len(text)
    for c in parsed.criteria:
        assert 0 <= c.start <= c.end <= n and text[c.start : c.end] == c.text
        assert c.parent is None or 0 <= c.parent < len(parsed.criteria)
        spans = [*c.entities, *c.comparisons, *c.windows]
        spans += [comp.subject for comp in c.comparisons if comp.subject is not None]
        for s in spans:
            assert 0 <= s.start <= s.end <= n, s
            assert text[s.start : s.end] == s.text, s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    check_offsets(text, parse_criteria(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_criteria_like_text(text: str) -> None:
    check_offsets(text, parse_criteria(text))


def test_non_string_input_is_empty() -> None:
    assert parse_criteria(None).criteria == []  # type: ignore[arg-type]
