"""Registry criteria text → nested outline (registry markdown, legacy XML layout, numbered lists)."""

from __future__ import annotations

import json

from trialatlas.features.criteria_text import (
    OutlineList,
    Paragraph,
    criteria_outline,
    outline_text,
    text_blocks,
    unescape_registry,
)
from trialatlas.sample import sample_dir


def only_list(blocks: list) -> OutlineList:
    assert len(blocks) == 1 and isinstance(blocks[0], OutlineList), blocks
    return blocks[0]


def test_registry_markdown_with_sub_bullets() -> None:
    text = (
        "Inclusion Criteria:\n\n"
        "* Adults\n"
        "* Chronic pain defined as:\n\n"
        "  * pain for 6 months;\n"
        "  * failed care.\n"
        "* Consent\n\n"
        "Exclusion Criteria:\n\n"
        "* Pregnancy\n"
    )
    inclusion, exclusion = criteria_outline(text)
    assert (inclusion.kind, inclusion.heading) == ("inclusion", "Inclusion Criteria")
    assert (exclusion.kind, exclusion.heading) == ("exclusion", "Exclusion Criteria")
    items = only_list(inclusion.blocks).items
    assert [i.text for i in items] == ["Adults", "Chronic pain defined as:", "Consent"]
    nested = only_list(items[1].children)
    assert not nested.ordered
    assert [i.text for i in nested.items] == ["pain for 6 months;", "failed care."]
    assert [i.text for i in only_list(exclusion.blocks).items] == ["Pregnancy"]


def test_escapes_are_removed_after_markers_are_read() -> None:
    text = "* MED of \\> 50mg/day\n* score 5\\~22\n\\* not a bullet"
    (section,) = criteria_outline(text)
    items = only_list(section.blocks).items
    assert [i.text for i in items] == ["MED of > 50mg/day", "score 5~22 * not a bullet"]
    assert unescape_registry("a \\< b \\_c\\_") == "a < b _c_"


def test_legacy_xml_layout_with_wrapped_lines_and_sub_bullets() -> None:
    text = (
        "\r\n        Inclusion Criteria:\r\n\r\n"
        "          -  Patients are required to meet the criteria of the American College of\r\n"
        "             Rheumatology.\r\n\r\n"
        "          -  Laboratory values:\r\n\r\n"
        "               -  Hematocrit greater than or equal to 30%\r\n\r\n"
        "               -  Platelet count greater than 100,000\r\n\r\n"
        "        Exclusion Criteria:\r\n\r\n"
        "          -  Pregnancy.\r\n      "
    )
    inclusion, exclusion = criteria_outline(text)
    items = only_list(inclusion.blocks).items
    assert items[0].text == (
        "Patients are required to meet the criteria of the American College of Rheumatology."
    )
    assert items[1].text == "Laboratory values:"
    assert [i.text for i in only_list(items[1].children).items] == [
        "Hematocrit greater than or equal to 30%",
        "Platelet count greater than 100,000",
    ]
    assert [i.text for i in only_list(exclusion.blocks).items] == ["Pregnancy."]


def test_numbered_lists_keep_their_markers_and_nest_bullets() -> None:
    text = (
        "INCLUSION CRITERIA:\n\n"
        "  1. Diagnosis of IBD\n\n"
        "  2. Lab values:\n\n"
        "       -  Hematocrit >= 30%\n\n"
        "  3. Consent\n"
    )
    (section,) = criteria_outline(text)
    assert section.heading == "Inclusion Criteria"
    numbered = only_list(section.blocks)
    assert numbered.ordered
    assert [i.marker for i in numbered.items] == ["1.", "2.", "3."]
    assert [i.text for i in only_list(numbered.items[1].children).items] == ["Hematocrit >= 30%"]


def test_lettered_items_and_paragraphs_inside_a_section() -> None:
    text = "Exclusion criteria:\n\nPatients with any of:\n\na) heart failure\nb) stroke\n"
    (section,) = criteria_outline(text)
    assert section.kind == "exclusion"
    paragraph, letters = section.blocks
    assert isinstance(paragraph, Paragraph) and paragraph.text == "Patients with any of:"
    assert isinstance(letters, OutlineList) and letters.ordered
    assert [(i.marker, i.text) for i in letters.items] == [
        ("a)", "heart failure"),
        ("b)", "stroke"),
    ]


def test_text_without_headers_is_one_criteria_section() -> None:
    text = (
        "Men and women, ages 45 to 69, with mild hypertension (diastolic blood pressure\n"
        "of 90-99 mm Hg)."
    )
    (section,) = criteria_outline(text)
    assert (section.kind, section.heading) == ("criteria", None)
    (paragraph,) = section.blocks
    assert isinstance(paragraph, Paragraph)
    assert paragraph.text.endswith("(diastolic blood pressure of 90-99 mm Hg).")


def test_qualified_headers_and_sentences_that_are_not_headers() -> None:
    text = (
        "Key inclusion criteria for part A:\n* one\n\n"
        "Exclusion criteria include patients with severe disease\n\n"
        "Inclusion Criteria: Age over 18\n"
    )
    first, second = criteria_outline(text)
    assert (first.kind, first.heading) == ("inclusion", "Key inclusion criteria for part A")
    assert isinstance(first.blocks[1], Paragraph)
    assert first.blocks[1].text == "Exclusion criteria include patients with severe disease"
    assert (second.kind, second.heading) == ("inclusion", "Inclusion Criteria")
    assert second.blocks == [Paragraph(text="Age over 18")]


def test_empty_and_missing_text() -> None:
    assert criteria_outline(None) == []
    assert criteria_outline("   \n\n") == []
    assert text_blocks(None) == []


def test_summary_paragraphs_and_lists() -> None:
    blocks = text_blocks("First paragraph\nwrapped.\n\nSecond:\n\n* a\n* b")
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Paragraph", "OutlineList"]
    assert outline_text(blocks) == ["First paragraph wrapped.", "Second:", "a", "b"]


def test_seed_trial_criteria_outline() -> None:
    record = json.loads((sample_dir() / "NCT06001853.json").read_text(encoding="utf-8"))
    text = record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    inclusion, exclusion = criteria_outline(text)
    top = only_list(inclusion.blocks).items
    assert len(top) == 7
    chronic = top[3]
    assert chronic.text == "Chronic low back pain is defined as the following:"
    assert len(only_list(chronic.children).items) == 5
    excl = only_list(exclusion.blocks).items
    assert len(excl) == 25
    assert [i.text for i in only_list(excl[4].children).items][-1] == "NSAIDs."
    assert len(outline_text(inclusion.blocks)) == 12


def test_a_blank_line_inside_a_wrapped_sentence_does_not_split_the_item() -> None:
    text = (
        "          1. Patients with a verifiable diagnosis supported by consistent histopathologic\n"
        "             mucosal\n\n"
        "             changes OR\n\n"
        "          2. Patients with clinical features.\n\n"
        "             Second paragraph of item two.\n"
    )
    (section,) = criteria_outline(text)
    first, second = only_list(section.blocks).items
    assert first.text.endswith("histopathologic mucosal changes OR")
    assert first.children == []
    assert second.children == [Paragraph(text="Second paragraph of item two.")]
