"""Section stage: inclusion / exclusion headers, usual and unusual."""

from __future__ import annotations

import pytest

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.criteria.document import CriteriaDoc
from trialatlas.features.criteria.sections import SectionDetector


def kinds(text: str) -> list[tuple[str, str]]:
    return [(c.kind, c.text) for c in parse_criteria(text).criteria]


@pytest.mark.parametrize(
    ("inc", "exc"),
    [
        ("Inclusion Criteria:", "Exclusion Criteria:"),
        ("Key Inclusion Criteria", "Key Exclusion Criteria"),
        ("INCLUSION CRITERIA -", "EXCLUSION CRITERIA -"),
        (
            "Patients must meet all of the following criteria:",
            "Patients must not have any of the following:",
        ),
        ("Inclusion criteria include:", "Exclusion criteria include:"),
        ("## Inclusion Criteria", "## Exclusion Criteria"),
        ("Eligibility Criteria:", "Patients will be excluded if:"),
        ("To be eligible, patients must:", "Any of the following excludes a patient:"),
        ("INCLUSION CRITERIA:", "EXLUSION CRITERIA:"),
        ("Inclusion critera:", "Exclusion critera:"),
        ("Patient Inclusion Criteria:", "Patient Exclusion Criteria:"),
        ("2.1 Inclusion Criteria", "2.2 Exclusion Criteria"),
        ("III.5 INCLUSION CRITERIA", "III.6 EXCLUSION CRITERIA"),
        ("Eligibility Criteria:", "Ineligibility Criteria"),
        ("Inclusion Criteria:", "Conditions for Patient Ineligibility:"),
    ],
)
def test_header_variants_split_inclusion_and_exclusion(inc: str, exc: str) -> None:
    text = f"{inc}\n\n* Adults with asthma\n* BMI < 35\n\n{exc}\n\n* Pregnancy\n* Smoking\n"
    assert kinds(text) == [
        ("inclusion", "Adults with asthma"),
        ("inclusion", "BMI < 35"),
        ("exclusion", "Pregnancy"),
        ("exclusion", "Smoking"),
    ]


def test_no_header_is_inclusion() -> None:
    assert {
        c.kind for c in parse_criteria("Adults aged 18 or older\nType 2 diabetes\n").criteria
    } == {"inclusion"}


def test_header_with_text_on_the_same_line() -> None:
    result = kinds("Inclusion Criteria: age over 18\nExclusion Criteria: pregnancy")
    assert result == [("inclusion", "age over 18"), ("exclusion", "pregnancy")]


def test_nci_characteristics_subheaders_keep_the_kind() -> None:
    text = (
        "DISEASE CHARACTERISTICS:\n- Histologically confirmed breast cancer\n\n"
        "PATIENT CHARACTERISTICS:\n- Not pregnant\n\n"
        "PRIOR CONCURRENT THERAPY:\n- No prior chemotherapy\n"
    )
    parsed = parse_criteria(text)
    assert [c.text for c in parsed.criteria] == [
        "Histologically confirmed breast cancer",
        "Not pregnant",
        "No prior chemotherapy",
    ]
    assert {c.kind for c in parsed.criteria} == {"inclusion"}


def test_bulleted_patients_must_line_is_a_criterion_not_a_header() -> None:
    text = "Exclusion Criteria:\n* Patients must not have the following:\n  * HIV\n"
    parsed = parse_criteria(text)
    assert [c.kind for c in parsed.criteria] == ["exclusion", "exclusion"]
    assert parsed.criteria[1].parent == 0


def test_section_stage_records_headers() -> None:
    doc = SectionDetector()(
        CriteriaDoc(source="Inclusion Criteria:\n* a\nExclusion Criteria:\n* b\n")
    )
    assert [(s.kind, s.header) for s in doc.sections] == [
        ("inclusion", "Inclusion Criteria:"),
        ("exclusion", "Exclusion Criteria:"),
    ]
