"""The seed trial NCT06001853 (low back pain, BM-MSC): what its criteria must yield."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialatlas.features.criteria import parse_criteria, to_json
from trialatlas.model.criteria import Criterion, ParsedCriteria

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "criteria" / "NCT06001853.txt"


@pytest.fixture(scope="module")
def parsed() -> ParsedCriteria:
    return parse_criteria(FIXTURE.read_text(encoding="utf-8"))


def find(parsed: ParsedCriteria, needle: str) -> tuple[int, Criterion]:
    for i, c in enumerate(parsed.criteria):
        if needle in c.text:
            return i, c
    raise AssertionError(f"no criterion with {needle!r}")


def test_counts_and_kinds(parsed: ParsedCriteria) -> None:
    kinds = [c.kind for c in parsed.criteria]
    assert kinds.count("inclusion") == 12
    assert kinds.count("exclusion") == 30
    assert kinds == sorted(kinds, key=lambda k: k == "exclusion")


def test_vas_30_to_90_mm(parsed: ParsedCriteria) -> None:
    _, c = find(parsed, "at least 30mm and not more than 90mm")
    vas = c.comparisons[0]
    assert (vas.operator, vas.value, vas.upper_value, vas.unit_normalized) == (
        "between",
        30,
        90,
        "millimeter",
    )


def test_odi_20_to_90(parsed: ParsedCriteria) -> None:
    _, c = find(parsed, "ODI score")
    (odi,) = c.comparisons
    assert (odi.operator, odi.value, odi.upper_value) == ("between", 20, 90)
    assert odi.subject is not None and "ODI" in odi.subject.text


def test_pain_for_six_months_nested(parsed: ParsedCriteria) -> None:
    parent, _ = find(parsed, "Chronic low back pain is defined as the following")
    _, c = find(parsed, "Low back pain for at least 6 months")
    assert c.parent == parent
    (w,) = c.windows
    assert (w.relation, w.amount, w.unit, w.days) == ("for at least", 6, "month", 182.625)


def test_three_months_failed_conservative_care(parsed: ParsedCriteria) -> None:
    parent, _ = find(parsed, "Chronic low back pain is defined as the following")
    _, c = find(parsed, "Failed at least 3 months")
    assert c.parent == parent
    assert (c.windows[0].relation, c.windows[0].days) == ("for at least", 91.3125)


def test_positive_medial_branch_block(parsed: ParsedCriteria) -> None:
    _, c = find(parsed, "medial branch block")
    types = {(e.type, e.text.lower()) for e in c.entities}
    assert ("procedure", "medial branch block") in types
    assert ("value", "positive") in types
    assert any(comp.operator == ">=" and comp.value == 75 for comp in c.comparisons)


def test_med_over_50_mg_per_day(parsed: ParsedCriteria) -> None:
    _, c = find(parsed, "morphine equivalent dose")
    assert c.kind == "exclusion"
    (med,) = c.comparisons
    assert (med.operator, med.value, med.unit_normalized) == (">", 50, "milligram / day")


def test_systemic_immunosuppressants(parsed: ParsedCriteria) -> None:
    _, c = find(parsed, "systemic immunosuppressant")
    assert c.kind == "exclusion"
    assert any(e.type == "drug" and "immunosuppressant" in e.text for e in c.entities)


def test_anti_rheumatic_within_three_months(parsed: ParsedCriteria) -> None:
    _, c = find(parsed, "anti-rheumatic")
    assert c.kind == "exclusion"
    drugs = {e.text for e in c.entities if e.type == "drug"}
    assert "methotrexate" in drugs
    (w,) = c.windows
    assert (w.relation, w.days, w.anchor) == ("within", 91.3125, "enrollment")


def test_pregnancy_excluded(parsed: ParsedCriteria) -> None:
    _, c = find(parsed, "pregnant or nursing")
    assert c.kind == "exclusion"
    assert any(e.type == "pregnancy" and e.text == "pregnant" for e in c.entities)


def test_injection_exceptions_are_children(parsed: ParsedCriteria) -> None:
    parent, _ = find(parsed, "except for the following injections")
    children = [parsed.criteria[i].text for i in parsed.children(parent)]
    assert children == [
        "Contrast medium (diagnostic injection);",
        "Nerve-blocking anesthetics (e.g., lidocaine, bupivacaine);",
        "Antibiotics;",
        "Saline;",
        "NSAIDs.",
    ]


def test_fever_and_windows_of_exclusions(parsed: ParsedCriteria) -> None:
    _, fever = find(parsed, "Unexplained fever")
    assert fever.comparisons[0].value_canonical == pytest.approx(38.0)
    _, marijuana = find(parsed, "medical marijuana")
    assert marijuana.windows[0].days == 30


def test_json_shape(parsed: ParsedCriteria) -> None:
    data = to_json(parsed)
    first = data["criteria"][0]
    assert set(first) >= {
        "kind",
        "text",
        "start",
        "end",
        "parent",
        "entities",
        "comparisons",
        "windows",
    }
    entity = first["entities"][0]
    assert set(entity) >= {"type", "text", "start", "end", "negated", "normalized"}
    source = parsed.source
    for c in data["criteria"]:
        assert source[c["start"] : c["end"]] == c["text"]
