"""Token matcher behind every vocabulary: keys, longest match, prefixes."""

from __future__ import annotations

from trialatlas.features.criteria.lexicon import PhraseMatcher, term_key, tokenize


def test_keys_fold_case_hyphens_and_plurals() -> None:
    assert term_key("Anti-inflammatory agents") == term_key("anti inflammatory agent")
    assert term_key("allergies") == term_key("allergy")
    assert term_key("diagnosis") == ("diagnosis",)  # "-is" is not a plural


def test_longest_match_wins_and_offsets_index_the_text() -> None:
    matcher = PhraseMatcher([("kidney disease", "a"), ("chronic kidney disease", "b")])
    text = "Known chronic kidney disease."
    hits = list(matcher.find(tokenize(text)))
    assert [(text[h.start : h.end], h.payload) for h in hits] == [("chronic kidney disease", "b")]


def test_find_all_reports_a_match_at_every_start() -> None:
    matcher = PhraseMatcher([("kidney disease", "a"), ("chronic kidney disease", "b")])
    text = "chronic kidney disease"
    found = [(text[m.start : m.end], m.payload) for m in matcher.find_all(tokenize(text))]
    assert found == [("chronic kidney disease", "b"), ("kidney disease", "a")]


def test_a_prefix_alone_is_not_a_match() -> None:
    matcher = PhraseMatcher([("beta blockers", "drug")])
    assert list(matcher.find(tokenize("beta thalassemia"))) == []
    assert "beta" not in matcher


def test_matcher_from_prebuilt_keys_and_discard() -> None:
    matcher = PhraseMatcher.from_keys({"sodium chloride": 1, "iron": 2, "warfarin": 3})
    text = "sodium chloride or iron or warfarin"
    assert [m.payload for m in matcher.find(tokenize(text))] == [1, 2, 3]
    matcher.discard("iron")
    assert [m.payload for m in matcher.find(tokenize(text))] == [1, 3]
    assert matcher.get("Warfarin") == 3
