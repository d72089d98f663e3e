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


@pytest.mark.parametrize(
    ("text", "operator", "inclusive"),
    [
        ("* MED of > 50mg/day", ">", (False, True)),
        ("* Platelets < 100 x 10^9/L", "<", (True, False)),
        ("* Weight greater than 50 kg", ">", (False, True)),
        ("* Weight more than 50 kg", ">", (False, True)),
        ("* Weight over 50 kg", ">", (False, True)),
        ("* Weight above 50 kg", ">", (False, True)),
        ("* Dose exceeding 50 mg/day", ">", (False, True)),
        ("* Weight less than 50 kg", "<", (True, False)),
        ("* Weight under 50 kg", "<", (True, False)),
        ("* Weight below 50 kg", "<", (True, False)),
        ("* MED of ≥ 50mg/day", ">=", (True, True)),
        ("* MED of >= 50mg/day", ">=", (True, True)),
        ("* MED of >/= 50mg/day", ">=", (True, True)),
        ("* Weight at least 50 kg", ">=", (True, True)),
        ("* Weight no less than 50 kg", ">=", (True, True)),
        ("* Weight of 50 kg or more", ">=", (True, True)),
        ("* Weight of 50 kg or greater", ">=", (True, True)),
        ("* Weight minimum 50 kg", ">=", (True, True)),
        ("* Weight ≤ 50 kg", "<=", (True, True)),
    ],
)
def test_strict_bounds_are_not_inclusive(
    text: str, operator: str, inclusive: tuple[bool, bool]
) -> None:
    """``lower_inclusive`` / ``upper_inclusive`` say whether the bound value itself is allowed."""
    c = only(text)
    assert c.operator == operator and c.value in (50, 100)
    assert (c.lower_inclusive, c.upper_inclusive) == inclusive


def test_strict_bound_keeps_its_flag_in_the_json() -> None:
    from trialatlas.features.criteria import to_json

    data = to_json(parse_criteria("* MED of > 50mg/day"))
    comp = data["criteria"][0]["comparisons"][0]
    assert (comp["operator"], comp["lower_inclusive"]) == (">", False)
    shared = comparisons("* systolic BP > 170 or < 90 mm Hg")
    assert [(c.operator, c.lower_inclusive, c.upper_inclusive) for c in shared] == [
        (">", False, True),
        ("<", True, False),
    ]


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
    ("text", "canonical_unit", "value_canonical"),
    [
        ("* Body weight < 110 lb", "kilogram", 49.895161),
        ("* Weight > 50 kg", "kilogram", 50),
        ("* Birth weight < 1500 g", "kilogram", 1.5),
        ("* Prednisone > 10 mg", "milligram", 10),
        ("* Aspirin dose > 325 mcg", "milligram", 0.325),
        ("* Prednisone > 10 mg/day", "milligram / day", 10),
        ("* Acetaminophen > 2 g/day", "milligram / day", 2000),
        ("* Doxorubicin > 1 mg/kg", "milligram / kilogram", 1),
        ("* Cumulative doxorubicin > 450 mg/m2", "milligram / meter ** 2", 450),
        ("* BMI > 35 kg/m2", "kilogram / meter ** 2", 35),
    ],
)
def test_body_weight_in_kilograms_doses_in_dose_units(
    text: str, canonical_unit: str, value_canonical: float
) -> None:
    """A weight is compared in kg; a dose keeps mg (per day, per kg, per m²)."""
    c = [c for c in comparisons(text) if c.unit][0]
    assert c.canonical_unit == canonical_unit
    assert c.value_canonical == pytest.approx(value_canonical)


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


def entity_types(text: str) -> dict[str, str]:
    return {e.text: e.type for c in parse_criteria(text).criteria for e in c.entities}


@pytest.mark.parametrize(
    ("text", "span", "etype"),
    [
        ("* Myocardial infarction < 3 months", "< 3 months", "temporal"),
        ("* Life expectancy of at least 3 months", "at least 3 months", "value"),
        ("* Patients > 18 years", "> 18 years", "value"),
        ("* Children 2-5 years", "2-5 years", "value"),
        ("* aPTT > 44 sec", "> 44 sec", "value"),
        ("* Spherical equivalent of > 8.00D", "> 8.00D", "value"),
    ],
)
def test_time_amounts_are_temporal_unless_measured(text: str, span: str, etype: str) -> None:
    assert entity_types(text)[span] == etype


def test_life_expectancy_is_a_comparison_not_a_window() -> None:
    crit = parse_criteria("* Life expectancy of at least 3 months").criteria[0]
    assert crit.windows == []
    (c,) = crit.comparisons
    assert (c.operator, c.value, c.unit) == (">=", 3, "months")


