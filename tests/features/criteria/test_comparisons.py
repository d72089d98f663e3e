"""Comparison stage: numbers, operators, ranges, ULN and units (pint)."""

from __future__ import annotations

import pytest

from trialatlas.features.criteria import parse_criteria
from trialatlas.model.criteria import Comparison


def comparisons(text: str) -> list[Comparison]:
    return [c for crit in parse_criteria(text).criteria for c in crit.comparisons]


def only(text: str) -> Comparison:
    found = comparisons(text)
    assert len(found) == 1, found
    return found[0]


def test_symbol_bounds_joined_into_a_range() -> None:
    c = only("* Pain ≥ 30 mm and ≤ 90 mm of 100 mm on VAS")
    assert (c.operator, c.value, c.upper_value, c.unit_normalized) == (
        "between",
        30,
        90,
        "millimeter",
    )


def test_word_bounds_joined_into_a_range() -> None:
    c = only("* Low back pain of at least 30mm and not more than 90mm on VAS")
    assert (c.operator, c.value, c.upper_value, c.unit) == ("between", 30, 90, "mm")
    assert c.subject is not None and c.subject.text == "Low back pain"


def test_odi_range_without_unit() -> None:
    c = only("* ODI score of at least 20 and no more than 90 on a 100-point percentage scale.")
    assert (c.operator, c.value, c.upper_value) == ("between", 20, 90)
    assert c.subject is not None and c.subject.text == "ODI score"


def test_daily_dose() -> None:
    c = only("* An average morphine equivalent dose (MED) of > 50 mg/day")
    assert (c.operator, c.value, c.unit_normalized, c.value_canonical) == (
        ">",
        50,
        "milligram / day",
        50,
    )
    assert c.subject is not None and c.subject.text in {"MED", "morphine equivalent dose"}


def test_between_percentages() -> None:
    c = only("* HbA1c between 7.5% and 10.0%")
    assert (c.operator, c.value, c.upper_value, c.unit_normalized) == ("between", 7.5, 10.0, "%")
    assert c.subject is not None and c.subject.text == "HbA1c"


def test_egfr_with_body_surface_unit() -> None:
    c = only("* eGFR ≥ 60 mL/min/1.73 m2")
    assert (c.operator, c.value, c.unit_normalized) == (">=", 60, "mL/min/1.73m²")
    assert c.subject is not None and c.subject.text == "eGFR"


@pytest.mark.parametrize(
    "text", ["* ALT > 2 × ULN", "* ALT > 2 x ULN", "* ALT > 2 times the upper limit of normal"]
)
def test_relative_to_upper_limit_of_normal(text: str) -> None:
    c = only(text)
    assert (c.operator, c.uln_multiplier, c.reference, c.unit) == (">", 2, "ULN", None)
    assert c.subject is not None and c.subject.text == "ALT"


def test_fahrenheit_converted_to_celsius() -> None:
    c = comparisons(
        "* Unexplained fever, defined as greater than 100.4 degrees Fahrenheit or 38.0 degrees Celsius"
    )[0]
    assert (c.operator, c.value) == (">", 100.4)
    assert c.canonical_unit == "degree_Celsius"
    assert c.value_canonical == pytest.approx(38.0)


@pytest.mark.parametrize(
    ("text", "op", "value", "upper"),
    [
        ("* Age 18 to 75 years", "between", 18, 75),
        ("* Aged 18-65 years", "between", 18, 65),
        ("* 18 years of age or older", ">=", 18, None),
        ("* Age ≥ 18 years", ">=", 18, None),
        ("* Patients younger than 65 years", "<", 65, None),
    ],
)
def test_ages(text: str, op: str, value: float, upper: float | None) -> None:
    c = only(text)
    assert (c.operator, c.value, c.upper_value) == (op, value, upper)
    assert c.subject is not None and "ag" in c.subject.text.lower() or "young" in text


def test_no_number_no_comparison() -> None:
    assert comparisons("* History of COVID-19 or type 2 diabetes") == []


def test_value_entity_for_each_comparison() -> None:
    crit = parse_criteria("* Platelets ≥ 100,000/mm3").criteria[0]
    values = [e for e in crit.entities if e.type == "value"]
    assert [v.text for v in values] == ["≥ 100,000/mm3"]
    assert crit.comparisons[0].canonical_unit == "10^9/L"
    assert crit.comparisons[0].value_canonical == pytest.approx(100)
