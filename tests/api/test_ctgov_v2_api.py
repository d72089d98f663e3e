"""The ClinicalTrials.gov API v2-compatible subset: study JSON shape, paging, filters, errors.

(Named ``test_ctgov_v2_api.py``: ``tests/normalize/test_ctgov_v2.py`` already holds the
module name ``test_ctgov_v2``, and the tests folders are not packages.)
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialatlas.api.ctgov_v2 import study_to_v2
from trialatlas.api.ctgov_v2.convert_results import certain_agreement, point_of_contact
from trialatlas.api.ctgov_v2.fields import parse_fields, project
from trialatlas.api.ctgov_v2.params import parse_studies_request
from trialatlas.index.geo import KM_PER_MILE, haversine_km
from trialatlas.model.study import Study
from trialatlas.normalize.ctgov_v2 import normalize_v2
from trialatlas.normalize.ctgov_xml import normalize_xml
from trialatlas.sample import sample_dir
from trialatlas.store import open_store
from trialatlas.store.listing import StudyListQuery, StudySort
from trialatlas.store.sqlite.ctgov_api import list_studies_sql

FIXTURES = Path(__file__).parent.parent / "fixtures" / "v2"
V2_FILES = sorted(FIXTURES.glob("*.json")) + [sample_dir() / "NCT06001853.json"]
V2_IDS = {  # the seed trial and the API v2 fixtures (the seed store has XML ones too)
    "NCT00122499",
    "NCT01768676",
    "NCT03500406",
    "NCT03571217",
    "NCT03810573",
    "NCT05816499",
    "NCT06001853",
}
XML_STUDY = "NCT00000143"  # legacy XML record of the bundled sample, with posted results


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _ids(body: dict[str, Any]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]]


def _walk_all(client: Any, params: dict[str, Any]) -> tuple[list[str], int | None]:
    """Every page of a search, following nextPageToken; the IDs in order and totalCount."""
    ids: list[str] = []
    total = None
    token = None
    for _ in range(10_000):
        query = dict(params, fields="NCTId")
        if token:
            query["pageToken"] = token
        response = client.get("/api/v2/studies", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        if token is None:
            total = body.get("totalCount")
        else:
            assert "totalCount" not in body  # only with the first page, as the registry does
        ids += _ids(body)
        token = body.get("nextPageToken")
        if not token:
            return ids, total
    raise AssertionError("paging did not end")


def _without_date_text(value: Any) -> Any:
    """The model dump with PartialDate.text blanked (API v2 writes only ISO dates)."""
    if isinstance(value, dict):
        if {"value", "precision", "text"} <= set(value):
            return {**value, "text": None}
        return {k: _without_date_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_date_text(v) for v in value]
    return value


def _same_facts(converted: Study, original: Study) -> None:
    """Equal except what API v2 cannot say: the source format, the original date text
    and whether a site point was placed at its city."""
    a = _without_date_text(converted.model_dump(exclude={"source_format"}))
    b = _without_date_text(original.model_dump(exclude={"source_format"}))
    for loc in a["locations"] + b["locations"]:
        if loc["geo"]:
            loc["geo"]["precision"] = None
    assert a == b


def _leaves_in_original(converted: Any, original: Any, path: str = "") -> list[str]:
    """Paths where the converted JSON says something the original does not."""
    if isinstance(converted, dict):
        if not isinstance(original, dict):
            return [path]
        out = []
        for key, value in converted.items():
            if key not in original:
                out.append(f"{path}.{key}")
            else:
                out += _leaves_in_original(value, original[key], f"{path}.{key}")
        return out
    if isinstance(converted, list):
        kept = [o for o in original if o not in ("", None)] if isinstance(original, list) else None
        if kept is None or len(kept) != len(converted):
            return [path]
        return [
            p for c, o in zip(converted, kept, strict=True) for p in _leaves_in_original(c, o, path)
        ]
    given = original.strip() if isinstance(original, str) else original
    return [] if converted == given or str(converted) == str(given) else [path]


# -- the study JSON shape --------------------------------------------------------------


@pytest.mark.parametrize("path", V2_FILES, ids=lambda p: p.stem)
def test_v2_record_round_trips_through_the_model(path: Path) -> None:
    original = normalize_v2(_load(path))
    assert normalize_v2(study_to_v2(original)) == original


@pytest.mark.parametrize("path", V2_FILES, ids=lambda p: p.stem)
def test_converted_json_agrees_field_by_field_with_the_original(path: Path) -> None:
    raw = _load(path)
    converted = study_to_v2(normalize_v2(raw))
    assert _leaves_in_original(converted, raw) == []
    # and it holds every module the model keeps
    for module in ("identificationModule", "statusModule", "eligibilityModule"):
        assert module in converted["protocolSection"]
    assert converted["hasResults"] == raw["hasResults"]
    if raw.get("resultsSection"):
        assert set(converted["resultsSection"]) <= set(raw["resultsSection"])


def test_xml_records_convert_to_the_same_facts() -> None:
    with zipfile.ZipFile(sample_dir() / "ctgov_xml_studies.zip") as archive:
        names = sorted(archive.namelist())[::60]
        checked = 0
        for name in names:
            study = normalize_xml(archive.read(name).decode("utf-8"))
            if study.results and any(
                not e.term
                for e in study.results.adverse_events.serious_events
                + study.results.adverse_events.other_events
            ):
                continue  # API v2 requires an event term the XML left blank
            _same_facts(normalize_v2(study_to_v2(study)), study)
            checked += 1
    assert checked > 100


def test_coded_more_info_is_recovered_from_the_registry_sentences() -> None:
    raw = {
        "piSponsorEmployee": False,
        "restrictiveAgreement": True,
        "restrictionType": "LTE60",
        "otherDetails": "Sponsor reviews manuscripts.",
    }
    study = normalize_v2(
        {
            "protocolSection": {"identificationModule": {"nctId": "NCT00000001"}},
            "resultsSection": {"moreInfoModule": {"certainAgreement": raw}},
        }
    )
    assert certain_agreement(study.results.more_info.certain_agreement) == raw
    assert point_of_contact("Wesley D Day, PhD, Vivus, wday@vivus.com, 650-934-5200 ext. 12") == {
        "title": "Wesley D Day, PhD",
        "organization": "Vivus",
        "email": "wday@vivus.com",
        "phone": "650-934-5200",
        "phoneExt": "12",
    }


def test_fields_select_pieces_inside_lists() -> None:
    doc = study_to_v2(normalize_v2(_load(sample_dir() / "NCT06001853.json")))
    picked = project(
        doc, parse_fields("NCTId,LocationCity|protocolSection.statusModule.overallStatus")
    )
    assert picked == {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT06001853"},
            "statusModule": {"overallStatus": "ACTIVE_NOT_RECRUITING"},
            "contactsLocationsModule": {"locations": [{"city": "Jacksonville"}]},
        }
    }


def test_list_sql_is_built_without_a_database() -> None:
    query = StudyListQuery(cond='"pain" or NEAR(x*)', sort=(StudySort("last_update_posted"),))
    sql, params, width = list_studies_sql(query, after=("2024-01-01", "NCT00000001"), limit=11)
    assert width == 2
    assert "studies_fts MATCH :match0" in sql and "LIMIT :limit" in sql
    # FTS syntax is quoted away; lower-case "or" is a word, a stopword left out of the match
    assert params["match0"] == (
        '({title conditions keywords} : ("pain")) AND ({title conditions keywords} : ("near"))'
        ' AND ({title conditions keywords} : ("x"))'
    )
    assert list(params.values())[-1] == 11


# -- /api/v2/studies/{nctId} -------------------------------------------------------------


@pytest.mark.parametrize("path", V2_FILES, ids=lambda p: p.stem)
def test_a_v2_record_is_served_as_stored(client: Any, path: Path) -> None:
    raw = _load(path)
    nct = raw["protocolSection"]["identificationModule"]["nctId"]
    response = client.get(f"/api/v2/studies/{nct}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == raw


def test_an_xml_record_gets_a_faithful_v2_shape(
    bundled_client: Any, bundled_store_path: str
) -> None:
    response = bundled_client.get(f"/api/v2/studies/{XML_STUDY}")
    assert response.status_code == 200
    doc = response.json()
    ident = doc["protocolSection"]["identificationModule"]
    assert ident["nctId"] == XML_STUDY
    assert doc["hasResults"] is True
    assert {"participantFlowModule", "adverseEventsModule"} <= set(doc["resultsSection"])
    assert doc["derivedSection"]["conditionBrowseModule"]["meshes"]
    store = open_store(bundled_store_path)
    try:
        stored = store.get_study(XML_STUDY)
        assert store.get_raw(XML_STUDY).format == "ctgov_xml"
    finally:
        store.close()
    _same_facts(normalize_v2(doc), stored)


def test_single_study_fields_and_errors(client: Any) -> None:
    body = client.get(
        "/api/v2/studies/NCT06001853", params={"fields": "IdentificationModule"}
    ).json()
    assert list(body) == ["protocolSection"]
    assert list(body["protocolSection"]) == ["identificationModule"]
    missing = client.get("/api/v2/studies/NCT99999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/plain")
    assert "NCT99999999" in missing.text
    malformed = client.get("/api/v2/studies/NCT123")
    assert malformed.status_code == 400
    assert "incorrect format" in malformed.text
    assert client.get("/api/v2/studies/NCT06001853", params={"query.cond": "x"}).status_code == 400


# -- /api/v2/studies ---------------------------------------------------------------------


def _stored(path: str) -> list[Study]:
    store = open_store(path)
    try:
        return list(store.iter_studies())
    finally:
        store.close()


def _get_ids(client: Any, **params: str) -> set[str]:
    response = client.get("/api/v2/studies", params={**params, "pageSize": 1000})
    assert response.status_code == 200, response.text
    return set(_ids(response.json()))


def test_count_total_and_default_page(client: Any, seed_store_path: str) -> None:
    stored = {s.nct_id for s in _stored(seed_store_path)}
    assert stored >= V2_IDS
    body = client.get("/api/v2/studies", params={"countTotal": "true", "pageSize": 3}).json()
    assert body["totalCount"] == len(stored)
    assert len(body["studies"]) == 3 and body["nextPageToken"]
    default = client.get("/api/v2/studies").json()
    assert "totalCount" not in default
    assert len(default["studies"]) == min(10, len(stored))
    ids, total = _walk_all(client, {"countTotal": "true"})
    assert set(ids) == stored and total == len(ids)


def test_paging_walks_every_study_exactly_once(bundled_client: Any) -> None:
    ids, total = _walk_all(bundled_client, {"pageSize": 700, "countTotal": "true"})
    assert len(ids) == total == len(set(ids)) > 8000
    assert ids == sorted(ids)  # no sort asked: NCT number order


def test_paging_by_last_update_keeps_order_and_visits_each_once(bundled_client: Any) -> None:
    params = {"pageSize": 97, "countTotal": "true", "sort": "LastUpdatePostDate:desc"}
    params["filter.overallStatus"] = "COMPLETED|TERMINATED"
    ids, total = _walk_all(bundled_client, params)
    assert len(ids) == total == len(set(ids)) > 100
    first = bundled_client.get("/api/v2/studies", params={**params, "pageSize": 5})
    again = bundled_client.get("/api/v2/studies", params={**params, "pageSize": 5})
    assert first.json()["nextPageToken"] == again.json()["nextPageToken"]  # stable
    dates = [
        s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
        for s in first.json()["studies"]
    ]
    assert dates == sorted(dates, reverse=True)


def _update_dates(client: Any, params: dict[str, str]) -> list[str]:
    """The last-update dates of every study a search finds (all pages)."""
    dates: list[str] = []
    query = {**params, "pageSize": "1000", "fields": "NCTId,LastUpdatePostDate"}
    for _ in range(100):
        body = client.get("/api/v2/studies", params=query).json()
        dates += [
            s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
            for s in body["studies"]
        ]
        if not body.get("nextPageToken"):
            return dates
        query["pageToken"] = body["nextPageToken"]
    raise AssertionError("more pages than expected")


@pytest.mark.parametrize(
    ("term", "rest"),
    [
        ("AREA[LastUpdatePostDate]RANGE[2024-01-15,MAX]", None),
        ("cancer AND AREA[LastUpdatePostDate]RANGE[2024-01-15,MAX]", "cancer"),
        ("AREA[LastUpdatePostDate]RANGE[2024-01-15,MAX] AND lung", "lung"),
        ("cancer AND AREA[LastUpdatePostDate]RANGE[2024-01-15,MAX] AND lung", "cancer AND lung"),
        ("BRAND AREA[LastUpdatePostDate]RANGE[2024-01-15,MAX]", "BRAND"),
    ],
)
def test_the_range_leaves_the_expression_with_one_of_its_ands(term: str, rest: str | None) -> None:
    query = parse_studies_request({"query.term": term}).query
    assert query.updated_from == "2024-01-15" and query.updated_to is None
    assert (" ".join(query.term.split()) if query.term else None) == rest


def test_last_update_range_is_what_an_incremental_sync_asks(bundled_client: Any) -> None:
    """``AREA[LastUpdatePostDate]RANGE[from,to]`` in query.term: every study posted in the
    range and no other, oldest first with the sync's sort; with words, both apply."""
    since = {"query.term": "AREA[LastUpdatePostDate]RANGE[2024-06-01,MAX]"}
    ids, total = _walk_all(bundled_client, {**since, "countTotal": "true", "pageSize": 300})
    every, _ = _walk_all(bundled_client, {"pageSize": 1000})
    dates = _update_dates(bundled_client, since)
    assert 0 < len(ids) == total < len(every)
    assert all(d >= "2024-06-01" for d in dates)
    # the complement: before the bound, with MIN, holds every other study
    before = _update_dates(
        bundled_client, {"query.term": "AREA[LastUpdatePostDate]RANGE[MIN,2024-05-31]"}
    )
    assert all(d <= "2024-05-31" for d in before) and len(before) + len(ids) == len(every)
    page = bundled_client.get(
        "/api/v2/studies", params={**since, "sort": "LastUpdatePostDate:asc", "pageSize": 50}
    ).json()["studies"]
    posted = [
        s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] for s in page
    ]
    assert posted == sorted(posted) and posted[0] >= "2024-06-01"
    both = {"query.term": "cancer AND AREA[LastUpdatePostDate]RANGE[2024-06-01,MAX]"}
    with_words, _ = _walk_all(bundled_client, {**both, "pageSize": 500})
    cancer, _ = _walk_all(bundled_client, {"query.term": "cancer", "pageSize": 500})
    assert set(with_words) == set(cancer) & set(ids) and with_words


