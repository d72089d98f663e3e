"""``find_clinics``: a trial's sites with status and contacts, nearest first from a place.

The place is geocoded offline (:mod:`trialatlas.index.geo`: a city, "City, State",
a US ZIP code, or "lat, lon"). A site is placed by :mod:`trialatlas.index.site_points`:
at its US ZIP code's centre (``zip``), else at its city (``city``: the registry's
point is its city's). Sites that cannot be placed at all come last, without a
distance. With a radius, only sites within it are listed, and a city-placed site
whose city holds the searched place counts as within it; the nearest site beyond it
is still named, so the answer is never just "nothing". Each distance is also given as
words in the page's one unit (:mod:`trialatlas.features.distance_text`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trialatlas.features.distance_text import DistanceUnit, choose_unit, radius_words, site_distance
from trialatlas.index.geo import (
    KM_PER_MILE,
    GeoError,
    UnknownPlace,
    ZipLookupUnavailable,
    geocode,
    haversine_km,
    parse_radius,
)
from trialatlas.index.site_points import place_in_city, place_site
from trialatlas.model.codes import label
from trialatlas.model.study import Contact, Location, Study

Precision = Literal["site", "zip", "city"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClinicContact(_Part):
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class ClinicSite(_Part):
    """One site of the trial; ``distance_km`` is set when a place was given and the site placed."""

    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    place: str | None = None
    status_code: str | None = None
    status_label: str | None = None
    contacts: list[ClinicContact] = Field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    location_precision: Precision | None = None  # "zip": at its ZIP code; "city": at its city
    distance_km: float | None = None
    distance_mi: float | None = None
    in_searched_city: bool = False  # city-placed, and the searched place lies in its city
    distance_text: str | None = None  # "about 2 mi (3 km)", "in Jacksonville, about 13 mi (21 km)"


class PlaceView(_Part):
    """The place the visitor gave, as the gazetteer understood it."""

    query: str
    label: str
    lat: float
    lon: float
    kind: str


class ClinicList(_Part):
    """Sites nearest first (registry order without a place)."""

    nct_id: str
    place: PlaceView | None = None
    radius_km: float | None = None
    radius_text: str | None = None  # in the page's unit: "25 miles (40.2 km)", "40 km (24.9 miles)"
    unit: DistanceUnit = "mi"  # the unit every distance of this answer leads with
    total_sites: int
    sites: list[ClinicSite]
    farther_count: int = 0
    nearest_farther: ClinicSite | None = None
    unplaced_count: int = 0
    central_contacts: list[ClinicContact] = Field(default_factory=list)


class PlaceProblem(_Part):
    """Why a place could not be used, for people and programs, with close names to try."""

    code: Literal["unknown_place", "unknown_zip", "bad_place"]
    message: str
    suggestions: list[str] = Field(default_factory=list)


def _contacts(contacts: list[Contact]) -> list[ClinicContact]:
    out = []
    for c in contacts:
        phone = f"{c.phone} ext. {c.phone_ext}" if c.phone and c.phone_ext else c.phone
        out.append(
            ClinicContact(
                name=c.name, role=label("official_role", c.role) or None, phone=phone, email=c.email
            )
        )
    return out


def _point(loc: Location) -> tuple[float, float, Precision] | None:
    """The site's point, placed again from its ZIP code and city (a store loaded before
    ZIP placement holds city points), so every page agrees with the search index."""
    if loc.geo is not None and loc.geo.precision == "zip":
        return loc.geo.lat, loc.geo.lon, "zip"
    given = (loc.geo.lat, loc.geo.lon) if loc.geo is not None else None
    found = place_site(loc.city, loc.state, loc.zip, loc.country, given)
    return (found.lat, found.lon, found.precision) if found is not None else None


def _site(loc: Location) -> ClinicSite:
    point = _point(loc)
    return ClinicSite(
        facility=loc.facility,
        city=loc.city,
        state=loc.state,
        zip=loc.zip,
        country=loc.country,
        place=", ".join(p for p in (loc.city, loc.state, loc.country) if p) or None,
        status_code=loc.status,
        status_label=label("overall_status", loc.status) or None,
        contacts=_contacts(loc.contacts),
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        location_precision=point[2] if point else None,
    )


def find_clinics(
    study: Study,
    near: str | None = None,
    radius: str | float | None = None,
    unit: str | None = None,
) -> ClinicList:
    """The study's sites, nearest first from ``near`` (within ``radius``, miles unless "km").

    Distances lead with ``unit`` ("mi" or "km"; by default the radius's unit, else miles).

    Raises :class:`~trialatlas.index.geo.GeoError` (``UnknownPlace`` with suggestions,
    ``ZipLookupUnavailable``, a bad radius) when the place or radius cannot be used.
    """
    sites = [_site(loc) for loc in study.locations]
    central = _contacts(study.central_contacts)
    query = (near or "").strip()
    page_unit = choose_unit(radius, unit)
    if not query:
        return ClinicList(
            nct_id=study.nct_id,
            total_sites=len(sites),
            sites=sites,
            central_contacts=central,
            unit=page_unit,
        )
    radius_km = parse_radius(radius) if radius not in (None, "") else None
    found = geocode(query)
    place = PlaceView(query=query, label=found.label, lat=found.lat, lon=found.lon, kind=found.kind)
    for site in sites:
        if site.lat is not None and site.lon is not None:
            km = haversine_km(found.lat, found.lon, site.lat, site.lon)
            site.distance_km = round(km, 1)
            site.distance_mi = round(km / KM_PER_MILE, 1)
            site.in_searched_city = site.location_precision == "city" and place_in_city(
                found, site.city, site.state, site.country
            )
            site.distance_text = site_distance(
                km, site.location_precision, page_unit, city=site.city
            )
    placed = sorted(
        (s for s in sites if s.distance_km is not None), key=lambda s: s.distance_km or 0.0
    )
    unplaced = [s for s in sites if s.distance_km is None]
    within = placed if radius_km is None else [s for s in placed if _within(s, radius_km)]
    kept = {id(s) for s in within}
    farther = [s for s in placed if id(s) not in kept]
    return ClinicList(
        nct_id=study.nct_id,
        place=place,
        radius_km=round(radius_km, 1) if radius_km is not None else None,
        radius_text=radius_words(radius_km, page_unit) if radius_km is not None else None,
        unit=page_unit,
        total_sites=len(sites),
        sites=within + (unplaced if radius_km is None else []),
        farther_count=len(farther),
        nearest_farther=farther[0] if farther else None,
        unplaced_count=len(unplaced),
        central_contacts=central,
    )


def _within(site: ClinicSite, radius_km: float) -> bool:
    """Within the radius, or placed by its city and the searched place lies in that city."""
    return site.in_searched_city or (site.distance_km or 0.0) <= radius_km


def place_problem(error: GeoError) -> PlaceProblem:
    """A friendly explanation of a place or radius that could not be used."""
    if isinstance(error, UnknownPlace):
        message = (  # the place typed is not repeated (it may be a patient's home)
            "We could not find that place. Try a city, “City, State”, a US ZIP code or “lat, lon”."
        )
        return PlaceProblem(
            code="unknown_place", message=message, suggestions=error.suggestions[:5]
        )
    if isinstance(error, ZipLookupUnavailable):
        return PlaceProblem(
            code="unknown_zip",
            message="We do not know that ZIP code. Try a city instead, such as “Jacksonville, FL”.",
        )
    text = str(error)[:200]
    return PlaceProblem(code="bad_place", message=text[:1].upper() + text[1:])
