"""Issue 12: a site placed only by its city counts as within the radius when the
searched place lies in that city, in /search and /api/search (the search columns and
the SQL answer alike), and says so ("in Jacksonville, about 13 mi").

The store is the seed store plus one trial whose Jacksonville site has no ZIP code (so
it is placed at the city's centre, 13 miles from ZIP 32224)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import SEED_JSON, seed_sources

from trialatlas.features.search import search_trials
from trialatlas.ingest import ingest_paths
from trialatlas.model.search import SearchQuery
from trialatlas.settings import Settings
from trialatlas.store import open_store

CITY_SITED = "NCT09000001"


def city_sited_record(folder: Path) -> Path:
    """The seed record as another trial, its one site in Jacksonville without a ZIP code
    (the registry's geoPoint: the city's centre)."""
    record = json.loads(SEED_JSON.read_text())
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = CITY_SITED
    protocol["contactsLocationsModule"]["locations"] = [{
        "facility": "Downtown Spine Clinic", "city": "Jacksonville", "state": "Florida",
        "country": "United States", "geoPoint": {"lat": 30.33218, "lon": -81.65565},
    }]  # fmt: skip
    path = folder / f"{CITY_SITED}.json"
    path.write_text(json.dumps(record))
    return path


@pytest.fixture(scope="module")
def city_store_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("city_sites")
    path = folder / "store.db"
    store = open_store(str(path))
    try:
        summary = ingest_paths(store, [*seed_sources(), str(city_sited_record(folder))])
    finally:
        store.close()
    assert summary.rejected == 0, summary.rejects
    return str(path)


@pytest.fixture(scope="module")
def city_client(city_store_path: str) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from trialatlas.web.app import create_app

    with TestClient(create_app(Settings(db_url=city_store_path))) as client:
        yield client


def _hit(results: list[dict], nct_id: str) -> dict | None:
    return next((h for h in results if h["nct_id"] == nct_id), None)


@pytest.mark.parametrize("words", ["", "low back pain"])
def test_api_search_inside_jacksonville_finds_the_city_placed_site(city_client, words) -> None:
    params = {"q": words, "near": "32224", "radius": "10mi"}
    body = city_client.get("/api/search", params=params).json()
    hit = _hit(body["results"], CITY_SITED)
    assert hit is not None, [h["nct_id"] for h in body["results"]]
    site = hit["nearest_site"]
    assert site["precision"] == "city"
    assert site["distance_km"] > 16.1  # beyond the radius: found because 32224 is in Jacksonville
    assert site["distance_text"] == "in Jacksonville, about 13 mi (21 km)"
    assert _hit(body["results"], "NCT06001853")["nearest_site"]["precision"] == "zip"


def test_search_page_shows_the_city_placed_site_in_jacksonville(city_client, parse_html) -> None:
    params = {"q": "low back pain", "near": "32224", "radius": "10mi"}
    page = parse_html(city_client.get("/search", params=params).text)
    hit = next(h for h in page.find_all("li", cls="hit") if CITY_SITED in h.text)
    assert hit.find("span", cls="hit__distance").text.startswith("in Jacksonville, about 13 mi")


def test_a_place_outside_the_city_does_not_count_city_sites_as_near(city_client) -> None:
    # Orange Park lies 15 mi from Jacksonville's centre, but not in Jacksonville
    body = city_client.get(
        "/api/search", params={"near": "Orange Park, FL", "radius": "10mi"}
    ).json()
    assert _hit(body["results"], CITY_SITED) is None
    wide = city_client.get(
        "/api/search", params={"near": "Orange Park, FL", "radius": "20mi"}
    ).json()
    assert _hit(wide["results"], CITY_SITED) is not None


@pytest.mark.parametrize("sort", ["relevance", "nearest", "last_update"])
def test_sql_and_search_columns_agree_on_city_placed_sites(city_store_path, sort) -> None:
    """The same search answered in SQL (no search columns) and over the columns."""
    from trialatlas.store.sqlite.search import search_trials as sql_search

    store = open_store(city_store_path, read_only=True)
    try:
        query = SearchQuery(text="low back pain", place="32224", radius_km=16.09, sort=sort)
        with_columns = search_trials(store, query)
        resolved = query.model_copy(update={
            "near": _near(with_columns), "radius_km": 16.09,
            "near_towns": _towns(store),
        })  # fmt: skip
        in_sql = sql_search(store._conn(), resolved, None)  # type: ignore[attr-defined]
    finally:
        store.close()
    ids = [h.nct_id for h in with_columns.results]
    assert CITY_SITED in ids
    assert [h.nct_id for h in in_sql.results] == ids
    assert in_sql.total == with_columns.total


def _near(results):  # noqa: ANN001, ANN202
    from trialatlas.model.search import GeoPoint

    return GeoPoint(lat=results.place.lat, lon=results.place.lon)


def _towns(store):  # noqa: ANN001, ANN202
    from trialatlas.features.search import place_towns
    from trialatlas.index.geo import geocode

    return place_towns(store, geocode("32224"))


NOTE = "52-year-old with chronic low back pain from lumbar facet arthropathy for two years."


def test_match_api_says_the_nearest_site_as_every_page_does(city_client) -> None:
    body = {"text": NOTE, "near": "32224", "radius": "10mi", "limit": 10}
    response = city_client.post("/api/match", json=body)
    assert response.status_code == 200, response.text
    sites = {r["nct_id"]: r["nearest_site"] for r in response.json()["results"]}
    assert sites["NCT06001853"]["distance_text"] == "under 1 mi (under 2 km)"
    # placed by its city, and 32224 lies in Jacksonville: within the radius
    assert sites[CITY_SITED]["in_searched_city"] is True
    assert sites[CITY_SITED]["distance_text"] == "in Jacksonville, about 13 mi (21 km)"


def test_match_page_shows_the_same_distance_words(city_client, parse_html) -> None:
    form = {"text": NOTE, "near": "32224", "radius": "10mi"}
    page = parse_html(city_client.post("/match", data=form).text)
    texts = {node.text for node in page.find_all("span", cls="match__distance")}
    assert "in Jacksonville, about 13 mi (21 km)" in texts
    assert "under 1 mi (under 2 km)" in texts
