"""A trial's related-trial candidate lists (BM25 over its treatment names, its
neighbours by shared terms) are kept while the store generation stays: the patient
page, the registry page and the JSON of one trial ask for them again."""

from __future__ import annotations

import shutil
from pathlib import Path

from trialatlas.ingest import ingest_paths
from trialatlas.store import open_store

FIXTURES = Path(__file__).parents[1] / "fixtures"
TERMS = ["cancer", "stem cell", "vaccine"]
COLUMNS = ("title", "interventions")


def _statements(store: object) -> list[str]:
    seen: list[str] = []
    store._conn().set_trace_callback(seen.append)  # type: ignore[attr-defined]
    return seen


def test_remembered_lists_are_read_once_per_generation(
    seed_store_path: str, tmp_path: Path
) -> None:
    db = str(tmp_path / "ranked.db")
    shutil.copy(seed_store_path, db)
    store = open_store(db)
    try:
        plain = store.rank_text(TERMS, 50, columns=COLUMNS)
        trial, neighbours = next(
            (n, found) for n in store.iter_nct_ids() if (found := store.term_neighbours(n, 50))
        )
        assert plain and neighbours
        first = store.rank_text(TERMS, 50, columns=COLUMNS, remember=True)
        assert first == plain
        seen = _statements(store)
        again = store.rank_text(TERMS, 50, columns=COLUMNS, remember=True)
        assert again == plain
        assert store.term_neighbours(trial, 50) == neighbours
        assert not [s for s in seen if "studies_fts" in s or "MATCH" in s]
        again.clear()  # a caller's copy: the kept list is not changed
        assert store.rank_text(TERMS, 50, columns=COLUMNS, remember=True) == plain

        seen.clear()  # without remember (a patient's words): always asked of the index
        assert store.rank_text(TERMS, 50, columns=COLUMNS) == plain
        assert any("MATCH" in s for s in seen)
    finally:
        store.close()


def test_a_write_moves_the_generation_and_the_lists_are_read_again(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "growing.db"))
    try:
        ingest_paths(store, [str(FIXTURES / "v2")])
        before = store.rank_text(["cancer"], 1000, remember=True)
        ingest_paths(store, [str(FIXTURES / "xml")])  # more trials that hold the word
        after = store.rank_text(["cancer"], 1000, remember=True)
        assert after == store.rank_text(["cancer"], 1000)
        assert after != before  # the new trials change every hit's BM25
    finally:
        store.close()
