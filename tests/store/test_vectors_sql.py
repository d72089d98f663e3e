"""Study vectors in SQLite (store/sqlite/vectors.py), on a real store built by ingest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from trialatlas.index.study_text import embedding_text, stored_embedding_text
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.store import open_store
from trialatlas.store.base import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED = "NCT06001853"


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "v.db"))
    ingest_paths(
        s, [str(sample_dir() / f"{SEED}.json"), str(FIXTURES / "v2"), str(FIXTURES / "xml")]
    )
    yield s
    s.close()


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=384).astype(np.float32)
    return v / np.linalg.norm(v)


def test_study_texts_give_the_same_text_as_the_study(store: Store) -> None:
    rows = [row for batch in store.iter_study_texts(batch=4) for row in batch]
    assert len(rows) == store.count_studies()
    assert [r.nct_id for r in rows] == sorted(r.nct_id for r in rows)
    studies = store.get_studies([r.nct_id for r in rows])
    for row in rows:
        assert stored_embedding_text(row) == embedding_text(studies[row.nct_id])
    seed = next(r for r in rows if r.nct_id == SEED)
    assert seed.conditions and seed.interventions and seed.summary


def test_study_texts_by_id_skip_unknown_ids(store: Store) -> None:
    batches = list(store.iter_study_texts([SEED, "NCT00000000"], batch=10))
    assert [[r.nct_id for r in b] for b in batches] == [[SEED]]


def test_vectors_round_trip_as_float16(store: Store) -> None:
    rows = [(SEED, "c1", _unit(1)), ("NCT00122499", "c2", _unit(2))]
    store.write_vectors("m", rows)
    assert store.vector_checksums("m") == {SEED: "c1", "NCT00122499": "c2"}
    assert store.vector_checksums("other") == {}
    assert store.vector_models() == {"m": 2}
    batches = list(store.iter_vectors("m", batch=1))
    assert [ids for ids, _ in batches] == [["NCT00122499"], [SEED]]
    got = np.vstack([data for _, data in batches])
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, np.vstack([_unit(2), _unit(1)]), atol=2e-3)


def test_a_new_vector_replaces_the_old_one_and_moves_the_version(store: Store) -> None:
    store.write_vectors("m", [(SEED, "c1", _unit(1))])
    before = store.vectors_version("m")
    store.write_vectors("m2", [(SEED, "c9", _unit(9))])
    assert store.vector_checksums("m") == {}
    assert store.vector_checksums("m2") == {SEED: "c9"}
    assert store.vectors_version("m") != before


def test_delete_vectors_and_orphans(store: Store) -> None:
    store.write_vectors(
        "m", [(SEED, "a", _unit(1)), ("NCT00122499", "b", _unit(2)), ("NCT99999999", "x", _unit(3))]
    )
    version = store.vectors_version("m")
    assert store.delete_orphan_vectors() == 1  # NCT99999999 is no study of the store
    assert store.vectors_version("m") != version
    assert store.delete_vectors([SEED, "NCT00000001"]) == 1
    assert store.vector_checksums("m") == {"NCT00122499": "b"}
    version = store.vectors_version("m")
    assert store.delete_orphan_vectors() == 0
    assert store.vectors_version("m") == version  # nothing dropped, nothing moved


def test_versions_differ_between_stores(tmp_path: Path) -> None:
    a, b = open_store(str(tmp_path / "a.db")), open_store(str(tmp_path / "b.db"))
    try:
        assert a.vectors_version("m") != b.vectors_version("m")
    finally:
        a.close()
        b.close()