def test_bare_quantities_are_values_without_a_comparison() -> None:
    crit = parse_criteria("* HbA1c 7.5% (58 mmol/mol) within 48 hours").criteria[0]
    types = {e.text: e.type for e in crit.entities}
    assert types["7.5%"] == "value" and types["58 mmol/mol"] == "value"
    assert crit.comparisons == []


def test_score_after_a_measurement_is_a_value() -> None:
    types = entity_types("* ECOG performance status of 0 or 1; NYHA class III")
    assert types["0 or 1"] == "value"
    assert types["III"] == "value"


def test_measured_subject_becomes_a_measurement() -> None:
    types = entity_types("* Spontaneous breathing activity of at least 6 breaths/min")
    assert types["Spontaneous breathing activity"] == "measurement"
    assert "nerve root impingement" not in entity_types(
        "* Leg pain with nerve root impingement ≤ 30mm on a VAS"
    )


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        ("* VAS >/= 40 mm", ">="),
        ("* ODI </= 90", "<="),
        ("* Gleason <or=6", "<="),
        ("* Platelets > or = 100", ">="),
        ("* Hemoglobin =/> 9 g/dL", ">="),
    ],
)
def test_slash_and_or_equal_operators(text: str, operator: str) -> None:
    c = only(text)
    assert c.operator == operator
    assert c.text.lstrip("<>=/ or").strip()[0].isdigit()  # the operator is inside the span


def test_bare_bound_takes_the_unit_of_its_sibling() -> None:
    low, high = comparisons("* Systolic blood pressure > 170 or < 90 mm Hg")
    assert (low.operator, low.value, low.unit, low.unit_normalized) == (
        ">",
        170,
        "mm Hg",
        "millimeter_Hg",
    )
    assert (high.operator, high.value, high.unit) == ("<", 90, "mm Hg")
    assert low.subject is not None and high.subject is not None
    assert high.subject.text == low.subject.text == "Systolic blood pressure"


def test_bare_amount_after_a_bound_shares_its_operator() -> None:
    text = "* uncontrolled hypertension > 120 mmHg diastolic and/or 180 mmHg systolic"
    found = comparisons(text)
    assert [(c.operator, c.value, c.unit, c.lower_inclusive) for c in found] == [
        (">", 120, "mmHg", False),
        (">", 180, "mmHg", False),
    ]
    assert found[1].subject is not None and found[1].subject.text == "systolic"
    assert [text[c.start : c.end] for c in found] == ["> 120 mmHg", "180 mmHg"]
    # another unit, or no "and/or", is no shared bound
    assert len(comparisons("* Weight > 50 kg and 3 years of treatment")) == 1
    assert len(comparisons("* Creatinine > 2 mg/dL; 5 mg/dL is fatal")) == 1


def test_a_period_is_not_a_comparison() -> None:
    found = comparisons("* Average pain over 24 hours of at least 4 on the NRS")
    assert [(c.operator, c.value) for c in found] == [(">=", 4)]
    assert found[0].subject is not None and found[0].subject.text == "pain"
    assert comparisons("* average pain over 24 hours") == []
    assert only("* Symptoms for over 3 months are not compared: age over 65 years").operator == ">"


@pytest.mark.parametrize(
    ("text", "lower_inclusive"),
    [
        ("* Age 1 to < 2 years", True),
        ("* Age ≥ 1 to < 2 years", True),
        ("* Age > 1 to < 2 years", False),
    ],
)
def test_range_with_an_open_upper_bound_keeps_the_lower(text: str, lower_inclusive: bool) -> None:
    c = only(text)
    assert (c.operator, c.value, c.upper_value, c.unit) == ("between", 1, 2, "years")
    assert (c.lower_inclusive, c.upper_inclusive) == (lower_inclusive, False)
    assert text[c.start : c.end] == c.text and c.text.endswith("2 years")


def test_small_number_after_a_grade_or_score_is_a_value_not_a_count() -> None:
    def values(text: str) -> set[str]:
        parsed = parse_criteria(text)
        return {e.text for c in parsed.criteria for e in c.entities if e.type == "value"}

    assert "≥ 3" in values("* Current peripheral neuropathy of Grade ≥ 3.")
    assert "> 5" in values("* Hepatic insufficiency (Child-Pugh score > 5)")
    assert not values("* At least 2 prior chemotherapy regimens")  # a count


