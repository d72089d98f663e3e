"""Time-window stage: relation, amount, days and anchor."""

from __future__ import annotations

import pytest

from trialatlas.features.criteria import parse_criteria
from trialatlas.model.criteria import TimeWindow


def windows(text: str) -> list[TimeWindow]:
    return [w for c in parse_criteria(text).criteria for w in c.windows]


@pytest.mark.parametrize(
    ("text", "relation", "days", "anchor"),
    [
        ("* Chemotherapy within 3 months prior to enrollment", "within", 91.3125, "enrollment"),
        (
            "* Steroid injection at least 2 weeks before study treatment",
            "at least before",
            14,
            "treatment",
        ),
        ("* Hospitalized in the past 12 months", "in the past", 365.25, None),
        ("* Participation in another trial within one year", "within", 365.25, None),
        ("* Marijuana use within 30 days of study entry", "within", 30, "enrollment"),
        ("* Low back pain for at least 6 months", "for at least", 182.625, None),
        ("* Surgery within the last 6 weeks before screening", "within", 42, "screening"),
        ("* Stroke 6 months ago", "in the past", 182.625, None),
        ("* More than 6 months since prior androgen suppression", "at least before", 182.625, None),
        ("* Recurrence within six months after CR", "after", 182.625, None),
        ("* Photocoagulation within the former 4 months.", "within", 121.75, None),
        ("* Less than 84 days since prior surgical procedure", "within", 84, None),
        ("* Surgery: No more than 4 months since definitive surgery", "within", 121.75, None),
        ("* At least 4 weeks after the last vaccination", "after", 28, "treatment"),
        ("* In the 4 weeks preceding the first trial vaccination", "within", 28, "treatment"),
        ("* w/in 3 months after proposed transplantation", "after", 91.3125, "surgery"),
        ("* Stable dose for greater than or equal to 90 days", "for at least", 90, None),
    ],
)
def test_windows(text: str, relation: str, days: float, anchor: str | None) -> None:
    (w,) = windows(text)
    assert (w.relation, w.days, w.anchor) == (relation, days, anchor)
    assert text[w.start : w.end] == w.text


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("* Hospitalized in the past 12 months", 365.25),
        ("* Hospitalized in the past 1 year", 365.25),
        ("* Hospitalized in the past 24 months", 730.5),
        ("* Hospitalized in the past 2 years", 730.5),
        ("* Hospitalized in the past 1 month", 30.4375),
        ("* Hospitalized in the past 4 weeks", 28),
    ],
)
def test_window_days_are_calendar_accurate(text: str, days: float) -> None:
    """A month is 365.25 / 12 days and a year 365.25: "12 months" is a year, not 360 days."""
    (w,) = windows(text)
    assert w.days == days


def test_ages_are_not_windows() -> None:
    assert windows("* At least 18 years of age") == []
    assert windows("* Age at least 18 years") == []


def test_window_is_a_temporal_entity() -> None:
    crit = parse_criteria("* Myocardial infarction within 6 months").criteria[0]
    assert [(e.type, e.text) for e in crit.entities if e.type == "temporal"] == [
        ("temporal", "within 6 months")
    ]


def test_a_period_over_hours_is_a_duration_not_a_bound() -> None:
    (w,) = windows("* Average pain over 24 hours")
    assert (w.relation, w.amount, w.unit, w.text) == ("for", 24, "hour", "over 24 hours")
    assert windows("* Children over 2 years") == []


def test_the_longest_anchor_wins() -> None:
    (w,) = windows("* Pregnancy test within 72 hours prior to the start of study medication")
    assert (w.anchor, w.text) == (
        "treatment",
        "within 72 hours prior to the start of study medication",
    )
    (w,) = windows("* Contraception for 3 months after receiving the last dose of study drug")
    assert w.anchor == "treatment" and w.text.endswith("study drug")
