"""Offline geocoding against the bundled GeoNames-derived gazetteer (no network)."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from trialatlas.index.gazetteer import Gazetteer
from trialatlas.index.geo import (
    KM_PER_MILE,
    GeoError,
    UnknownPlace,
    ZipLookupUnavailable,
    bounding_box,
    city_point,
    geocode,
    haversine_km,
    normalize_name,
    parse_radius,
)
from trialatlas.sample import sample_dir

JACKSONVILLE = (30.33, -81.66)


def km_from(point: tuple[float, float], lat: float, lon: float) -> float:
    return haversine_km(point[0], point[1], lat, lon)


# --- places -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "place",
    [
        "Jacksonville",
        "Jacksonville, FL",
        "Jacksonville, Florida",
        "Jacksonville, Florida, United States",
        "Jacksonville FL",
        "jacksonville, fl 32224",
    ],
)
def test_jacksonville_in_every_spelling(place: str) -> None:
    result = geocode(place)
    assert result.kind == "city"
    assert (result.name, result.admin1, result.admin1_code) == ("Jacksonville", "Florida", "FL")
    assert (result.country_code, result.country) == ("US", "United States")
    assert km_from(JACKSONVILLE, result.lat, result.lon) < 10
    assert result.population is not None and result.population > 500_000


def test_state_qualifier_picks_the_smaller_namesake() -> None:
    texas = geocode("Paris, TX")
    assert (texas.admin1, texas.admin1_code, texas.country_code) == ("Texas", "TX", "US")
    assert km_from((33.66, -95.56), texas.lat, texas.lon) < 10
    assert geocode("Paris, Texas").lat == texas.lat
    assert geocode("Jacksonville, NC").admin1 == "North Carolina"


def test_bare_name_resolves_by_population() -> None:
    paris = geocode("Paris")
    assert (paris.country_code, paris.country) == ("FR", "France")
    assert km_from((48.86, 2.35), paris.lat, paris.lon) < 10
    assert geocode("Paris, France") == paris


@pytest.mark.parametrize(
    ("place", "country_code", "admin1"),
    [
        ("Atlanta, Georgia", "US", "Georgia"),
        ("Tbilisi, Georgia", "GE", None),
        ("Toronto, ON", "CA", "Ontario"),
        ("Victoria, Canada", "CA", "British Columbia"),
        ("Seoul, Korea, Republic of", "KR", None),
        ("Tehran, Iran, Islamic Republic of", "IR", None),
        ("München, Germany", "DE", None),
        ("St. Louis, MO", "US", "Missouri"),
        ("Saint Louis, Missouri", "US", "Missouri"),
        ("New York, NY", "US", "New York"),
        ("Washington, DC", "US", "District of Columbia"),
    ],
)
def test_qualified_places(place: str, country_code: str, admin1: str | None) -> None:
    result = geocode(place)
    assert (result.kind, result.country_code, result.admin1) == ("city", country_code, admin1)


def test_states_and_countries() -> None:
    florida = geocode("Florida")
    assert (florida.kind, florida.admin1_code, florida.country_code) == ("state", "FL", "US")
    assert 24 < florida.lat < 31 and -88 < florida.lon < -80  # its centre of population
    assert geocode("Florida, United States") == florida
    france = geocode("France")
    assert (france.kind, france.country_code) == ("country", "FR")
    assert geocode("Korea, Republic of").country_code == "KR"


def test_coordinates_pass_through() -> None:
    result = geocode("30.33, -81.65")
    assert (result.kind, result.lat, result.lon) == ("coordinates", 30.33, -81.65)
    assert result.country_code is None and result.population is None
    assert geocode("-33.9 151.2").lon == 151.2
    with pytest.raises(GeoError, match="latitude"):
        geocode("95.0, 10.0")


def test_us_zip_code_resolves_to_its_centroid() -> None:
    found = geocode("32224")
    assert found.kind == "zip" and found.country_code == "US"
    assert haversine_km(found.lat, found.lon, 30.33218, -81.65565) < 30  # Jacksonville
    assert geocode("32224-1234") == found


def test_unknown_zip_code_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ZipLookupUnavailable, match="unknown US ZIP code") as info:
        geocode("00000")
    assert "Jacksonville, FL" in str(info.value)
    assert isinstance(info.value, GeoError) and isinstance(info.value, ValueError)


def test_misspelt_place_suggests_the_right_one() -> None:
    with pytest.raises(UnknownPlace) as info:
        geocode("Jaksonvile, FL")
    assert info.value.place == "Jaksonvile, FL"
    assert "Jacksonville, Florida, United States" in info.value.suggestions
    assert "did you mean Jacksonville" in str(info.value)


def test_name_outside_the_given_state_suggests_namesakes() -> None:
    with pytest.raises(UnknownPlace) as info:
        geocode("Paris, Florida")
    assert "Paris, Texas, United States" in info.value.suggestions
    with pytest.raises(UnknownPlace) as typo:
        geocode("Paris, Texass")  # an unknown qualifier is not silently dropped
    assert "Paris, Texas, United States" in typo.value.suggestions


@pytest.mark.parametrize("place", ["", "   ", "Qwxzzy Vvrk", ",,"])
def test_nonsense_is_unknown(place: str) -> None:
    with pytest.raises(UnknownPlace):
        geocode(place)


# --- registry sites ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("city", "state", "country", "expected"),
    [
        ("Jacksonville", "Florida", "United States", JACKSONVILLE),
        ("Jacksonville", "FL", "United States", JACKSONVILLE),
        ("Rochester", "Minnesota", "United States", (44.02, -92.47)),
        ("Rochester", "New York", "United States", (43.15, -77.62)),
        ("Seoul", None, "Korea, Republic of", (37.57, 126.98)),
        ("Tehran", None, "Iran, Islamic Republic of", (35.69, 51.42)),
        ("Moscow", None, "Russian Federation", (55.75, 37.62)),
        ("Taipei", None, "Taiwan", (25.05, 121.53)),
        ("Hong Kong", None, "China", (22.28, 114.17)),
        ("Lyon Cedex 03", None, "France", (45.75, 4.85)),
        ("Praha 2", None, "Czechia", (50.09, 14.42)),
        ("Toronto", "Ontario", "Canada", (43.71, -79.40)),
        ("Milano", "Lombardia", "Italy", (45.46, 9.19)),  # unknown region names are ignored
    ],
)
def test_city_point_places_registry_sites(
    city: str, state: str | None, country: str, expected: tuple[float, float]
) -> None:
    point = city_point(city, state, country)
    assert point is not None
    assert km_from(expected, *point) < 25


def test_city_point_refuses_to_guess() -> None:
    assert city_point("Jacksonville", "Florida", "Atlantis") is None
    assert city_point("Nowhereville Xq", "Florida", "United States") is None
    assert city_point("Paris", "Florida", "United States") is None
    assert city_point("", None, "France") is None


@pytest.mark.slow
def test_city_point_agrees_with_registry_geopoints() -> None:
    """Sites of the bundled v2 sample that carry a geoPoint: city_point lands nearby."""
    placed = near = total = 0
    with gzip.open(sample_dir() / "ctgov_v2_studies.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            study = json.loads(line)
            sites = study["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
            for site in sites:
                geo = site.get("geoPoint")
                if not geo or not site.get("city"):
                    continue
                total += 1
                point = city_point(site["city"], site.get("state"), site.get("country"))
                if point is not None:
                    placed += 1
                    near += km_from(point, geo["lat"], geo["lon"]) <= 25
    assert total > 5000
    assert placed / total > 0.97
    assert near / total > 0.95


# --- distances, radii, boxes ---------------------------------------------------------------


def test_haversine_jacksonville_to_miami() -> None:
    jax, miami = geocode("Jacksonville, FL"), geocode("Miami, FL")
    assert haversine_km(jax.lat, jax.lon, miami.lat, miami.lon) == pytest.approx(526, abs=10)
    assert haversine_km(1.0, 2.0, 1.0, 2.0) == 0.0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)


@pytest.mark.parametrize(
    ("text", "km"),
    [
        ("50mi", 50 * KM_PER_MILE),
        ("50 miles", 50 * KM_PER_MILE),
        ("50", 50 * KM_PER_MILE),
        (50, 50 * KM_PER_MILE),
        ("80km", 80.0),
        ("80 KM", 80.0),
        ("12.5 kilometres", 12.5),
        (".5mi", 0.5 * KM_PER_MILE),
    ],
)
def test_parse_radius(text: str | int, km: float) -> None:
    assert parse_radius(text) == pytest.approx(km)


@pytest.mark.parametrize("text", ["", "abc", "-5mi", "0", "5 furlongs", "50 mi km", "nan"])
def test_parse_radius_rejects(text: str) -> None:
    with pytest.raises(GeoError, match="radius"):
        parse_radius(text)


def test_bounding_box_holds_the_circle() -> None:
    lat, lon, radius = 30.33, -81.66, 100.0
    box = bounding_box(lat, lon, radius)
    assert not box.crosses_antimeridian
    for bearing in range(0, 360, 15):  # points just inside the circle, by spherical destination
        d, b, p1 = 0.999 * radius / 6371.0088, math.radians(bearing), math.radians(lat)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
        l2 = math.radians(lon) + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
        )
        assert box.contains(math.degrees(p2), math.degrees(l2))
        assert haversine_km(lat, lon, math.degrees(p2), math.degrees(l2)) < radius
    assert not box.contains(lat + 1.0, lon)
    miami = geocode("Miami, FL")
    assert not box.contains(miami.lat, miami.lon)


def test_bounding_box_edges() -> None:
    wrap = bounding_box(0.0, 179.9, 50)
    assert wrap.crosses_antimeridian
    assert wrap.contains(0.0, -179.9) and wrap.contains(0.0, 179.95)
    assert not wrap.contains(0.0, 0.0)
    polar = bounding_box(89.9, 10.0, 50)
    assert (polar.min_lon, polar.max_lon, polar.max_lat) == (-180.0, 180.0, 90.0)
    with pytest.raises(GeoError):
        bounding_box(0, 0, -1)


# --- the gazetteer itself ------------------------------------------------------------------


def test_normalize_name() -> None:
    assert normalize_name("St. Louis") == normalize_name("Saint-Louis") == "saint louis"
    assert normalize_name("Łódź") == "lodz"
    assert normalize_name("Coeur d'Alene") == "coeur dalene"


def test_loaded_lazily_once_per_process() -> None:
    code = "import trialatlas.index.gazetteer as g; assert g.Gazetteer._cached is None"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert Gazetteer.load() is Gazetteer.load()
    assert len(Gazetteer.load()) > 100_000


def test_bundled_file_is_small() -> None:
    path = Path(str(sample_dir().parent / "gazetteer.tsv.gz"))
    assert path.stat().st_size < 10 * 1024 * 1024


def test_rejects_a_foreign_file(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tsv.gz"
    bogus.write_bytes(gzip.compress(b"name\tlat\tlon\n"))
    with pytest.raises(GeoError, match="not a TrialAtlas gazetteer"):
        Gazetteer.from_path(bogus)
    truncated = tmp_path / "truncated.tsv.gz"
    truncated.write_bytes(gzip.compress(b"#trialatlas-gazetteer\tv2\nP:key\ta\tb\n"))
    with pytest.raises(GeoError, match="missing or uneven"):
        Gazetteer.from_path(truncated)


def test_a_misspelling_is_not_guessed_from_a_small_place_alternate_name() -> None:
    """'Jaksonville' is an alternate spelling of a small town only; the big city it
    most likely means is offered rather than the town being guessed."""
    with pytest.raises(UnknownPlace) as info:
        geocode("Jaksonville")
    assert info.value.suggestions[0] == "Jacksonville, Florida, United States"
    assert geocode("Moskva").label == "Moscow, Russia"  # a real alternate name still resolves
    assert geocode("Bombay").label == "Mumbai, India"


def test_sites_are_still_placed_by_an_alternate_spelling() -> None:
    """A registry site is placed, never refused: a misspelt city at the big city it
    most likely means (not at the small place that has that spelling as an alias)."""
    point = city_point("Bellvue", "Washington", "United States")
    assert point is not None
    assert haversine_km(*point, 47.61, -122.20) < 10  # Bellevue, WA (not Friday Harbor)


def test_new_york_alone_is_the_city_and_smaller_namesakes_stay_states() -> None:
    assert geocode("New York").label == "New York City, New York, United States"
    assert geocode("New York").kind == "city"
    assert geocode("Washington").kind == "state"  # the city of Washington is not that large
    assert geocode("NY").kind == "state"  # a code names the state
    assert geocode("Mexico").kind == "country"  # countries are left alone
