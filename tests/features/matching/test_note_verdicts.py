"""From a free-text note, a criterion goes against the patient only on a finding that is
the criterion's subject: a denial of *other* findings denies none of the patient's own,
and a treatment that is planned or possible is not one that was done. Real parser,
real note reader, real pre-screener."""

from __future__ import annotations

import datetime as dt

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.matching.facts_to_prescreen import facts_to_prescreen
from trialatlas.features.matching.note_reader import understand_patient
from trialatlas.features.prescreen import build_questionnaire
from trialatlas.features.prescreen import screen as run_screen
from trialatlas.model.study import Eligibility

TODAY = dt.date(2025, 6, 15)


def _verdict(criteria: str, note: str) -> str:
    form = build_questionnaire("NCT00000001", "Synthetic", parse_criteria(criteria), Eligibility())
    given = facts_to_prescreen(understand_patient(note, today=TODAY), form, TODAY)
    result = run_screen(form, given.input, today=TODAY)
    (verdict,) = [v for v in result.verdicts if v.source == "criteria"]
    return verdict.verdict


COLORECTAL = "Inclusion Criteria:\n* Must have histologically confirmed colorectal cancer\n"


def test_a_denial_of_other_cancers_denies_no_named_cancer() -> None:
    note = "A 48-year-old woman with breast cancer. She had no other active cancers within the past year."
    assert _verdict(COLORECTAL, note) == "unknown"


def test_a_plain_denial_still_answers_no() -> None:
    note = "A 48-year-old woman with breast cancer. She had no history of colorectal cancer."
    assert _verdict(COLORECTAL, note) == "not_met"


def test_a_treatment_she_is_fit_to_receive_was_not_given() -> None:
    criteria = "Exclusion Criteria:\n* Previous cytotoxic chemotherapy\n"
    note = (
        "A 52-year-old woman with metastatic breast cancer. Her oncologist informed her that "
        "she was fit to receive cytotoxic chemotherapy for her condition."
    )
    assert _verdict(criteria, note) == "unknown"
    done = "A 52-year-old woman with metastatic breast cancer. She received cytotoxic chemotherapy."
    assert _verdict(criteria, done) == "not_met"


def test_a_drug_she_is_interested_in_is_not_taken() -> None:
    criteria = "Exclusion Criteria:\n* Prior treatment with pembrolizumab\n"
    note = (
        "A 45-year-old woman with triple-negative breast cancer. She was interested in learning "
        "more about the combination of pembrolizumab and olaparib as a potential treatment."
    )
    assert _verdict(criteria, note) == "unknown"
