"""Item stage: bullets, numbered lists, nesting, wrapped lines, registry escapes."""

from __future__ import annotations

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.criteria.document import make_view


def texts(text: str) -> list[str]:
    return [c.text for c in parse_criteria(text).criteria]


def test_numbered_lists() -> None:
    assert texts("1. Age 18 or older\n2. Asthma\n3) Smoker\n(4) BMI > 30\n") == [
        "Age 18 or older",
        "Asthma",
        "Smoker",
        "BMI > 30",
    ]


def test_lettered_and_roman_sub_items_nest_under_a_number() -> None:
    parsed = parse_criteria(
        "1. One of the following:\na. asthma\nb. COPD\n2. Age over 18\ni. male\nii. female\n"
    )
    rows = [(c.text, c.parent) for c in parsed.criteria]
    assert rows == [
        ("One of the following:", None),
        ("asthma", 0),
        ("COPD", 0),
        ("Age over 18", None),
        ("male", 3),
        ("female", 3),
    ]


def test_nested_bullets_by_indentation() -> None:
    parsed = parse_criteria("* Parent:\n  * child one\n  * child two\n    * grandchild\n* Next\n")
    rows = [(c.text, c.parent, c.depth) for c in parsed.criteria]
    assert rows == [
        ("Parent:", None, 0),
        ("child one", 0, 1),
        ("child two", 0, 1),
        ("grandchild", 2, 2),
        ("Next", None, 0),
    ]
    assert parsed.children(0) == [1, 2]


def test_wrapped_lines_are_joined() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "  - Histologically confirmed adenocarcinoma of the\n"
        "    pancreas, stage III or IV\n"
        "  - Patients with measurable disease. Prior\n"
        "    radiotherapy allowed.\n"
        "  - ECOG 0-1\n"
    )
    parsed = parse_criteria(text)
    assert len(parsed.criteria) == 3
    first = parsed.criteria[0]
    assert first.text.startswith("Histologically") and first.text.endswith("stage III or IV")
    assert parsed.criteria[1].text.endswith("radiotherapy allowed.")


def test_plain_lines_without_markers_are_separate_criteria() -> None:
    assert texts("Patients with asthma\nPatients with COPD\nwho smoke\n") == [
        "Patients with asthma",
        "Patients with COPD\nwho smoke",
    ]


def test_registry_escapes_keep_offsets_and_parse() -> None:
    source = "* Creatinine \\> 2 mg/dL or platelets \\< 100,000/mm3\n"
    assert len(make_view(source)) == len(source)
    criterion = parse_criteria(source).criteria[0]
    ops = [(c.operator, c.value) for c in criterion.comparisons]
    assert ops == [(">", 2.0), ("<", 100000.0)]
    for comp in criterion.comparisons:
        assert source[comp.start : comp.end] == comp.text


def test_html_entities_are_read_as_operators() -> None:
    comp = parse_criteria("* Hemoglobin &gt;= 9 g/dL").criteria[0].comparisons[0]
    assert (comp.operator, comp.value, comp.text) == (">=", 9.0, "&gt;= 9 g/dL")


def test_short_lower_case_lines_are_criteria_of_their_own() -> None:
    # Chia-style lists: one criterion a line, many starting in lower case
    text = (
        "Exclusion Criteria:\n"
        "no co-operation or inadequate finnish language skills\r\n"
        "persistent pain for other reason\r\n"
        "glaucoma\r\n"
        "serious infection (neutropenia, tuberculosis)\r\n"
    )
    parsed = parse_criteria(text)
    assert [c.text for c in parsed.criteria] == [
        "no co-operation or inadequate finnish language skills",
        "persistent pain for other reason",
        "glaucoma",
        "serious infection (neutropenia, tuberculosis)",
    ]
    pain = next(e for c in parsed.criteria for e in c.entities if e.text == "persistent pain")
    assert not pain.negated  # the "no" of the line before does not reach it


def test_hard_wrapped_plain_lines_are_still_joined() -> None:
    text = (
        "Histologically or cytologically confirmed adenocarcinoma of the pancreas that\n"
        "is locally advanced and not amenable to curative resection by the surgeon\n"
        "performing the evaluation\n"
        "Prior chemotherapy for metastatic disease with gemcitabine and nab-paclitaxel\n"
        "allowed when completed at least four weeks earlier than the first dose, if\n"
        "toxicities resolved\n"
    )
    assert len(parse_criteria(text).criteria) == 2


def test_inline_nci_sub_headings_are_items_of_their_own() -> None:
    text = (
        "DISEASE CHARACTERISTICS: Histologically confirmed breast cancer\n\n"
        "PATIENT CHARACTERISTICS: Age: 18 and over Performance status: ECOG 0-1 "
        "Hematopoietic: WBC at least 3,000/mm3 Platelet count at least 100,000/mm3 "
        "Hepatic: Not specified\n\n"
        "PRIOR CONCURRENT THERAPY: See Disease Characteristics\n"
    )
    parsed = parse_criteria(text)
    assert [c.text for c in parsed.criteria] == [
        "Histologically confirmed breast cancer",
        "Age: 18 and over",
        "Performance status: ECOG 0-1",
        "Hematopoietic: WBC at least 3,000/mm3 Platelet count at least 100,000/mm3",
        "Hepatic: Not specified",
        "See Disease Characteristics",
    ]
    for c in parsed.criteria:
        assert text[c.start : c.end] == c.text
    blood = parsed.criteria[3]
    assert [x.subject.text if x.subject else None for x in blood.comparisons] == [
        "WBC",
        "Platelet count",
    ]
    assert not any(e.type == "condition" for e in parsed.criteria[4].entities)  # "Hepatic:"
    # one label alone is no inline block: "Age: 18 or older" stays whole
    assert texts("* Age: 18 or older, any performance status") == [
        "Age: 18 or older, any performance status"
    ]


def test_a_short_unmarked_topic_line_heads_the_bullets_under_it() -> None:
    text = (
        "PRIOR CONCURRENT THERAPY:\n\nBiologic therapy\n\n* Not specified\n\n"
        "Surgery\n\n* No prior penile implant\n* No prior bilateral orchiectomy\n"
    )
    parsed = parse_criteria(text)
    rows = [(c.text, c.parent) for c in parsed.criteria]
    assert rows == [
        ("Biologic therapy", None),
        ("Not specified", 0),
        ("Surgery", None),
        ("No prior penile implant", 2),
        ("No prior bilateral orchiectomy", 2),
    ]
    # a full sentence on its own line is a criterion, not a heading
    plain = parse_criteria("Age 18 or older.\n* Asthma\n")
    assert [c.parent for c in plain.criteria] == [None, None]
