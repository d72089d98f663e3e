"""``find_clinics``: the seed trial's site from places given as a city, ZIP code or coordinates."""

from __future__ import annotations

import pytest

from trialatlas.features.clinics import find_clinics, place_problem
from trialatlas.index.geo import GeoError, UnknownPlace
from trialatlas.model.study import Location, Study
from trialatlas.store import open_store

SEED = "NCT06001853"


@pytest.fixture(scope="module")
def seed_study(seed_store_url: str) -> Study:
    store = open_store(seed_store_url)
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
    # the record gives the site's ZIP code (32224): it is placed there at ingest
    assert site.distance_km is None and site.location_precision == "zip"


def test_jacksonville_finds_mayo_clinic_within_25_km(seed_study: Study) -> None:
    clinics = find_clinics(seed_study, "Jacksonville, FL", "25km")
    assert (
        clinics.place is not None and clinics.place.label == "Jacksonville, Florida, United States"
    )
    assert clinics.radius_km == 25.0 and clinics.radius_text == "25 km (16 miles)"
    site = clinics.sites[0]
    assert site.facility == "Mayo Clinic in Florida"
    assert site.distance_km is not None and site.distance_km <= 25


def test_zip_code_and_coordinates_are_places_too(seed_study: Study) -> None:
    by_zip = find_clinics(seed_study, "32224", "25mi")
    assert by_zip.place is not None and by_zip.place.kind == "zip"
    assert by_zip.sites[0].distance_km == 0.0  # the site's own ZIP code
    assert by_zip.radius_text == "25 miles (40 km)"
    by_point = find_clinics(seed_study, "30.33218, -81.65565")  # Jacksonville's centre
    assert by_point.sites[0].distance_km == pytest.approx(20.9, abs=0.5)


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
        Location(
            facility="Near Clinic", city="Orange Park", state="Florida", country="United States"
        ),
        Location(facility="Lost Clinic", city="Nowhereville-sur-Rien", country="Atlantis"),
    )
    clinics = find_clinics(study, "Jacksonville, FL")
    names = [s.facility for s in clinics.sites]
    # Mayo Clinic is placed by its ZIP code, 13 mi from the city centre: Orange Park is nearer
    assert names == ["Near Clinic", "Mayo Clinic in Florida", "Far Clinic", "Lost Clinic"]
    near = clinics.sites[0]
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
    assert "Jaksonvile" not in problem.message  # what was typed is never echoed back


def test_a_bad_radius_is_a_clear_problem(seed_study: Study) -> None:
    with pytest.raises(GeoError) as caught:
        find_clinics(seed_study, "Jacksonville, FL", "far")
    problem = place_problem(caught.value)
    assert problem.code == "bad_place" and "radius" in problem.message


# Issue 12: the seed site (ZIP 32224, Jacksonville) was placed at the city centre, so
# "near 32224 within 10 mi" answered "No sites within 10 mi, nearest 13.0 mi".


def test_the_seed_site_is_placed_by_its_zip_code_not_the_city_centre(seed_study: Study) -> None:
    clinics = find_clinics(seed_study, "32224", "10mi")
    assert [s.facility for s in clinics.sites] == ["Mayo Clinic in Florida"]
    site = clinics.sites[0]
    assert site.location_precision == "zip"
    assert site.distance_text == "under 1 mi (under 2 km)"  # never an exact-looking "0.0 mi"
    assert clinics.nearest_farther is None


def test_a_city_placed_site_says_so_and_counts_when_the_place_is_in_its_city(
    seed_study: Study,
) -> None:
    study = seed_study.model_copy(deep=True)
    study.locations[0].zip = study.locations[0].geo = None  # only the city is known
    clinics = find_clinics(study, "32224", "10mi")
    assert [s.facility for s in clinics.sites] == ["Mayo Clinic in Florida"]
    site = clinics.sites[0]
    assert site.location_precision == "city" and site.in_searched_city
    assert site.distance_text == "in Jacksonville, about 13 mi (21 km)"
    assert (site.distance_km or 0) > 16  # farther than 10 mi from 32224, yet listed
    # a place outside Jacksonville gets no such allowance
    outside = find_clinics(study, "Orange Park, FL", "5mi")
    assert outside.sites == [] and outside.nearest_farther is not None
    assert not outside.nearest_farther.in_searched_city
    assert outside.nearest_farther.distance_text is not None
    assert outside.nearest_farther.distance_text.startswith("in Jacksonville, about ")
    # searched from the city itself: no distance is invented
    assert find_clinics(study, "Jacksonville, FL").sites[0].distance_text == "in Jacksonville"


@pytest.mark.parametrize(
    ("radius", "unit", "first", "other"),
    [
        ("50mi", None, "mi", "km"),
        (None, None, "mi", "km"),
        ("80km", None, "km", "mi"),
        ("50mi", "km", "km", "mi"),
    ],
)
def test_every_distance_of_an_answer_leads_with_one_unit(
    seed_study: Study, radius: str | None, unit: str | None, first: str, other: str
) -> None:
    study = with_sites(
        seed_study,
        Location(
            facility="City Only", city="Orange Park", state="Florida", country="United States"
        ),
        Location(
            facility="By ZIP", city="Miami", state="Florida", zip="33136", country="United States"
        ),
    )
    clinics = find_clinics(study, "32224", radius, unit)
    assert clinics.unit == first
    texts = [s.distance_text for s in clinics.sites if s.distance_km is not None]
    if clinics.nearest_farther is not None:
        texts.append(clinics.nearest_farther.distance_text)
    if clinics.radius_text:
        texts.append(clinics.radius_text)
    assert len(texts) >= 3
    for text in texts:
        assert text is not None
        main, _, bracket = text.partition(" (")
        assert main.split()[-1].startswith(first), text
        assert bracket.rstrip(")").split()[-1].startswith(other), text
