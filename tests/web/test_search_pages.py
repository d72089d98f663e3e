"""``/search`` (HTML, no JavaScript needed), ``/api/search`` (JSON) and ``trialatlas search``
on the whole bundled sample."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from trialatlas.cli.main import app as cli_app

FILTER_FIELDS = {
    "q", "near", "radius", "open", "status", "phase", "age", "sex", "healthy", "condition",
    "intervention", "type", "results", "sponsor", "sponsor_class", "country", "start_from",
    "start_to", "updated_from", "updated_to", "sort",
}  # fmt: skip
HOSTILE = ['"', '"unbalanced', "NEAR(", "NEAR(a b", "*", "^", "title: pain", "{title}: x", "((",
           "a AND OR", "'; DROP TABLE studies; --", "<script>x</script>", "x" * 10_000]  # fmt: skip


def hits(page: Any) -> list[Any]:
    found = page.find_all("ol", cls="hits")
    return found[0].find_all("li", cls="hit") if found else []


def test_search_page_has_every_filter_in_a_plain_get_form(bundled_client, parse_html) -> None:
    response = bundled_client.get("/search")
    assert response.status_code == 200
    form = parse_html(response.text).find("form", cls="search-form")
    assert form.attrs["action"] == "/search" and form.attrs["method"] == "get"
    names = {el.attrs.get("name") for el in form.iter() if el.tag in ("input", "select")}
    assert names >= FILTER_FIELDS
    assert "<script" not in response.text  # works without JavaScript


def test_search_near_a_place_shows_hits_with_nearest_site(bundled_client, parse_html) -> None:
    response = bundled_client.get(
        "/search", params={"q": "low back pain", "near": "Jacksonville, FL", "radius": "50mi"}
    )
    assert response.status_code == 200
    page = parse_html(response.text)
    assert (
        "within 50 miles (80 km) of Jacksonville, Florida"
        in page.find("h2", cls="results__title").text
    )
    found = hits(page)
    seed = next(h for h in found if "NCT06001853" in h.text)
    assert seed.find("h3").find("a").attrs["href"] == "/trials/NCT06001853"
    assert seed.find("span", cls="badge--status").text == "Active, not recruiting"
    assert seed.find("span", cls="badge--phase").text == "Phase 2"
    assert "Lumbar Facet Arthropathy" in seed.find("p", cls="hit__conditions").text
    site = seed.find("p", cls="hit__site").text
    assert "Mayo Clinic in Florida" in site and " mi (" in site
    assert response.headers["link"].startswith("</api/search?")


def test_facets_are_links_that_filter(bundled_client, parse_html) -> None:
    page = parse_html(bundled_client.get("/search", params={"q": "asthma"}).text)
    status = next(s for s in page.find_all("section", cls="facet") if s.find("h3").text == "Status")
    link = status.find("a")
    count = int(link.parent.find("span", cls="count").text.replace(",", ""))
    target = urlsplit(link.attrs["href"])
    assert target.path == "/search" and parse_qs(target.query)["q"] == ["asthma"]
    api = bundled_client.get("/api/search", params=parse_qs(target.query)).json()
    assert api["total"] == count
    assert {r["status_label"] for r in api["results"]} == {link.text}
    # the chosen value is marked and links back to the unfiltered search
    again = parse_html(bundled_client.get(link.attrs["href"]).text)
    active = again.find("a", cls="facet__value--active")
    assert "status" not in parse_qs(urlsplit(active.attrs["href"]).query)


def test_next_page_links_walk_every_result_once(bundled_client, parse_html) -> None:
    url = "/search?" + "&".join(["q=pain", "status=RECRUITING", "limit=5"])
    seen: list[str] = []
    total = None
    while url:
        page = parse_html(bundled_client.get(url).text)
        title = page.find("h2", cls="results__title").text
        total = total or int(title.split()[0].replace(",", ""))
        seen += [h.find("span", cls="hit__id").text for h in hits(page)]
        nxt = page.find_all("a", cls="button")
        url = next((a.attrs["href"] for a in nxt if a.attrs.get("rel") == "next"), None)
    assert len(seen) == len(set(seen)) == total


def test_api_search_shape_and_cursor(bundled_client) -> None:
    response = bundled_client.get(
        "/api/search", params={"q": "pain", "limit": 3, "near": "Boston, MA"}
    )
    assert response.status_code == 200
    body = response.json()
    assert {"total", "results", "facets", "next"} <= set(body)
    assert set(body["facets"]) == {"status", "phase", "study_type", "sponsor_class", "country"}
    hit = body["results"][0]
    assert {
        "nct_id",
        "title",
        "status",
        "status_label",
        "phase",
        "conditions",
        "nearest_site",
        "score",
    } <= set(hit)
    assert {"facility", "city", "state", "country", "distance_km", "precision"} <= set(
        hit["nearest_site"]
    )
    assert body["place"]["label"].startswith("Boston, Massachusetts")
    second = bundled_client.get(
        "/api/search",
        params={"q": "pain", "limit": 3, "near": "Boston, MA", "cursor": body["next"]},
    ).json()
    assert not {r["nct_id"] for r in second["results"]} & {r["nct_id"] for r in body["results"]}


def test_unknown_place_is_a_400_with_suggestions(bundled_client, parse_html) -> None:
    response = bundled_client.get("/api/search", params={"near": "Jaksonvile, FL"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_place"
    assert "Jacksonville, Florida, United States" in error["suggestions"]
    page = bundled_client.get("/search", params={"q": "pain", "near": "Jaksonvile, FL"})
    assert page.status_code == 400
    notice = parse_html(page.text).find("div", cls="search-error")
    assert "could not find the place" in notice.text
    link = notice.find("a")
    assert parse_qs(urlsplit(link.attrs["href"]).query) == {
        "q": ["pain"],
        "near": ["Jacksonville, Florida, United States"],
    }
    assert bundled_client.get(link.attrs["href"]).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"age": "abc"}, {"start_from": "2020-13-45"}, {"limit": "0"}, {"limit": "100000"}, {"radius": "-5km"},
     {"radius": "far"}, {"sort": "bogus"}, {"cursor": "garbage"}, {"status": "RUNNING"}, {"phase": "9"},
     {"healthy": "maybe"}, {"sort": "nearest"}, {"sex": "x"}],
)  # fmt: skip
def test_bad_parameters_are_400_not_500(bundled_client, params) -> None:
    api = bundled_client.get("/api/search", params=params)
    assert api.status_code == 400, api.text
    assert api.json()["error"]["message"]
    assert bundled_client.get("/search", params=params).status_code == 400


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_query_text_never_500(bundled_client, text) -> None:
    for path in ("/search", "/api/search"):
        response = bundled_client.get(
            path, params={"q": text, "condition": text[:100], "sponsor": text[:100]}
        )
        if len(response.request.url.query) > 8192:  # the query-string limit (issue 14)
            assert response.status_code == 414, (path, response.text[:200])
        else:
            assert response.status_code == 200, (path, response.text[:200])
    assert "<script>x</script>" not in bundled_client.get("/search", params={"q": HOSTILE[11]}).text


def test_home_page_form_searches(bundled_client, parse_html: Callable[[str], Any]) -> None:
    page = parse_html(bundled_client.get("/").text)
    form = page.find("form", cls="search-box")
    assert form.attrs["action"] == "/search"
    assert {el.attrs.get("name") for el in form.find_all("input")} >= {"q", "near"}


def test_cli_json_shape(bundled_store_path: str) -> None:
    runner = CliRunner()
    args = ["search", "low back pain", "--near", "Jacksonville, FL", "--radius", "50mi", "--json",
            "--db", bundled_store_path, "--limit", "1"]  # fmt: skip
    result = runner.invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"total", "results", "next"}
    assert body["total"] >= 2 and body["next"]
    (hit,) = body["results"]
    assert set(hit) == {"nct_id", "title", "status", "phase", "conditions", "nearest_site"}
    assert set(hit["nearest_site"]) == {"facility", "city", "distance_km"}
    more = runner.invoke(cli_app, [*args, "--cursor", body["next"]])
    assert json.loads(more.stdout)["results"][0]["nct_id"] != hit["nct_id"]
    plain = runner.invoke(
        cli_app, ["search", "--status", "recruiting", "--db", bundled_store_path, "--json"]
    )
    assert all(
        r["nearest_site"] is None and r["status"] == "RECRUITING"
        for r in json.loads(plain.stdout)["results"]
    )


def test_cli_reports_unknown_place_and_bad_options(bundled_store_path: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli_app, ["search", "pain", "--near", "Jaksonvile, FL", "--db", bundled_store_path]
    )
    assert result.exit_code == 2
    assert "Jacksonville, Florida" in result.output
    bad = runner.invoke(cli_app, ["search", "--phase", "9", "--db", bundled_store_path])
    assert bad.exit_code == 2 and "unknown phase" in bad.output
