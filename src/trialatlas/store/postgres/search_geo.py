"""Search around a place on PostgreSQL: sites in a bounding box (``locations_geo``
index), the exact great-circle distance (the haversine of
:func:`trialatlas.index.geo.haversine_km`, in plain SQL) and each trial's nearest site.
Built without a database; the box and town tests are the store's
(:mod:`trialatlas.store.geo_sql`: a city-placed site of one of the query's ``near_towns``
counts as within the radius).
"""

from __future__ import annotations

import math

from trialatlas.index.geo import EARTH_RADIUS_KM
from trialatlas.model.search import SiteTown
from trialatlas.store.geo_sql import CITY_REACH_KM, box_tests, town_test, within_first
from trialatlas.store.postgres.sql_text import Params, Sql

__all__ = ["CITY_REACH_KM", "box_test", "distance_sql", "geo_cte", "nearest_sites_sql"]


def distance_sql(lat: str, lon: str, lat0: float, lon0: float, p: Params) -> str:
    """Great-circle km from (lat0, lon0) to the columns ``lat``/``lon``."""
    phi0 = p.add("phi", math.radians(lat0))
    cos0 = p.add("cos", math.cos(math.radians(lat0)))
    lam0 = p.add("lon", lon0)
    return (
        f"(2 * {EARTH_RADIUS_KM!r}::float8 * asin(least(1.0::float8, sqrt("
        f"power(sin((radians({lat}) - {phi0}::float8) / 2), 2)"
        f" + {cos0}::float8 * cos(radians({lat}))"
        f" * power(sin(radians({lon} - {lam0}::float8) / 2), 2)))))"
    )


def box_test(lat: float, lon: float, radius_km: float, p: Params, site: str = "l.") -> str:
    """WHERE test over a site for the bounding box of the circle (index ``locations_geo``)."""
    lat_test, lon_test = box_tests(lat, lon, radius_km, p, site)
    return f"{lat_test} AND {lon_test}"


def geo_cte(
    lat: float, lon: float, radius_km: float, p: Params, towns: list[SiteTown] | None = None
) -> str:
    """``g(nct_id, distance_km)``: trials with a site within ``radius_km`` (or a
    city-placed site of one of ``towns``), and the nearest such site's km."""
    reach = max(radius_km, CITY_REACH_KM) if towns else radius_km
    distance = distance_sql("l.lat", "l.lon", lat, lon, p)
    box = box_test(lat, lon, reach, p)
    radius = p.add("radius", radius_km)
    keep = f"d <= {radius}" + (" OR in_town" if towns else "")
    return (
        "g AS MATERIALIZED (SELECT nct_id, min(d) AS distance_km FROM ("
        f"SELECT l.nct_id AS nct_id, {distance} AS d, {town_test(towns or [], p)} AS in_town"
        f" FROM locations AS l WHERE {box}) AS sites WHERE {keep} GROUP BY nct_id)"
    )


def nearest_sites_sql(
    nct_ids: list[str],
    lat: float,
    lon: float,
    radius_km: float | None = None,
    towns: list[SiteTown] | None = None,
) -> Sql:
    """Each trial's site nearest to the point (ties: the registry's site order); with
    ``radius_km``, a site that counts as within it (see :func:`geo_cte`) comes first."""
    p = Params()
    dist = distance_sql("lat", "lon", lat, lon, p)
    first = within_first(dist, radius_km, towns, p)
    text = (
        f"SELECT DISTINCT ON (nct_id) nct_id, facility, city, state, country, geo_precision,"
        f" {dist} AS d FROM locations WHERE nct_id = ANY({p.add('ids', nct_ids)})"
        f" AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY nct_id, {first}d, ordinal"
    )
    return Sql(text, p.values)
