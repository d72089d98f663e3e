"""``search_trials``: the trial search people use (words, filters, a place and a radius).

The store ranks, filters, counts facets and pages; this feature resolves the place a
person typed with the offline gazetteer (a city, "City, State", "City, Country", a US
ZIP code or "lat, lon"), applies the default radius, and attaches the resolved place
to the result so pages can say what "near" meant. An unknown place raises
:class:`trialatlas.index.geo.UnknownPlace` with close suggestions; a search that
cannot be run as asked raises :class:`SearchError`.
"""

from __future__ import annotations

from trialatlas.features.distance_text import radius_words, site_distance
from trialatlas.index.geo import GeoError, GeoResult, geocode
from trialatlas.index.site_points import place_in_city
from trialatlas.model.search import (
    DEFAULT_RADIUS_KM,
    GeoPoint,
    ResolvedPlace,
    SearchError,
    SearchQuery,
    SearchResults,
    SiteTown,
)
from trialatlas.store.base import Store

__all__ = ["COUNTRY_ALIASES", "SearchError", "resolve_place", "search_trials"]

MAX_TOWNS = 50  # spellings of the searched place's town kept (SearchQuery.near_towns)
# How people write a few countries, and how the registry writes them.
COUNTRY_ALIASES = {
    "us": "United States",
    "usa": "United States",
    "u s": "United States",
    "u s a": "United States",
    "united states of america": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "u k": "United Kingdom",
    "great britain": "United Kingdom",
    "britain": "United Kingdom",
    "south korea": "Korea, Republic of",
    "korea": "Korea, Republic of",
    "russia": "Russian Federation",
    "iran": "Iran, Islamic Republic of",
    "the netherlands": "Netherlands",
    "holland": "Netherlands",
    "czech republic": "Czechia",
}


def _country(value: str | None) -> str | None:
    if not value:
        return value
    key = " ".join(value.lower().replace(".", " ").split())
    return COUNTRY_ALIASES.get(key, value)


def resolve_place(place: str, radius_km: float | None) -> ResolvedPlace:
    """The point and radius a place text means (raises ``UnknownPlace``/``GeoError``)."""
    return _resolved(geocode(place), place, radius_km)


def _resolved(found: GeoResult, place: str, radius_km: float | None) -> ResolvedPlace:
    return ResolvedPlace(
        query=place,
        label=found.label,
        kind=found.kind,
        lat=found.lat,
        lon=found.lon,
        radius_km=radius_km or DEFAULT_RADIUS_KM,
    )


def place_towns(store: Store, found: GeoResult) -> list[SiteTown]:
    """The towns (as the registry writes them) that the searched place lies in: their
    sites placed only by their city count as within any radius (index.site_points)."""
    if found.kind not in ("city", "zip") or not found.locality:
        return []
    towns = store.site_towns(found.lat, found.lon, found.locality)
    return [t for t in towns if place_in_city(found, t.city, t.state, t.country)][:MAX_TOWNS]


def search_trials(store: Store, query: SearchQuery) -> SearchResults:
    """One page of trials for ``query``: hits, total, facets and the next page's cursor.

    With ``query.place`` (and no ``near`` point yet) the place is geocoded and the
    search keeps trials with a site within ``radius_km`` (50 miles when not given);
    each hit then carries its nearest site and distance.
    """
    place: ResolvedPlace | None = None
    updates: dict[str, object] = {}
    if query.place and query.near is None:
        found = geocode(query.place)
        place = _resolved(found, query.place, query.radius_km)
        updates["near"] = GeoPoint(lat=place.lat, lon=place.lon)
        updates["radius_km"] = place.radius_km
        updates["near_towns"] = place_towns(store, found)
    elif query.near is not None:
        radius = query.radius_km or DEFAULT_RADIUS_KM
        updates["radius_km"] = radius
        label = f"{query.near.lat:g}, {query.near.lon:g}"
        place = ResolvedPlace(query=query.place or label, label=label, kind="coordinates",
                              lat=query.near.lat, lon=query.near.lon, radius_km=radius)  # fmt: skip
    country = _country(query.country)
    if country != query.country:
        updates["country"] = country
    if query.sort == "nearest" and place is None:
        raise SearchError("Sorting by the nearest site needs a place: give one with “near”.")
    if updates:
        query = query.model_copy(update=updates)
    results = store.search_trials(query)
    unit = query.unit or "mi"
    if place is not None:
        place.radius_text = radius_words(place.radius_km, unit)
    results.place, results.unit = place, unit
    for hit in results.results:
        site = hit.nearest_site
        if site is not None:  # the page's one unit first, the other in brackets
            site.distance_text = site_distance(
                site.distance_km, site.precision, unit, city=site.city
            )
    return results


def describe_error(exc: Exception) -> tuple[str, str, list[str]]:
    """``(code, message, suggestions)`` for an error a search may raise, for web and CLI."""
    from trialatlas.index.geo import UnknownPlace

    if isinstance(exc, UnknownPlace):
        return "unknown_place", str(exc), list(exc.suggestions)
    if isinstance(exc, GeoError):
        return "bad_place", str(exc), []
    if isinstance(exc, SearchError):
        return "bad_search", str(exc), []
    return "bad_request", str(exc), []