def test_relevance_paging_visits_each_match_once(bundled_client: Any) -> None:
    ids, total = _walk_all(
        bundled_client, {"query.cond": "cancer", "pageSize": 13, "countTotal": "true"}
    )
    assert len(ids) == total == len(set(ids)) > 13


def test_page_size_is_capped_at_1000(bundled_client: Any) -> None:
    body = bundled_client.get(
        "/api/v2/studies", params={"pageSize": 5000, "fields": "NCTId"}
    ).json()
    assert len(body["studies"]) == 1000


def test_query_cond(client: Any) -> None:
    found = _get_ids(client, **{"query.cond": "erectile dysfunction"})
    assert found & V2_IDS == {"NCT00122499", "NCT01768676", "NCT03500406"}
    assert _get_ids(client, **{"query.cond": "low back pain"}) & V2_IDS == {"NCT06001853"}


def test_other_query_areas(client: Any) -> None:
    def ids(**params: str) -> set[str]:
        return _get_ids(client, **params) & V2_IDS

    assert ids(**{"query.spons": "mayo clinic"}) == {"NCT03500406", "NCT06001853"}
    assert ids(**{"query.locn": "Jacksonville, Florida"}) == {"NCT06001853"}
    assert ids(**{"query.id": "21-013278 NCT00122499"}) == {"NCT06001853", "NCT00122499"}
    assert _get_ids(client, **{"query.term": "NCT03571217"}) == {"NCT03571217"}
    assert ids(**{"query.titles": "arthropathy"}) == {"NCT06001853"}
    assert _get_ids(client, **{"query.term": "unbalanced AND NEAR*"}) == set()  # no FTS syntax


