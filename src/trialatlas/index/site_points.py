"""Where a registry site is, and how precisely: by its US ZIP code, else by its city.

ClinicalTrials.gov gives each site a ``geoPoint``, but that point is the site's city
(every site of a city shares it), not the building. So a site is placed:

1. at the centroid of its ZIP code (precision ``zip``) when the site is in the United
   States (or a US territory), the record gives a ZIP code the bundled table knows,
   and that centroid agrees with the site's city (within ``MAX_ZIP_FROM_CITY_KM``) or,
   when the city cannot be placed, with its state; a 4-digit code that lost its
   leading zero ("2178") is read as "02178" under the same checks;
2. otherwise at its city (precision ``city``): the registry's point, else the bundled
   gazetteer's.

A place *lies in* a site's city when the place is that city, or a ZIP code of it
(:func:`place_in_city`); a city-placed site then counts as near whatever the radius.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from trialatlas.index.geo import GeoResult, city_point, haversine_km, normalize_name
from trialatlas.index.zip_codes import ZipEntry, zip_entry

Precision = Literal["zip", "city"]
MAX_ZIP_FROM_CITY_KM = 80.0  # a ZIP centroid farther than this from the site's city is a typo
US_COUNTRIES = frozenset(
    {"united states", "puerto rico", "guam", "virgin islands us", "us virgin islands",
     "american samoa", "northern mariana islands"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SitePoint:
    """A site's point and how it was found."""

    lat: float
    lon: float
    precision: Precision


def place_site(
    city: str | None,
    state: str | None,
    zip_code: str | None,
    country: str | None,
    registry_point: tuple[float, float] | None = None,
) -> SitePoint | None:
    """The site's point: its ZIP code's centroid when usable, else its city's (see module)."""
    town = _city_point(city, state, country, registry_point)
    entry = _usable_zip(zip_code, state, country, town)
    if entry is not None:
        return SitePoint(entry.lat, entry.lon, "zip")
    if town is not None:
        return SitePoint(town[0], town[1], "city")
    return None


def _city_point(
    city: str | None, state: str | None, country: str | None, registry: tuple[float, float] | None
) -> tuple[float, float] | None:
    if registry is not None:
        return registry
    if city and city.strip():
        return city_point(city, state, country)
    return None


def _usable_zip(
    zip_code: str | None, state: str | None, country: str | None, town: tuple[float, float] | None
) -> ZipEntry | None:
    if not zip_code or normalize_name(country or "united states") not in US_COUNTRIES:
        return None
    code = zip_code.strip()
    candidates = [code, "0" + code] if len(code) == 4 and code.isdigit() else [code]
    for candidate in candidates:
        entry = zip_entry(candidate)
        if entry is None:
            continue
        if town is not None:
            if haversine_km(entry.lat, entry.lon, *town) <= MAX_ZIP_FROM_CITY_KM:
                return entry
        elif state and _state_matches(state, entry.state):
            return entry
    return None


@functools.lru_cache(maxsize=256)
def _state_matches(state: str, code: str) -> bool:
    """Whether a registry's state ("Florida", "FL") is the US state with postal ``code``."""
    from trialatlas.index.gazetteer import Gazetteer

    return ("US", code) in Gazetteer.load().region_scopes(state)


def place_in_city(
    place: GeoResult, city: str | None, state: str | None, country: str | None
) -> bool:
    """Whether the searched ``place`` (a city or ZIP code) lies in the site's city."""
    if place.kind not in ("city", "zip") or not place.locality or not city:
        return False
    if normalize_name(city) != normalize_name(place.locality):
        return False
    if place.country_code == "US" and country and normalize_name(country) not in US_COUNTRIES:
        return False
    if state and state.strip() and place.admin1_code:
        from trialatlas.index.gazetteer import Gazetteer

        scopes = Gazetteer.load().region_scopes(state)
        if scopes and (place.country_code, place.admin1_code) not in scopes:
            return False
    if place.country and country and place.country_code != "US":
        return normalize_name(place.country) == normalize_name(country)
    return True
