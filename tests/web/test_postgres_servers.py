"""Horizontal scaling on PostgreSQL: two app servers built from the same database URL
(read-only sessions, as `trialatlas serve` workers) answer the same, and a study
written by the one writer is seen by both at once (no per-process state that matters)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from trialatlas.ingest import ingest_paths
from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.web.app import create_app

pytestmark = pytest.mark.postgres

PATHS = [
    "/api/search?q=pain",
    "/api/search?q=cancer&status=COMPLETED",
    "/api/search?near=Boston%2C+MA&radius=500km&sort=nearest",
    "/api/trials/NCT06001853",
    "/api/trials/NCT06001853/related",
    "/api/trials/NCT06001853/clinics?near=32224",
    "/api/v2/studies?query.term=pain&pageSize=3",
    "/trials/NCT06001853",
    "/trials/NCT06001853/details",
    "/search?q=low+back+pain",
]


@pytest.fixture(scope="module")
def database(postgres_server) -> str:
    from tests.conftest import seed_sources

    url = postgres_server.new_database("web")
    store = open_store(url)
    try:
        assert ingest_paths(store, seed_sources()).rejected == 0
    finally:
        store.close()
    return url


@pytest.fixture(scope="module")
def servers(database: str) -> Iterator[tuple[TestClient, TestClient]]:
    settings = Settings(db_url=database, read_only=True)
    with (
        TestClient(create_app(settings), raise_server_exceptions=False) as one,
        TestClient(create_app(settings), raise_server_exceptions=False) as two,
    ):
        yield one, two


@pytest.mark.parametrize("path", PATHS)
def test_two_servers_answer_the_same(servers: tuple[TestClient, TestClient], path: str) -> None:
    one, two = servers
    a, b = one.get(path), two.get(path)
    assert a.status_code == b.status_code == 200, (a.text[:300], b.text[:300])
    if a.headers["content-type"].startswith("application/json"):
        assert a.json() == b.json()
        assert a.json()  # a real answer, not an empty body
    else:
        assert a.text == b.text
        assert "NCT06001853" in a.text or "results" in a.text.lower()


def test_a_write_is_seen_by_every_server(
    servers: tuple[TestClient, TestClient], database: str, tmp_path: Path
) -> None:
    from tests.conftest import SEED_JSON

    study = copy.deepcopy(json.loads(SEED_JSON.read_text()))
    study["protocolSection"]["identificationModule"]["nctId"] = "NCT09000077"
    study["protocolSection"]["identificationModule"]["briefTitle"] = "Wombat knee study"
    source = tmp_path / "new.json"
    source.write_text(json.dumps(study))
    for client in servers:
        assert client.get("/api/search?q=wombat").json()["total"] == 0
    writer = open_store(database)
    try:
        assert ingest_paths(writer, [str(source)]).loaded == 1
    finally:
        writer.close()
    for client in servers:
        body = client.get("/api/search?q=wombat").json()
        assert [hit["nct_id"] for hit in body["results"]] == ["NCT09000077"]
        assert client.get("/api/trials/NCT09000077").status_code == 200


def test_a_read_only_server_on_an_unmigrated_database_says_so(postgres_server) -> None:
    from trialatlas.store import StoreError

    empty = postgres_server.new_database("empty")
    with pytest.raises(StoreError, match="schema version 0"):
        open_store(empty, read_only=True)