def test_filter_overall_status(client: Any, seed_store_path: str) -> None:
    stored = _stored(seed_store_path)

    def expected(*codes: str) -> set[str]:
        return {s.nct_id for s in stored if s.status.overall_status in codes}

    recruiting = _get_ids(client, **{"filter.overallStatus": "RECRUITING"})
    assert recruiting == expected("RECRUITING")
    assert recruiting & V2_IDS == {"NCT03571217", "NCT03810573"}
    both = _get_ids(client, **{"filter.overallStatus": "RECRUITING|ACTIVE_NOT_RECRUITING"})
    assert both == expected("RECRUITING", "ACTIVE_NOT_RECRUITING")
    assert both & V2_IDS == {"NCT03571217", "NCT03810573", "NCT05816499", "NCT06001853"}
    comma = _get_ids(client, **{"filter.overallStatus": "RECRUITING,ACTIVE_NOT_RECRUITING"})
    assert comma == both


def test_agg_filters(client: Any, seed_store_path: str) -> None:
    stored = _stored(seed_store_path)

    def ids(value: str) -> set[str]:
        return _get_ids(client, aggFilters=value)

    assert ids("status:rec") == {
        s.nct_id for s in stored if s.status.overall_status == "RECRUITING"
    }
    assert ids("status:com") == {s.nct_id for s in stored if s.status.overall_status == "COMPLETED"}
    assert ids("phase:2") == {s.nct_id for s in stored if "PHASE2" in s.design.phases}
    assert ids("status:rec com") == ids("status:rec") | ids("status:com")
    assert ids("status:act,phase:1") & V2_IDS == {"NCT05816499"}


