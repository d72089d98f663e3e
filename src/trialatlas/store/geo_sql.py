"""Search around a place: the SQL tests every backend writes alike (a site in the
bounding box of a circle, a site placed by its city in one of the searched towns),
over a site row whose columns are prefixed ``site`` (``"l."``). Built without a
database; the dialect's spellings come from the backend's
:class:`~trialatlas.store.sql_text.Params`.

A site placed only by its city (``geo_precision = 'city'``: its point is the city's)
counts as within the radius, whatever its distance, when its town is one of the
query's ``near_towns`` (towns the searched place lies in, chosen by the feature layer
among the store's ``site_towns``).
"""

from __future__ import annotations

from trialatlas.index.geo import bounding_box
from trialatlas.model.search import SiteTown
from trialatlas.store.sql_text import Params

# a city's point (where its city-placed sites are) lies this close to any place in it
CITY_REACH_KM = 80.0


def box_tests(
    lat: float, lon: float, radius_km: float, p: Params, site: str = "l."
) -> tuple[str, str]:
    """``(latitude test, longitude test)`` of a site for the bounding box of the circle
    (across the antimeridian, the longitude test is two ranges)."""
    box = bounding_box(lat, lon, radius_km)
    lo, hi = p.add("min_lon", box.min_lon), p.add("max_lon", box.max_lon)
    if box.crosses_antimeridian:
        lon_test = f"({site}lon >= {lo} OR {site}lon <= {hi})"
    else:
        lon_test = f"{site}lon BETWEEN {lo} AND {hi}"
    low, high = p.add("min_lat", box.min_lat), p.add("max_lat", box.max_lat)
    return f"{site}lat BETWEEN {low} AND {high}", lon_test


def town_test(towns: list[SiteTown], p: Params, site: str = "l.") -> str:
    """SQL true when the site is placed by its city and that city is one of ``towns``."""
    if not towns:
        return p.FALSE
    tests = [
        f"({site}city = {p.add('town', t.city)}"
        f" AND coalesce({site}state, '') = {p.add('tstate', t.state or '')}"
        f" AND coalesce({site}country, '') = {p.add('tcountry', t.country or '')})"
        for t in towns
    ]
    return f"({site}geo_precision = 'city' AND ({' OR '.join(tests)}))"


def within_first(
    distance: str, radius_km: float | None, towns: list[SiteTown] | None, p: Params
) -> str:
    """The start of an ORDER BY that puts the sites counting as within ``radius_km`` (at
    most that far by ``distance``, or city-placed in one of ``towns``) first; empty
    without a radius."""
    if radius_km is None:
        return ""
    counts = f"{distance} <= {p.add('radius', radius_km)} OR {town_test(towns or [], p, '')}"
    return f"({counts}) DESC, "
