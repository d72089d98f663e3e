"""A number question keeps the exceptions of its limit ("Hemoglobin < 9 g/dL, unless due
to thalassemia"): in the question a patient reads and in its verdict, which leaves a value
against the limit to the study team (``prescreen/limit_exceptions``)."""

from __future__ import annotations

import sys
from pathlib import Path

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen import Question, Questionnaire, build_questionnaire, screen
from trialatlas.features.prescreen.model import RangeCheck
from trialatlas.model.study import Eligibility

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from prescreen_meaning import audit  # noqa: E402

THALASSEMIA = "Hemoglobin < 9 g/dL, unless due to thalassemia"


def _form(text: str) -> Questionnaire:
    return build_questionnaire("NCT00000001", "Synthetic", parse_criteria(text), Eligibility())


def _numbers(form: Questionnaire) -> list[Question]:
    return [q for q in form.questions() if q.answer_type == "number"]


def _verdict(form: Questionnaire, question: Question, value: float) -> str:
    answers = {question.id: {"value": value, "unit": question.unit}}
    (verdict,) = [v for v in screen(form, answers).verdicts if v.source == "criteria"]
    return verdict.verdict


def test_a_number_question_keeps_its_exception() -> None:
    form = _form(f"Exclusion Criteria:\n* {THALASSEMIA}\n")
    (question,) = _numbers(form)
    assert "hemoglobin" in question.text.lower()
    assert "unless due to thalassemia" in question.text
    # the exception is never asked as a thing that rules out ("Do you have thalassemia?")
    assert [q.id for q in form.questions()] == [question.id]
    check = question.checks[0].check
    assert isinstance(check, RangeCheck) and check.exceptions == ["unless due to thalassemia"]
    assert (
        audit("NCT00000001", form, parse_criteria(f"Exclusion Criteria:\n* {THALASSEMIA}\n"))[1]
        == []
    )


def test_a_value_against_an_excepted_limit_is_left_to_the_study_team() -> None:
    form = _form(f"Exclusion Criteria:\n* {THALASSEMIA}\n")
    (question,) = _numbers(form)
    assert _verdict(form, question, 8) == "unknown"  # low, but maybe from thalassemia
    assert _verdict(form, question, 12) == "met"
    plain = _form("Exclusion Criteria:\n* Hemoglobin < 9 g/dL\n")
    (without,) = _numbers(plain)
    assert "exception" not in without.text
    assert _verdict(plain, without, 8) == "not_met"  # no exception: the limit rules out


def test_an_exception_stays_with_its_own_limit() -> None:
    text = (
        "Inclusion Criteria:\n* WBC greater than 3,000/mm3 and platelet count greater than "
        "100,000/mm3, unless due to bone marrow involvement\n"
    )
    by_label = {q.checks[0].label.lower(): q for q in _numbers(_form(text))}
    platelets = next(q for label, q in by_label.items() if "platelet" in label)
    wbc = next(q for label, q in by_label.items() if "platelet" not in label)
    assert "unless due to bone marrow involvement" in platelets.text
    assert "exception" not in wbc.text


def test_an_exception_with_a_limit_of_its_own_is_kept_whole() -> None:
    """The exception names the other limit: it is said whole, never cut before it."""
    text = (
        "Inclusion Criteria:\n* Total bilirubin less than or equal to 1.6 mg/dl, except for "
        "patients with Gilbert's Syndrome who must have a total bilirubin less than 3.0 mg/dl\n"
    )
    form = _form(text)
    questions = _numbers(form)
    assert questions
    assert all("total bilirubin less than 3.0 mg/dl" in q.text for q in questions[:1])
    assert audit("NCT00000001", form, parse_criteria(text))[1] == []