def test_filter_geo_against_hand_computed_distances(client: Any, seed_store_path: str) -> None:
    # People's Square, Shanghai: the Shanghai sites are ~4.6 km away, Hefei ~400 km.
    assert haversine_km(31.2, 121.5, 31.22222, 121.45806) == pytest.approx(4.6, abs=0.1)
    near = _get_ids(client, **{"filter.geo": "distance(31.2,121.5,50km)"})
    assert near & V2_IDS == {"NCT03571217", "NCT05816499"}
    assert near == {
        s.nct_id
        for s in _stored(seed_store_path)
        if any(
            g and haversine_km(31.2, 121.5, g.lat, g.lon) <= 50
            for g in (x.geo for x in s.locations)
        )
    }
    # the Jacksonville site is placed at its ZIP code (32224) centroid, 30.3031, -81.4404,
    # 0.97 km from (30.3031, -81.4303): just over and just under that
    distance = haversine_km(30.3031, -81.4303, 30.3031, -81.4404)
    assert distance == pytest.approx(0.97, abs=0.01)
    inside = f"distance(30.3031,-81.4303,{distance / KM_PER_MILE + 0.01:.4f}mi)"
    outside = f"distance(30.3031,-81.4303,{distance - 0.01:.4f}km)"
    assert _get_ids(client, **{"filter.geo": inside}) & V2_IDS == {"NCT06001853"}
    assert _get_ids(client, **{"filter.geo": outside}) & V2_IDS == set()


