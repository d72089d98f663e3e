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


def test_word_shape_rules() -> None:
    found = typed("* Prior pancreatitis, diagnosis of glaucoma, appendectomy, ACE inhibitors")
    assert ("condition", "pancreatitis") in found
    assert not any(text == "diagnosis" for _, text in found)  # "-osis" exception
    assert ("procedure", "appendectomy") in found
    assert ("drug", "ACE inhibitors") in found


def test_generic_heads_never_stand_alone() -> None:
    found = typed("* Use of inhibitors or agents")
    assert not any(t == "drug" for t, _ in found)


def test_named_instruments_are_measurements() -> None:
    found = typed("* Hamilton Depression Rating Scale score of 18 or more")
    assert any(t == "measurement" and "Hamilton Depression Rating Scale" in x for t, x in found)
    assert ("condition", "Depression") not in found


def test_abbreviation_takes_the_type_of_what_it_abbreviates() -> None:
    found = typed("* Frobnitz syndrome (FBZS); QRX (quarbol rating index) above 4")
    assert ("condition", "FBZS") in found
    assert ("measurement", "QRX") in found


def test_abbreviation_compared_to_a_number_is_a_measurement() -> None:
    assert ("measurement", "PLT") in typed("* PLT < 100 x 10^9/L")


def test_time_expressions_without_numbers() -> None:
    found = typed("* Antibiotics at the screening visit; surgery planned in the next 2 years")
    assert any(t == "temporal" and x.startswith("at the screening visit") for t, x in found)
    assert any(t == "temporal" and "in the next 2 years" in x for t, x in found)


def test_time_phrases_keep_the_entity_they_name() -> None:
    found = typed("* Aspirin prior to stent placement")
    assert any(t == "temporal" and x == "prior to stent placement" for t, x in found)
    assert ("drug", "Aspirin") in found


def test_generic_medicine_nouns() -> None:
    assert typed("* Patients taking anticoagulant medication") == {
        ("drug", "anticoagulant medication")
    }
    found = typed("* Allergy to any of the following medications: heparin, aspirin")
    assert ("drug", "medications") not in found and ("drug", "heparin") in found
    assert ("drug", "drug") not in typed("* Positive urine drug screen or drug abuse")


def test_substance_use_listed_with_alcohol_is_one_behaviour() -> None:
    assert ("behaviour", "drug or alcohol abuse") in typed("* History of drug or alcohol abuse")
    assert ("behaviour", "Alcohol or drug dependency") in typed("* Alcohol or drug dependency")


def test_peri_event_words_are_time_expressions() -> None:
    found = typed("* Preoperative hemoglobin > 8 g/dl at the time of possible conversion")
    assert ("temporal", "Preoperative") in found
    assert ("temporal", "at the time of possible conversion") in found
    assert ("condition", "Weight loss") in typed("* Weight loss of 5 kg in 3 months")


def test_a_drug_bounded_by_a_level_is_a_lab() -> None:
    found = typed("* Testosterone > 15 ng/dl or creatine kinase > 2 x ULN")
    assert {("measurement", "Testosterone"), ("measurement", "creatine kinase")} <= found
    assert ("drug", "prednisone") in typed("* Taking prednisone > 10 mg/day")


def test_context_rules_beat_the_plain_term_on_the_same_span() -> None:
    assert ("measurement", "gestation") in typed("* Less than 37 weeks gestation")
    assert ("temporal", "before primary surgery") in typed(
        "* No chemotherapy before primary surgery"
    )


def test_brain_stimulation_is_a_procedure_even_if_a_corpus_lexicon_says_drug() -> None:
    from trialatlas.features.criteria import default_stages
    from trialatlas.features.criteria.rules import merge_lexicons

    stages = default_stages(lexicon=merge_lexicons({"drug": ["tms", "rtms"]}))
    parsed = parse_criteria("* Contra-indications for TMS or rTMS", stages)
    found = {(e.type, e.text) for c in parsed.criteria for e in c.entities}
    assert ("procedure", "TMS") in found and ("procedure", "rTMS") in found


