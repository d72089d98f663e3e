"""Pre-screener wording: questions a patient reads, made from real-looking criteria through
the real parser (no mocks), and profiles / FHIR Bundles through the real mapping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen import Question, Questionnaire, build_questionnaire, read_input
from trialatlas.features.prescreen import screen as run_screen
from trialatlas.model.study import Eligibility

TODAY = dt.date(2025, 6, 15)


def _form(text: str) -> Questionnaire:
    return build_questionnaire("NCT00000001", "Synthetic", parse_criteria(text), Eligibility())


def _texts(text: str) -> list[str]:
    return [q.text for q in _form(text).questions()]


def _only(text: str) -> Question:
    (question,) = _form(text).questions()
    return question


def _verdicts(form: Questionnaire, given: Any) -> dict[int | None, str]:
    return {v.index: v.verdict for v in run_screen(form, given, today=TODAY).verdicts}


# ---- "ever" never stands next to a time limit ----------------------------------------


@pytest.mark.parametrize(
    ("criterion", "question"),
    [
        (
            "Exclusion Criteria:\n* History of type 2 diabetes mellitus in the past 12 months\n",
            "Have you had type 2 diabetes mellitus in the past 12 months?",
        ),
        (
            "Exclusion Criteria:\n* Patients with a history of stroke within 6 months prior to "
            "enrollment\n",
            "Have you had stroke in the past 6 months?",
        ),
        (
            "Inclusion Criteria:\n* No history of myocardial infarction within the past 6 months\n",
            "Have you had heart attack in the past 6 months?",
        ),
    ],
)
def test_ever_is_dropped_when_the_question_has_a_time_limit(criterion: str, question: str) -> None:
    texts = _texts(criterion)
    assert question in texts
    assert not any(" ever " in t for t in texts)


def test_ever_stays_without_a_time_limit() -> None:
    assert "Have you ever had type 2 diabetes mellitus?" in _texts(
        "Exclusion Criteria:\n* History of type 2 diabetes mellitus\n"
    )


# ---- names keep their capitals; "at least N before" is said -----------------------------


def test_brand_names_keep_capitals_and_an_at_least_window_is_said() -> None:
    question = _only(
        "Exclusion Criteria:\n* Received methotrexate or Humira at least 2 weeks before "
        "randomization\n"
    )
    assert question.text == "Did you take methotrexate or Humira at least 2 weeks ago?"
    assert question.before_days == 14 and question.window_days is None


def test_a_name_capitalised_mid_sentence_keeps_its_capitals() -> None:
    assert "Do you have Crohn's disease or ulcerative colitis?" in _texts(
        "Exclusion Criteria:\n* Patients with Crohn's disease or ulcerative colitis\n"
    )
    assert "Do you take Humira?" in _texts("Exclusion Criteria:\n* Humira use\n")


def test_at_least_before_is_answered_from_the_medicine_start_date() -> None:
    form = _form(
        "Exclusion Criteria:\n* Received methotrexate at least 2 weeks before randomization\n"
    )
    old = {"medications": [{"name": "Methotrexate", "start": "2025-01-01"}]}
    new = {"medications": [{"name": "Methotrexate", "start": "2025-06-10"}], "complete": True}
    undated = {"medications": [{"name": "Methotrexate"}]}
    assert _verdicts(form, read_input({"profile": old})) == {0: "not_met"}
    assert _verdicts(form, read_input({"profile": new})) == {0: "met"}
    assert _verdicts(form, read_input({"profile": undated})) == {0: "unknown"}


def test_a_resolved_condition_says_nothing_about_a_time_window() -> None:
    form = _form("Exclusion Criteria:\n* History of pneumonia in the past 12 months\n")
    profile = {"conditions": [{"name": "Pneumonia", "active": False}]}
    assert _verdicts(form, read_input({"profile": profile})) == {0: "unknown"}


# ---- the VAS question names the pain, not the scale -----------------------------------


def test_vas_limit_after_the_pain_names_the_pain() -> None:
    form = _form(
        "Inclusion Criteria:\n* Low back pain with VAS ≥ 30 mm and ≤ 90 mm of 100 mm on VAS\n"
    )
    vas = next(q for q in form.questions() if q.answer_type == "number")
    assert vas.text == "On a 0 to 100 mm pain scale (VAS), how strong is your low back pain?"
    assert _verdicts(form, {vas.id: 95}) == {0: "not_met"}
    assert _verdicts(form, {vas.id: 50}) == {0: "met"}


# ---- phrases keep their meaning ------------------------------------------------------


def test_joined_conditions_are_asked_as_written() -> None:
    question = _only(
        "Exclusion Criteria:\n* AML associated with congenital syndromes (e.g. Down syndrome)\n"
    )
    assert question.text == "Do you have AML associated with congenital syndromes?"
    assert question.require_all  # AML alone does not say it is associated with a syndrome
    form = _form(
        "Exclusion Criteria:\n* AML associated with congenital syndromes (e.g. Down syndrome)\n"
    )
    aml_only = {"conditions": [{"name": "Acute myeloid leukemia (AML)"}]}
    assert _verdicts(form, read_input({"profile": aml_only})) == {0: "unknown"}


def test_an_object_is_never_dropped() -> None:
    question = _only("Exclusion Criteria:\n* Contraindications or adverse reaction to GBCAs\n")
    assert question.text == "Do you have contraindications or adverse reaction to GBCAs?"
    assert question.profile_terms == []  # no single name in a profile says this


@pytest.mark.parametrize(
    ("criterion", "wrong"),
    [
        ("Exclusion Criteria:\n* Lack of response to methotrexate\n", "Do you take methotrexate?"),
        ("Exclusion Criteria:\n* Inadequate venous access\n", "Do you have venous access?"),
    ],
)
def test_a_reversing_word_is_never_dropped(criterion: str, wrong: str) -> None:
    question = _only(criterion)
    assert question.text != wrong
    assert question.profile_terms == []
    words = criterion.split("* ")[1].strip().lower()
    assert words in question.text.lower() or question.text == "Does this apply to you?"


@pytest.mark.parametrize(
    ("criterion", "verdict_on_no"),
    [
        ("Inclusion Criteria:\n* Fertile patients must use effective barrier contraception\n", 0),
        ("Exclusion Criteria:\n* Inadequate contraception\n", 0),
        ("Exclusion Criteria:\n* Unwilling to use birth control during the study\n", 0),
    ],
)
def test_contraception_asks_about_using_birth_control(criterion: str, verdict_on_no: int) -> None:
    form = _form(criterion)
    (question,) = form.questions()
    assert question.text == (
        "If you could become pregnant or father a child, will you use effective birth control "
        "during the study?"
    )
    assert question.disqualifying_answer == "No"
    assert _verdicts(form, {question.id: "no"}) == {verdict_on_no: "not_met"}
    assert _verdicts(form, {question.id: "yes"}) == {verdict_on_no: "met"}


def test_contraception_in_a_long_item_is_never_asked_as_a_treatment() -> None:
    form = _form(
        "Inclusion Criteria:\n* PATIENT CHARACTERISTICS: Age: 18 and over Hematopoietic: "
        "Neutrophil count at least 1,500/mm3 Other: Fertile patients must use effective "
        "contraception; no active infection\n"
    )
    assert not any("contraception" in q.text for q in form.questions())


def test_a_negative_pregnancy_test_asks_whether_pregnant() -> None:
    form = _form("Inclusion Criteria:\n* Negative pregnancy test\n")
    (question,) = form.questions()
    assert question.text == "Are you pregnant?"
    assert _verdicts(form, {question.id: "yes"}) == {0: "not_met"}


# ---- what only the study team can check ----------------------------------------------


@pytest.mark.parametrize(
    "criterion",
    [
        "Life expectancy > 3 months",
        "Life expectancy of at least 12 weeks",
        "CD19 expression by flow cytometry",
        "PD-L1 expression ≥ 1% by IHC",
        "HER2 overexpression",
        "Measurable disease per RECIST 1.1",
        "Histologically or cytologically confirmed diagnosis",
        "Adequate organ function",
        "Microsatellite instability-high (MSI-H) or mismatch repair deficient tumours",
    ],
)
def test_the_teams_tests_are_team_checks(criterion: str) -> None:
    form = _form(f"Inclusion Criteria:\n* {criterion}\n")
    assert form.questions() == []
    assert [t.text for t in form.team_checks] == [criterion]


def test_answerable_criteria_stay_questions() -> None:
    form = _form(
        "Inclusion Criteria:\n* ECOG performance status 0-1\n"
        "* Histologically confirmed breast cancer\n* Willing to eat fish\n"
    )
    texts = [q.text for q in form.questions()]
    assert "What is your ECOG performance status (0 to 5)?" in texts
    assert "Do you have breast cancer?" in texts
    assert "Are you willing to eat fish?" in texts
    assert form.team_checks == []


# ---- a FHIR blood pressure panel -----------------------------------------------------

LOINC = "http://loinc.org"


def _bp_bundle(systolic: float, diastolic: float) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {
                        "coding": [
                            {"system": LOINC, "code": "85354-9", "display": "Blood pressure panel"}
                        ]
                    },
                    "effectiveDateTime": "2025-05-01",
                    "component": [
                        {
                            "code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
                            "valueQuantity": {
                                "value": systolic,
                                "unit": "mmHg",
                                "system": "http://unitsofmeasure.org",
                                "code": "mm[Hg]",
                            },
                        },
                        {
                            "code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
                            "valueQuantity": {"value": diastolic, "code": "mm[Hg]"},
                        },
                    ],
                }
            }
        ],
    }


def test_fhir_blood_pressure_components_become_systolic_and_diastolic_labs() -> None:
    given = read_input(_bp_bundle(150, 85))
    assert given.profile is not None
    labs = {lab.name: (lab.value, lab.unit, lab.code) for lab in given.profile.labs}
    assert labs == {
        "Systolic blood pressure": (150.0, "mmHg", "8480-6"),
        "Diastolic blood pressure": (85.0, "mm[Hg]", "8462-4"),
    }


@pytest.mark.parametrize(
    ("systolic", "diastolic", "verdict"),
    [(130, 85, "met"), (130, 95, "not_met"), (150, 85, "not_met")],
)
def test_fhir_blood_pressure_panel_answers_both_halves(
    systolic: float, diastolic: float, verdict: str
) -> None:
    form = _form("Inclusion Criteria:\n* BP < 140/90 mmHg\n")
    assert {q.measure for q in form.questions()} == {"systolic", "diastolic"}
    assert _verdicts(form, read_input(_bp_bundle(systolic, diastolic))) == {0: verdict}


# ---- found sampling registry records (NCI-style sub-headings, shorthand, vaccines) ----------

NCI_STYLE = """PATIENT CHARACTERISTICS:

Age:

  -  18 to 65

Life expectancy:

  -  More than 8 weeks

Hepatic:

  -  Not specified

PRIOR CONCURRENT THERAPY:

Biologic therapy

  -  Not specified

Chemotherapy

  -  No prior chemotherapy

Endocrine therapy

  -  Prior tamoxifen allowed

  -  No concurrent tamoxifen or other SERMs

Radiotherapy

  -  At least 2 weeks since prior radiotherapy to the breast

Surgery

  -  See Disease Characteristics
"""


def test_nci_sub_headings_and_empty_items_ask_nothing() -> None:
    form = _form(NCI_STYLE)
    texts = sorted(q.text for q in form.questions())
    assert texts == [
        "Are you currently taking tamoxifen or other SERMs?",
        "Have you ever had chemotherapy?",
        "In the past 2 weeks, have you had radiotherapy?",
    ]
    assert [t.text for t in form.team_checks] == ["More than 8 weeks"]  # life expectancy


def test_at_least_since_prior_therapy_is_met_by_never_having_had_it() -> None:
    form = _form("Inclusion Criteria:\n* More than 28 days since prior major surgery\n")
    (question,) = form.questions()
    assert question.text == "In the past 28 days, have you had major surgery?"
    assert _verdicts(form, {question.id: "no"}) == {0: "met"}
    assert _verdicts(form, {question.id: "yes"}) == {0: "not_met"}


@pytest.mark.parametrize(
    ("criterion", "question"),
    [
        (
            "Exclusion Criteria:\n* Are allergic to any part of the chickenpox vaccine, including "
            "neomycin.\n",
            "Are you allergic to any part of the chickenpox vaccine?",
        ),
        (
            "Exclusion Criteria:\n* Have been exposed to chickenpox or shingles in the past 4 weeks.\n",
            "Have you been exposed to chickenpox or shingles in the past 4 weeks?",
        ),
        (
            "Exclusion Criteria:\n* Any vaccination in the 4 weeks preceding the first trial "
            "vaccination.\n",
            "Have you had any vaccination in the past 4 weeks?",
        ),
        (
            "Exclusion Criteria:\n* surgery planned during the study period\n",
            "Do you plan to have surgery during the study period?",
        ),
        (
            "Exclusion Criteria:\n* Known or suspected borderline or antisocial personality disorder\n",
            "Do you have, or might you have, borderline or antisocial personality disorder?",
        ),
        (
            "Inclusion Criteria:\n* Histologically confirmed stage III or IV ovarian epithelial "
            "cancer\n",
            "Do you have ovarian epithelial cancer?",
        ),
        (
            "Inclusion Criteria:\n* Do you feel nervous, anxious, or on edge?\n",
            "Do you feel nervous, anxious, or on edge?",
        ),
        ("Exclusion Criteria:\n* No eligibility criteria\n", None),
        ("Inclusion Criteria:\n* Pulmonary: See Disease Characteristics\n", None),
    ],
)
def test_registry_wordings_read_as_questions(criterion: str, question: str | None) -> None:
    texts = _texts(criterion)
    assert texts == ([question] if question else [])


def test_a_birth_weight_is_not_the_weight_now() -> None:
    form = _form(
        "Inclusion Criteria:\n* Born at full term with a birth weight ≥ 2 kg.\n"
        "* Body weight ≥ 40 kg\n"
    )
    birth, now = form.questions()
    assert "at birth" in birth.text and now.text == "How much do you weigh?"
    profile = {"labs": [{"name": "Birth weight", "value": 3.1, "unit": "kg"}]}
    assert _verdicts(form, read_input({"profile": profile})) == {0: "met", 1: "unknown"}


def test_a_rating_scale_score_is_not_asked_as_a_number() -> None:
    form = _form(
        "Inclusion Criteria:\n* Children's Depression Rating Scale-R total score ≥ 45\n"
        "* Grades 9-12\n"
    )
    assert not any(q.answer_type == "number" for q in form.questions())