def test_filter_geo_matches_a_brute_force_count(
    bundled_client: Any, bundled_store_path: str
) -> None:
    lat, lon, radius_km = 41.88, -87.63, 40.0  # Chicago
    store = open_store(bundled_store_path)
    try:
        expected = {
            s.nct_id
            for s in store.iter_studies()
            if any(
                loc.geo and haversine_km(lat, lon, loc.geo.lat, loc.geo.lon) <= radius_km
                for loc in s.locations
            )
        }
    finally:
        store.close()
    ids, total = _walk_all(
        bundled_client,
        {
            "filter.geo": f"distance({lat},{lon},{radius_km}km)",
            "pageSize": 1000,
            "countTotal": "true",
        },
    )
    assert set(ids) == expected and total == len(expected) > 10


def test_fields_subsetting(client: Any) -> None:
    body = client.get(
        "/api/v2/studies",
        params={"filter.ids": "NCT06001853", "fields": "NCTId,BriefTitle,OverallStatus"},
    ).json()
    assert body["studies"] == [
        {
            "protocolSection": {
                "identificationModule": {
                    "nctId": "NCT06001853",
                    "briefTitle": "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy",
                },
                "statusModule": {"overallStatus": "ACTIVE_NOT_RECRUITING"},
            }
        }
    ]
    module = client.get(
        "/api/v2/studies",
        params={"filter.ids": "NCT06001853", "fields": "protocolSection.designModule|HasResults"},
    ).json()["studies"][0]
    assert set(module) == {"protocolSection", "hasResults"}
    assert module["protocolSection"]["designModule"]["phases"] == ["PHASE2"]