@pytest.mark.parametrize(
    ("text", "subjects"),
    [
        ("* ALT and AST ≤ 2.5 × ULN", ["ALT", "AST"]),
        ("* ALT, AST or total bilirubin > 2 × ULN", ["ALT", "AST", "total bilirubin"]),
        (
            "* alanine aminotransferase (ALT) and aspartate aminotransferase (AST) ≤ 3 × ULN",
            ["alanine aminotransferase (ALT)", "aspartate aminotransferase (AST)"],
        ),
        ("* Men and women ≥ 18 years of age", None),
        ("* Diabetes and HbA1c > 9%", ["HbA1c"]),
    ],
)
def test_joined_labs_each_get_the_limit(text: str, subjects: list[str] | None) -> None:
    found = comparisons(text)
    named = [c.subject.text if c.subject else None for c in found]
    if subjects is None:
        assert len(found) == 1, named
    else:
        assert named == subjects
        assert len({(c.start, c.end, c.operator, c.value) for c in found}) == 1


def test_a_bracketed_alternative_limit_keeps_the_labs_it_follows() -> None:
    found = comparisons("* ALT and AST ≤ 2.5 × ULN (≤ 5 × ULN if liver metastases)")
    assert [(c.subject.text if c.subject else None, c.value) for c in found] == [
        ("ALT", 2.5),
        ("AST", 2.5),
        ("ALT", 5),
        ("AST", 5),
    ]


@pytest.mark.parametrize(
    ("text", "subject", "operator", "pair"),
    [
        ("* Blood pressure will be < 140/90 mm Hg.", "Blood pressure", "<", (140, 90)),
        ("* BP > 160/100 mmHg", "BP", ">", (160, 100)),
        (
            "* Uncontrolled hypertension (≥180/110mmHg)",
            "Uncontrolled hypertension",
            ">=",
            (180, 110),
        ),
    ],
)
def test_a_blood_pressure_pair_is_two_limits_in_mmhg(
    text: str, subject: str, operator: str, pair: tuple[int, int]
) -> None:
    found = comparisons(text)
    assert [(c.value, c.operator, c.canonical_unit) for c in found] == [
        (pair[0], operator, "millimeter_Hg"),
        (pair[1], operator, "millimeter_Hg"),
    ]
    assert {c.subject.text if c.subject else None for c in found} == {subject}
    source = text
    assert source[found[1].start : found[1].end].startswith(str(pair[1]))


@pytest.mark.parametrize("text", ["* Platelets > 100/mm3", "* ratio < 3/2", "* dilution > 1/40"])
def test_other_slashes_are_not_blood_pressure(text: str) -> None:
    assert len(comparisons(text)) <= 1


def test_a_unit_with_spaces_around_its_slash() -> None:
    c = only("* Hemoglobin \\<10 g / dL;")
    assert (c.unit_normalized, c.canonical_unit) == ("gram / deciliter", "milligram / deciliter")
    assert c.value_canonical == 10000


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        ("* Equal to or older than 22 years of age.", ">="),
        ("* Younger than or equal to 65 years", "<="),
        ("* No older than 70 years", "<="),
        ("* Older than 18 years", ">"),
    ],
)
def test_age_words_with_equal_to(text: str, operator: str) -> None:
    assert only(text).operator == operator


@pytest.mark.parametrize(
    "text",
    [
        "* Hemoglobin decreased by more than 2.0 g/dL not attributed to chemotherapy",
        "* Decline in eGFR of > 30%",
        "* a rise in PSA > 2 ng/mL above nadir",
    ],
)
def test_a_change_is_not_a_level(text: str) -> None:
    assert comparisons(text) == []
    values = [e for c in parse_criteria(text).criteria for e in c.entities if e.type == "value"]
    assert len(values) == 1


@pytest.mark.parametrize("text", ["* increased ALT > 3 x ULN", "* level of hemoglobin > 10 g/dL"])
def test_an_elevated_level_is_still_a_level(text: str) -> None:
    assert len(comparisons(text)) == 1


def test_the_subject_inside_an_open_bracket() -> None:
    c = only("* adequate renal function(Cr≤133umol/L).")
    assert c.subject is not None and c.subject.text == "Cr"
    c = only("* Creatinine (serum) > 2 mg/dL")
    assert c.subject is not None and c.subject.text == "Creatinine"


def test_room_air_is_not_part_of_the_measure() -> None:
    c = only("* room air oxygen saturation of >94%")
    assert c.subject is not None and c.subject.text == "oxygen saturation"


