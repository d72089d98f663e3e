"""The patient summary of the seed trial against seed 000, and of every bundled record."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from trialatlas.features.patient_summary import PatientSummary, patient_summary
from trialatlas.features.patient_summary.builder import find_patient_summary
from trialatlas.store import open_store
from trialatlas.store.base import Store

SEED = "NCT06001853"


@pytest.fixture(scope="module")
def seed_store(seed_store_url: str) -> Iterator[Store]:
    store = open_store(seed_store_url)
    yield store
    store.close()


@pytest.fixture(scope="module")
def seed(seed_store: Store) -> PatientSummary:
    study = seed_store.get_study(SEED)
    assert study is not None
    return patient_summary(seed_store, study)


def answer(summary: PatientSummary, answer_id: str) -> str:
    return next(a for a in summary.answers if a.id == answer_id).text


def test_plain_title_names_the_experimental_treatment_and_the_lay_condition(
    seed: PatientSummary,
) -> None:
    assert seed.title.text == "BM-MSC Injection for Low Back Pain"
    assert seed.title.treatment == "BM-MSC Injection"
    assert seed.title.condition == "Low Back Pain"  # not "Lumbar Facet Arthropathy"
    assert (
        seed.title.registry_title == "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
    )
    assert "conditions[1]" in seed.title.sources


def test_questions_follow_seed_000(seed: PatientSummary) -> None:
    assert [a.id for a in seed.answers] == [
        "purpose",
        "medications",
        "evidence",
        "safety",
        "differences",
    ]
    questions = [a.question for a in seed.answers]
    assert questions[0] == "What is the purpose of this trial?"
    assert questions[1] == "Will I have to stop taking my current medications?"
    assert questions[2] == "What data shows whether BM-MSC Injection works?"
    assert questions[3] == "Is BM-MSC Injection safe?"
    assert "differ from other treatments" in questions[4]


def test_purpose_comes_from_the_brief_summary(seed: PatientSummary) -> None:
    purpose = next(a for a in seed.answers if a.id == "purpose")
    first = purpose.sentences[0]
    assert first.sources == ["brief_summary"]
    assert "safety and effect of bone marrow-derived stem cells" in first.text
    assert "low back pain" in first.text
    assert "40 people" in purpose.text  # planned enrollment, from design.enrollment_count


def test_medication_answer_names_the_excluded_classes_and_the_window(seed: PatientSummary) -> None:
    text = answer(seed, "medications")
    assert "systemic immunosuppressant medications" in text
    assert "anti-rheumatic disease medication" in text
    assert re.search(r"anti-rheumatic[^.]*within 3 months before enrollment", text)
    assert "does not say that everyone must stop" in text
    assert "discuss your specific medications with the trial team" in text
    # the window belongs to the anti-rheumatic criterion, not to the immunosuppressants
    assert not re.search(r"immunosuppressant medications[^.]*3 months", text)


def test_medication_answer_says_when_the_record_is_silent(
    seed: PatientSummary, seed_store: Store
) -> None:
    study = seed_store.get_study(SEED)
    assert study is not None
    silent = study.model_copy(deep=True)
    silent.eligibility.criteria_text = None
    text = answer(patient_summary(seed_store, silent), "medications")
    assert "says nothing about medicines" in text
    assert "trial team" in text


def test_evidence_says_plainly_when_the_registry_holds_none(seed: PatientSummary) -> None:
    text = answer(seed, "evidence")
    assert "The registry holds no evidence yet about how well BM-MSC Injection works." in text


def test_safety_reports_phase_and_comparator_and_never_claims_safety(seed: PatientSummary) -> None:
    text = answer(seed, "safety")
    assert "phase 2" in text
    assert "Arm B: DMSO Crossover" in text and "placebo" in text
    assert "DMSO is a liquid used to freeze and store cells." in text
    assert "It does not say that a treatment is safe." in text
    claims = text.replace("It does not say that a treatment is safe.", "")
    assert not re.search(r"\b(?:is|are) (?:very |completely )?safe\b", claims)


def test_differences_use_type_comparison_and_store_counts(seed: PatientSummary) -> None:
    differences = next(a for a in seed.answers if a.id == "differences")
    assert "biological product" in differences.text
    assert "Arm B: DMSO Crossover" in differences.text
    counted = [s for s in differences.sentences if "store:count_intervention_trials" in s.sources]
    assert counted and "low back pain" in counted[0].text


def test_research_team_and_sponsor(seed: PatientSummary) -> None:
    assert [(m.name, m.role, m.affiliation) for m in seed.research_team] == [
        ("Wenchun Qu, MD, PhD", "Principal Investigator", "Mayo Clinic")
    ]
    lead = seed.running.organizations[0]
    assert (lead.name, lead.role, lead.class_code) == ("Mayo Clinic", "Lead Sponsor", "OTHER")
    assert "Mayo Clinic leads the trial." in [s.text for s in seed.running.sentences]


def test_eligibility_paragraph_and_lists(seed: PatientSummary) -> None:
    text = " ".join(s.text for s in seed.eligibility.sentences)
    assert "Adults aged 18 and older can join." in text
    assert "low back pain must have lasted at least 6 months" in text
    assert "ODI" in text  # a key threshold
    assert "pregnant or breastfeeding" in text
    assert (
        "contracept" not in text and "birth control" not in text
    )  # the record does not ask for it
    kinds = [section.kind for section in seed.eligibility.criteria]
    assert kinds == ["inclusion", "exclusion"]


def test_timeline_screening_treatment_crossover_follow_up(seed: PatientSummary) -> None:
    steps = {step.kind: step for step in seed.timeline}
    assert [s.title for s in seed.timeline] == ["Screening", "Treatment", "Crossover", "Follow-up"]
    treatment = " ".join(s.text for s in steps["treatment"].sentences)
    assert "Arm A Treatment" in treatment and "BM-MSC Injection" in treatment
    crossover = steps["crossover"]
    assert crossover.when == "After 6 months"
    assert crossover.sentences[0].text == (
        "After 6 months, people in the group “Arm B: DMSO Crossover” switch to BM-MSC Injection."
    )
    assert "interventions[1].description" in crossover.sentences[0].sources
    follow_up = steps["follow_up"]
    assert follow_up.when == "12 months"
    assert "12 months" in follow_up.sentences[0].text
    assert "interventions[1].description" in follow_up.sentences[0].sources


def test_treatment_details(seed: PatientSummary) -> None:
    assert [(t.name, t.type_label) for t in seed.treatments] == [
        ("BM-MSC injection", "Biological"),
        ("DSMO Injection", "Drug"),
    ]
    bm_msc = " ".join(s.text for s in seed.treatments[0].sentences)
    assert "stem cells taken from bone marrow" in bm_msc


def test_clinics_without_a_place_list_the_site(seed: PatientSummary) -> None:
    site = seed.clinics.sites[0]
    assert (site.facility, site.city, site.state) == (
        "Mayo Clinic in Florida",
        "Jacksonville",
        "Florida",
    )
    assert site.distance_km is None


def test_every_sentence_has_sources_and_the_grade_is_measured(seed: PatientSummary) -> None:
    sentences = seed.sentences()
    assert len(sentences) > 20
    assert all(s.sources and all(s.sources) for s in sentences)
    assert 0 < seed.readability.grade <= 8
    assert seed.readability.words > 100


def test_summary_is_plain_json(seed: PatientSummary) -> None:
    data = seed.model_dump(mode="json")
    assert data["title"]["text"] == "BM-MSC Injection for Low Back Pain"
    assert data["readability"]["grade"] == seed.readability.grade
    assert data["answers"][1]["sentences"][0]["sources"] == ["eligibility.criteria_text"]


def test_find_patient_summary_accepts_any_case_and_refuses_unknown_ids(seed_store: Store) -> None:
    found = find_patient_summary(seed_store, "nct06001853")
    assert found is not None and found.nct_id == SEED
    assert find_patient_summary(seed_store, "NCT99999999") is None
    assert find_patient_summary(seed_store, "not an id") is None


# --- every bundled record ------------------------------------------------------------------

CHUNKS = 8


@pytest.mark.slow
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_summary_builds_for_every_bundled_record(bundled_store_path: str, chunk: int) -> None:
    """Property: the builder succeeds on every record; every sentence has sources; grade computed."""
    store = open_store(bundled_store_path)
    try:
        ids = sorted(store.iter_nct_ids())[chunk::CHUNKS]  # type: ignore[attr-defined]
        assert ids
        studies = store.get_studies(ids)
        for nct_id in ids:
            summary = patient_summary(store, studies[nct_id])
            assert summary.title.text, nct_id
            assert len(summary.answers) == 5, nct_id
            assert [s.kind for s in summary.timeline][0] == "screening", nct_id
            assert summary.timeline[-1].kind == "follow_up", nct_id
            for sentence in summary.sentences():
                assert sentence.text.strip(), nct_id
                assert sentence.sources and all(s.strip() for s in sentence.sources), (
                    nct_id,
                    sentence,
                )
            assert summary.readability.words > 0, nct_id
            assert 0 <= summary.readability.grade < 30, nct_id
    finally:
        store.close()
