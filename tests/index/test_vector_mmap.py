"""The saved vector index is memory-mapped, so the server's workers share one copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from trialatlas.index.vectors import index_files, load_vector_index, vector_index_from_store
from trialatlas.store import open_store


def _mapped_files() -> set[str]:
    return {
        line.split(maxsplit=5)[5].strip()
        for line in Path("/proc/self/maps").read_text().splitlines()
        if len(line.split(maxsplit=5)) == 6
    }


def test_the_saved_flat_index_is_mapped_not_copied(seed_store_path: str, tmp_path: Path) -> None:
    db = str(tmp_path / "mapped.db")
    shutil.copy(seed_store_path, db)
    store = open_store(db, read_only=True)
    try:
        built = load_vector_index(store, db)  # builds and saves it beside the store
        files = index_files(db)
        assert files is not None and files.index.is_file() and built.kind == "flat"
        saved = load_vector_index(store, db)  # what a server worker does
        assert str(files.index.resolve()) in _mapped_files()
        fresh = vector_index_from_store(store)
        for nct in fresh.ids[:5]:
            assert saved.search_by_id(nct, 5) == fresh.search_by_id(nct, 5)
    finally:
        store.close()
