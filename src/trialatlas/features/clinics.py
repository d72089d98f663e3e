"""``find_clinics``: a trial's sites with status and contacts, nearest first from a place.

The place is geocoded offline (:mod:`trialatlas.index.geo`: a city, "City, State",
a US ZIP code, or "lat, lon"). A site's point is its registry geo point; a site
without one is placed at its city by the gazetteer and flagged ``city`` (the distance
is then to the city centre). Sites that cannot be placed at all come last, without
a distance. With a radius, only sites within it are listed; the nearest site beyond
it is still named, so the answer is never just "nothing".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trialatlas.index.geo import (
    KM_PER_MILE,
    GeoError,
    UnknownPlace,
    ZipLookupUnavailable,
    city_point,
    geocode,
    haversine_km,
    parse_radius,
)
from trialatlas.model.codes import label
from trialatlas.model.study import Contact, Location, Study

Precision = Literal["site", "city"]


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
    location_precision: Precision | None = None  # "city": placed at its city, not the building
    distance_km: float | None = None
    distance_mi: float | None = None


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
    radius_text: str | None = None  # the radius as the visitor gave it: "25 miles", "40 km"
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
    if loc.geo is not None:
        return loc.geo.lat, loc.geo.lon, loc.geo.precision
    if loc.city:
        found = city_point(loc.city, loc.state, loc.country)
        if found is not None:
            return found[0], found[1], "city"
    return None


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


def find_clinics(study: Study, near: str | None = None, radius: str | float | None = None) -> ClinicList:
    """The study's sites, nearest first from ``near`` (within ``radius``, miles unless "km").

    Raises :class:`~trialatlas.index.geo.GeoError` (``UnknownPlace`` with suggestions,
    ``ZipLookupUnavailable``, a bad radius) when the place or radius cannot be used.
    """
    sites = [_site(loc) for loc in study.locations]
    central = _contacts(study.central_contacts)
    query = (near or "").strip()
    if not query:
        return ClinicList(nct_id=study.nct_id, total_sites=len(sites), sites=sites, central_contacts=central)
    radius_km = parse_radius(radius) if radius not in (None, "") else None
    found = geocode(query)
    place = PlaceView(query=query, label=found.label, lat=found.lat, lon=found.lon, kind=found.kind)
    for site in sites:
        if site.lat is not None and site.lon is not None:
            km = haversine_km(found.lat, found.lon, site.lat, site.lon)
            site.distance_km = round(km, 1)
            site.distance_mi = round(km / KM_PER_MILE, 1)
    placed = sorted((s for s in sites if s.distance_km is not None), key=lambda s: s.distance_km or 0.0)
    unplaced = [s for s in sites if s.distance_km is None]
    within = placed if radius_km is None else [s for s in placed if (s.distance_km or 0.0) <= radius_km]
    farther = placed[len(within) :]
    return ClinicList(
        nct_id=study.nct_id,
        place=place,
        radius_km=round(radius_km, 1) if radius_km is not None else None,
        radius_text=_radius_text(radius, radius_km),
        total_sites=len(sites),
        sites=within + (unplaced if radius_km is None else []),
        farther_count=len(farther),
        nearest_farther=farther[0] if farther else None,
        unplaced_count=len(unplaced),
        central_contacts=central,
    )


def _radius_text(radius: str | float | None, radius_km: float | None) -> str | None:
    """``"25mi"`` → ``25 miles``; ``"40 km"`` → ``40 km`` (the unit the visitor chose)."""
    if radius_km is None:
        return None
    if "k" in str(radius).lower():
        return f"{radius_km:g} km"
    miles = round(radius_km / KM_PER_MILE, 1)
    return f"{miles:g} mile{'' if miles == 1 else 's'}"


def place_problem(error: GeoError) -> PlaceProblem:
    """A friendly explanation of a place or radius that could not be used."""
    if isinstance(error, UnknownPlace):
        shown = error.place.strip()[:80]
        message = f"We could not find “{shown}”. Try a city, “City, State”, a US ZIP code or “lat, lon”."
        return PlaceProblem(code="unknown_place", message=message, suggestions=error.suggestions[:5])
    if isinstance(error, ZipLookupUnavailable):
        return PlaceProblem(
            code="unknown_zip",
            message="We do not know that ZIP code. Try a city instead, such as “Jacksonville, FL”.",
        )
    text = str(error)[:200]
    return PlaceProblem(code="bad_place", message=text[:1].upper() + text[1:])
