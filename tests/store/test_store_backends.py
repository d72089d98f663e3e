"""The store contract on both backends (``store_url``: SQLite and a real PostgreSQL):
the raw record kept per study, newest version wins, the richer format of one version,
read-only stores, sentence vectors, site points."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.store import StoreError, open_store
from trialatlas.store.base import Store
from trialatlas.store.site_rows import NewPoint

SEED_JSON = sample_dir() / "NCT06001853.json"
SEED = json.loads(SEED_JSON.read_text())


def _study(nct: str, last_update: str, title: str, conditions: list[str]) -> dict:
    study = copy.deepcopy(SEED)
    ident = study["protocolSection"]["identificationModule"]
    ident["nctId"], ident["briefTitle"] = nct, title
    study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = last_update
    study["protocolSection"]["conditionsModule"]["conditions"] = conditions
    return study


def _jsonl(path: Path, *studies: dict) -> str:
    path.write_text("".join(json.dumps(s) + "\n" for s in studies))
    return str(path)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def test_raw_record_is_kept_and_the_same_input_changes_nothing(store: Store) -> None:
    first = ingest_paths(store, [str(SEED_JSON)])
    second = ingest_paths(store, [str(SEED_JSON)])
    assert first.line == "loaded 1, updated 0, unchanged 0, rejected 0"
    assert second.line == "loaded 0, updated 0, unchanged 1, rejected 0"
    raw = store.get_raw("NCT06001853")
    assert raw is not None and json.loads(raw.text) == SEED
    assert raw.format == "ctgov_v2" and len(raw.checksum) == 64
    study = store.get_study("NCT06001853")
    assert study is not None and study.nct_id == "NCT06001853"
    assert store.get_studies(["NCT06001853", "NCT00000000"]).keys() == {"NCT06001853"}
    assert store.count_studies() == 1
    assert [s.nct_id for s in store.iter_studies()] == ["NCT06001853"]
    assert store.latest_update_posted() == study.status.last_update_posted.value  # type: ignore[union-attr]
    assert store.get_study("NCT00000000") is None and store.get_raw("NCT00000000") is None


def test_newest_version_wins_and_replaces_every_row(store: Store, tmp_path: Path) -> None:
    old = _study("NCT09000001", "2025-01-10", "Zebrafish trial", ["Gout", "Asthma"])
    new = _study("NCT09000001", "2026-02-01", "Quokka trial", ["Only Condition"])
    assert ingest_paths(store, [_jsonl(tmp_path / "old.jsonl", old)]).loaded == 1
    updated = ingest_paths(store, [_jsonl(tmp_path / "new.jsonl", new)])
    assert updated.line == "loaded 0, updated 1, unchanged 0, rejected 0"
    study = store.get_study("NCT09000001")
    assert study is not None and study.title == "Quokka trial"
    assert study.conditions == ["Only Condition"]
    assert store.study_briefs(["NCT09000001"])["NCT09000001"].conditions == ("Only Condition",)
    again = ingest_paths(store, [str(tmp_path / "old.jsonl")])  # older: never overwrites
    assert (again.loaded, again.updated) == (0, 0)
    assert store.get_study("NCT09000001").title == "Quokka trial"  # type: ignore[union-attr]
    assert [h.nct_id for h in store.search_text("Zebrafish")] == []
    assert [h.nct_id for h in store.search_text("Quokka")] == ["NCT09000001"]
    assert store.term_document_counts("conditions", ["gout", "only condition"]) == {
        "gout": 0,
        "only condition": 1,
    }


def test_the_richer_format_of_one_version_is_kept(store: Store, tmp_path: Path) -> None:
    from tests.test_ingest import _sample_pair

    v2, xml = _sample_pair(tmp_path, "NCT00000410")
    first = ingest_paths(store, [xml, v2])
    assert (first.loaded, first.updated) == (1, 1)
    again = ingest_paths(store, [v2, xml])
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 2)
    stored = store.get_raw("NCT00000410")
    assert stored is not None and stored.format == "ctgov_v2"


def test_a_read_only_store_reads_and_refuses_writes(store_url: str, tmp_path: Path) -> None:
    writer = open_store(store_url)
    try:
        ingest_paths(writer, [str(SEED_JSON)])
    finally:
        writer.close()
    reader = open_store(store_url, read_only=True)
    try:
        assert reader.get_study("NCT06001853") is not None
        with pytest.raises(Exception, match="(?i)read.?only"):
            ingest_paths(
                reader,
                [_jsonl(tmp_path / "n.jsonl", _study("NCT09000002", "2026-01-01", "T", ["X"]))],
            )
        assert reader.count_studies() == 1
    finally:
        reader.close()


def test_vectors_round_trip_as_float16(store: Store, tmp_path: Path) -> None:
    ingest_paths(store, [str(SEED_JSON)])
    texts = [t for batch in store.iter_study_texts() for t in batch]
    assert [t.nct_id for t in texts] == ["NCT06001853"]
    assert texts[0].conditions and texts[0].interventions and texts[0].summary
    before = store.vectors_version("m")
    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    store.write_vectors("m", [("NCT06001853", "abc", vector), ("NCT09999999", "x", vector)])
    after = store.vectors_version("m")
    assert after != before
    assert store.vector_checksums("m") == {"NCT06001853": "abc", "NCT09999999": "x"}
    assert store.vector_models() == {"m": 2}
    batches = list(store.iter_vectors("m", batch=1))
    assert [ids for ids, _ in batches] == [["NCT06001853"], ["NCT09999999"]]
    got = batches[0][1]
    assert got.dtype == np.float32 and got.shape == (1, 384)
    assert np.array_equal(got[0], vector.astype(np.float16).astype(np.float32))
    assert store.delete_orphan_vectors() == 1  # NCT09999999 is not a stored study
    assert store.delete_vectors(["NCT06001853"]) == 1
    assert store.vector_models() == {} and store.vectors_version("m") != after


def test_site_points_are_placed_again_in_rows_and_documents(store: Store) -> None:
    from tests.conftest import seed_sources

    ingest_paths(store, seed_sources())
    sites = store.sites_to_place()
    assert sites
    first = next((s for s in sites if s.city), sites[0])
    store.save_site_points([NewPoint(first.nct_id, first.ordinal, 30.25, -81.5, "city")], version=7)
    assert store.site_placement_version() == 7
    study = store.get_study(first.nct_id)
    assert study is not None
    geo = study.locations[first.ordinal].geo
    assert geo is not None and (geo.lat, geo.lon, geo.precision) == (30.25, -81.5, "city")
    moved = [
        s for s in store.sites_to_place() if (s.nct_id, s.ordinal) == (first.nct_id, first.ordinal)
    ]
    assert moved and (moved[0].lat, moved[0].lon) == (30.25, -81.5)
    if first.city:
        towns = store.site_towns(30.25, -81.5, first.city.upper())
        assert [t.city for t in towns] == [first.city]


def test_an_unreachable_postgresql_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot connect to postgresql://127.0.0.1:1/nothing"):
        open_store("postgresql://someone:secret@127.0.0.1:1/nothing?connect_timeout=1")


def test_a_huge_description_is_stored_whole_and_found_by_its_words(
    store: Store, tmp_path: Path
) -> None:
    import random

    rng = random.Random(7)
    words = ["".join(rng.choice("bcdfghjklmnpqrstvwz") for _ in range(9)) for _ in range(400_000)]
    study = _study("NCT09000003", "2026-01-01", "Huge record", ["Rare Condition"])
    study["protocolSection"]["descriptionModule"]["detailedDescription"] = " ".join(words)
    assert ingest_paths(store, [_jsonl(tmp_path / "huge.jsonl", study)]).loaded == 1
    stored = store.get_study("NCT09000003")
    assert stored is not None and stored.detailed_description == " ".join(words)
    assert [h.nct_id for h in store.search_text(words[10])] == ["NCT09000003"]


def test_space_by_table_says_where_the_bytes_go(store: Store, tmp_path: Path) -> None:
    empty = dict(store.space_by_table())
    studies = [_study(f"NCT0900{i:04d}", "2024-01-01", f"Trial {i}", ["Asthma"]) for i in range(40)]
    for study in studies:
        study["protocolSection"]["descriptionModule"]["detailedDescription"] = "airway " * 2000
    ingest_paths(store, [_jsonl(tmp_path / "many.jsonl", *studies)])
    tables = store.space_by_table()
    sizes = [size for _, size in tables]
    assert sizes == sorted(sizes, reverse=True) and all(size > 0 for size in sizes)
    grown = {name for name, size in tables if size > empty.get(name, 0)}
    assert {"studies", "raw_records"} <= grown, tables


def test_a_brief_is_kept_with_its_study_and_replaced_with_it(store: Store, tmp_path: Path) -> None:
    old = _study("NCT09000201", "2024-01-01", "First title", ["Asthma"])
    new = _study("NCT09000201", "2025-01-01", "Second title", ["Gout"])
    ingest_paths(store, [_jsonl(tmp_path / "old.jsonl", old)])
    assert store.study_briefs(["NCT09000201"])["NCT09000201"].conditions == ("Asthma",)
    ingest_paths(store, [_jsonl(tmp_path / "new.jsonl", new)])
    brief = store.study_briefs(["NCT09000201", "NCT00000000"])
    assert list(brief) == ["NCT09000201"]
    assert brief["NCT09000201"].title == "Second title"
    assert brief["NCT09000201"].conditions == ("Gout",)
