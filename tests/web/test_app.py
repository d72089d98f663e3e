"""The web skeleton: home and search, health, offline API docs, error handling."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from trialatlas.settings import Settings
from trialatlas.web.app import create_app
from trialatlas.web.urls import Urls

HAS_DOCS_ASSETS = importlib.util.find_spec("fastapi_offline") is not None


def test_home_has_a_search_box_and_the_catalogue_size(
    client, parse_html: Callable[[str], Any]
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = parse_html(response.text)
    form = page.find("form", cls="search-box")
    assert form.attrs["action"] == "/search"
    assert form.find("input").attrs["name"] == "q"
    assert re.search(r"[\d,]+ trials? in this catalogue", page.find("p", cls="hero__stat").text)


@pytest.mark.parametrize("path", ["/?q=facet+arthropathy", "/search?q=facet%20arthropathy"])
def test_search_lists_ranked_hits_with_status_phase_conditions(
    client, parse_html: Callable[[str], Any], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    hits = parse_html(response.text).find("ol", cls="hits").find_all("li", cls="hit")
    seed = next(h for h in hits if "NCT06001853" in h.text)
    link = seed.find("h3").find("a")
    assert link.attrs["href"] in ("/trials/NCT06001853", "/trials/NCT06001853/details")
    if path.startswith("/search"):  # the search page: title → patient page, plus the record
        assert link.attrs["href"] == "/trials/NCT06001853"
        assert seed.find("a", cls="hit__details").attrs["href"] == "/trials/NCT06001853/details"
    assert link.text == "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
    assert seed.find("span", cls="badge--status").text == "Active, not recruiting"
    assert seed.find("span", cls="badge--phase").text == "Phase 2"
    assert "Lumbar Facet Arthropathy" in seed.find("p", cls="hit__conditions").text


@pytest.mark.parametrize("query", ['"unbalanced', "NEAR(", "a AND OR", "*", "<script>x</script>"])
def test_search_survives_odd_queries(client, query: str) -> None:
    response = client.get("/search", params={"q": query})
    assert response.status_code == 200
    assert "<script>x</script>" not in response.text


def test_search_without_hits_says_so(client) -> None:
    response = client.get("/search", params={"q": "zzzqqqxxy"})
    assert response.status_code == 200
    assert "No trial matches these words" in response.text


def test_healthz_reports_the_store(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["studies"] >= 1


def test_static_css_is_served_from_the_package(client) -> None:
    page = client.get("/").text
    href = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page)
    assert href, "stylesheet link with a content hash"
    response = client.get(href.group(1))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_no_page_loads_anything_from_another_host(client) -> None:
    for path in ("/", "/trials/NCT06001853/details", "/docs", "/redoc"):
        html = client.get(path).text
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html), path


def test_openapi_describes_the_trial_api(client) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/trials/{nct_id}" in spec["paths"]
    assert "/healthz" in spec["paths"]
    assert "/trials/{nct_id}/details" not in spec["paths"]


@pytest.mark.skipif(
    not HAS_DOCS_ASSETS, reason="fastapi-offline (Swagger UI / ReDoc files) not installed"
)
@pytest.mark.parametrize(
    ("path", "asset"),
    [
        ("/docs", "/docs-assets/swagger-ui-bundle.js"),
        ("/redoc", "/docs-assets/redoc.standalone.js"),
    ],
)
def test_api_docs_are_served_offline(client, path: str, asset: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert asset in response.text
    assert "cdn" not in response.text.lower()
    assert client.get(asset).status_code == 200


def test_unknown_paths(client) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404
    assert api.json() == {
        "error": {"code": "not_found", "message": "There is nothing at this address."}
    }


def test_wrong_method_is_a_json_error_for_the_api(client) -> None:
    response = client.post("/api/trials/NCT06001853")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_unexpected_errors_never_show_a_stack_trace(seed_store_path: str) -> None:
    app = create_app(Settings(db_url=seed_store_path))

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.get("/api/boom")
        assert api.status_code == 500
        assert api.json()["error"]["code"] == "internal_error"
        assert "secret" not in api.text
        page = client.get("/boom")
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert "secret" not in page.text and "Traceback" not in page.text


def test_url_builder() -> None:
    urls = Urls()
    assert urls.details_url("NCT06001853") == "/trials/NCT06001853/details"
    assert urls.trial_url("NCT06001853") == "/trials/NCT06001853"
    assert urls.api_trial_url("NCT06001853") == "/api/trials/NCT06001853"
    assert urls.search_url("back pain & more") == "/search?q=back+pain+%26+more"
    assert urls.search_url() == "/search"
    assert Urls(base="/atlas/").details_url("a/b") == "/atlas/trials/a%2Fb/details"
    assert Urls.link_header("/api/x") == '</api/x>; rel="alternate"; type="application/json"'


def test_interim_trial_page_links_to_the_registry_page(client) -> None:
    # /trials/{nct_id} belongs to the patient-page issue; until then it links to the details.
    response = client.get("/trials/NCT06001853")
    assert response.status_code == 200
    assert 'href="/trials/NCT06001853/details"' in response.text
    assert (
        response.headers["link"]
        == '</api/trials/NCT06001853>; rel="alternate"; type="application/json"'
    )
    assert client.get("/trials/NCT00000000").status_code == 404


def test_search_by_nct_id_finds_that_trial_first(client, parse_html: Callable[[str], Any]) -> None:
    response = client.get("/search", params={"q": "nct06001853"})
    first = parse_html(response.text).find("li", cls="hit")
    assert first.find("a").attrs["href"] == "/trials/NCT06001853"
