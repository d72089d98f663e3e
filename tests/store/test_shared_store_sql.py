"""The store logic both backends share (store/search_filters.py, listing_sql.py, geo_sql.py,
related_terms.py, vector_rows.py, upsert_sql.py), in each backend's spelling, without a
database (the backends run it against real SQLite and PostgreSQL in test_backend_parity)."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pytest

from trialatlas.model.search import SearchQuery, SiteTown
from trialatlas.store.base import StudyText
from trialatlas.store.geo_sql import town_test, within_first
from trialatlas.store.listing import GeoCircle, StudyListQuery, StudySort
from trialatlas.store.listing_sql import ListingSql
from trialatlas.store.postgres import listing as pg_listing
from trialatlas.store.postgres.search_filters import filter_clauses as pg_filters
from trialatlas.store.postgres.sql_text import Params as PgParams
from trialatlas.store.related_terms import neighbours_by_idf, term_cap, term_counts
from trialatlas.store.sqlite import ctgov_api
from trialatlas.store.sqlite.search_filters import filter_clauses as lite_filters
from trialatlas.store.sqlite.sql_text import Params as LiteParams
from trialatlas.store.upsert_sql import upsert_sql
from trialatlas.store.vector_rows import read_batch, stored_rows, study_text_batches

EVERY_FILTER = SearchQuery(
    text="NCT01234567, NCT07654321", status=["RECRUITING", "COMPLETED"], phase=["PHASE1"],
    study_type="INTERVENTIONAL", sponsor="50%_off", sponsor_class="NIH", age_years=30,
    sex="FEMALE", healthy_volunteers=True, has_results=False, country="France",
    start_from=date(2020, 1, 1), updated_to=date(2024, 6, 30),
)  # fmt: skip


def test_both_backends_filter_with_the_same_tests_and_values() -> None:
    lite, pg = LiteParams(), PgParams()
    lite_where, pg_where = lite_filters(EVERY_FILTER, lite), pg_filters(EVERY_FILTER, pg)
    assert len(lite_where) == len(pg_where) == 14
    # the same values, in the same order; a list is one parameter per value in SQLite
    # and one array parameter in PostgreSQL
    flat = [
        v for value in pg.values.values() for v in (value if isinstance(value, list) else [value])
    ]
    assert list(lite.values.values()) == flat
    assert "50\\%\\_off%" in flat and "2020" in flat  # LIKE wildcards escaped; 1 Jan: the year
    assert any(w.startswith("s.overall_status IN (:status") for w in lite_where)
    assert any(w.startswith("s.overall_status = ANY(%(status") for w in pg_where)
    phase_lite = next(w for w in lite_where if "phases" in w)
    phase_pg = next(w for w in pg_where if "phases" in w)
    assert "instr(s.phases" in phase_lite and "strpos(s.phases" in phase_pg
    assert " LIKE :sponsor" in lite_where[-3] and " ILIKE %(sponsor" in pg_where[-3]
    assert "COLLATE NOCASE" in lite_where[-2] and "lower(lc.country)" in pg_where[-2]
    assert lite_where[-1].startswith("s.nct_id IN (") and pg_where[-1].startswith("s.nct_id = ANY(")


def test_the_driver_filter_is_left_out() -> None:
    assert not any(
        "sponsors" in w for w in lite_filters(EVERY_FILTER, LiteParams(), driver="sponsor")
    )
    assert not any(
        "locations" in w for w in lite_filters(EVERY_FILTER, LiteParams(), driver="country")
    )


def test_town_tests_say_false_in_each_dialect() -> None:
    assert town_test([], LiteParams()) == "0" and town_test([], PgParams()) == "FALSE"
    p = PgParams()
    towns = [SiteTown(city="Jacksonville", state="Florida", country="United States")]
    assert within_first("d", None, towns, p) == "" and not p.values
    first = within_first("d", 50.0, towns, p)
    assert first.startswith("(d <= %(radius0)s OR (geo_precision = 'city'") and first.endswith(
        " DESC, "
    )
    assert list(p.values.values()) == [50.0, "Jacksonville", "Florida", "United States"]


@pytest.mark.parametrize(
    "backend", [ctgov_api.LISTING, pg_listing.LISTING], ids=["sqlite", "postgres"]
)
def test_a_listing_page_keeps_its_keyset_and_every_filter(backend: ListingSql) -> None:
    query = StudyListQuery(
        spons_words=("mayo",), any_ids=("nct00000001",), statuses=("RECRUITING",),
        phases=("PHASE2",), age_groups=("CHILD",), has_results=True,
        geo=GeoCircle(30.3, -81.6, 50.0),
        sort=(StudySort("enrollment_count", descending=False),),
    )  # fmt: skip
    sql, params, width = backend.page_sql(query, ("100", "NCT00000001"), 11, ["NCT00000001"])
    assert width == 2
    assert sql.startswith("SELECT * FROM (SELECT s.nct_id AS nct_id, coalesce(s.enrollment_count,")
    assert " ORDER BY k0 ASC, k1 ASC LIMIT " in sql
    assert " WHERE ((k0 > " in sql and " OR (k0 = " in sql  # strictly after the last row
    values = list(params.values())
    assert values[0] == "%mayo%" and values[-1] == 11
    assert "(s.min_age_days IS NULL OR s.min_age_days < 6574)" in sql
    with pytest.raises(ValueError, match="cursor does not match"):
        backend.page_sql(query, ("100",), 11)


def test_sqlite_listing_reads_lists_as_json_and_postgres_as_arrays() -> None:
    query = StudyListQuery(any_ids=("nct00000001",), statuses=("RECRUITING", "COMPLETED"))
    lite_sql, lite_params, _ = ctgov_api.LISTING.page_sql(query)
    pg_sql, pg_params, _ = pg_listing.LISTING.page_sql(query)
    assert json.loads(lite_params["any_ids0"]) == pg_params["any_ids0"] == ["NCT00000001"]
    assert lite_sql.count("json_each(:any_ids0)") == 2 and pg_sql.count("ANY(%(any_ids0)s)") == 2
    assert json.loads(lite_params["in1"]) == pg_params["in1"] == ["RECRUITING", "COMPLETED"]


def test_neighbours_weigh_shared_terms_by_rarity() -> None:
    holders = {
        ("condition_mesh", "Rare"): ["NCT1", "NCT2"],
        ("condition_mesh", "Common"): ["NCT1", "NCT2", "NCT3", "NCT4"],
        ("intervention_names", "Alone"): ["NCT1"],
        ("intervention_names", "Everywhere"): [f"NCT{i}" for i in range(60)],
    }
    own = {"condition_mesh": ["Rare", "Common"], "intervention_names": ["Alone", "Everywhere"]}
    found = neighbours_by_idf("NCT1", own, 1000, 10, lambda f, t: holders[(f, t)])
    assert term_cap(1000) == 50  # "Everywhere" (60 trials) is not followed, "Alone" says nothing
    assert found == [
        ("NCT2", round(math.log(1000 / 2) + math.log(1000 / 4), 4)),
        ("NCT3", round(math.log(1000 / 4), 4)),
        ("NCT4", round(math.log(1000 / 4), 4)),
    ]
    assert neighbours_by_idf("NCT1", own, 1000, 1, lambda f, t: holders[(f, t)]) == found[:1]


def test_term_counts_by_field() -> None:
    seen: list[list[str]] = []

    def all_words(words: list[str]) -> int:
        seen.append(words)
        return 7

    assert term_counts("condition_mesh", ["A", "A", "B"], len, all_words) == {"A": 1, "B": 1}
    assert term_counts("conditions", ["Heart attack", "!!"], len, all_words) == {
        "Heart attack": 7, "!!": 0,
    }  # fmt: skip
    assert seen == [["heart", "attack"]]
    with pytest.raises(ValueError, match="no such term field"):
        term_counts("sponsors", ["x"], len, all_words)


def test_study_text_batches_keep_the_asked_order_and_page_by_nct_id() -> None:
    texts = {n: StudyText(n, f"title {n}", None) for n in ("NCT1", "NCT2", "NCT3")}
    asked = list(
        study_text_batches(
            ["NCT3", "NCT9", "NCT1"],
            2,
            lambda ids: [texts[i] for i in sorted(ids) if i in texts],
            lambda a, n: [],
        )
    )
    assert [[t.nct_id for t in b] for b in asked] == [["NCT3"], ["NCT1"]]
    ordered = sorted(texts)

    def after(last: str, n: int) -> list[StudyText]:
        return [texts[i] for i in ordered if i > last][:n]

    walked = list(study_text_batches(None, 2, lambda ids: [], after))
    assert [[t.nct_id for t in b] for b in walked] == [["NCT1", "NCT2"], ["NCT3"]]


def test_vectors_are_stored_as_float16_and_read_as_float32() -> None:
    vectors = np.array([[0.5, -1.0, 0.25], [1.0, 0.0, 2.0]], dtype=np.float32)
    rows = stored_rows("m", [("NCT1", "c1", vectors[0]), ("NCT2", "c2", vectors[1])])
    assert [r[:3] for r in rows] == [("NCT1", "m", "c1"), ("NCT2", "m", "c2")]
    assert len(rows[0][3]) == 6  # three float16s
    ids, read = read_batch([(r[0], r[3]) for r in rows])
    assert ids == ["NCT1", "NCT2"] and read.dtype == np.float32
    assert np.array_equal(read, vectors)


def test_upserts_replace_every_column_but_the_key() -> None:
    assert upsert_sql("study_briefs", ("nct_id", "brief"), "%s") == (
        "INSERT INTO study_briefs (nct_id, brief) VALUES (%s, %s)"
        " ON CONFLICT (nct_id) DO UPDATE SET brief = excluded.brief"
    )
    assert upsert_sql("t", ("nct_id", "a", "b"), "?").endswith("SET a = excluded.a, b = excluded.b")