@pytest.mark.parametrize(
    ("text", "operator", "value"),
    [
        ("* Age > or = to 65 years", ">=", 65),
        ("* Age > = 18 years", ">=", 18),
        ("* PSA < = 1.0 ng/mL", "<=", 1),
        ("* Patients under the age of 18", "<", 18),
        ("* Patient over the age of 18", ">", 18),
    ],
)
def test_spaced_and_worded_operators(text: str, operator: str, value: float) -> None:
    c = only(text)
    assert (c.operator, c.value) == (operator, value)
    if "age of" in text:
        assert c.subject is not None and c.subject.text == "age"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("* BMI of 17.1 ~ 25.8", 17.1, 25.8), ("* FPG of 70 ~ 110 mg/dL", 70, 110)],
)
def test_a_tilde_joins_a_range(text: str, low: float, high: float) -> None:
    c = only(text)
    assert (c.operator, c.value, c.upper_value) == ("between", low, high)


def test_or_older_after_a_younger_bound_starts_the_next_bound() -> None:
    found = comparisons("* Younger than 18 years of age or older than 95 years of age")
    assert [(c.operator, c.value) for c in found] == [("<", 18), (">", 95)]
    assert only("* 18 years of age or older").operator == ">="


def test_between_the_ages_of() -> None:
    c = only("* Subject must be between the ages of 18 and 55 years;")
    assert (c.operator, c.value, c.upper_value, c.unit) == ("between", 18, 55, "years")


@pytest.mark.parametrize(
    ("text", "operator", "times"),
    [
        ("* SGOT no greater than 2 x normal", "<=", 2),
        ("* bilirubin > 3 times normal", ">", 3),
        ("* ALT < 2.5 x UNL", "<", 2.5),
        ("* ALT < 2.5 times upper normal limit", "<", 2.5),
        ("* AST =\\< 3 X upper limits of normal", "<=", 3),
        ("* SGOT less than 4x top normal", "<", 4),
    ],
)
def test_multiples_of_the_upper_limit_of_normal(text: str, operator: str, times: float) -> None:
    c = only(text)
    assert (c.operator, c.reference, c.uln_multiplier or c.value) == (operator, "ULN", times)


def test_normal_alone_is_no_reference() -> None:
    assert comparisons("* bilirubin within normal range") == []


@pytest.mark.parametrize(
    ("text", "operator"),
    [("* Bilirubin =\\< 2.5 mg/dL", "<="), ("* Age =\\> 18 years", ">="), ("* x = 5", "==")],
)
def test_escaped_equal_or_bounds(text: str, operator: str) -> None:
    assert only(text).operator == operator


def test_a_limit_under_a_heading_takes_the_heading_as_its_subject() -> None:
    text = "PATIENT CHARACTERISTICS:\n\nAge\n\n* 18 and over\n\nLife expectancy\n\n* At least 12 weeks\n"
    parsed = parse_criteria(text)
    age = parsed.criteria[1].comparisons[0]
    assert age.subject is not None and age.subject.text == "Age" and age.value == 18
    life = parsed.criteria[3]
    assert life.windows == []  # a life expectancy is a value, not a time window
    assert [e.type for e in life.entities] == ["value"]


@pytest.mark.parametrize(
    ("text", "value", "canonical"),
    [
        ("* ANC ≥1.5 x 109/L", 1.5, "10^9/L"),
        ("* TRV ≥ 2.7 m/sec", 2.7, "meter / second"),
        ("* creatinine clearance >= 50 ml/mn", 50, "milliliter / minute"),
        ("* Temperature> 38,3 °C", 38.3, "degree_Celsius"),
        ("* creatinine < 1,5 mg/dL", 1.5, "milligram / deciliter"),
        ("* platelets ≥ 100,000/mm(3)", 100000, "10^9/L"),
        ("* ANC ≥ 1500 per cubic millimeter", 1500, "10^9/L"),
        ("* ANC ≥ 1.5 x 10(9)/L", 1.5, "10^9/L"),
    ],
)
def test_units_seen_in_registry_records(text: str, value: float, canonical: str) -> None:
    c = only(text)
    assert (c.value, c.canonical_unit) == (value, canonical)


def test_a_decimal_comma_only_before_a_unit() -> None:
    assert only("* Bilirubin < 1,5 x upper limit of normal").uln_multiplier == 1.5
    assert only("* platelets > 100,000/mm3").value == 100000
    assert comparisons("* ECOG 0,1 or 2") == []
    assert only("* fewer than 5 in-transit metastases").unit is None  # no inches


def test_thousands_grouped_by_a_space_before_a_count_unit() -> None:
    c = only("* Platelets ≥ 100 000/uL")
    assert (c.value, c.value_canonical, c.canonical_unit) == (100000, 100, "10^9/L")
    assert only("* Creatinine kinase > 2 x ULN").subject.text == "Creatinine kinase"  # type: ignore[union-attr]