def test_transaminase_short_names_are_labs() -> None:
    found = typed("* SGOT and SGPT < 2.5 x ULN; GGT < 3 x ULN")
    assert {("measurement", "SGOT"), ("measurement", "SGPT"), ("measurement", "GGT")} <= found


def test_kind_of_another_trial_is_no_drug_but_a_drug_used_is() -> None:
    study = typed("* Participation in an investigational drug or device study within 90 days")
    assert not any(t == "drug" for t, _ in study)
    study = typed("* Participation in another investigational drug study")
    assert not any(t == "drug" for t, _ in study)
    used = typed("* Has used an investigational drug or device within 30 days")
    assert ("drug", "investigational drug") in used


def test_short_forms_listed_with_drugs_are_drugs() -> None:
    found = typed("* Receipt of DTaP, IPV, PCV13, or Hib prior to enrollment")
    assert {("drug", "IPV"), ("drug", "PCV13")} <= found
    found = typed("* Prior exposure to doxorubicin, PLD or any other anthracycline")
    assert ("drug", "PLD") in found
    labs = typed("* HIV, HBV or HCV infection")
    assert not any(t == "drug" for t, _ in labs)


def test_drug_allergy_is_a_condition_not_a_drug() -> None:
    found = typed("* History of significant drug hypersensitivity or anaphylaxis")
    assert ("drug", "drug") not in found
    assert any(t == "condition" and "hypersensitivity" in x for t, x in found)


def test_infection_named_with_a_test_result_is_also_measured() -> None:
    found = typed("* Known human immunodeficiency virus (HIV) positive")
    assert ("measurement", "human immunodeficiency virus") in found
    assert ("condition", "human immunodeficiency virus") in found  # still asked about
    assert ("measurement", "HIV") in found
    found = typed("* Presence of positive test results for hepatitis B virus (HBV)")
    assert ("measurement", "hepatitis B") in found
    found = typed("* Known to be positive for hepatitis C or hepatitis B surface antigen")
    assert ("measurement", "hepatitis C") in found
    found = typed("* HIV-positive subjects on combination antiretroviral therapy are ineligible")
    assert ("measurement", "HIV-positive") in found
    assert not any(t == "measurement" for t, _ in typed("* History of HIV infection"))


def test_word_shape_measurement_needs_a_result_nearby() -> None:
    assert ("measurement", "blood draw") not in typed(
        "* Blood transfusion within 72 hours prior to the first blood draw"
    )
    assert ("measurement", "last fraction") not in typed(
        "* Irradiated bone, or the last fraction of radiotherapy has been administered"
    )
    assert ("measurement", "serum AAT level") in typed("* serum AAT level below 11 µM")
    named = typed("* Women without PCOS as defined by the Rotterdam criteria.")
    assert ("measurement", "Rotterdam criteria") in named


def test_lab_and_scale_short_names_are_measurements() -> None:
    found = typed("* Positive antinuclear antibody, elevated CPK or abnormal PTH")
    assert {("measurement", x) for x in ("antinuclear antibody", "CPK", "PTH")} <= found
    assert ("measurement", "Karnofsky") in typed("* Karnofsky less than 60")


def test_generic_medicine_noun_qualifying_another_noun_is_no_drug() -> None:
    for text in (
        "* Psychiatrically stable (no hospitalisations or medication changes in last 4 weeks)",
        "* Contraception from first drug administration until 3 months after the last dose",
        "* Unwilling to receive long-term drug treatment.",
    ):
        assert not any(t == "drug" for t, _ in typed(text)), text
    assert ("drug", "medications") in typed("* Use of medications that alter the metabolism")


def test_urinalysis_is_a_procedure_and_laboratory_results_no_measurement() -> None:
    found = typed("* No significant abnormalities in urinalysis according to the investigator")
    assert ("procedure", "urinalysis") in found
    found = typed("* Abnormal laboratory results as judged by the investigator")
    assert not any(t == "measurement" for t, _ in found)


