"""Reading a patient's own description: age, sex, findings with their context, labs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialatlas.features.matching.note_reader import understand_patient
from trialatlas.features.matching.patient_facts import Finding, PatientFacts
from trialatlas.features.matching.profile_facts import facts_from_profile
from trialatlas.model.patient import PatientProfile

CHEST_PAIN = (
    "A 58-year-old African-American woman presents to the ER with episodic pressing "
    "anterior chest pain that began two days earlier. She is known to have hypertension "
    "and obesity. She denies smoking, diabetes, hypercholesterolemia, or a family history "
    "of heart disease. She currently takes no medications."
)
CARDIAC = (
    "48 M with a h/o HTN, hyperlipidemia and T2DM s/p CABG who presented with progressive "
    "SOB and LE edema. EF was 25%. He was sent home with Lasix. Denies chest pain."
)


def finding(found: list[Finding], name: str) -> Finding:
    hits = [f for f in found if f.name.lower() == name.lower()]
    assert hits, f"{name!r} not in {[f.name for f in found]}"
    return hits[0]


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("A 58-year-old African-American woman presents with chest pain.", 58, "female"),
        ("48 M with a h/o HTN presents with SOB.", 48, "male"),
        ("45 yo F with asthma.", 45, "female"),
        ("An 8-year-old male presents with fever.", 8, "male"),
        ("74M hx of CAD s/p CABG.", 74, "male"),
        ("Patient is a 55yo woman with h/o ESRD on HD.", 55, "female"),
        ("A 6-month-old male infant has low urine output.", 0.5, "male"),
        ("70 y/o with COPD presents with hypoxia. She is agitated.", 70, "female"),
        ("Fernandez is a 41 year man who is a professional soccer player.", 41, "male"),
        ("A 21-year-old college student has abdominal pain. His brother had polyps.", 21, "male"),
        ("She had menarche at age 14. A 31-year-old woman.", 14, "female"),
    ],
)
def test_age_and_sex(text: str, age: float, sex: str) -> None:
    facts = understand_patient(text)
    assert facts.age == pytest.approx(age)
    assert facts.sex == sex
    assert facts.age_evidence is not None and facts.sex_evidence is not None


def test_no_age_or_sex_stated() -> None:
    facts = understand_patient("Presents with cough and fever for two days.")
    assert facts.age is None and facts.sex is None and facts.age_evidence is None


def test_negations_family_and_smoking() -> None:
    facts = understand_patient(CHEST_PAIN)
    assert finding(facts.conditions, "hypertension").status == "present"
    assert finding(facts.conditions, "obesity").status == "present"
    assert finding(facts.conditions, "diabetes").status == "absent"
    assert finding(facts.conditions, "hypercholesterolemia").status == "absent"
    heart = finding(facts.conditions, "heart disease")
    assert heart.status == "family"
    assert facts.smoking == "never"
    assert facts.sentence(facts.smoking_evidence) is not None
    assert "denies smoking" in (facts.sentence(facts.smoking_evidence) or "")


def test_abbreviations_history_and_labs() -> None:
    facts = understand_patient(CARDIAC)
    assert finding(facts.conditions, "hypertension").status == "history"
    assert finding(facts.conditions, "type 2 diabetes mellitus").text == "T2DM"
    assert finding(facts.conditions, "shortness of breath").status == "present"
    assert finding(facts.conditions, "lower extremity edema").status == "present"
    assert finding(facts.conditions, "chest pain").status == "absent"
    cabg = finding(facts.procedures, "coronary artery bypass graft")
    assert cabg.status == "history"
    assert finding(facts.medications, "furosemide").text == "Lasix"
    ef = next(lab for lab in facts.labs if lab.name == "ejection fraction")
    assert (ef.value, ef.unit, ef.sentence) == (25.0, "%", 1)


def test_mother_had_breast_cancer_is_family_not_the_patient() -> None:
    facts = understand_patient("A 40-year-old woman. Her mother had breast cancer.")
    cancer = finding(facts.conditions, "breast cancer")
    assert cancer.status == "family"
    assert all(f.status != "present" for f in facts.conditions if "cancer" in f.name)


def test_long_denial_list_is_negated_throughout() -> None:
    facts = understand_patient(
        "He denies fever, chills, nausea, vomiting, diarrhea, cough, headache or abdominal pain."
    )
    assert {f.name for f in facts.conditions if f.status == "absent"} >= {
        "fever",
        "headache",
        "abdominal pain",
    }


@pytest.mark.parametrize(
    ("text", "smoking"),
    [
        ("A 58-year-old nonsmoker white female with cough.", "never"),
        ("He quit smoking 10 years ago.", "former"),
        ("She smokes 10 cigarettes per day.", "current"),
        ("He has a history of heavy smoking.", "former"),
        ("Her father smokes.", None),
    ],
)
def test_smoking(text: str, smoking: str | None) -> None:
    assert understand_patient(text).smoking == smoking


@pytest.mark.parametrize(
    ("text", "pregnant"),
    [
        ("A 27-year-old woman at 11 weeks gestation in her second pregnancy.", True),
        ("She was not pregnant or breastfeeding.", False),
        ("A 62-year-old postmenopausal woman with breast cancer.", False),
        ("A 3-day-old female infant born at 38 weeks of gestation.", None),
        ("A 31-year-old woman would like to become pregnant soon.", None),
        ("A 40-year-old man with pain. He is not pregnant.", None),
    ],
)
def test_pregnancy(text: str, pregnant: bool | None) -> None:
    assert understand_patient(text).pregnant is pregnant


def test_sentences_and_offsets_index_the_note() -> None:
    facts = understand_patient(CARDIAC)
    assert len(facts.sentences) == 4
    for (s, e), sentence in zip(facts.sentence_spans, facts.sentences, strict=True):
        assert CARDIAC[s:e] == sentence
    for _, f in facts.findings():
        assert f.start is not None and f.end is not None and f.sentence is not None
        assert CARDIAC[f.start : f.end] == f.text
        s, e = facts.sentence_spans[f.sentence]
        assert s <= f.start and f.end <= e


def test_facts_from_profile() -> None:
    profile = PatientProfile.model_validate(
        {
            "age": 61,
            "sex": "F",
            "conditions": [{"name": "asthma"}, {"name": "pneumonia", "active": False}],
            "medications": [{"name": "metformin"}],
            "procedures": [{"name": "appendectomy"}],
            "labs": [{"name": "HbA1c", "value": 7.2, "unit": "%"}],
            "smoking": "former",
        }
    )
    facts = facts_from_profile(profile)
    assert (facts.age, facts.sex, facts.smoking) == (61, "female", "former")
    assert finding(facts.conditions, "pneumonia").status == "history"
    assert finding(facts.medications, "metformin").status == "present"
    assert finding(facts.procedures, "appendectomy").sentence is None
    assert facts.labs[0].value == 7.2 and facts.sentences == []


def test_not_a_string_is_empty() -> None:
    assert understand_patient(None) == PatientFacts()  # type: ignore[arg-type]


_CLINICAL = st.sampled_from(
    [
        "h/o",
        "s/p",
        "HTN",
        "T2DM",
        "no",
        "denies",
        "mother had",
        "family history of",
        "58-year-old",
        "48 M",
        "yo",
        "F",
        "cancer",
        "EF",
        "25%",
        "BP 120/80",
        ".",
        ",",
        "\n",
        "(",
        ")",
        "[**2148-10-1**]",
        "not pregnant",
        "quit smoking",
        "diabetes",
        "pain",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_CLINICAL, st.text(max_size=12)), max_size=40))
def test_any_text_reads_and_offsets_slice(parts: list[str]) -> None:
    text = " ".join(parts)
    facts = understand_patient(text)
    for _, f in facts.findings():
        assert f.start is not None and f.end is not None
        assert text[f.start : f.end] == f.text
    for lab in facts.labs:
        assert lab.start is not None and lab.end is not None
        assert text[lab.start : lab.end] == lab.text
    for index in (facts.age_evidence, facts.sex_evidence, facts.smoking_evidence):
        assert index is None or 0 <= index < len(facts.sentences)


ONSET_DAY = dt.date(2025, 6, 15)


@pytest.mark.parametrize(
    ("text", "name", "onset"),
    [
        ("A 55-year-old with chronic facet-mediated low back pain for 3 years.", "low back pain", dt.date(2022, 6, 15)),
        ("Diagnosed with type 2 diabetes 10 years ago.", "type 2 diabetes", dt.date(2015, 6, 15)),
        ("A 2-week history of cough.", "cough", dt.date(2025, 6, 1)),
        ("Asthma since 2019.", "asthma", dt.date(2019, 1, 1)),
        ("Asthma since March 2019.", "asthma", dt.date(2019, 3, 1)),
        ("Chest pain that began two days earlier.", "chest pain", dt.date(2025, 6, 13)),
        ("Cough x 3 wks.", "cough", dt.date(2025, 5, 25)),
        ("He was diagnosed with COPD in 2015.", "chronic obstructive pulmonary disease", dt.date(2015, 1, 1)),
        ("HTN and DM for 5 years.", "diabetes mellitus", dt.date(2020, 6, 15)),
        ("HTN and DM for 5 years.", "hypertension", None),  # the time phrase is DM's
        ("Depression for several years.", "depression", None),
        ("Low back pain for months.", "low back pain", None),
        ("Asthma since 2030.", "asthma", None),  # not yet: no onset
        ("Cough for 99999999999999 days.", "cough", None),  # no lifetime: no onset, no error
    ],
)  # fmt: skip
def test_how_long_a_condition_has_lasted_gives_its_onset(
    text: str, name: str, onset: dt.date | None
) -> None:
    facts = understand_patient(text, today=ONSET_DAY)
    found = finding(facts.conditions, name)
    assert found.onset == onset
    assert found.onset_sentence == (0 if onset is not None else None)


def test_what_lasts_up_to_now_is_present_not_past() -> None:
    facts = understand_patient(
        "A 2-week history of cough. H/o asthma. Back pain began 2 years ago. "
        "MI 10 years ago. History of gout for 5 years.",
        today=ONSET_DAY,
    )
    assert finding(facts.conditions, "cough").status == "present"
    assert finding(facts.conditions, "asthma").status == "history"
    assert finding(facts.conditions, "back pain").status == "present"
    assert finding(facts.conditions, "myocardial infarction").status == "history"
    assert finding(facts.conditions, "gout").status == "present"


@pytest.mark.parametrize(
    "text",
    [
        "55-year-old man from Jacksonville, FL with low back pain.",
        "He lives in Rochester, MN, with his wife and has low back pain.",
        "Patient from Jackson, MS presents with low back pain.",
        "Moved from St. Louis, MO; low back pain since then.",
        "Lives in Little Rock, AR and has low back pain.",
    ],
)
def test_a_state_after_a_place_name_is_no_finding(text: str) -> None:
    facts = understand_patient(text)
    assert [f.name for _, f in facts.findings()] == ["low back pain"]


def test_the_same_letters_in_clinical_context_are_still_findings() -> None:
    facts = understand_patient(
        "A 60-year-old with h/o MS and relapsed FL after R-CHOP. PMH: Asthma, CA, HTN. "
        "Lives in Grand Rapids, MI; had an MI in 2019."
    )
    texts = {f.text: f.status for f in facts.conditions}
    assert texts["MS"] == texts["FL"] == "history" and "CA" in texts
    mi = finding(facts.conditions, "myocardial infarction")
    assert mi.sentence == 2 and mi.sentences == [2]
    assert facts.conditions.count(mi) == 1


def test_a_finding_keeps_every_sentence_that_states_it() -> None:
    facts = understand_patient(
        "Low back pain for 2 years. He has diabetes. His low back pain is worse at night.",
        today=ONSET_DAY,
    )
    pain = finding(facts.conditions, "low back pain")
    assert pain.sentence == 0 and pain.sentences == [0, 2]
    assert finding(facts.conditions, "diabetes").sentences == [1]
    later = understand_patient("He has low back pain. The low back pain began 2 years ago.")
    pain = finding(later.conditions, "low back pain")
    assert (pain.sentences, pain.onset_sentence) == ([0, 1], 1)  # the onset of a later mention
    profile = facts_from_profile(PatientProfile(conditions=[{"name": "asthma"}]))  # type: ignore[list-item]
    assert profile.conditions[0].sentences == []
