"""The grades after a scale are its value: numbers, Roman numerals and letters, in lists,
at the end of a sentence or not ("ECOG 0 or 1.", "Child-Pugh class B or C")."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialatlas.features.criteria import parse_criteria

_SCALES = {
    "ECOG performance status": ("0", "1", "2", "3"),
    "Karnofsky": ("60", "70", "80", "90"),
    "NYHA class": ("I", "II", "III", "IV"),
    "ASA physical status class": ("1", "2", "3"),
    "Child-Pugh class": ("A", "B", "C"),
    "Child-Pugh": ("A", "B", "C"),
    "BCLC stage": ("A", "B", "C"),
}
_LETTER_GRADED = ("Child-Pugh class", "Child-Pugh", "BCLC stage")
_PAIR = (" or ", " and ", ", ", "-")  # "0 or 1", "0-2"
_LAST = (" or ", ", or ", " and ")  # "0, 1 or 2", "1, 2, or 3"


def values(text: str) -> list[str]:
    return [e.text for c in parse_criteria(text).criteria for e in c.entities if e.type == "value"]


@st.composite
def graded(draw: st.DrawFn) -> tuple[str, str]:
    scale = draw(st.sampled_from(sorted(_SCALES)))
    grades = draw(st.lists(st.sampled_from(_SCALES[scale]), min_size=1, max_size=3, unique=True))
    if len(grades) == 1:
        return scale, grades[0]
    if len(grades) == 2:
        return scale, grades[0] + draw(st.sampled_from(_PAIR)) + grades[1]
    return scale, grades[0] + ", " + grades[1] + draw(st.sampled_from(_LAST)) + grades[2]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graded(), st.sampled_from((".", ";", ",", " at screening")))
def test_the_end_of_a_sentence_keeps_the_grades(scale_grades: tuple[str, str], end: str) -> None:
    scale, grade_list = scale_grades
    assert values(f"* {scale} {grade_list}{end}") == values(f"* {scale} {grade_list}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graded().filter(lambda sg: sg[0] in _LETTER_GRADED), st.sampled_from(("", ".", ")")))
def test_letter_grades_are_one_value(scale_grades: tuple[str, str], end: str) -> None:
    scale, grade_list = scale_grades
    assert values(f"* ({scale} {grade_list}{end}") == [grade_list]


def test_letter_grades() -> None:
    assert values("* Moderate hepatic impairment (Child-Pugh classes B or C).") == ["B or C"]
    assert values("* Has a Child-Pugh A liver score") == ["A"]
    assert values("* Level of SCI C3-T1, AIS A & B;") == ["A & B"]
    assert values("* Vitamin D deficiency") == []  # a letter after no graded scale


def test_a_score_ends_a_sentence() -> None:
    assert values("* ECOG 0 or 1.") == ["0 or 1"]
    assert values("* Karnofsky 70.") == ["70"]
    assert values("* ASA physical status 1, 2, or 3.") == ["1, 2, or 3"]