def test_measurement_word_qualifying_another_noun_is_no_measurement() -> None:
    found = typed("* Require a medication that might impact weight or glucose regulation")
    assert ("measurement", "glucose") not in found
    assert ("measurement", "weight") not in typed("* The use of weight-lowering drugs")
    found = typed("* Vitamin B12 and/or serum folate deficiency")
    assert ("measurement", "folate") not in found
    assert ("measurement", "glucose") in typed(
        "* Random glucose of 11 mmol/L or higher; glucose > 7"
    )


def test_study_product_that_only_dates_something_is_no_drug() -> None:
    for text in (
        "* Anti-cancer treatment prior to the first dose of study drug within 4 weeks",
        "* Contraception for 120 days after last study drug administration",
    ):
        assert not any(t == "drug" for t, _ in typed(text)), text
    assert ("drug", "study drug") in typed("* Known hypersensitivity to study drug")
    assert ("drug", "drugs") in typed("* Not receiving any drugs affecting the data obtained")


def test_measured_quantity_heads_with_a_value_are_measurements() -> None:
    found = typed("* Maximal walking distance on treadmill between 50 and 500 meters")
    assert ("measurement", "Maximal walking distance") in found
    found = typed("* Endometrial stripe thickness on ultrasound 4 mm or less")
    assert ("measurement", "Endometrial stripe thickness") in found


def test_a_named_syndrome_keeps_its_name() -> None:
    found = typed("* Autism (e.g., Asperger syndrome, Rett's syndrome, or Down syndrome)")
    assert {("condition", "Asperger syndrome"), ("condition", "Rett's syndrome")} <= found
    assert ("condition", "Down syndrome") in found
    down = next(e for e in entities("* Down syndrome") if e.text == "Down syndrome")
    assert down.code == "Q90"
    assert ("condition", "syndrome") in typed("* Other syndrome")


def test_antibodies_named_by_their_target_are_drugs() -> None:
    found = typed(
        "* Prior anti-PD-1 or anti-PD-L1 antibody therapy; an anti-CD20 monoclonal antibody"
    )
    assert {("drug", "anti-PD-1"), ("drug", "anti-PD-L1 antibody")} <= found
    assert ("drug", "anti-CD20 monoclonal antibody") in found
    assert not any(t == "condition" for t, _ in found)  # "PD" is no Parkinson's disease here
    assert ("measurement", "anti-HBc") in typed("* Positive anti-HBc")


def test_a_condition_widens_to_the_longer_icd10_label() -> None:
    found = entities("* Relapsed diffuse large B-cell lymphoma")
    dlbcl = next(e for e in found if e.type == "condition")
    assert (dlbcl.text, dlbcl.code) == ("diffuse large B-cell lymphoma", "C83.3")
    plain = next(e for e in entities("* severe hypertension") if e.type == "condition")
    assert plain.code == "I10"  # "severe" makes no other label: nothing to widen to


def test_a_target_before_agonist_or_inhibitor_is_a_drug_class() -> None:
    assert ("drug", "LHRH agonist") in typed("* Prior LHRH agonist therapy")
    pd1 = next(e for e in entities("* Prior PD-1 inhibitor") if e.type == "drug")
    assert pd1.text == "PD-1 inhibitor"
    assert ("condition", "EGFR mutation") in typed("* EGFR mutation")  # alone: no drug


def test_an_nci_sub_heading_is_no_entity_of_its_own() -> None:
    found = entities("* Chemotherapy: No prior chemotherapy")
    assert [(e.text, e.negated) for e in found if e.type == "procedure"] == [("chemotherapy", True)]
    assert ("measurement", "Performance status") in typed("* Performance status: ECOG 0-1")
    upper = entities("* CHEMOTHERAPY: No prior chemotherapy")
    assert [e.text for e in upper if e.type == "procedure"] == ["chemotherapy"]


def test_status_adverbs_are_time_expressions() -> None:
    found = typed("* Currently taking warfarin or previously treated with rituximab")
    assert {("temporal", "Currently"), ("temporal", "previously")} <= found
    assert {("drug", "warfarin"), ("drug", "rituximab")} <= found
    assert ("temporal", "pre-existing") in typed("* Any pre-existing neuropathy")
    assert ("temporal", "at any time") in typed("* Intracranial bleeding at any time")
