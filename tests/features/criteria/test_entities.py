"""Entity stage and normalization: types, vocabularies, offsets."""

from __future__ import annotations

from trialatlas.features.criteria import parse_criteria
from trialatlas.model.criteria import Entity


def entities(text: str) -> list[Entity]:
    return [e for c in parse_criteria(text).criteria for e in c.entities]


def typed(text: str) -> set[tuple[str, str]]:
    return {(e.type, e.text) for e in entities(text)}


def test_core_types() -> None:
    found = typed(
        "* Women aged 18 or older with type 2 diabetes treated with metformin, HbA1c measured, no pacemaker"
    )
    assert ("demographic", "Women") in found
    assert ("condition", "type 2 diabetes") in found
    assert ("drug", "metformin") in found
    assert ("measurement", "HbA1c") in found
    assert ("device", "pacemaker") in found


def test_pregnancy_and_behaviour() -> None:
    found = typed("* Pregnant or breastfeeding women; current smokers; alcohol abuse")
    assert ("pregnancy", "Pregnant") in found
    assert ("pregnancy", "breastfeeding") in found
    assert ("behaviour", "alcohol abuse") in found
    assert any(t == "behaviour" and "smoker" in x for t, x in found)


def test_procedure_by_suffix_and_vocabulary() -> None:
    found = typed("* Prior cholecystectomy or radiofrequency ablation")
    assert ("procedure", "cholecystectomy") in found
    assert ("procedure", "radiofrequency ablation") in found


def test_drugs_normalized_with_the_dictionary() -> None:
    by_text = {e.text: e for e in entities("* Taking Coumadin or ibuprofen")}
    assert by_text["Coumadin"].normalized == "Warfarin"
    assert by_text["ibuprofen"].normalized == "Ibuprofen"


def test_conditions_normalized_to_icd10() -> None:
    by_text = {e.text: e for e in entities("* Severe asthma or essential hypertension")}
    assert (
        by_text["asthma"].code == "J45"
        if "asthma" in by_text
        else by_text["Severe asthma"].code == "J45"
    )
    assert by_text["essential hypertension"].system == "ICD-10"


def test_investigational_drug_stems() -> None:
    assert ("drug", "zanubrutinib") in typed("* Prior treatment with zanubrutinib")


def test_offsets_index_the_source() -> None:
    text = "Exclusion Criteria:\n\n* HIV \\> 200 copies/mL\n* Hepatitis B"
    for e in entities(text):
        assert text[e.start : e.end] == e.text
