"""The search SQL builder and page cursors, without a database."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialatlas.model.search import GeoPoint, InvalidCursor, SearchQuery
from trialatlas.store.search_cursor import Cursor, decode_cursor, encode_cursor, query_fingerprint
from trialatlas.store.sqlite.search_filters import lower_date_key, match_expression, nct_ids_in
from trialatlas.store.sqlite.search_sql import build_countries, build_counts, build_page

HOSTILE = "x'); DROP TABLE studies; -- \" NEAR( {title}: *"


def _all_sql(query: SearchQuery) -> list[str]:
    cursor = Cursor(query.effective_sort, "all", "2020-01-01", "NCT00000001", "f")
    built = [
        build_counts(query, "all"),
        build_page(query, "all", None, 21),
        build_page(query, "all", cursor, 21),
        build_countries(query, "all", None),
        build_countries(query, "all", ["NCT00000001"]),
    ]
    return [b.text for b in built if b is not None]


def test_user_values_are_parameters_never_sql() -> None:
    query = SearchQuery(
        text=HOSTILE, condition=HOSTILE, intervention=HOSTILE, sponsor=HOSTILE, country=HOSTILE,
        status=["RECRUITING"], phase=["2"], age_years=30, sex="FEMALE", start_from=date(2020, 1, 1),
        near=GeoPoint(lat=30.3, lon=-81.6), radius_km=50, sort="last_update",
    )  # fmt: skip
    texts = _all_sql(query)
    assert texts
    for text in texts:
        assert "DROP" not in text and "RECRUITING" not in text and "FEMALE" not in text
        conn = sqlite3.connect(":memory:")
        with pytest.raises(sqlite3.OperationalError, match="no such"):  # parses; no tables here
            conn.execute(text, {})


@given(st.text(max_size=200))
def test_any_text_makes_a_quoted_match_expression(text: str) -> None:
    expression = match_expression(SearchQuery(text=text, condition=text), "all")
    if expression:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, conditions, interventions)")
        conn.execute("INSERT INTO t VALUES ('a', 'b', 'c')")
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_match_expression_parts() -> None:
    assert match_expression(SearchQuery(), "all") is None
    assert match_expression(SearchQuery(text="***"), "all") == ""  # words asked, none usable
    assert match_expression(SearchQuery(text="low back"), "any") == '"low" OR "back"'
    both = match_expression(SearchQuery(text="pain", condition="back pain"), "all")
    assert both == '("pain") AND ({conditions} : ("back" AND "pain"))'
    assert match_expression(SearchQuery(text="NCT06001853"), "all") is None  # an ID, not words


def test_nct_ids_in_text() -> None:
    assert nct_ids_in("nct06001853, NCT00000102") == ["NCT06001853", "NCT00000102"]
    assert nct_ids_in("NCT06001853 pain") == []


@pytest.mark.parametrize(
    ("day", "key"),
    [(date(2015, 1, 1), "2015"), (date(2015, 8, 1), "2015-08"), (date(2015, 8, 3), "2015-08-03")],
)
def test_lower_date_key_keeps_partial_dates_that_start_on_the_day(day: date, key: str) -> None:
    assert lower_date_key(day) == key
    # every partial date whose first day is on or after ``day`` sorts at or after the key
    assert (key <= "2015-08") == (date(2015, 8, 1) >= day)
    assert (key <= "2015") == (date(2015, 1, 1) >= day)


def test_relevance_without_words_is_refused_and_nearest_needs_a_point() -> None:
    with pytest.raises(ValueError):
        build_page(SearchQuery(sort="nearest"), "all", None, 10)
    assert "bm25" in build_page(SearchQuery(text="pain"), "all", None, 10).text  # type: ignore[union-attr]
    assert "bm25" not in build_counts(SearchQuery(text="pain"), "all").text  # type: ignore[union-attr]


def test_geo_search_reads_quarter_degree_bands_across_the_antimeridian() -> None:
    sql = build_page(
        SearchQuery(near=GeoPoint(lat=-17.7, lon=179.9), radius_km=100), "all", None, 5
    )
    assert sql is not None
    assert "l.lon >= :min_lon" in sql.text and "OR l.lon <= :max_lon" in sql.text
    cells = [v for k, v in sql.params.items() if k.startswith("cell")]
    assert cells == list(range(min(cells), max(cells) + 1)) and len(cells) >= 4


def test_cursor_round_trip_and_binding_to_its_search() -> None:
    query = SearchQuery(text="pain", status=["RECRUITING"])
    cursor = Cursor("relevance", "any", -3.25, "NCT01234567", query_fingerprint(query))
    text = encode_cursor(cursor)
    assert decode_cursor(text, query.model_copy(update={"cursor": text, "page_size": 5})) == cursor
    with pytest.raises(InvalidCursor):
        decode_cursor(text, SearchQuery(text="pain"))
    with pytest.raises(InvalidCursor):
        decode_cursor(text[:-3], query)
    with pytest.raises(InvalidCursor):
        decode_cursor("!!!", query)


def test_stopwords_are_not_required_unless_alone() -> None:
    from trialatlas.store.fts_query import fts_match

    assert fts_match("children with asthma") == '"children" AND "asthma"'
    assert fts_match("Pain after the surgery", "any") == '"pain" OR "after" OR "surgery"'
    assert fts_match("to be or not") == '"not"'
    assert fts_match("the and of") == '"the" AND "and" AND "of"'  # nothing else: kept
