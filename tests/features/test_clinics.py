"""``find_clinics``: the seed trial's site from places given as a city, ZIP code or coordinates."""

from __future__ import annotations

import pytest

from trialatlas.features.clinics import find_clinics, place_problem
from trialatlas.index.geo import GeoError, UnknownPlace
from trialatlas.model.study import Location, Study
from trialatlas.store import open_store

SEED = "NCT06001853"


@pytest.fixture(scope="module")
def seed_study(seed_store_path: str) -> Study:
    store = open_store(seed_store_path)
    try:
        study = store.get_study(SEED)
    finally:
        store.close()
    assert study is not None
    return study


def with_sites(study: Study, *sites: Location) -> Study:
    copy = study.model_copy(deep=True)
    copy.locations = [*copy.locations, *sites]
    return copy


def test_without_a_place_sites_keep_registry_order_and_have_no_distance(seed_study: Study) -> None:
    clinics = find_clinics(seed_study)
    assert clinics.place is None and clinics.total_sites == 1
    site = clinics.sites[0]
    assert site.facility == "Mayo Clinic in Florida"
    assert site.place == "Jacksonville, Florida, United States"
    # seed 001 gives no site coordinates: the site is placed at its city at ingest
    assert site.distance_km is None and site.location_precision == "city"


def test_jacksonville_finds_mayo_clinic_within_25_km(seed_study: Study) -> None:
    clinics = find_clinics(seed_study, "Jacksonville, FL", "25km")
    assert clinics.place is not None and clinics.place.label == "Jacksonville, Florida, United States"
    assert clinics.radius_km == 25.0 and clinics.radius_text == "25 km"
    site = clinics.sites[0]
    assert site.facility == "Mayo Clinic in Florida"
    assert site.distance_km is not None and site.distance_km <= 25


def test_zip_code_and_coordinates_are_places_too(seed_study: Study) -> None:
    by_zip = find_clinics(seed_study, "32224", "25mi")
    assert by_zip.place is not None and by_zip.place.kind == "zip"
    assert by_zip.sites[0].distance_km == pytest.approx(20.9, abs=0.5)
    assert by_zip.radius_text == "25 miles"
    by_point = find_clinics(seed_study, "30.33218, -81.65565")
    assert by_point.sites[0].distance_km == 0.0


def test_sites_beyond_the_radius_are_left_out_but_the_nearest_is_named(seed_study: Study) -> None:
    clinics = find_clinics(seed_study, "Seattle, WA", "50mi")
    assert clinics.sites == []
    assert clinics.farther_count == 1
    assert clinics.nearest_farther is not None
    assert clinics.nearest_farther.facility == "Mayo Clinic in Florida"
    assert (clinics.nearest_farther.distance_km or 0) > 3000


def test_sites_without_a_point_are_placed_by_city_and_sorted(seed_study: Study) -> None:
    study = with_sites(
        seed_study,
        Location(facility="Far Clinic", city="Miami", state="Florida", country="United States"),
        Location(facility="Near Clinic", city="Orange Park", state="Florida", country="United States"),
        Location(facility="Lost Clinic", city="Nowhereville-sur-Rien", country="Atlantis"),
    )
    clinics = find_clinics(study, "Jacksonville, FL")
    names = [s.facility for s in clinics.sites]
    assert names == ["Mayo Clinic in Florida", "Near Clinic", "Far Clinic", "Lost Clinic"]
    near = clinics.sites[1]
    assert near.location_precision == "city" and near.distance_km is not None
    assert clinics.sites[-1].distance_km is None and clinics.unplaced_count == 1
    kms = [s.distance_km for s in clinics.sites if s.distance_km is not None]
    assert kms == sorted(kms)


def test_unknown_places_raise_with_suggestions(seed_study: Study) -> None:
    with pytest.raises(UnknownPlace) as caught:
        find_clinics(seed_study, "Jaksonvile, FL")
    problem = place_problem(caught.value)
    assert problem.code == "unknown_place"
    assert "Jacksonville, Florida, United States" in problem.suggestions
    assert "Jaksonvile" in problem.message


def test_a_bad_radius_is_a_clear_problem(seed_study: Study) -> None:
    with pytest.raises(GeoError) as caught:
        find_clinics(seed_study, "Jacksonville, FL", "far")
    problem = place_problem(caught.value)
    assert problem.code == "bad_place" and "radius" in problem.message
