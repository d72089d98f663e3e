"""The Essie search syntax of ``/api/v2/studies`` (``trialatlas.store.essie_query``):
AND / OR / NOT, phrases and parentheses become quoted FTS5; the rest is refused.
The same through the real HTTP client: ``test_ctgov_v2_api.py``."""

from __future__ import annotations

import pytest

from trialatlas.store.essie_query import EssieError, essie_fts, parse_essie

# -- the parser, without a database ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "required", "excluded"),
    [
        ("cancer OR diabetes", ['("cancer" OR "diabetes")'], []),
        ("heart attack NOT stroke", ['"heart"', '"attack"'], ['"stroke"']),
        ("heart AND attack AND NOT stroke", ['"heart"', '"attack"'], ['"stroke"']),
        ('"heart attack" OR stroke', ['("heart attack" OR "stroke")'], []),
        ("(a OR b) c", ['("a" OR "b")', '"c"'], []),
        ("a OR b c", ['("a" OR ("b" AND "c"))'], []),  # AND binds tighter than OR
        ("(a NOT b) OR c", ['(("a") NOT ("b") OR "c")'], []),
        ("NOT cancer", [], ['"cancer"']),
        ("NOT NOT cancer", ['"cancer"'], []),
        ("cancer or diabetes", ['"cancer"', '"diabetes"'], []),  # lower case: words
        ("children with asthma", ['"children"', '"asthma"'], []),  # stopword left out
        ("covid-19", ['"covid"', '"19"'], []),
        ('x NEAR(y*) "z^2" {title}:w', ['"x"', '"near"', '"y"', '"z 2"', '"title"', '"w"'], []),
    ],
)
def test_expressions_become_quoted_fts(text: str, required: list[str], excluded: list[str]) -> None:
    parts = essie_fts(text)
    assert parts is not None
    assert list(parts.required) == required
    assert list(parts.excluded) == excluded


def test_column_scope_wraps_each_part() -> None:
    parts = essie_fts("a NOT b", "{title}")
    assert parts is not None
    assert parts.required == ('{title} : ("a")',) and parts.excluded == ('{title} : ("b")',)


@pytest.mark.parametrize("text", ["%", "_", '"', "(((", "()", '""', "-- !!"])
def test_text_without_words_is_no_expression(text: str) -> None:
    assert parse_essie(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("AREA[Phase]PHASE2", "`AREA[Phase]`"),
        ("cancer AND SEARCH[Location](AREA[LocationCity]Portland)", "`SEARCH[Location]`"),
        ("EXPANSION[Concept]heart attack", "`EXPANSION[Concept]`"),
        ("COVERAGE[FullMatch]pain", "`COVERAGE[FullMatch]`"),
        ("AREA[StartDate]RANGE[2020-01-01, MAX]", "`AREA[StartDate]`"),
        ("RANGE[1, 5]", "`RANGE[...]`"),  # text, not a field name: not repeated
        ("lung MISSING", "`MISSING`"),
        ("TILDE[x]", "`TILDE[x]`"),
        ("cancer ~ pain", "TILDE"),
        ("cancer AND", "after `AND`"),
        ("OR cancer", "`OR`"),
        ("cancer OR OR pain", "after `OR`"),
        ("NOT", "no search term"),
        ("(cancer", "parenthesis is not closed"),
        ("cancer)", "`)` without a matching `(`"),
        ('"heart attack', "quotation mark is not closed"),
        ("cancer OR NOT pain", "NOT inside OR"),
        ("cancer ()", "empty parentheses"),
        ("(" * 30 + "x" + ")" * 30, "nested too deeply"),
    ],
)
def test_refused_expressions(text: str, message: str) -> None:
    with pytest.raises(EssieError) as info:
        essie_fts(text)
    assert message in str(info.value)
