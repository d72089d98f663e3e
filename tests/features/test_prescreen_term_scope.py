"""A profile answers a criterion only with its subject or a narrower one: criteria made
through the real parser, profiles through the real mapping (``prescreen/term_scope.py``)."""

from __future__ import annotations

import datetime as dt

import pytest

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen import PrescreenInput, Questionnaire, build_questionnaire
from trialatlas.features.prescreen import screen as run_screen
from trialatlas.model.patient import PatientProfile, ProfileCondition, ProfileProcedure
from trialatlas.model.study import Eligibility

TODAY = dt.date(2025, 6, 15)


def _form(text: str) -> Questionnaire:
    return build_questionnaire("NCT00000001", "Synthetic", parse_criteria(text), Eligibility())


def _verdict(criteria: str, profile: PatientProfile) -> str:
    result = run_screen(_form(criteria), PrescreenInput(profile=profile), today=TODAY)
    (verdict,) = [v for v in result.verdicts if v.source == "criteria"]
    return verdict.verdict


def _having(*names: str, sex: str = "female") -> PatientProfile:
    return PatientProfile(
        sex=sex,  # type: ignore[arg-type]
        conditions=[ProfileCondition(name=n) for n in names],
    )


@pytest.mark.parametrize(
    ("criterion", "broad", "narrow"),
    [
        ("HER2 Positive breast cancer", "breast cancer", "HER2-positive breast cancer"),
        ("Has bilateral breast cancer", "breast cancer", "bilateral breast cancer"),
        ("Noninvasive cancer", "breast cancer", "noninvasive breast cancer"),
        (
            "Breast cancers of rare histological type (other than ductal and lobular)",
            "breast cancer",
            "breast cancer of rare histological type",
        ),
    ],
)
def test_a_broad_finding_leaves_a_narrower_exclusion_unknown(
    criterion: str, broad: str, narrow: str
) -> None:
    text = f"Exclusion Criteria:\n* {criterion}\n"
    assert _verdict(text, _having(broad)) == "unknown"
    assert _verdict(text, _having(narrow)) == "not_met"


def test_the_patients_own_cancer_is_no_other_malignancy() -> None:
    for criterion in (
        "History of other malignancy",
        "Has a known additional malignancy that is progressing or requires active treatment",
        "Have a history of another active cancer within the past year",
    ):
        text = f"Exclusion Criteria:\n* {criterion}\n"
        assert _verdict(text, _having("breast cancer")) == "unknown", criterion
    # a complete profile without any cancer still says no
    complete = PatientProfile(sex="female", conditions=[], complete=True)
    assert _verdict("Exclusion Criteria:\n* History of other malignancy\n", complete) == "met"


@pytest.mark.parametrize(
    ("criterion", "condition"),
    [
        ("Previous cytotoxic chemotherapy for metastatic disease", "metastatic disease"),
        ("No prior taxane for metastatic disease", "metastatic disease"),
        (
            "Radiation therapy for metastases outside the brain in the 21 days prior",
            "liver metastases",
        ),
        (
            "Chronic use of immunosuppressants and/or systemic corticosteroids (used in the "
            "management of cancer or non-cancer-related illnesses)",
            "breast cancer",
        ),
        (
            "Lack of recovery from adverse events prior to last line of cancer therapy",
            "breast cancer",
        ),
        ("Has had a prior anti-cancer monoclonal antibody within 4 weeks", "breast cancer"),
        ("Patients for whom radiotherapy for breast cancer is contraindicated", "breast cancer"),
        ("Peripheral neuropathy > grade 1", "grade 1 peripheral neuropathy"),
    ],
)
def test_what_a_treatment_is_for_or_a_grade_alone_does_not_exclude(
    criterion: str, condition: str
) -> None:
    text = f"Exclusion Criteria:\n* {criterion}\n"
    assert _verdict(text, _having(condition)) == "unknown"


def test_a_plain_condition_still_excludes() -> None:
    assert _verdict("Exclusion Criteria:\n* Known HIV infection\n", _having("HIV infection")) == (
        "not_met"
    )
    text = "Exclusion Criteria:\n* Patients with type 1 diabetes\n"
    assert _verdict(text, _having("type 1 diabetes mellitus")) == "not_met"
    assert _verdict(text, _having("diabetes")) == "unknown"


@pytest.mark.parametrize(
    "criterion",
    [
        "Not pregnant or nursing",
        "No pregnancy, breast feeding, and unwillingness to travel",
        "Willingness to refrain from breast-feeding during the study",
    ],
)
def test_a_negation_covers_the_pregnancy_list_it_begins(criterion: str) -> None:
    text = f"Inclusion Criteria:\n* {criterion}\n"
    man = PatientProfile(sex="male")
    assert _verdict(text, man) == "met"
    nursing = PatientProfile(sex="female", breastfeeding=True)
    assert _verdict(text, nursing) == "not_met"


def test_a_nursing_home_is_no_breastfeeding() -> None:
    text = "Inclusion Criteria:\n* Resided in a nursing home or long-term care\n"
    assert _verdict(text, PatientProfile(sex="male")) != "not_met"


def test_the_test_that_shows_a_condition_is_not_the_condition() -> None:
    text = "Exclusion Criteria:\n* Atelectasis detected by x-ray\n"
    had_xray = PatientProfile(sex="male", procedures=[ProfileProcedure(name="chest x-ray")])
    assert _verdict(text, had_xray) == "unknown"
    assert _verdict(text, _having("atelectasis")) == "not_met"
