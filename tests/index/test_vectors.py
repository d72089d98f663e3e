"""Study vectors kept in the store and searched with faiss (index/vectors.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from trialatlas.cli.main import app
from trialatlas.index.embedding import DIM, embedder
from trialatlas.index.vectors import (
    VectorIndex,
    build_faiss_index,
    index_files,
    load_vector_index,
    update_vectors,
    vector_index_from_store,
)
from trialatlas.ingest import ingest_paths
from trialatlas.store import open_store
from trialatlas.store.base import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED = "NCT06001853"
TADALAFIL = "NCT00122499"  # a fixture study we edit


@pytest.fixture()
def db(seed_store_path: str, tmp_path: Path) -> str:
    """A private copy of the seed store (which ingest gave vectors)."""
    path = tmp_path / "seed.db"
    shutil.copy(seed_store_path, path)
    return str(path)


@pytest.fixture()
def store(db: str) -> Iterator[Store]:
    s = open_store(db)
    yield s
    s.close()


def _edited(tmp_path: Path, title: str | None = None, status: str | None = None) -> str:
    record = json.loads((FIXTURES / "v2" / f"{TADALAFIL}.json").read_text())
    proto = record["protocolSection"]
    if title is not None:
        proto["identificationModule"]["briefTitle"] = title
    if status is not None:
        proto["statusModule"]["overallStatus"] = status
    proto["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2030-01-01", "type": "ACTUAL"}
    path = tmp_path / f"{TADALAFIL}-edited.json"
    path.write_text(json.dumps(record))
    return str(path)


def test_ingested_store_has_a_vector_per_study(store: Store) -> None:
    model = embedder().model_id
    assert len(store.vector_checksums(model)) == store.count_studies()


def test_second_update_embeds_nothing(store: Store) -> None:
    again = update_vectors(store)
    assert (again.embedded, again.removed) == (0, 0)
    assert again.unchanged == store.count_studies()


def test_changed_text_re_embeds_that_study_only(store: Store, tmp_path: Path) -> None:
    before = load_vector_index(store, ":memory:").vector(TADALAFIL)
    summary = ingest_paths(store, [_edited(tmp_path, title="Sildenafil after prostate surgery")])
    assert summary.updated == 1
    progress: list[int] = []
    totals: list[int] = []
    update = update_vectors(store, on_progress=progress.append, on_total=totals.append)
    assert (update.embedded, update.removed) == (1, 0)
    assert totals == [1] and sum(progress) == 1
    after = load_vector_index(store, ":memory:").vector(TADALAFIL)
    assert before is not None and after is not None
    assert float(before @ after) < 0.999


def test_new_version_with_the_same_text_keeps_its_vector(store: Store, tmp_path: Path) -> None:
    assert ingest_paths(store, [_edited(tmp_path, status="TERMINATED")]).updated == 1
    assert update_vectors(store).embedded == 0


def test_vectors_of_removed_studies_are_dropped(store: Store) -> None:
    model = embedder().model_id
    store.write_vectors(model, [("NCT99999999", "gone", np.ones(DIM, dtype=np.float32) / DIM**0.5)])
    update = update_vectors(store)
    assert (update.removed, update.embedded) == (1, 0)
    assert "NCT99999999" not in store.vector_checksums(model)


def test_rebuild_embeds_every_study(store: Store) -> None:
    assert update_vectors(store, rebuild=True).embedded == store.count_studies()


def test_search_by_id_excludes_itself_and_ranks_by_cosine(store: Store) -> None:
    index = vector_index_from_store(store)
    assert index.kind == "flat" and index.size == store.count_studies()
    hits = index.search_by_id(SEED, 5)
    assert len(hits) == 5 and SEED not in [h[0] for h in hits]
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    seed_vec = index.vector(SEED)
    assert seed_vec is not None
    first_id, first_score = hits[0]
    first_vec = index.vector(first_id)
    assert first_vec is not None
    assert abs(float(seed_vec @ first_vec) - first_score) < 1e-4
    assert index.search(seed_vec, 1)[0][0] == SEED
    assert index.search_by_id("NCT00000000", 5) == []


def test_a_query_text_finds_the_matching_trial(store: Store) -> None:
    index = vector_index_from_store(store)
    query = embedder().encode(["bone marrow stem cell injection for chronic low back pain"])[0]
    assert SEED in [nct for nct, _ in index.search(query, 3)]


def test_hnsw_agrees_with_the_exact_index() -> None:
    rng = np.random.default_rng(7)
    data = rng.normal(size=(600, 32)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    ids = [f"NCT{i:08d}" for i in range(len(data))]
    exact = VectorIndex(ids, build_faiss_index(data, hnsw=False), "m")
    approx = VectorIndex(ids, build_faiss_index(data, hnsw=True), "m")
    assert (exact.kind, approx.kind) == ("flat", "hnsw")
    overlap = [
        len({n for n, _ in exact.search_by_id(i, 10)} & {n for n, _ in approx.search_by_id(i, 10)})
        for i in ids[:100]
    ]
    assert np.mean(overlap) >= 9.0
    assert approx.search_by_id(ids[0], 3)[0][0] != ids[0]


def test_saved_index_is_reused_until_the_vectors_change(
    store: Store, db: str, tmp_path: Path
) -> None:
    files = index_files(db)
    assert files is not None and files.index.name == "seed.vectors.faiss"
    first = load_vector_index(store, db)
    assert files.index.is_file() and files.meta.is_file()
    stamp = files.index.stat().st_mtime_ns
    again = load_vector_index(store, db)
    assert files.index.stat().st_mtime_ns == stamp  # read back, not rebuilt
    assert again.ids == first.ids
    assert again.search_by_id(SEED, 5) == pytest.approx(first.search_by_id(SEED, 5))

    ingest_paths(store, [_edited(tmp_path, title="Vardenafil for erectile dysfunction")])
    update_vectors(store)
    changed = load_vector_index(store, db)
    assert files.meta.read_bytes() != b"" and files.index.stat().st_mtime_ns != stamp
    vec = changed.vector(TADALAFIL)
    old = first.vector(TADALAFIL)
    assert vec is not None and old is not None and float(vec @ old) < 0.999


def test_saved_index_kind_follows_the_request(store: Store, db: str) -> None:
    assert load_vector_index(store, db, hnsw=True).kind == "hnsw"
    assert load_vector_index(store, db, hnsw=False).kind == "flat"


def test_postgres_urls_get_an_in_memory_index(store: Store) -> None:
    assert index_files("postgresql://u@h/db") is None
    index = load_vector_index(store, "postgresql://u@h/db")
    assert index.size == store.count_studies()


def test_a_store_without_vectors_gives_an_empty_index(tmp_path: Path) -> None:
    empty = open_store(str(tmp_path / "empty.db"))
    try:
        index = load_vector_index(empty, str(tmp_path / "empty.db"))
    finally:
        empty.close()
    assert (index.size, index.kind) == (0, "empty")
    assert index.search(np.ones(DIM, dtype=np.float32), 5) == []


def test_index_command_recomputes_and_saves(db: str) -> None:
    result = CliRunner().invoke(app, ["index", "--db", db, "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("indexed ")
    s = open_store(db)
    try:
        count = s.count_studies()
    finally:
        s.close()
    assert f"indexed {count} studies (flat), embedded {count}, removed 0" in lines[0]
    files = index_files(db)
    assert files is not None and files.index.is_file()


def test_index_command_without_a_store_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["index", "--db", str(tmp_path / "none.db"), "--quiet"])
    assert result.exit_code == 2


def test_the_app_loads_the_index_once(db: str) -> None:
    from trialatlas.settings import Settings
    from trialatlas.web.app import create_app

    state = create_app(Settings(db_url=db)).state.trialatlas
    try:
        first = state.vector_index()
        assert first.size > 0 and state.vector_index() is first
    finally:
        state.close()


def test_the_app_reloads_the_index_after_an_ingest_changed_the_vectors(
    db: str, tmp_path: Path
) -> None:
    from trialatlas.settings import Settings
    from trialatlas.web.app import create_app

    state = create_app(Settings(db_url=db)).state.trialatlas
    try:
        first = state.vector_index()
        before = first.vector(TADALAFIL)
        writer = open_store(db)
        try:
            ingest_paths(writer, [_edited(tmp_path, title="Sildenafil after prostate surgery")])
            assert update_vectors(writer).embedded == 1
        finally:
            writer.close()
        assert state.vector_index() is first  # not looked at again before the recheck time
        state._index_checked_at = 0.0  # the recheck time has come
        second = state.vector_index()
        assert second is not first
        after = second.vector(TADALAFIL)
        assert before is not None and after is not None and float(before @ after) < 0.999
        state._index_checked_at = 0.0  # nothing changed since: the same index stays
        assert state.vector_index() is second
    finally:
        state.close()
