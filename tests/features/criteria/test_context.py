"""ConText stage: negation, uncertainty, history, from the JSON trigger rules."""

from __future__ import annotations

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.criteria.context import ContextAnnotator
from trialatlas.features.criteria.rules import ContextRule, load_context_rules
from trialatlas.model.criteria import Entity


def flags(text: str) -> dict[str, Entity]:
    return {e.text: e for c in parse_criteria(text).criteria for e in c.entities}


def test_negation_forward() -> None:
    found = flags("* No history of stroke or epilepsy")
    assert found["stroke"].negated and found["epilepsy"].negated
    assert found["stroke"].historical


def test_negation_backward() -> None:
    assert flags("* HIV negative").get("HIV") is not None
    assert flags("* HIV negative")["HIV"].negated


def test_pseudo_trigger_does_not_negate() -> None:
    found = flags("* Creatinine no more than 1.5 mg/dL")
    assert not found["Creatinine"].negated


def test_uncertain() -> None:
    assert flags("* Suspected pneumonia")["pneumonia"].uncertain


def test_scope_ends_at_clause_and_terminator() -> None:
    found = flags("* No diabetes; asthma allowed")
    assert found["diabetes"].negated and not found["asthma"].negated
    found = flags("* No stroke but hypertension")
    assert found["stroke"].negated and not found["hypertension"].negated


def test_exception_negates_the_excepted() -> None:
    found = flags("* Malignancy except basal cell carcinoma of the skin")
    assert not found["Malignancy"].negated
    (excepted,) = [e for text, e in found.items() if text.startswith("basal cell carcinoma")]
    assert excepted.negated


def test_rules_are_data() -> None:
    rules = load_context_rules()
    assert all(isinstance(r, ContextRule) for r in rules)
    assert any(r.literal == "no" and r.category == "NEGATED_EXISTENCE" for r in rules)
    custom = ContextAnnotator(rules=(ContextRule("lacks", "NEGATED_EXISTENCE", "forward"),))
    assert custom.rules[0].literal == "lacks"


def test_pseudo_negations_follow_chia() -> None:
    assert not flags("* Negative for hepatitis B")["hepatitis B"].negated
    assert not any(e.negated for e in flags("* Non-small cell lung cancer").values())
    assert not flags("* Not only diabetes")["diabetes"].negated


def test_inability_is_not_absence() -> None:
    found = flags("* Unable to undergo MRI or refuses blood transfusion")
    assert not found["MRI"].negated
    assert not found["blood transfusion"].negated


def test_negation_applies_to_things_that_can_be_absent() -> None:
    found = flags("* No diabetes within 3 months; no HbA1c > 7%")
    assert found["diabetes"].negated
    assert not found["within 3 months"].negated
    assert not found["HbA1c"].negated and not found["> 7%"].negated


def test_scope_ends_at_however_and_at_the_criterion() -> None:
    found = flags("* No stroke, however epilepsy is allowed")
    assert found["stroke"].negated and not found["epilepsy"].negated
    found = flags("* No history of stroke\n* Epilepsy")
    assert found["stroke"].negated and not found["Epilepsy"].negated


def test_allowed_types_are_data() -> None:
    rules = load_context_rules()
    no = next(r for r in rules if r.literal == "no" and r.category == "NEGATED_EXISTENCE")
    assert no.allowed_types is not None and "condition" in no.allowed_types
    assert "value" not in no.allowed_types


def test_non_prefix_negates_a_one_word_entity() -> None:
    found = flags("* Non-pregnant, non-lactating women")
    assert found["pregnant"].type == "pregnancy" and found["pregnant"].negated
    assert found["lactating"].negated
    assert not found["women"].negated


def test_non_prefix_in_a_name_is_no_negation() -> None:
    found = flags("* non-small cell lung cancer or non-hormonal contraception; non-melanoma")
    assert all(not e.negated for e in found.values())


def test_not_pregnant_or_nursing_is_negated() -> None:
    found = flags("* Women who are not pregnant or breastfeeding")
    assert found["pregnant"].negated and found["breastfeeding"].negated


def test_a_prohibition_negates_in_inclusions_but_restates_an_exclusion() -> None:
    text = (
        "Inclusion Criteria:\n- Patients must not have received prior radiation therapy\n"
        "Exclusion Criteria:\n- Patients may not have been prescribed warfarin within the month\n"
    )
    found = flags(text)
    assert found["radiation therapy"].negated
    assert not found["warfarin"].negated  # under exclusions: warfarin excludes
    assert flags("Exclusion Criteria:\n- No history of stroke")["stroke"].negated
