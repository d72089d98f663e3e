"""Shared fixtures: real SQLite stores built from real registry records, a real app client."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from trialatlas.index.vectors import update_vectors
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir, sample_sources
from trialatlas.settings import Settings
from trialatlas.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
SEED_JSON = sample_dir() / "NCT06001853.json"
pytest_plugins = ["postgres_fixtures"]  # postgres_server, store_url (both backends), parity_urls


def seed_sources() -> list[str]:
    """The seed trial plus the small real fixtures (v2 JSON and legacy XML)."""
    sources = [str(SEED_JSON)]
    for sub in ("v2", "xml"):
        folder = FIXTURES / sub
        if folder.is_dir():
            sources.append(str(folder))
    return sources


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real SQLite store with the seed trial and the fixture records."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    store = open_store(str(path))
    try:
        summary = ingest_paths(store, seed_sources())
        update_vectors(store)  # as `trialatlas ingest` does
    finally:
        store.close()
    assert summary.rejected == 0, summary.rejects
    return str(path)


@pytest.fixture(scope="session")
def bundled_store_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real SQLite store with the whole bundled sample (all 8,000+ records).

    Built once per test run and shared by the xdist workers (a file lock makes the
    others wait for the first one's build); tests only read it.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, shared by all xdist workers
    path = root / "bundled.db"
    done = root / "bundled.done"
    with open(root / "bundled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                for stale in root.glob("bundled.db*"):
                    stale.unlink()
                store = open_store(str(path))
                try:
                    ingest_paths(store, sample_sources(), workers=2)
                    update_vectors(store)  # as `trialatlas ingest` does
                finally:
                    store.close()
                done.write_text("ok")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return str(path)


def _client(db_path: str) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from trialatlas.web.app import create_app

    with TestClient(create_app(Settings(db_url=db_path)), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def client(seed_store_path: str) -> Iterator[object]:
    """An HTTP client talking to the real app over the seed store."""
    yield from _client(seed_store_path)


@pytest.fixture(scope="session")
def bundled_client(bundled_store_path: str) -> Iterator[object]:
    """An HTTP client talking to the real app over the whole bundled sample."""
    yield from _client(bundled_store_path)
