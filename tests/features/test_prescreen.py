"""The pre-screener on the seed trial NCT06001853: questionnaire, verdicts, profiles, FHIR."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialatlas.features.prescreen import (
    PrescreenInput,
    PrescreenInputError,
    Question,
    Questionnaire,
    prescreen,
    questionnaire,
    read_input,
    screen,
)
from trialatlas.features.prescreen.model import (
    GROUP_ORDER,
    ChoiceCheck,
    ElapsedCheck,
    RangeCheck,
    YesNoCheck,
)
from trialatlas.features.prescreen.quantities import convert
from trialatlas.model.patient import PatientProfile, profile_from_fhir
from trialatlas.model.patient_fhir import FhirProfileError
from trialatlas.model.study import Age, Study
from trialatlas.store import open_store

TODAY = dt.date(2025, 6, 15)
NCT = "NCT06001853"


@pytest.fixture(scope="module")
def study(seed_store_url: str) -> Study:
    store = open_store(seed_store_url)
    try:
        found = store.get_study(NCT)
    finally:
        store.close()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def form(study: Study) -> Questionnaire:
    return questionnaire(study)


def ask(form: Questionnaire, needle: str, answer_type: str | None = None) -> Question:
    """The question that checks the criterion containing ``needle``."""
    for q in form.questions():
        if any(needle in c.text for c in q.checks) and answer_type in (None, q.answer_type):
            return q
    raise AssertionError(f"no question checks a criterion with {needle!r}")


def verdict_for(result: Any, needle: str) -> Any:
    return next(v for v in result.verdicts if needle in v.text)


def fine_answers(form: Questionnaire) -> dict[str, Any]:
    """Answers that meet every check (worked out from the checks, not hard-coded)."""
    answers: dict[str, Any] = {}
    for q in form.questions():
        check = q.checks[0].check
        if isinstance(check, YesNoCheck):
            answers[q.id] = "no" if check.disqualifying else "yes"
        elif isinstance(check, ChoiceCheck):
            answers[q.id] = check.allowed[0]
        elif isinstance(check, ElapsedCheck):
            answers[q.id] = "2015-01" if check.inside_meets else "never"
        elif isinstance(check, RangeCheck):
            answers[q.id] = _fine_number(q)
    return answers


def _fine_number(q: Question) -> float:
    candidates = [0.0, 1.0, 5.0, 20.0, 40.0, 60.0, 75.0, 98.6, 120.0]
    for value in candidates:
        ok = True
        for checked in q.checks:
            check = checked.check
            assert isinstance(check, RangeCheck)
            inside = (check.low is None or value >= check.low) and (
                check.high is None or value <= check.high
            )
            ok &= inside == check.inside_meets
        if ok:
            return value
    raise AssertionError(f"no fine value for {q.id}")


# ---- questionnaire -----------------------------------------------------------------


def test_questionnaire_shape(form: Questionnaire) -> None:
    questions = form.questions()
    assert len({q.id for q in questions}) == len(questions)
    assert [g.name for g in form.groups] == [
        n for n in GROUP_ORDER if n in {g.name for g in form.groups}
    ]
    for q in questions:
        assert q.text.endswith("?") and q.checks
        assert q.answer_type in ("yes_no", "number", "date", "choice")
        assert q.criterion_text and q.disqualifying_answer
    for name in (
        "About you",
        "Your condition",
        "Medicines",
        "Tests and measurements",
        "Past treatments",
        "Other",
    ):
        assert name in {g.name for g in form.groups}


def test_vas_30_to_90_mm_is_a_number_question_in_mm(form: Questionnaire) -> None:
    q = ask(form, "at least 30mm and not more than 90mm", "number")
    assert "VAS" in q.text and "low back pain" in q.text
    check = q.checks[0].check
    assert isinstance(check, RangeCheck)
    assert (check.low, check.high, check.unit, check.inside_meets) == (30, 90, "mm", True)
    assert q.unit == "mm" and "cm" in q.units
    assert q.disqualifying_answer == "Below 30 mm or above 90 mm"


def test_odi_20_to_90(form: Questionnaire) -> None:
    q = ask(form, "ODI score", "number")
    check = q.checks[0].check
    assert isinstance(check, RangeCheck) and (check.low, check.high) == (20, 90)
    assert "Oswestry" in q.text


def test_pain_for_at_least_6_months_asks_when_it_started(form: Questionnaire) -> None:
    q = ask(form, "Low back pain for at least 6 months")
    assert q.answer_type == "date" and q.text == "When did your low back pain start?"
    assert isinstance(q.checks[0].check, ElapsedCheck) and q.checks[0].check.min_days == 182.625


def test_failed_conservative_care_and_medial_branch_block(form: Questionnaire) -> None:
    care = ask(form, "Failed at least 3 months of conservative back pain care")
    assert (
        care.answer_type == "yes_no"
        and "3 months" in care.text
        and care.disqualifying_answer == "No"
    )
    block = ask(form, "medial branch block with positive results")
    assert (
        block.answer_type == "yes_no"
        and "medial branch block" in block.text
        and "positive" in block.text
    )


def test_med_above_50_mg_day_is_an_exclusion_number(form: Questionnaire) -> None:
    q = ask(form, "morphine equivalent dose (MED)", "number")
    check = q.checks[0].check
    assert isinstance(check, RangeCheck)
    assert (check.low, check.low_inclusive, check.unit, check.inside_meets) == (
        50,
        False,
        "mg/day",
        False,
    )
    assert q.group == "Medicines" and q.disqualifying_answer == "More than 50 mg/day"


def test_immunosuppressants_and_antirheumatics_within_3_months(form: Questionnaire) -> None:
    immuno = ask(form, "systemic immunosuppressant medications")
    assert immuno.answer_type == "yes_no" and immuno.disqualifying_answer == "Yes"
    rheum = ask(form, "anti-rheumatic disease medication")
    assert rheum.window_days == 91.3125 and "in the past 3 months" in rheum.text
    assert rheum.group == "Medicines"


def test_pregnancy(form: Questionnaire) -> None:
    q = ask(form, "Subjects who are pregnant or nursing")
    assert q.text.startswith("Are you pregnant or breastfeeding")
    assert q.group == "About you" and q.disqualifying_answer == "Yes"


def test_age_from_structured_eligibility_and_team_checks(form: Questionnaire) -> None:
    age = form.question("age")
    assert age is not None and age.checks[0].source == "eligibility"
    assert age.checks[0].text == "Ages 18 Years and older"
    team = {t.index for t in form.team_checks}
    texts = " ".join(t.text for t in form.team_checks)
    assert "investigator" in texts and team
    asked = {c.index for q in form.questions() for c in q.checks}
    assert not team & asked


def test_headers_and_exception_items_are_not_questions(form: Questionnaire) -> None:
    texts = [c.text for q in form.questions() for c in q.checks]
    assert not any(t.startswith("Chronic low back pain is defined as the following") for t in texts)
    assert "Saline;" not in texts and "NSAIDs." not in texts


# ---- verdicts -----------------------------------------------------------------------


def test_all_answered_and_fine_is_likely_eligible(study: Study, form: Questionnaire) -> None:
    result = prescreen(study, fine_answers(form), today=TODAY)
    assert result.overall == "likely_eligible", [v for v in result.verdicts if v.verdict != "met"]
    assert all(v.verdict == "met" for v in result.verdicts)
    assert result.answered == result.questions
    assert "study team" in result.summary  # the team checks are named, never counted as met


@pytest.mark.parametrize(
    ("answer", "verdict", "shown"),
    [
        (95, "not_met", "You said your low back pain (VAS) is 95 mm; the trial needs 30 to 90 mm."),
        (60, "met", "60 mm"),
        ("6 cm", "met", "6 cm (60 mm)"),
        ({"value": 6, "unit": "cm"}, "met", "6 cm (60 mm)"),
        ({"value": 9.5, "unit": "cm"}, "not_met", "9.5 cm (95 mm)"),
        (30, "met", "30 mm"),
        ("5 kg", "unknown", "cannot be compared"),
        ("lots", "unknown", "could not read"),
    ],
)
def test_vas_verdicts_with_unit_conversion(
    study: Study, form: Questionnaire, answer: Any, verdict: str, shown: str
) -> None:
    answers = fine_answers(form)
    answers[ask(form, "at least 30mm and not more than 90mm", "number").id] = answer
    result = prescreen(study, answers, today=TODAY)
    vas = verdict_for(result, "at least 30mm and not more than 90mm")
    assert vas.verdict == verdict
    assert shown in vas.reason
    if verdict == "not_met":
        assert result.overall == "likely_not_eligible"
        assert [r.text for r in result.not_met] == [vas.text]
        assert "Low back pain of at least 30mm" in result.summary


def test_unanswered_question_is_unknown_and_needs_the_study_team(
    study: Study, form: Questionnaire
) -> None:
    answers = fine_answers(form)
    del answers[ask(form, "ODI score").id]
    result = prescreen(study, answers, today=TODAY)
    odi = verdict_for(result, "ODI score")
    assert odi.verdict == "unknown" and "Not answered" in odi.reason
    assert result.overall == "needs_study_team"
    assert [r.text for r in result.unknown] == [odi.text]
    assert "ODI score" in result.summary


def test_not_sure_is_unknown_never_met(study: Study, form: Questionnaire) -> None:
    answers = fine_answers(form)
    answers[ask(form, "medial branch block").id] = "not sure"
    result = prescreen(study, answers, today=TODAY)
    assert verdict_for(result, "medial branch block").verdict == "unknown"
    assert result.overall == "needs_study_team"


def test_pregnant_is_likely_not_eligible_naming_the_pregnancy_criterion(
    study: Study, form: Questionnaire
) -> None:
    answers = fine_answers(form)
    answers[ask(form, "Subjects who are pregnant").id] = "yes"
    result = prescreen(study, answers, today=TODAY)
    assert result.overall == "likely_not_eligible"
    assert len(result.not_met) == 1 and "pregnant" in result.not_met[0].text
    assert "pregnant" in result.summary
    assert (
        verdict_for(result, "pregnant").reason
        == "You said yes; this rules people out of the trial."
    )


@pytest.mark.parametrize(
    ("dose", "verdict"),
    [(60, "not_met"), ("50 mg/day", "met"), (0, "met"), (50.5, "not_met"), ("51 mg/d", "not_met")],
)
def test_exclusions_are_inverted(
    study: Study, form: Questionnaire, dose: Any, verdict: str
) -> None:
    answers = fine_answers(form)
    answers[ask(form, "morphine equivalent dose (MED)", "number").id] = dose
    result = prescreen(study, answers, today=TODAY)
    assert verdict_for(result, "morphine equivalent dose").verdict == verdict


def test_temperature_in_celsius_against_fahrenheit_limit(study: Study, form: Questionnaire) -> None:
    answers = fine_answers(form)
    q = ask(form, "Unexplained fever", "number")
    answers[q.id] = {"value": 38.5, "unit": "°C"}
    result = prescreen(study, answers, today=TODAY)
    fever = verdict_for(result, "Unexplained fever")
    assert fever.verdict == "not_met" and "38.5 °C (101.3 °F)" in fever.reason


def test_duration_from_a_start_month(study: Study, form: Questionnaire) -> None:
    q = ask(form, "Low back pain for at least 6 months")
    cases = {
        "2024-01": "met",
        "2025-05": "not_met",
        "2024-12": "unknown",
        "never": "not_met",
        "2030-01": "unknown",
    }
    for value, verdict in cases.items():
        answers = fine_answers(form) | {q.id: value}
        result = prescreen(study, answers, today=TODAY)
        assert verdict_for(result, "Low back pain for at least 6 months").verdict == verdict, value


@pytest.mark.parametrize(
    ("start", "verdict"),
    [("2024-12-15", "met"), ("2024-12-16", "not_met"), ("2024-12-14", "met")],
)
def test_six_months_are_calendar_months(
    study: Study, form: Questionnaire, start: str, verdict: str
) -> None:
    """Pain that started the same day 6 months ago has lasted 6 months (not 180 days)."""
    q = ask(form, "Low back pain for at least 6 months")
    result = prescreen(study, fine_answers(form) | {q.id: start}, today=TODAY)
    found = verdict_for(result, "Low back pain for at least 6 months")
    assert found.verdict == verdict
    assert "at least 6 months ago" in found.reason


@pytest.mark.parametrize(
    ("end", "verdict"),
    [("2025-03-16", "not_met"), ("2025-03-15", "not_met"), ("2025-03-14", "met")],
)
def test_within_3_months_counts_calendar_months(study: Study, end: str, verdict: str) -> None:
    """A medicine stopped 3 months minus one day ago was taken within 3 months."""
    profile = PatientProfile(
        medications=[{"name": "methotrexate", "start": "2019-01-01", "end": end}], complete=True
    )
    assert verdict_for(prescreen(study, profile, today=TODAY), "anti-rheumatic").verdict == verdict


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        ("2025-06-15", 365.25, "2024-06-15"),  # 12 months / 1 year
        ("2025-06-15", 730.5, "2023-06-15"),
        ("2025-06-15", 91.3125, "2025-03-15"),  # 3 months
        ("2025-03-31", 30.4375, "2025-02-28"),
        ("2024-02-29", 365.25, "2023-02-28"),
        ("2025-01-15", 182.625, "2024-07-15"),
        ("2025-06-15", 42, "2025-05-04"),  # 6 weeks: whole days
        ("2025-06-15", 1 / 24, "2025-06-15"),
    ],
)
def test_days_before_counts_months_on_the_calendar(today: str, days: float, expected: str) -> None:
    from trialatlas.features.prescreen.answers import days_before

    day = dt.date.fromisoformat(today)
    assert days_before(day, days) == dt.date.fromisoformat(expected)


def test_judgement_criteria_leave_a_yes_to_the_study_team(
    study: Study, form: Questionnaire
) -> None:
    q = ask(form, "Clinically significant cardiovascular", "yes_no")
    result = prescreen(study, fine_answers(form) | {q.id: "yes"}, today=TODAY)
    verdict = verdict_for(result, "Clinically significant cardiovascular")
    assert verdict.verdict == "unknown" and "study team decides" in verdict.reason


def test_unknown_answer_keys_are_ignored_and_reported(study: Study, form: Questionnaire) -> None:
    result = prescreen(study, fine_answers(form) | {"no_such_question": "yes"}, today=TODAY)
    assert result.overall == "likely_eligible" and result.ignored_answers == ["no_such_question"]


def test_sex_and_age_limits(study: Study) -> None:
    eligibility = study.eligibility.model_copy(
        update={"sex": "FEMALE", "maximum_age": Age(text="65 Years", days=23741)}
    )
    women = study.model_copy(update={"eligibility": eligibility})
    form = questionnaire(women)
    sex = form.question("sex")
    assert sex is not None and [c.value for c in sex.choices] == ["female", "male"]
    base = fine_answers(form)
    for answers, verdict in (({"sex": "male"}, "not_met"), ({"sex": "F"}, "met")):
        result = prescreen(women, base | answers, today=TODAY)
        assert next(v for v in result.verdicts if v.key == "sex").verdict == verdict
    for age, verdict in (
        (65, "met"),
        (65.9, "met"),
        (66, "not_met"),
        (17, "not_met"),
        ("18 years", "met"),
    ):
        result = prescreen(women, base | {"age": age}, today=TODAY)
        assert next(v for v in result.verdicts if v.key == "age").verdict == verdict, age


# ---- profiles and FHIR ------------------------------------------------------------------


def test_profile_answers_what_it_can(study: Study) -> None:
    profile = PatientProfile(
        birth_date="1972-03-04",
        sex="female",
        pregnant=False,
        breastfeeding=False,
        planning_pregnancy=False,
        conditions=[{"name": "Chronic low back pain", "code": "M54.50", "onset": "2021-02"}],
        medications=[{"name": "Methotrexate", "start": "2025-04-01"}],
        labs=[
            {"name": "Low back pain VAS", "value": 6.5, "unit": "cm", "date": "2025-05-01"},
            {"name": "Oswestry Disability Index", "value": 44},
        ],
        procedures=[{"name": "Lumbar medial branch block", "date": "2025-03-02"}],
    )
    result = prescreen(study, profile, today=TODAY)
    vas = verdict_for(result, "at least 30mm and not more than 90mm")
    assert vas.verdict == "unknown"  # back pain 65 mm is fine; the leg pain question is open
    assert "leg pain" in vas.reason
    assert verdict_for(result, "ODI score").verdict == "met"
    assert verdict_for(result, "Low back pain for at least 6 months").verdict == "met"
    assert verdict_for(result, "medial branch block").verdict == "met"
    assert verdict_for(result, "pregnant").verdict == "met"
    anti = verdict_for(result, "anti-rheumatic")
    assert (
        anti.verdict == "not_met"
        and "Methotrexate" in anti.reason
        and "Your profile says" in anti.reason
    )
    assert result.overall == "likely_not_eligible"


def test_profile_missing_items_are_unknown_unless_complete(study: Study) -> None:
    sparse = PatientProfile(age=50, sex="male")
    result = prescreen(study, sparse, today=TODAY)
    assert verdict_for(result, "anti-rheumatic").verdict == "unknown"
    assert verdict_for(result, "pregnant").verdict == "met"  # a man is not pregnant
    complete = PatientProfile(age=50, sex="male", complete=True)
    result = prescreen(study, complete, today=TODAY)
    assert verdict_for(result, "anti-rheumatic").verdict == "met"
    assert result.overall != "likely_eligible"


def test_old_medicine_is_outside_the_window(study: Study) -> None:
    profile = PatientProfile(
        medications=[{"name": "methotrexate", "start": "2019-01-01", "end": "2020-01-01"}],
        complete=True,
    )
    assert verdict_for(prescreen(study, profile, today=TODAY), "anti-rheumatic").verdict == "met"
    recent = PatientProfile(
        medications=[{"name": "methotrexate", "start": "2019-01-01", "end": "2025-05-01"}]
    )
    assert verdict_for(prescreen(study, recent, today=TODAY), "anti-rheumatic").verdict == "not_met"


def test_answers_override_the_profile(study: Study, form: Questionnaire) -> None:
    profile = PatientProfile(labs=[{"name": "low back pain VAS", "value": 95, "unit": "mm"}])
    vas = ask(form, "at least 30mm and not more than 90mm", "number").id
    leg = next(q.id for q in form.questions() if q.not_applicable and "leg pain" in q.text)
    given = PrescreenInput(answers={vas: 50, leg: {"not_applicable": True}}, profile=profile)
    assert verdict_for(prescreen(study, given, today=TODAY), "at least 30mm").verdict == "met"
    assert verdict_for(prescreen(study, profile, today=TODAY), "at least 30mm").verdict == "not_met"


FHIR_BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "gender": "female",
                "birthDate": "1972-03-04",
            }
        },
        {
            "resource": {
                "resourceType": "Condition",
                "subject": {"reference": "Patient/p1"},
                "clinicalStatus": {"coding": [{"code": "active"}]},
                "code": {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/sid/icd-10-cm",
                            "code": "M54.50",
                            "display": "Low back pain",
                        }
                    ]
                },
                "onsetDateTime": "2021-02-01",
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "Low back pain VAS"},
                "valueQuantity": {"value": 95, "unit": "mm"},
                "effectiveDateTime": "2025-05-01",
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "72166-2"}]},
                "valueCodeableConcept": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "266919005"}]
                },
            }
        },
        {
            "resource": {
                "resourceType": "MedicationStatement",
                "status": "active",
                "subject": {"reference": "Patient/p1"},
                "medicationCodeableConcept": {"text": "Tacrolimus"},
                "effectivePeriod": {"start": "2024-01-01"},
                "dosage": [{"doseAndRate": [{"doseQuantity": {"value": 2, "unit": "mg"}}]}],
            }
        },
        {
            "resource": {
                "resourceType": "Procedure",
                "status": "completed",
                "subject": {"reference": "Patient/p1"},
                "code": {"text": "Lumbar medial branch block"},
                "performedDateTime": "2025-03-02",
            }
        },
        {"resource": {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}}},
    ],
}


def test_fhir_bundle_to_profile() -> None:
    profile = profile_from_fhir(FHIR_BUNDLE)
    assert profile.sex == "female" and profile.birth_date == dt.date(1972, 3, 4)
    assert profile.smoking == "never"
    (condition,) = profile.conditions
    assert (condition.name, condition.code, condition.system, condition.active) == (
        "Low back pain",
        "M54.50",
        "ICD-10",
        True,
    )
    (lab,) = profile.labs
    assert (lab.name, lab.value, lab.unit) == ("Low back pain VAS", 95, "mm")
    (med,) = profile.medications
    assert (med.name, med.current, med.dose, med.unit) == ("Tacrolimus", True, 2, "mg")
    assert profile.procedures[0].date == dt.date(2025, 3, 2)


def test_fhir_bundle_prescreen(study: Study) -> None:
    result = prescreen(study, read_input(FHIR_BUNDLE), today=TODAY)
    vas = verdict_for(result, "at least 30mm and not more than 90mm")
    assert vas.verdict == "not_met" and "95 mm" in vas.reason
    assert verdict_for(result, "systemic immunosuppressant").verdict == "not_met"  # tacrolimus
    assert verdict_for(result, "medial branch block").verdict == "met"
    assert result.overall == "likely_not_eligible"


@pytest.mark.parametrize(
    ("bundle", "field"),
    [
        ({"resourceType": "Patient"}, "resourceType"),
        ({"resourceType": "Bundle"}, "type"),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "Observation",
                            "status": "final",
                            "code": {"text": "x"},
                            "valueQuantity": {"value": "lots"},
                        }
                    }
                ],
            },
            "entry.0.resource.valueQuantity.value",
        ),
    ],
)
def test_bad_fhir_bundles_name_the_field(bundle: dict[str, Any], field: str) -> None:
    with pytest.raises(FhirProfileError) as info:
        profile_from_fhir(bundle)
    assert info.value.field == field


def test_read_input_errors_name_the_field() -> None:
    for body, field in (
        ([], "body"),
        ({"answers": []}, "answers"),
        ({"profile": {"labs": [{"name": "x", "value": "abc"}]}}, "profile.labs.0.value"),
        ({"profile": {"height": 3}}, "profile.height"),
        ({"answers": {}, "extra": 1}, "extra"),
        ({"c1": "yes"}, "body"),
    ):
        with pytest.raises(PrescreenInputError) as info:
            read_input(body)
        assert info.value.field == field, body
    assert read_input({"c1": "yes"}, bare=True).answers == {"c1": "yes"}
    assert read_input({"age": 40, "labs": []}, bare=True).profile is not None


def test_unit_conversions() -> None:
    assert convert(6, "cm", "mm") == pytest.approx(60)
    assert convert(100, "mg/dL", "mmol/L", "glucose") == pytest.approx(5.55, abs=0.01)
    assert convert(5.55, "mmol/L", "mg/dL", "glucose") == pytest.approx(100, abs=0.1)
    assert convert(1.0, "mg/dL", "µmol/L", "creatinine") == pytest.approx(88.4, abs=0.1)
    assert convert(100, "mg/dL", "mmol/L") is None  # no molar mass without a known analyte
    assert convert(7, "%", "mmol/mol", "hba1c") == pytest.approx(53, abs=0.1)
    assert convert(38, "C", "°F") == pytest.approx(100.4)
    assert convert(5, "kg", "mm") is None
    assert convert(40, "%", None) == 40 and convert(40, None, None) == 40


# ---- properties ---------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_prescreen_never_raises_and_unknown_never_counts_as_met(
    form: Questionnaire, data: st.DataObject
) -> None:
    ids = [q.id for q in form.questions()]
    keys = (
        st.sampled_from(ids)
        | st.sampled_from([f"{i}__unit" for i in ids] + [f"{i}__na" for i in ids])
        | st.text(max_size=10)
    )
    values = _json | st.sampled_from(
        ["yes", "no", "not sure", "60", "6 cm", "2020-01", "never", "95 mm", "female"]
    )
    answers = data.draw(st.dictionaries(keys, values, max_size=len(ids) + 5))
    result = screen(form, answers, today=TODAY)
    verdicts = {v.verdict for v in result.verdicts}
    if "unknown" in verdicts or "not_met" in verdicts:
        assert result.overall != "likely_eligible"
    if result.overall == "likely_eligible":
        assert verdicts == {"met"}
    assert (result.overall == "likely_not_eligible") == ("not_met" in verdicts)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=_json)
def test_read_input_never_raises_anything_but_input_errors(raw: Any) -> None:
    with contextlib.suppress(PrescreenInputError):
        read_input(raw)


# ---- other trials' wording (synthetic criteria through the real parser) -------------------


def _form(text: str, **eligibility: Any) -> Questionnaire:
    from trialatlas.features.criteria import parse_criteria
    from trialatlas.features.prescreen import build_questionnaire
    from trialatlas.model.study import Eligibility

    return build_questionnaire(
        "NCT00000001", "Synthetic", parse_criteria(text), Eligibility(**eligibility)
    )


def test_slash_operators_and_ages_in_the_text() -> None:
    form = _form(
        "Inclusion Criteria:\n* Men >/= 18 years of age\n* Patient must be </= 65 years of age\n"
        "* Age >/= 60 years. Patients aged < 60 years who are unsuitable may be eligible\n"
        "* Age < 2 years: creatinine 0.6, age > 6 years: creatinine 0.8\n"
    )
    age = form.question("age")
    assert age is not None
    limits = [(c.index, c.disqualifying_answer) for c in age.checks]
    assert limits == [(0, "Below 18 years"), (1, "Above 65 years"), (2, "Below 60 years")]
    assert screen(form, {"age": 62}, today=TODAY).verdicts[0].verdict == "met"


def test_blood_pressure_limits_share_one_question_per_number() -> None:
    form = _form(
        "Exclusion Criteria:\n"
        "* Systolic blood pressure > 170 or < 90 mm Hg or diastolic blood pressure > 100 or < 50 mm Hg\n"
        "* Uncontrolled hypertension > 120 mmHg diastolic\n"
    )
    texts = [q.text for q in form.questions()]
    assert "What is your systolic blood pressure (the top number)?" in texts
    diastolic = next(q for q in form.questions() if "diastolic" in q.text)
    assert {c.index for c in diastolic.checks} == {0, 1}
    low = screen(form, {q.id: 80 for q in form.questions()}, today=TODAY)
    assert {v.index: v.verdict for v in low.verdicts} == {
        0: "not_met",
        1: "met",
    }  # 80 < 90 systolic
    fine = {q.id: ("130 mmHg" if "systolic" in q.text else 80) for q in form.questions()}
    assert screen(form, fine, today=TODAY).overall == "likely_eligible"


def test_non_pregnant_inclusion_and_pregnancy_trials() -> None:
    form = _form(
        "Inclusion Criteria:\n* Women must be non-pregnant and non-lactating.\n* Pregnant women at 20 weeks gestation\n"
    )
    first, second = form.questions()
    assert (
        first.text == "Are you pregnant or breastfeeding?" and first.disqualifying_answer == "Yes"
    )
    assert second.disqualifying_answer == "No"  # a trial for pregnant women


def test_severity_words_keep_a_profile_from_confirming() -> None:
    form = _form("Exclusion Criteria:\n* Uncontrolled diabetes\n* Diabetes mellitus\n")
    profile = PatientProfile(conditions=[{"name": "Type 2 diabetes mellitus"}])
    result = screen(form, profile, today=TODAY)
    assert [v.verdict for v in result.verdicts] == ["unknown", "not_met"]
    assert "your profile does not say" in result.verdicts[0].reason


def test_age_range_with_an_open_upper_bound() -> None:
    form = _form("Exclusion Criteria:\n* Age 1 to < 2 years\n")
    age = form.question("age")
    assert age is not None and [c.disqualifying_answer for c in age.checks] == [
        "1 to less than 2 years"
    ]
    verdicts = {a: screen(form, {"age": a}, today=TODAY).verdicts[0].verdict for a in (1, 2)}
    assert verdicts == {1: "not_met", 2: "met"}


def test_acronyms_keep_their_capitals_in_questions() -> None:
    form = _form(
        "Exclusion Criteria:\n* HIV positive\n* COPD for at least 6 months\n* Taking NSAIDs\n"
        "* Hepatitis B\n* If HIV positive, CD4 count < 200 cells/mm3\n"
    )
    texts = [q.text for q in form.questions()]
    assert "Have you tested positive for HIV?" in texts
    assert "When did your COPD start?" in texts
    assert "Do you take NSAIDs?" in texts
    assert "Do you have hepatitis B?" in texts
    assert not any(word in t for t in texts for word in ("hIV", "cOPD", "nSAIDs", "cD4"))


def test_infection_with_a_test_result_keeps_its_condition_question() -> None:
    form = _form("Exclusion Criteria:\n* Patients who test positive for hepatitis B\n")
    (question,) = form.questions()
    assert question.text == "Do you have hepatitis B?"
    assert [(t.type, t.text) for t in question.profile_terms] == [("condition", "hepatitis B")]


def test_weights_and_doses_convert_across_their_canonical_units() -> None:
    """A weight goes to kg and a dose to mg, and the two still convert into each other."""
    assert convert(110, "lb", "kg") == pytest.approx(49.895, abs=1e-3)
    assert convert(50, "kg", "lb") == pytest.approx(110.231, abs=1e-3)
    assert convert(1.5, "g", "mg") == pytest.approx(1500)
    assert convert(500, "mg", "g") == pytest.approx(0.5)
    assert convert(2, "g/day", "mg/day") == pytest.approx(2000)
    assert convert(450, "mg/m2", "kg/m2") is None  # a dose per body surface is no BMI


def test_hypertension_asks_both_diastolic_and_systolic(form: Questionnaire) -> None:
    """ "> 120 mmHg diastolic and/or 180 mmHg systolic": two numbers, either one too high."""
    needle = "uncontrolled hypertension"
    asked = {
        q.measure: q.checks[0].check
        for q in form.questions()
        if q.answer_type == "number" and any(needle in c.text for c in q.checks)
    }
    assert set(asked) == {"diastolic", "systolic"}
    for measure, low in (("diastolic", 120), ("systolic", 180)):
        check = asked[measure]
        assert isinstance(check, RangeCheck)
        assert (check.low, check.low_inclusive, check.unit, check.inside_meets) == (
            low,
            False,
            "mmHg",
            False,
        )


@pytest.mark.parametrize(
    ("diastolic", "systolic", "verdict"),
    [(80, 120, "met"), (80, 190, "not_met"), (125, 120, "not_met"), (120, 180, "met")],
)
def test_either_blood_pressure_number_excludes(
    study: Study, form: Questionnaire, diastolic: int, systolic: int, verdict: str
) -> None:
    answers = fine_answers(form)
    for q in form.questions():
        if q.answer_type == "number" and any("hypertension" in c.text for c in q.checks):
            answers[q.id] = {"diastolic": diastolic, "systolic": systolic}[q.measure or ""]
    found = verdict_for(prescreen(study, answers, today=TODAY), "uncontrolled hypertension")
    if verdict == "not_met":
        assert found.verdict == "not_met"
    else:  # the numbers are fine; the rest of the criterion is the study team's
        assert found.verdict != "not_met"


def test_fever_or_confusion_question_keeps_the_fever(form: Questionnaire) -> None:
    q = ask(form, "Unexplained fever", "yes_no")
    assert "unexplained fever" in q.text and "mental confusion" in q.text


def test_example_hints_are_examples_not_trailing_text(form: Questionnaire) -> None:
    hints = [q.help for q in form.questions() if q.help and q.help.startswith("For example:")]
    assert hints  # the seed has real examples (discitis, septic arthritis, …)
    for hint in hints:
        assert "investigator" not in hint and not hint.startswith("For example: by "), hint
    assert ask(form, "alcohol or drug abuse", "yes_no").help is None
