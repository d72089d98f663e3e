"""A question keeps every exception and time window of its criterion: synthetic criteria
through the real parser, and every trial of the bundled store (``prescreen/kept_meaning``)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen import (
    PrescreenInput,
    Question,
    Questionnaire,
    build_questionnaire,
    screen,
)
from trialatlas.model.patient import PatientProfile, ProfileProcedure
from trialatlas.model.study import Eligibility
from trialatlas.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from prescreen_meaning import audit  # noqa: E402

TODAY = dt.date(2025, 6, 15)


def _form(text: str) -> Questionnaire:
    return build_questionnaire("NCT00000001", "Synthetic", parse_criteria(text), Eligibility())


def _only(criterion: str, kind: str = "Exclusion") -> Question:
    (question,) = _form(f"{kind} Criteria:\n* {criterion}\n").questions()
    return question


@pytest.mark.parametrize(
    ("criterion", "kept"),
    [
        (
            "Cancer, other than basal or squamous cell skin cancer",
            "other than basal or squamous cell skin cancer",
        ),
        (
            "No other malignancy within the past 3 years except basal cell skin cancer or "
            "preinvasive carcinoma of the cervix",
            "except basal cell skin cancer or preinvasive carcinoma of the cervix",
        ),
        (
            "Active malignancy or history of malignancy prior to enrollment, except history of "
            "basal cell carcinoma of the skin if fully excised",
            "except history of basal cell carcinoma of the skin if fully excised",
        ),
        ("Systemic corticosteroids (except as adjuvant therapy for acute PCP)", "acute PCP"),
    ],
)
def test_a_question_keeps_the_exceptions_of_its_criterion(criterion: str, kept: str) -> None:
    question = _only(criterion)
    assert kept in question.text
    assert not any("basal" in t.text.lower() for t in question.profile_terms)  # never asked


def test_a_window_written_after_an_exception_is_kept() -> None:
    """ "Major surgery, other than diagnostic surgery, within four weeks" once became
    "Have you had major surgery?": both the exception and the window were lost."""
    question = _only("Major surgery, other than diagnostic surgery, within four weeks")
    assert "other than diagnostic surgery" in question.text
    assert "in the past 4 weeks" in question.text


@pytest.mark.parametrize(
    "criterion",
    [
        "History of or current evidence of alcohol or drug abuse, recreational use of illicit "
        "drugs, or have use of medical marijuana within 30 days prior to enrollment",
        "Current episode of major depression (within the last 3 months) or lifetime history of "
        "bipolar disorder or schizophrenia",
    ],
)
def test_a_history_is_never_narrowed_to_a_window_it_does_not_have(criterion: str) -> None:
    question = _only(criterion)
    assert question.window_days is None and question.before_days is None
    assert not question.text.startswith("In the past")
    assert "history" in question.text  # "history of" is for life, and the question says so


def test_a_window_over_the_whole_list_still_applies() -> None:
    question = _only(
        "History of myocardial infarction, stroke or life-threatening arrhythmia within the "
        "prior 6 months"
    )
    assert "in the past 6 months" in question.text
    assert question.window_days == pytest.approx(182.625)


def test_a_profile_never_meets_a_history_through_a_window_it_does_not_have() -> None:
    """A hip replacement in 2015 is a history of one: the 30 days are for the steroids."""
    form = _form(
        "Exclusion Criteria:\n* History of hip replacement surgery, or have use of systemic "
        "steroids within 30 days prior to screening\n"
    )
    profile = PatientProfile(
        procedures=[ProfileProcedure(name="hip replacement surgery", date=dt.date(2015, 3, 1))],
        complete=True,
    )
    result = screen(form, PrescreenInput(profile=profile), today=TODAY)
    (verdict,) = [v for v in result.verdicts if v.source == "criteria"]
    assert verdict.verdict != "met"


@pytest.mark.slow
def test_every_question_of_the_bundled_store_keeps_its_exceptions_and_windows(
    bundled_store_path: str,
) -> None:
    """Every yes/no question of every bundled trial, against its criterion's first sentence
    (bench/prescreen_meaning.py prints the same counts for any store)."""
    store = open_store(bundled_store_path)
    faults = []
    checked = trials = 0
    try:
        for study in store.iter_studies():
            trials += 1
            parsed = parse_criteria(study.eligibility.criteria_text or "")
            form = build_questionnaire(study.nct_id, study.title, parsed, study.eligibility)
            counts, found = audit(study.nct_id, form, parsed)
            checked += counts["with an exception"] + counts["with a time window"]
            faults.extend(found)
    finally:
        store.close()
    assert trials > 8000 and checked > 10_000  # the audit saw the store's exceptions and windows
    shown = "\n".join(f"{f.kind}: {f.nct_id} {f.question_id}: {f.question}" for f in faults[:20])
    assert faults == [], f"{len(faults)} questions lost meaning, e.g.\n{shown}"
