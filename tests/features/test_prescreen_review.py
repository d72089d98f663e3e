"""Pre-screener defects found reviewing real registry criteria (synthetic criteria through
the real parser; profiles and FHIR Bundles through the real mapping)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen import (
    PrescreenInputError,
    Questionnaire,
    build_questionnaire,
    read_input,
    screen,
)
from trialatlas.features.prescreen.names import name_matches
from trialatlas.features.prescreen.quantities import convert
from trialatlas.model.patient import PatientProfile
from trialatlas.model.study import Eligibility

TODAY = dt.date(2025, 6, 15)


def _form(text: str) -> Questionnaire:
    return build_questionnaire("NCT00000001", "Synthetic", parse_criteria(text), Eligibility())


def _verdicts(form: Questionnaire, given: Any) -> dict[int | None, str]:
    return {v.index: v.verdict for v in screen(form, given, today=TODAY).verdicts}


# ---- questions and verdicts --------------------------------------------------------------

ADEQUATE = (
    "Inclusion Criteria:\n1. Patients must have adequate cardiac function(no cardiac disease, "
    "LVEF≥40% ), adequate pulmonary function as indicated by room air oxygen saturation of "
    "\\>94%, and adequate renal function(Cr≤133umol/L).\n"
)


def test_a_limit_after_another_measure_is_not_asked_as_that_measure() -> None:
    """The oxygen saturation limit (> 94%) is no LVEF limit: an LVEF of 55% meets it."""
    form = _form(ADEQUATE)
    lvef = next(q for q in form.questions() if "LVEF" in q.text)
    assert [c.disqualifying_answer for c in lvef.checks] == ["Below 40 %"]
    spo2 = next(q for q in form.questions() if "oxygen" in q.text)
    assert spo2.unit == "%" and spo2.checks[0].disqualifying_answer == "At or below 94 %"
    assert _verdicts(form, {lvef.id: 55, spo2.id: 97})[0] != "not_met"


def test_a_negated_condition_beside_a_number_rules_out_a_yes() -> None:
    """ "adequate cardiac function (no cardiac disease, …)": having heart disease goes
    against the inclusion; not having it never does."""
    form = _form(ADEQUATE)
    heart = next(q for q in form.questions() if "heart disease" in q.text)
    assert heart.answer_type == "yes_no" and heart.disqualifying_answer == "Yes"
    lvef = next(q for q in form.questions() if "LVEF" in q.text)
    assert _verdicts(form, {heart.id: "yes", lvef.id: 60})[0] == "not_met"
    assert _verdicts(form, {heart.id: "no", lvef.id: 60})[0] != "not_met"


@pytest.mark.parametrize(
    "text",
    [
        "Inclusion Criteria:\n* Female contraception and barriers as well as pregnancy testing "
        "is required as appropriate for the age of pediatric participants.\n",
        "Inclusion Criteria:\n* Pregnancy test at screening.\n",
        "Inclusion Criteria:\n* Negative serum pregnancy test within 7 days\n",
    ],
)
def test_pregnancy_testing_never_asks_to_be_pregnant(text: str) -> None:
    form = _form(text)
    assert not any(
        q.text.startswith("Are you pregnant") and q.disqualifying_answer == "No"
        for q in form.questions()
    )


def test_a_permission_is_never_a_requirement() -> None:
    """ "Patients with a transplant are eligible if …": no transplant meets it; a transplant
    leaves the conditions to the study team (never a time window on the transplant)."""
    form = _form(
        "Inclusion Criteria:\n1. Patients with history of allogeneic stem cell transplantation "
        "are eligible if at least 100 days post-transplant, if there is no evidence of active "
        "GVHD and no longer taking immunosuppressive agents for at least 30 days prior to trial\n"
    )
    (question,) = form.questions()
    assert question.text == "Have you had allogeneic stem cell transplantation?"
    assert question.window_days is None
    assert _verdicts(form, {question.id: "no"}) == {0: "met"}
    assert _verdicts(form, {question.id: "yes"}) == {0: "unknown"}


def test_wording_of_patients_are_and_patients_who_have_failed() -> None:
    form = _form(
        "Inclusion Criteria:\n1. Patients who have failed at least one line of a standard "
        "treatment.\nExclusion Criteria:\n1. Patients are allergic to cytokines.\n"
        "2. Other situations we think improper for the research.\n"
    )
    texts = [q.text for q in form.questions()]
    assert "Have you failed at least one line of a standard treatment?" in texts
    assert "Are you allergic to cytokines?" in texts
    assert [t.text for t in form.team_checks] == [
        "Other situations we think improper for the research."
    ]


# ---- profiles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "name", "matches"),
    [
        ("type 2 diabetes", "Type 1 diabetes", False),
        ("hepatitis B", "Hepatitis C", False),
        ("hypertension", "Hypotension", False),
        ("hyperglycemia", "hypoglycemia", False),
        ("stage II", "stage III", False),
        ("small cell lung cancer", "Non-small cell lung cancer", False),
        ("Hodgkin lymphoma", "non-Hodgkin lymphoma", False),
        ("non-small cell lung cancer", "Non small cell lung cancer", True),
        ("osteoporosis", "osteoporsis", True),  # a typo still matches
        ("diabetes", "Type 2 diabetes mellitus", True),
    ],
)
def test_profile_names_never_match_a_different_type_or_the_opposite(
    term: str, name: str, matches: bool
) -> None:
    assert name_matches(term, name) is matches


def test_a_profile_with_hepatitis_c_is_not_excluded_for_hepatitis_b() -> None:
    form = _form("Exclusion Criteria:\n* Hepatitis B\n")
    profile = PatientProfile(conditions=[{"name": "Hepatitis C"}])
    assert _verdicts(form, profile) == {0: "unknown"}


def test_a_profile_lab_without_a_unit_is_never_compared_in_the_trials_unit() -> None:
    form = _form("Inclusion Criteria:\n* Serum creatinine ≤ 133 µmol/L\n")
    bare = PatientProfile(labs=[{"name": "Creatinine", "value": 1.1}])
    result = screen(form, bare, today=TODAY)
    assert result.verdicts[0].verdict == "unknown"
    assert "without a unit" in result.verdicts[0].reason
    with_unit = PatientProfile(labs=[{"name": "Creatinine", "value": 1.1, "unit": "mg/dL"}])
    assert _verdicts(form, with_unit) == {0: "met"}  # 1.1 mg/dL = 97 µmol/L
    high = PatientProfile(labs=[{"name": "Creatinine", "value": 2.0, "unit": "mg/dL"}])
    assert _verdicts(form, high) == {0: "not_met"}


@pytest.mark.parametrize(
    ("value", "unit", "target", "measure", "expected"),
    [
        (120, "mm[Hg]", "mmHg", "systolic", 120),
        (37, "Cel", "°C", "temperature", 37),
        (154, "[lb_av]", "kg", "weight", 69.85),
        (1.5, "10*9/L", "/µL", "anc", 1500),
        (150, "10*3/uL", "10^9/L", "platelets", 150),
        (150, "K/uL", "10^9/L", "platelets", 150),
        (60, "mL/min/{1.73_m2}", "mL/min/1.73m²", "egfr", 60),
        (106, "micromol/L", "mg/dL", "creatinine", 1.2),
    ],
)
def test_ucum_and_lab_report_units_convert(
    value: float, unit: str, target: str, measure: str, expected: float
) -> None:
    assert convert(value, unit, target, measure) == pytest.approx(expected, rel=1e-2)


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"birth_date": "2999-01-01"}, "profile.birth_date"),
        ({"labs": [{"name": "VAS", "value": "NaN"}]}, "profile.labs.0.value"),
        ({"labs": [{"name": "VAS", "value": "Infinity"}]}, "profile.labs.0.value"),
        (
            {"medications": [{"name": "x", "start": "2024-05", "end": "2023-01"}]},
            "profile.medications.0.end",
        ),
        ({"medications": [{"name": "x", "dose": -5}]}, "profile.medications.0.dose"),
    ],
)
def test_impossible_profiles_are_refused_naming_the_field(
    profile: dict[str, Any], field: str
) -> None:
    with pytest.raises(PrescreenInputError) as caught:
        read_input({"profile": profile})
    assert caught.value.field == field


# ---- FHIR --------------------------------------------------------------------------------

SUBJECT = {"subject": {"reference": "Patient/p1"}}


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        (
            {"resourceType": "Condition", **SUBJECT, "code": {"text": "x" * 400}},
            "entry.0.resource.code",
        ),
        (
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "VAS"},
                "valueQuantity": {"value": 5, "unit": "m" * 50},
            },
            "entry.0.resource.valueQuantity.unit",
        ),
        ({"resourceType": "Patient", "birthDate": "2999-01-01"}, "entry.0.resource.birthDate"),
    ],
)
def test_fhir_values_a_profile_cannot_hold_name_the_field(
    resource: dict[str, Any], field: str
) -> None:
    with pytest.raises(PrescreenInputError) as caught:
        read_input(_bundle(resource))
    assert caught.value.field == field
    assert "xxxx" not in caught.value.message and "mmmm" not in caught.value.message


def test_fhir_records_of_things_that_did_not_happen_are_not_used() -> None:
    given = read_input(
        _bundle(
            {
                "resourceType": "MedicationStatement",
                "status": "not-taken",
                **SUBJECT,
                "medicationCodeableConcept": {"text": "Methotrexate"},
            },
            {
                "resourceType": "Condition",
                **SUBJECT,
                "verificationStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "refuted",
                        }
                    ]
                },
                "code": {"text": "Hepatitis B"},
            },
            {
                "resourceType": "Procedure",
                "status": "not-done",
                **SUBJECT,
                "code": {"text": "Epidural steroid injection"},
            },
            {
                "resourceType": "Observation",
                "status": "entered-in-error",
                "code": {"text": "Creatinine"},
                "valueQuantity": {"value": 9, "unit": "mg/dL"},
            },
        )
    )
    assert given.profile is not None
    profile = given.profile
    assert (profile.medications, profile.conditions, profile.procedures, profile.labs) == (
        [],
        [],
        [],
        [],
    )
    form = _form("Exclusion Criteria:\n* Taking methotrexate\n* Hepatitis B\n")
    assert set(_verdicts(form, profile).values()) == {"unknown"}


def test_a_blood_pressure_pair_asks_the_top_and_the_bottom_number() -> None:
    form = _form("Inclusion Criteria:\n* Blood pressure must be < 140/90 mm Hg.\n")
    questions = {q.text: q for g in form.groups for q in g.questions}
    top = next(q for t, q in questions.items() if "systolic" in t)
    bottom = next(q for t, q in questions.items() if "diastolic" in t)
    assert _verdicts(form, {top.id: 130, bottom.id: 85}) == {0: "met"}
    assert _verdicts(form, {top.id: 130, bottom.id: 95}) == {0: "not_met"}
    assert _verdicts(form, {top.id: 150, bottom.id: 85}) == {0: "not_met"}


def test_between_the_ages_of_is_an_age_limit() -> None:
    form = _form("Inclusion Criteria:\n* Subject must be between the ages of 18 and 55 years;\n")
    age = next(q for g in form.groups for q in g.questions if q.id == "age")
    assert _verdicts(form, {age.id: 30}) == {0: "met"}
    assert _verdicts(form, {age.id: 60}) == {0: "not_met"}


def test_a_limit_before_another_measure_is_not_asked_as_that_measure() -> None:
    form = _form(
        "Inclusion Criteria:\n* Hematopoietic: WBC at least 3,000/mm3 "
        "Platelet count at least 100,000/mm3\n"
    )
    texts = [q.text for g in form.groups for q in g.questions]
    assert any("white blood cell" in t for t in texts)
    platelets = next(q for g in form.groups for q in g.questions if "platelet" in q.text)
    assert len(platelets.checks) == 1  # the WBC limit is not a second platelet limit


# ---- blood counts without a unit, restated exclusions, exceptions, lab results ------------


@pytest.mark.parametrize(
    ("text", "unit", "meets", "fails"),
    [
        (
            "Platelets at least 100,000",
            "/µL",
            [(150000, "/µL"), (150, "10^9/L")],
            [(80000, "/µL"), (80, "10^9/L")],
        ),
        ("ANC ≥ 1500", "/µL", [(1800, "/µL"), (1.8, "10^9/L")], [(1000, "/µL"), (1, "10^9/L")]),
        ("WBC > 3000", "/µL", [(4500, "/µL")], [(2500, "/µL")]),
        ("ANC ≥ 1.5", "10^9/L", [(1.8, "10^9/L"), (1800, "/µL")], [(1200, "/µL")]),
        ("Platelets ≥ 100", "10^9/L", [(150, "10^9/L")], [(80, "10^9/L")]),
    ],
)
def test_a_blood_count_without_a_unit_is_read_by_its_size(
    text: str, unit: str, meets: list[tuple[float, str]], fails: list[tuple[float, str]]
) -> None:
    """ "Platelets at least 100,000" is per µL, never 100,000 × 10^9/L (which no one has);
    both units are offered and converted."""
    form = _form(f"Inclusion Criteria:\n* {text}\n")
    (question,) = form.questions()
    assert question.unit == unit and set(question.units) == {"/µL", "10^9/L"}
    for value, given in meets:
        answer = {"value": value, "unit": given}
        assert _verdicts(form, {question.id: answer}) == {0: "met"}, answer
    for value, given in fails:
        answer = {"value": value, "unit": given}
        assert _verdicts(form, {question.id: answer}) == {0: "not_met"}, answer


def test_an_upper_platelet_limit_without_a_unit_is_per_microlitre() -> None:
    form = _form("Exclusion Criteria:\n* Platelets less than 130,000\n")
    (question,) = form.questions()
    assert question.unit == "/µL"
    assert question.disqualifying_answer == "Less than 130000 /µL"
    assert _verdicts(form, {question.id: 250000}) == {0: "met"}


@pytest.mark.parametrize(
    ("criterion", "words"),
    [
        ("No clinically evident brain metastases", "brain metastases"),
        ("Not pregnant", "pregnant"),
        ("Not currently taking theophylline", "theophylline"),
        ("No prior chemotherapy", "chemotherapy"),
    ],
)
def test_a_leading_no_under_exclusions_restates_the_exclusion(criterion: str, words: str) -> None:
    """NCI records list "No brain metastases" under "Exclusion Criteria": brain metastases
    exclude, so a patient without them is never screened out."""
    form = _form(f"Exclusion Criteria:\n* {criterion}\n")
    (question,) = form.questions()
    assert words in question.text and question.disqualifying_answer == "Yes"
    assert _verdicts(form, {question.id: "no"}) == {0: "met"}
    assert _verdicts(form, {question.id: "yes"}) == {0: "not_met"}


@pytest.mark.parametrize(
    "criterion",
    ["No venous access", "No informed consent", "Not a surgical candidate for resection"],
)
def test_the_absence_of_something_good_still_excludes(criterion: str) -> None:
    form = _form(f"Exclusion Criteria:\n* {criterion}\n")
    assert all(q.disqualifying_answer != "Yes" for q in form.questions())


def test_a_leading_no_under_inclusions_keeps_its_meaning() -> None:
    form = _form("Inclusion Criteria:\n* No clinically evident brain metastases\n")
    (question,) = form.questions()
    assert question.disqualifying_answer == "Yes"


def _asked_terms(form: Questionnaire) -> list[str]:
    return [t.text.lower() for q in form.questions() for t in q.profile_terms]


def test_things_exempted_by_excluding_or_except_are_never_asked() -> None:
    form = _form(
        "Exclusion Criteria:\n"
        "* Cancer within the last 5 years excluding skin cancers\n"
        "* No second malignancy within 5 years except:\n"
        "  * Nonmelanomatous skin cancer\n"
        "* Maintenance treatment (except for rifamycins)\n"
        "* Neurologic illness other than stroke that would prevent proper evaluation\n"
    )
    texts = [q.text.lower() for q in form.questions()]
    # the question names an exempted thing only as its exception, never as what it asks
    for word in ("skin cancer", "rifamycin", "stroke"):
        for t in texts:
            if word in t:
                assert re.search(rf"\b(?:except|excluding|other than)\b[^?]*{word}", t), t
    assert not any(
        "skin cancer" in t or "rifamycin" in t or "stroke" in t for t in _asked_terms(form)
    )
    second = next(q for q in form.questions() if "second cancer" in q.text)
    assert second.disqualifying_answer == "Yes"
    assert {c.index for c in second.checks} == {1}  # the exception item is part of it


def test_a_criterion_after_an_exception_list_is_still_asked() -> None:
    """Registry lines nest every later item under "… except:"; only the exceptions are
    part of it."""
    form = _form(
        "Inclusion Criteria:\n"
        "* No other malignancy within the past 5 years except:\n"
        "  * Carcinoma in situ of the cervix\n"
        "  * No uncontrolled infection\n"
    )
    texts = [q.text for q in form.questions()]
    (cancer,) = [t for t in texts if "cancer" in t]
    assert cancer.endswith(", except carcinoma in situ of the cervix?")  # kept as the exception
    assert not any("cervix" in t for t in _asked_terms(form))
    assert any("infection" in t and "cervix" not in t for t in texts)


@pytest.mark.parametrize(
    "criterion",
    [
        "Clinically significant abnormal hematology, blood chemistry, or urinalysis screening "
        "laboratory results",
        "Lab abnormality",
        "Abnormal blood screening tests",
    ],
)
def test_abnormal_screening_lab_results_are_the_study_teams_check(criterion: str) -> None:
    form = _form(f"Exclusion Criteria:\n* {criterion}\n")
    assert form.questions() == []
    assert [t.index for t in form.team_checks] == [0]


def test_numbers_beside_abnormal_lab_results_are_still_asked() -> None:
    form = _form(
        "Inclusion Criteria:\n* No clinically significant abnormality in chemistry, hematology, "
        "urinalysis: serum creatinine less than or equal to 1.7 mg/dL\n"
    )
    texts = [q.text for q in form.questions()]
    assert any("creatinine" in t for t in texts)
    assert not any("urinalysis" in t for t in texts)


ONE_OF = (
    "Inclusion Criteria:\n* Chronic cough and at least one of the following:\n"
    "  * Asthma\n  * COPD\n  * Bronchiectasis\n"
    "Exclusion Criteria:\n* Any of the following:\n  * Smoker\n  * Pregnant\n"
)


def test_one_of_the_following_is_met_by_any_one_item() -> None:
    form = _form(ONE_OF)
    ids = {q.text: q.id for g in form.groups for q in g.questions}
    asthma, copd, bronchi = (
        next(i for t, i in ids.items() if word in t)
        for word in ("asthma", "COPD", "bronchiectasis")
    )
    assert [a.members for a in form.alternatives] == [[1, 2, 3]]
    assert _verdicts(form, {asthma: "yes"})[0] == "met"  # one alternative is enough
    some_no = _verdicts(form, {asthma: "no", copd: "no"})
    assert some_no[0] == "unknown" and 1 not in some_no  # never met, never not met yet
    assert _verdicts(form, {asthma: "no", copd: "no", bronchi: "no"})[0] == "not_met"
    smoker = next(i for t, i in ids.items() if "smok" in t.lower())
    assert _verdicts(form, {asthma: "yes", smoker: "yes"})[5] == "not_met"  # exclusions stand alone


@pytest.mark.parametrize("text", ["HIV positive", "HIV-positive"])
def test_a_positive_infection_test_is_asked_as_a_test_result(text: str) -> None:
    form = _form(f"Exclusion Criteria:\n* {text}\n")
    assert [q.text for g in form.groups for q in g.questions] == [
        "Have you tested positive for HIV?"
    ]


def test_hormone_receptor_status_is_the_study_teams_check() -> None:
    form = _form("Inclusion Criteria:\n* Estrogen receptor positive\n")
    assert not form.questions()  # not "Do you take Estrogen receptor?"
    assert [t.text for t in form.team_checks] == ["Estrogen receptor positive"]


def test_items_under_allowed_require_nothing_and_bare_headings_ask_nothing() -> None:
    form = _form(
        "Inclusion Criteria\n\nConcurrent Medication:\n\nAllowed:\n\n"
        "  -  PCP prophylaxis, M. tuberculosis prophylaxis, antibiotics.\n\n"
        "Patients must have:\n\n  -  HIV infection.\n\n"
        "Exclusion Criteria\n\nConcurrent Medication:\n\nExcluded:\n\n  -  Other anti-HIV drugs.\n"
        "  -  Please contact site for information.\n"
    )
    asked = [(q.text, [c.disqualifying_answer for c in q.checks]) for q in form.questions()]
    assert asked == [
        ("Do you have a HIV infection?", ["No"]),
        ("Do you take anti-HIV drugs?", ["Yes"]),
    ]


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Inclusion Criteria:\n* Written informed consent.\n", "give written informed consent"),
        (
            "Exclusion Criteria:\n* Inability to give informed consent\n",
            "give written informed consent",
        ),
        (
            "Inclusion Criteria:\n* Willing and able to comply with all study procedures\n",
            "come to the study visits",
        ),
    ],
)
def test_consent_and_compliance_are_plain_questions(text: str, question: str) -> None:
    form = _form(text)
    (asked,) = form.questions()
    assert question in asked.text
    assert _verdicts(form, {asked.id: "no"}) == {0: "not_met"}
    assert _verdicts(form, {asked.id: "yes"}) == {0: "met"}


def test_lead_ins_and_any_age_ask_nothing() -> None:
    form = _form(
        "Inclusion Criteria:\n* Patients must have:\n* Asthma\n* Age: Any age\n"
        "Exclusion Criteria:\n* Excluded within 30 days of study entry:\n* Interferon.\n"
    )
    assert [q.text for q in form.questions()] == ["Do you have asthma?", "Do you take Interferon?"]
