"""Issue 12: a store loaded before sites were placed by ZIP code (its sites at the
registry's city points, marked exact) is placed again when opened for writing, by the
web app, the command line or an ingest; afterwards it answers as a store built anew."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import seed_sources
from typer.testing import CliRunner

from trialatlas.cli.main import app
from trialatlas.features.search import search_trials
from trialatlas.index.geo import city_point
from trialatlas.index.site_upgrade import SITE_PLACEMENT_VERSION, upgrade_site_points
from trialatlas.ingest import ingest_paths
from trialatlas.model.search import SearchQuery
from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.store.site_rows import NewPoint

SEED = "NCT06001853"
TEN_MILES_KM = 16.09


def _points(path: str) -> dict[tuple[str, int], tuple[float | None, float | None, str | None]]:
    store = open_store(path, read_only=True)
    try:
        return {
            (study.nct_id, i): (
                (loc.geo.lat, loc.geo.lon, loc.geo.precision) if loc.geo else (None, None, None)
            )
            for study in store.iter_studies()
            for i, loc in enumerate(study.locations)
        }
    finally:
        store.close()


def _age(path: str) -> None:
    """Put the store back as an older TrialAtlas left it: every site at its city's point
    (the registry's geoPoint), marked exact, and placement version 0."""
    store = open_store(path)
    try:
        old = []
        for study in store.iter_studies():
            for i, loc in enumerate(study.locations):
                town = (loc.geo.lat, loc.geo.lon) if loc.geo else None
                if loc.geo and loc.geo.precision == "zip":  # the registry gave its city's point
                    town = city_point(loc.city or "", loc.state, loc.country)
                if town is not None:
                    old.append(NewPoint(study.nct_id, i, town[0], town[1], "site"))
        store.save_site_points(old, 0)
    finally:
        store.close()


@pytest.fixture
def built(tmp_path: Path) -> tuple[str, dict]:
    """A store built anew from the seed sources, and its site points."""
    path = str(tmp_path / "store.db")
    store = open_store(path)
    try:
        ingest_paths(store, seed_sources())
        assert store.site_placement_version() == SITE_PLACEMENT_VERSION
    finally:
        store.close()
    return path, _points(path)


def _seed_within_ten_miles(path: str) -> bool:
    store = open_store(path, read_only=True)
    try:
        query = SearchQuery(place="32224", radius_km=TEN_MILES_KM)
        return any(h.nct_id == SEED for h in search_trials(store, query).results)
    finally:
        store.close()


def test_an_aged_store_is_old_until_opened_for_writing(built) -> None:
    path, fresh = built
    _age(path)
    aged = _points(path)
    assert aged[(SEED, 0)][2] == "site" and aged != fresh
    assert not _seed_within_ten_miles(path)  # the Mayo site sits at the city's centre


def test_the_web_app_places_an_old_stores_sites_again(built) -> None:
    from fastapi.testclient import TestClient

    from trialatlas.web.app import create_app

    path, fresh = built
    _age(path)
    with TestClient(create_app(Settings(db_url=path))) as client:
        body = client.get("/api/search", params={"near": "32224", "radius": "10mi"}).json()
        record = client.get(f"/api/trials/{SEED}").json()
        page = client.get(f"/trials/{SEED}", params={"near": "32224", "radius": "10mi"})
    seed = next(h for h in body["results"] if h["nct_id"] == SEED)
    assert seed["nearest_site"]["precision"] == "zip"
    assert seed["nearest_site"]["distance_text"] == "under 1 mi (under 2 km)"
    assert "zip" in json.dumps(record)  # the stored document was placed again too
    assert "1 site within 10 miles" in page.text
    assert _points(path) == fresh


def test_the_command_line_places_an_old_stores_sites_again(built) -> None:
    path, fresh = built
    _age(path)
    result = CliRunner().invoke(
        app, ["search", "--db", path, "--near", "32224", "--radius", "10mi", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert SEED in result.output
    assert _points(path) == fresh


def test_an_ingest_places_the_sites_of_unchanged_records_again(built) -> None:
    path, fresh = built
    _age(path)
    store = open_store(path)
    try:
        summary = ingest_paths(store, seed_sources())
        assert summary.loaded == 0 and summary.updated == 0  # every record unchanged
        assert upgrade_site_points(store) == 0  # already current
    finally:
        store.close()
    assert _points(path) == fresh
    assert _seed_within_ten_miles(path)