def test_sort_by_date_and_enrollment(client: Any) -> None:
    params = {"sort": "LastUpdatePostDate", "fields": "LastUpdatePostDate", "pageSize": 100}
    studies = client.get("/api/v2/studies", params=params).json()["studies"]
    dates = [
        s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] for s in studies
    ]
    assert dates == sorted(dates, reverse=True)  # dates sort newest first
    params = {"sort": "EnrollmentCount", "fields": "EnrollmentCount", "pageSize": 100}
    studies = client.get("/api/v2/studies", params=params).json()["studies"]
    counts = [s["protocolSection"]["designModule"]["enrollmentInfo"]["count"] for s in studies if s]
    assert counts == sorted(counts)  # numbers sort ascending; studies without one come last


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query.foo": "x"}, "`query.foo` is unknown parameter"),
        ({"filter.advanced": "AREA[Phase]PHASE3"}, "not supported"),
        ({"format": "csv"}, "not supported"),
        ({"format": "xml"}, "format"),
        ({"pageSize": "ten"}, "pageSize"),
        ({"pageSize": "0"}, "pageSize"),
        ({"countTotal": "yes"}, "countTotal"),
        ({"filter.overallStatus": "RECRUITNG"}, "filter.overallStatus"),
        ({"filter.geo": "distance(91,0,5mi)"}, "filter.geo"),
        ({"filter.geo": "near(1,2)"}, "filter.geo"),
        ({"filter.ids": "XYZ"}, "filter.ids has incorrect format (NCT IDs)"),
        ({"aggFilters": "status:zzz"}, "aggFilters"),
        ({"sort": "Bogus:desc"}, "sort"),
        ({"sort": "StartDate,CompletionDate,EnrollmentCount"}, "sort"),
        (
            {"fields": "StudyDesign"},
            "Parameter 'fields' contains invalid field name: 'StudyDesign'",
        ),
        ({"pageToken": "not-a-token"}, "pageToken"),
        ({"query.term": "AREA[Phase]PHASE2"}, "`AREA[Phase]` is not supported"),
        ({"query.cond": "SEARCH[Location](AREA[LocationCity]Boston)"}, "SEARCH[Location]"),
        ({"query.term": "EXPANSION[None]pain"}, "EXPANSION[None]"),
        ({"query.intr": "COVERAGE[FullMatch]aspirin"}, "COVERAGE[FullMatch]"),
        ({"query.titles": "cancer RANGE[1, 5]"}, "RANGE[...]"),
        ({"query.term": "AREA[ResultsFirstPostDate]MISSING"}, "AREA[ResultsFirstPostDate]"),
        ({"query.term": "lung MISSING"}, "MISSING"),
        ({"query.term": "cancer ~ pain"}, "TILDE"),
        ({"query.term": "cancer AND"}, "Parameter `query.term`: Invalid search expression"),
        ({"query.cond": "(asthma OR copd"}, "parenthesis is not closed"),
        ({"query.term": '"heart failure'}, "quotation mark is not closed"),
        ({"query.term": "cancer OR NOT pain"}, "NOT inside OR"),
        ({"query.spons": "Mayo OR Pfizer"}, "`OR` is not supported here"),
        ({"query.locn": "AREA[LocationCity]Boston"}, "AREA[LocationCity]"),
        (
            {"query.term": "AREA[LastUpdatePostDate]RANGE[01/15/2024,MAX]"},
            "RANGE bounds are dates (YYYY-MM-DD), MIN or MAX; got `01/15/2024`",
        ),
        (
            {"query.cond": "AREA[LastUpdatePostDate]RANGE[2024-01-15,MAX]"},
            "AREA[LastUpdatePostDate]",
        ),
    ],
)
def test_bad_parameters_get_400_with_a_message(
    client: Any, params: dict[str, str], message: str
) -> None:
    response = client.get("/api/v2/studies", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert message in response.text


def test_a_token_of_another_query_is_refused(client: Any) -> None:
    token = client.get("/api/v2/studies", params={"pageSize": 2}).json()["nextPageToken"]
    response = client.get(
        "/api/v2/studies", params={"pageToken": token, "filter.overallStatus": "COMPLETED"}
    )
    assert response.status_code == 400
    assert "another query" in response.text
    repeated = client.get("/api/v2/studies?query.cond=a&query.cond=b")
    assert repeated.status_code == 400


def test_version(client: Any) -> None:
    body = client.get("/api/v2/version").json()
    assert body["apiVersion"].startswith("2.0.")
    assert body["dataTimestamp"] == "2026-01-13T00:00:00"  # the seed trial's last update


# -- Essie search syntax: AND / OR / NOT, phrases, parentheses ---------------------------


def _total(client: Any, **params: str) -> int:
    response = client.get(
        "/api/v2/studies", params={**params, "countTotal": "true", "pageSize": 1, "fields": "NCTId"}
    )
    assert response.status_code == 200, response.text
    return int(response.json()["totalCount"])


def _all_ids(client: Any, **params: str) -> set[str]:
    return set(_walk_all(client, {**params, "pageSize": 1000})[0])


def test_or_is_the_union(bundled_client: Any) -> None:
    a = _total(bundled_client, **{"query.term": "cancer"})
    b = _total(bundled_client, **{"query.term": "diabetes"})
    both = _total(bundled_client, **{"query.term": "cancer diabetes"})
    assert a > 100 and b > 100 and both > 0
    assert _total(bundled_client, **{"query.term": "cancer OR diabetes"}) == a + b - both
    # the same over cond, and as sets
    ids_a = _all_ids(bundled_client, **{"query.cond": "asthma"})
    ids_b = _all_ids(bundled_client, **{"query.cond": "psoriasis"})
    assert ids_a and ids_b
    assert _all_ids(bundled_client, **{"query.cond": "asthma OR psoriasis"}) == ids_a | ids_b
    # NOT inside a group, inside a column filter
    ids_c = _all_ids(bundled_client, **{"query.cond": "children"})
    nested = _all_ids(bundled_client, **{"query.cond": "(asthma NOT children) OR psoriasis"})
    assert ids_a & ids_c and nested == (ids_a - ids_c) | ids_b


def test_lower_case_or_is_a_word(bundled_client: Any) -> None:
    assert _total(bundled_client, **{"query.term": "cancer or diabetes"}) == _total(
        bundled_client, **{"query.term": "cancer diabetes"}
    )


def test_not_excludes(bundled_client: Any) -> None:
    cancer = _all_ids(bundled_client, **{"query.term": "cancer"})
    breast = _all_ids(bundled_client, **{"query.term": "breast"})
    assert cancer & breast
    for text in ("cancer NOT breast", "cancer AND NOT breast", "NOT breast cancer"):
        assert _all_ids(bundled_client, **{"query.term": text}) == cancer - breast, text
    everything = _total(bundled_client)
    assert _total(bundled_client, **{"query.term": "NOT cancer"}) == everything - len(cancer)
    # an exclusion in one area, a requirement in another
    asthma = _all_ids(bundled_client, **{"query.cond": "asthma"})
    children = _all_ids(bundled_client, **{"query.term": "children"})
    assert asthma & children
    assert (
        _all_ids(bundled_client, **{"query.cond": "asthma", "query.term": "NOT children"})
        == asthma - children
    )


def test_phrase_in_quotes(bundled_client: Any) -> None:
    words = _all_ids(bundled_client, **{"query.term": "heart failure"})
    phrase = _all_ids(bundled_client, **{"query.term": '"heart failure"'})
    reversed_phrase = _all_ids(bundled_client, **{"query.term": '"failure heart"'})
    assert phrase and phrase < words
    assert not (reversed_phrase & phrase - words)
    assert len(reversed_phrase) < len(phrase)


def test_phrase_on_the_seed_trial(client: Any) -> None:
    assert "NCT06001853" in _all_ids(client, **{"query.cond": '"low back pain"'})
    assert "NCT06001853" not in _all_ids(client, **{"query.cond": '"pain back low"'})
    assert "NCT06001853" in _all_ids(client, **{"query.cond": "pain back low"})


def test_parentheses_group(bundled_client: Any) -> None:
    def total(text: str) -> int:
        return _total(bundled_client, **{"query.term": text})

    grouped = total("(cancer OR diabetes) AND pain")
    assert grouped == total("cancer pain") + total("diabetes pain") - total("cancer diabetes pain")
    ungrouped = total("cancer OR diabetes AND pain")  # cancer OR (diabetes AND pain)
    assert ungrouped == total("cancer") + total("diabetes pain") - total("cancer diabetes pain")
    assert grouped != ungrouped


def test_or_pages_visit_each_match_once(bundled_client: Any) -> None:
    params = {"query.term": "asthma OR psoriasis", "pageSize": 7, "countTotal": "true"}
    ids, total = _walk_all(bundled_client, params)
    assert len(ids) == len(set(ids)) == total > 7


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("query.spons", "%"),
        ("query.lead", "%"),
        ("query.locn", "_"),
        ("query.titles", '"'),
        ("query.cond", "((("),
        ("query.term", "%"),
        ("query.intr", "-- !!"),
        ("query.term", '""'),
    ],
)
def test_text_without_words_matches_nothing(bundled_client: Any, name: str, value: str) -> None:
    response = bundled_client.get(
        "/api/v2/studies", params={name: value, "countTotal": "true", "fields": "NCTId"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totalCount"] == 0 and body["studies"] == [] and "nextPageToken" not in body


_PIECES = st.sampled_from(
    ["AND", "OR", "NOT", "(", ")", '"', "cancer", "pain", "and", "or", "AREA[", "]", "~",
     "*", "NEAR(", "{title}:", "^", "-", "%", "_", ":", "'", "’", "NCT06001853", "ü", " "]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(_PIECES, max_size=14).map(" ".join),
        st.lists(_PIECES, max_size=14).map("".join),
    )
)
def test_arbitrary_query_text_never_fails(client: Any, text: str) -> None:
    for name in ("query.term", "query.cond", "query.spons"):
        response = client.get(
            "/api/v2/studies", params={name: text, "countTotal": "true", "fields": "NCTId"}
        )
        assert response.status_code in (200, 400), (name, text, response.text)
        if response.status_code == 400:
            assert response.text.strip()
