"""Fixtures for the two store backends (loaded by tests/conftest.py).

* ``postgres_server``: one real throwaway PostgreSQL per test session
  (:mod:`postgres_server`); missing server binaries fail the run, never skip it.
* ``store_url``: a fresh, empty store of each backend (``sqlite``: a file in the
  test's temporary folder; ``postgres``: a new database on that server).
* ``seed_store_url``: the seed store of each backend (SQLite: ``seed_store_path``), for
  the feature tests that take a store; tests only read them.
* ``parity_urls``: one store of each backend loaded with the same records (the seed
  fixtures plus a few hundred bundled ones, v2 JSON and legacy XML), with the same
  sentence vectors; tests only read them.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from postgres_server import PostgresMissing, PostgresServer, start_server
from trialatlas.index.vectors import update_vectors
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.store import open_store
from trialatlas.store.base import Store

# the PostgreSQL variant of a test is marked ``postgres`` (``-m "not postgres"`` leaves it out)
BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))
PARITY_V2 = 250  # the first API v2 studies of the bundled sample
PARITY_XML_STEP = 40  # every 40th legacy XML study of the bundled sample (~170)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store of each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database("store")


def copy_vectors(source: Store, target: Store) -> None:
    """Write ``source``'s stored sentence vectors into ``target`` (the same studies)."""
    for model in source.vector_models():
        checksums = source.vector_checksums(model)
        for ids, vectors in source.iter_vectors(model, batch=500):
            rows = [(n, checksums[n], v) for n, v in zip(ids, vectors, strict=True)]
            target.write_vectors(model, rows)


@pytest.fixture(scope="session", params=BACKENDS)
def seed_store_url(request: pytest.FixtureRequest, seed_store_path: str) -> str:
    """The seed store of each backend: the same records and vectors."""
    if request.param == "sqlite":
        return seed_store_path
    from tests.conftest import seed_sources

    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database("seed")
    source, target = open_store(seed_store_path, read_only=True), open_store(url)
    try:
        summary = ingest_paths(target, seed_sources())
        assert summary.rejected == 0, summary.rejects
        copy_vectors(source, target)
    finally:
        source.close()
        target.close()
    return url


def parity_sources(folder: Path) -> list[str]:
    """The seed trial, the small fixtures and a slice of the bundled sample, as files."""
    from tests.conftest import seed_sources

    folder.mkdir(parents=True, exist_ok=True)
    v2 = folder / "bundled_v2.jsonl"
    with gzip.open(sample_dir() / "ctgov_v2_studies.jsonl.gz", "rt") as src, v2.open("w") as out:
        for number, line in enumerate(src):
            if number >= PARITY_V2:
                break
            out.write(line)
    xml = folder / "bundled_xml.zip"
    with (
        zipfile.ZipFile(sample_dir() / "ctgov_xml_studies.zip") as src_zip,
        zipfile.ZipFile(xml, "w") as out_zip,
    ):
        for name in src_zip.namelist()[::PARITY_XML_STEP]:
            out_zip.writestr(name, src_zip.read(name))
    return [*seed_sources(), str(v2), str(xml)]


@pytest.fixture(scope="session")
def parity_urls(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> dict[str, str]:
    """``{"sqlite": path, "postgres": url}``: the same records in both backends."""
    folder = tmp_path_factory.mktemp("parity")
    sources = parity_sources(folder / "sources")
    urls = {"sqlite": str(folder / "parity.db"), "postgres": postgres_server.new_database("parity")}
    sqlite_store = open_store(urls["sqlite"])
    postgres_store = open_store(urls["postgres"])
    try:
        for store in (sqlite_store, postgres_store):
            summary = ingest_paths(store, sources)
            assert summary.rejected == 0, summary.rejects
        update_vectors(sqlite_store)  # as `trialatlas ingest` does; the same vectors copied over
        copy_vectors(sqlite_store, postgres_store)
    finally:
        sqlite_store.close()
        postgres_store.close()
    return urls
